import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProfileOutput } from '@dvt/core';
import { createAdapterDiscovery, packageVersion } from '../adapters/discovery.js';
import type { CommandContext } from '../main.js';
import { projectDirOf, projectLoadOptions, usedOutputNames } from '../session.js';
import { cliVersion } from '../version.js';

/**
 * `dvt debug`: versions, where the project and profile are, each used
 * connection's adapter and profile fields (secrets as ****), then one status
 * line per connection the project uses — the target, every source's
 * `connection:`, every model's `target` — from connecting and pinging.
 * Exit 1 when any check fails; problems are reported, not thrown, so every
 * check runs.
 */
export default async function debug(ctx: CommandContext): Promise<number> {
  const core = await import('@dvt/core');
  const { log } = ctx;
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
    project = core.loadProject(projectLoadOptions(ctx));
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
  const discovery = createAdapterDiscovery({ projectDir, outputs: Object.values(project.profile.outputs) });
  const checks: { line: string; run: () => Promise<string | undefined> }[] = [];
  for (const name of usedOutputNames(project)) {
    const output = project.profile.outputs[name];
    if (!output) {
      checks.push({ line: `${name} (unknown output)`, run: async () => `not an output of profile '${project.profile.name}' (outputs: ${Object.keys(project.profile.outputs).join(', ')})` });
      continue;
    }
    const line = `${name} (${output.type}, ${whereOf(output)})`;
    let adapter;
    try {
      adapter = await discovery.discover(output.type);
    } catch (e) {
      if (!core.isDvtError(e)) throw e;
      const message = firstLine(e.message);
      checks.push({ line, run: async () => message });
      continue;
    }
    for (const s of core.secretValues(output.config, adapter.definition.configSchema)) secrets.add(s);
    log.info('DebugAdapter', `Connection '${name}':\n  adapter: ${adapter.packageName}${adapter.version ? ` ${adapter.version}` : ''}`);
    const shown = core.redactConfig(output.config, adapter.definition.configSchema);
    for (const [key, value] of Object.entries(shown)) log.info('DebugConfig', `  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
    const definition = adapter.definition;
    checks.push({
      line,
      run: async () => {
        try {
          const connection = await definition.connect(output.config, { projectDir, logger: adapterLogger(ctx) });
          try {
            await connection.ping();
          } finally {
            await connection.close();
          }
          return undefined;
        } catch (e) {
          return cleanMessage(e);
        }
      },
    });
  }

  log.info('DebugConnections', 'Connections:');
  for (const check of checks) {
    const problem = await check.run();
    if (problem !== undefined) failed = true;
    log.event(problem === undefined ? 'info' : 'error', 'DebugCheck', (p) => `  ${check.line}: ${problem === undefined ? `${p.green('OK')} connection ok` : `${p.red('ERROR')} ${problem}`}`, {
      check: check.line,
      ok: problem === undefined,
    });
  }
  log.info('Formatting', '');
  if (failed) log.error('DebugResult', (p) => p.red('Some checks failed: see the errors above.'));
  else log.info('DebugResult', (p) => p.green('All checks passed!'));
  return failed ? 1 : 0;
}

/**
 * Where a connection points, from fields no adapter marks secret: host and
 * port with the database, a file path, or the account/project of a cloud
 * warehouse.
 */
export function whereOf(output: ProfileOutput): string {
  const config = output.config;
  const text = (key: string) => (typeof config[key] === 'string' || typeof config[key] === 'number' ? String(config[key]) : undefined);
  const host = text('host') ?? text('server');
  const database = text('dbname') ?? text('database') ?? text('schema');
  if (host) return `${host}${text('port') ? `:${text('port')}` : ''}${database ? `/${database}` : ''}`;
  const place = text('path') ?? text('account') ?? text('project') ?? text('http_path');
  return place ?? output.type;
}

/** One line a user can act on: the driver's message without a stack, the first of several causes. */
function cleanMessage(e: unknown): string {
  if (e instanceof AggregateError && !e.message && e.errors.length > 0) return cleanMessage(e.errors[0]);
  const message = e instanceof Error ? e.message || e.name : String(e);
  return firstLine(message);
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim().length > 0)?.trim() ?? text;
}

export function adapterLogger({ log }: CommandContext) {
  return {
    debug: (message: string) => log.debug('AdapterLog', message),
    info: (message: string) => log.info('AdapterLog', message),
    warn: (message: string) => log.warn('AdapterLog', message),
  };
}
