import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ProfileOutput } from '@dvt/core';
import { booleanFlag, stringFlag } from '../args.js';
import { candidatePackages, createAdapterDiscovery, type DiscoveredAdapter } from '../adapters/discovery.js';
import type { CommandContext } from '../main.js';
import { projectDirOf, projectLoadOptions, usedOutputs } from '../session.js';
import { installFailure, runInstall } from '../sync/install.js';
import { addDevDependencies, detectPackageManager, shellLine, tarballSpec } from '../sync/package-manager.js';
import { installedFrom, readTarballDir, type Tarball, tarballClosure, TarballError, withPnpmOverrides } from '../sync/tarballs.js';

/**
 * `dvt sync`: installs the adapter packages the project's connections need
 * and that do not resolve yet, with the project's own package manager, then
 * reports which package serves each connection and where it was found.
 */
export default function sync(ctx: CommandContext): Promise<number> {
  return runSync(ctx);
}

export interface SyncOptions {
  /** Where the dvt installation is (discovery's fallback); tests point it at an empty place. */
  cliUrl?: string;
}

type Lookup = { output: ProfileOutput; found: DiscoveredAdapter } | { output: ProfileOutput; missing: string[] } | { output: ProfileOutput; error: string };

export async function runSync(ctx: CommandContext, options: SyncOptions = {}): Promise<number> {
  const core = await import('@dvt/core');
  const { log, invocation, env } = ctx;
  const projectDir = projectDirOf(ctx);
  const dryRun = booleanFlag(invocation, 'dry-run');
  const fromDir = stringFlag(invocation, 'from');
  const project = core.loadProject(projectLoadOptions(ctx));
  log.setMask((text) => core.maskSecrets(text, core.profileSecrets(project.profile)));
  const allOutputs = Object.values(project.profile.outputs);
  const outputs = booleanFlag(invocation, 'all') ? allOutputs : usedOutputs(project);

  const lookUp = async (): Promise<Lookup[]> => {
    // A fresh discovery each time: packages installed a moment ago must be seen.
    const discovery = createAdapterDiscovery({ projectDir, outputs: allOutputs, cliUrl: options.cliUrl });
    const results: Lookup[] = [];
    for (const output of outputs) {
      try {
        results.push({ output, found: await discovery.discover(output.type) });
      } catch (e) {
        if (!core.isDvtError(e)) throw e;
        const explicit = allOutputs.filter((o) => o.type === output.type && o.adapter).map((o) => o.adapter as string);
        // Discovery's not-installed message (the tests here fail if its wording changes); other errors mean installed but broken.
        if (/^No adapter installed/.test(e.message)) results.push({ output, missing: candidatePackages(output.type, explicit) });
        else results.push({ output, error: e.message });
      }
    }
    return results;
  };

  const before = await lookUp();
  // The first candidate is what a user means: the output's explicit `adapter:`, else @dvt/adapter-<type>.
  const wanted = [...new Set(before.flatMap((r) => ('missing' in r ? [r.missing[0]!] : [])))];
  if (wanted.length === 0) {
    log.info('SyncNothingMissing', `Every adapter the project needs is installed (${outputs.length} connection${outputs.length === 1 ? '' : 's'}).`);
    return report(ctx, before, projectDir);
  }

  const pm = detectPackageManager(projectDir);
  let specs: string[] = wanted;
  let fromTarballs: Tarball[] = [];
  if (fromDir !== undefined) {
    let tarballs;
    try {
      tarballs = readTarballDir(resolve(ctx.cwd, fromDir));
    } catch (e) {
      if (e instanceof TarballError) throw new core.DvtError('usage', e.message);
      throw e;
    }
    fromTarballs = tarballClosure(wanted, tarballs, installedFrom(projectDir));
    const byName = wanted.filter((name) => !tarballs.has(name));
    if (byName.length > 0) log.warn('SyncNotInDirectory', `Not in ${fromDir}, so from the registry: ${byName.join(', ')}`);
    specs = [...fromTarballs.map((t) => tarballSpec(pm.name, t.file)), ...byName];
  }
  const argv = addDevDependencies(pm.name, specs);
  const why = pm.lockfile ? `${pm.name}, from ${pm.lockfile}` : `${pm.name}: no lockfile found at or above the project`;
  log.info('SyncMissing', `Missing: ${wanted.join(', ')}`, { missing: wanted });

  const manifest = join(projectDir, 'package.json');
  const needsManifest = !existsSync(manifest);
  const overridesNote = `pnpm.overrides in ${manifest} for ${fromTarballs.map((t) => t.name).join(', ')} (so their own dependencies on each other come from the tarballs too)`;
  const needsOverrides = pm.name === 'pnpm' && fromTarballs.length > 0;
  if (dryRun) {
    if (needsManifest) log.info('SyncWouldCreatePackageJson', `Would create ${manifest} (private, no dependencies yet): the project has none.`);
    if (needsOverrides) log.info('SyncWouldOverride', `Would set ${overridesNote}.`);
    log.info('SyncCommand', `Would run in ${projectDir} (${why}):`);
    log.result('SyncDryRun', shellLine(argv), { command: argv, cwd: projectDir, package_manager: pm.name });
    return 0;
  }
  if (needsManifest) {
    writeFileSync(manifest, `${JSON.stringify({ name: packageName(projectDir), private: true }, null, 2)}\n`);
    log.info('SyncCreatedPackageJson', `Created ${manifest}: the adapters are recorded there as development dependencies.`, { path: manifest });
  }
  if (needsOverrides) {
    let current: Record<string, unknown>;
    try {
      current = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new core.DvtError('config', `package.json is not valid JSON: ${(e as Error).message}`, { location: { file: manifest } });
    }
    const updated = withPnpmOverrides(current, fromTarballs);
    if (updated) {
      writeFileSync(manifest, `${JSON.stringify(updated, null, 2)}\n`);
      log.info('SyncOverrides', `Set ${overridesNote}.`);
    }
  }
  log.info('SyncInstalling', `Running in ${projectDir} (${why}): ${shellLine(argv)}`, { command: argv, cwd: projectDir });
  let result;
  try {
    result = await runInstall(argv, projectDir, env, (line) => log.debug('SyncInstallOutput', line));
  } catch (e) {
    const code = (e as { code?: string }).code;
    const reason = code === 'ENOENT' ? `${argv[0]} is not installed or not on PATH` : (e as Error).message;
    throw new core.DvtError('adapter', `Cannot run ${shellLine(argv)}: ${reason}.`, { cause: e });
  }
  if (result.code !== 0) throw new core.DvtError('adapter', installFailure(argv, result, wanted));

  const after = await lookUp();
  const stillMissing = after.flatMap((r) => ('missing' in r ? [`${r.output.name} (${r.output.type})`] : []));
  if (stillMissing.length > 0) {
    throw new core.DvtError('adapter', `${shellLine(argv)} succeeded, but no adapter resolves from ${projectDir} for: ${stillMissing.join(', ')}.`);
  }
  return report(ctx, after, projectDir);
}

