import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringFlag } from '../args.js';
import { createAdapterDiscovery, packageVersion } from '../adapters/discovery.js';
import type { CommandContext } from '../main.js';
import { projectDirOf, usedOutputs } from '../session.js';
import { cliVersion } from '../version.js';

/**
 * `dvt debug`: versions, where the project and profile are, and one status
 * line per connection the project uses (connect + ping). Exit 1 when any
 * check fails; problems are reported, not thrown, so every check runs.
 */
export default async function debug(ctx: CommandContext): Promise<number> {
  const core = await import('@dvt/core');
  const { log, invocation, env } = ctx;
  const projectDir = projectDirOf(ctx);
  let failed = false;
  const status = (label: string, ok: boolean, detail?: string) => {
    if (!ok) failed = true;
    log.event(ok ? 'info' : 'error', 'DebugCheck', (p) => `${label}: ${ok ? p.green('OK') : p.red('ERROR')}${detail ? ` ${detail}` : ''}`, { check: label, ok });
  };

  const coreVersion = packageVersion(fileURLToPath(import.meta.resolve('@dvt/core')), '@dvt/core') ?? 'unknown';
  log.info('DebugVersions', `dvt version: ${cliVersion()}\n@dvt/core version: ${coreVersion}\nnode version: ${process.version}\nos: ${process.platform}-${process.arch}`, {
    dvt: cliVersion(),
    core: coreVersion,
    node: process.version,
  });
  log.info('DebugPaths', `project dir: ${projectDir}`);
  const projectFile = join(projectDir, 'dbt_project.yml');
  if (!existsSync(projectFile)) {
    status('dbt_project.yml file', false, `not found at ${projectFile}`);
    return 1;
  }

  let project;
  try {
    project = core.loadProject({
      projectDir,
      profilesDir: stringFlag(invocation, 'profiles-dir'),
      target: stringFlag(invocation, 'target'),
      vars: stringFlag(invocation, 'vars'),
      env,
    });
  } catch (e) {
    if (!core.isDvtError(e)) throw e;
    status('project and profile', false, `\n${e.format()}`);
    return 1;
  }
  status('dbt_project.yml file', true, `[${projectFile}]`);
  status('profiles.yml file', true, `[${project.profile.path}]`);
  log.info('DebugProfile', `profile: ${project.profile.name}  target: ${project.profile.target}`);

  const secrets = new Set(core.profileSecrets(project.profile));
  log.setMask((text) => core.maskSecrets(text, [...secrets]));
  const outputs = usedOutputs(project);
  const discovery = createAdapterDiscovery({ projectDir, outputs: Object.values(project.profile.outputs) });
  for (const output of outputs) {
    const label = `Connection '${output.name}' (${output.type})`;
    let adapter;
    try {
      adapter = await discovery.discover(output.type);
    } catch (e) {
      if (!core.isDvtError(e)) throw e;
      status(label, false, `\n${e.format()}`);
      continue;
    }
    for (const s of core.secretValues(output.config, adapter.definition.configSchema)) secrets.add(s);
    log.info('DebugAdapter', `  adapter: ${adapter.packageName}${adapter.version ? ` ${adapter.version}` : ''}`);
    const shown = core.redactConfig(output.config, adapter.definition.configSchema);
    for (const [key, value] of Object.entries(shown)) log.info('DebugConfig', `  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    const started = performance.now();
    try {
      const connection = await adapter.definition.connect(output.config, { projectDir, logger: adapterLogger(ctx) });
      try {
        await connection.ping();
      } finally {
        await connection.close();
      }
      status(label, true, `(${Math.round(performance.now() - started)} ms)`);
    } catch (e) {
      status(label, false, `\n  ${(e as Error).message}`);
    }
  }
  log.info('Formatting', '');
  if (failed) log.error('DebugResult', (p) => p.red('Some checks failed: see the errors above.'));
  else log.info('DebugResult', (p) => p.green('All checks passed!'));
  return failed ? 1 : 0;
}

export function adapterLogger({ log }: CommandContext) {
  return {
    debug: (message: string) => log.debug('AdapterLog', message),
    info: (message: string) => log.info('AdapterLog', message),
    warn: (message: string) => log.warn('AdapterLog', message),
  };
}