/** One line per connection: the package serving it, its version, and where it resolved. Exit 2 if any adapter is broken. */
function report({ log }: CommandContext, lookups: Lookup[], projectDir: string): number {
  const inProject = installedFrom(projectDir);
  let broken = false;
  for (const r of lookups) {
    const name = `${r.output.name} (${r.output.type})`;
    if ('found' in r) {
      const { packageName, version, entry } = r.found;
      const where = inProject(packageName) ? 'the project' : 'the dvt installation';
      log.info('SyncConnection', `${name}: ${packageName}${version ? ` ${version}` : ''}, from ${where} (${entry})`, {
        output: r.output.name,
        type: r.output.type,
        package: packageName,
        version,
        resolved_from: where === 'the project' ? 'project' : 'dvt',
        entry,
      });
    } else if ('missing' in r) {
      log.warn('SyncConnection', `${name}: no adapter installed (would install ${r.missing[0]})`, { output: r.output.name, type: r.output.type });
    } else {
      broken = true;
      log.error('SyncConnection', (p) => p.red(`${name}: ${r.error}`), { output: r.output.name, type: r.output.type });
    }
  }
  return broken ? 2 : 0;
}

/** A valid npm package name from the project folder's name. */
function packageName(dir: string): string {
  const name = basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '');
  return name.length > 0 ? name : 'dvt-project';
}
