import { randomUUID } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import type { AdapterDefinition, Compiler, Project } from '@dvt/core';
import { listFlag, stringFlag, type Invocation } from './args.js';
import { createAdapterDiscovery } from './adapters/discovery.js';
import type { CommandContext } from './main.js';
import type { Log } from './output/log.js';
import { cliVersion } from './version.js';

/**
 * What every project command starts from: the loaded project, the adapters
 * its outputs need (and only those), and a parsed compiler. Secrets of the
 * profile are registered with the log before anything can print them.
 */
export interface Session {
  project: Project;
  compiler: Compiler;
  /** Absolute target path (`target/`). */
  targetPath: string;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  /** Shared by the Jinja context (`invocation_id`) and the artifacts. */
  invocationId: string;
  startedAt: Date;
  /** Releases what the session holds (the database bridge's worker and connections). */
  close(): Promise<void>;
}

export function projectDirOf(ctx: CommandContext): string {
  return resolve(ctx.cwd, stringFlag(ctx.invocation, 'project-dir') ?? '.');
}

/** `flags:` keys of dbt_project.yml that dvt reads, and the flag each stands for. */
const PROJECT_FLAGS: [string, 'fail-fast' | 'warn-error'][] = [
  ['fail_fast', 'fail-fast'],
  ['warn_error', 'warn-error'],
];

/**
 * dbt_project.yml `flags:` under the command line and the environment. Only
 * fail_fast and warn_error act here: the output's flags (log_format, quiet,
 * debug, use_colors) shape lines printed before the project is read, and the
 * rest (send_anonymous_usage_stats, partial_parse, behaviour flags...) change
 * nothing dvt does.
 */
function applyProjectFlags(invocation: Invocation, flags: Record<string, unknown>, log: Log): void {
  for (const [key, name] of PROJECT_FLAGS) {
    const value = flags[key];
    if (value === undefined || invocation.flags[name] !== undefined) continue;
    if (typeof value !== 'boolean') {
      log.warn('ProjectWarning', `dbt_project.yml: flags.${key} must be true or false, not ${JSON.stringify(value)}; ignored`);
      continue;
    }
    invocation.flags[name] = value;
  }
  if (invocation.flags['warn-error'] === true) log.treatWarningsAsErrors();
}

/** What loading the project takes from the command line (and environment). */
export function projectLoadOptions(ctx: CommandContext) {
  const { invocation } = ctx;
  return {
    projectDir: projectDirOf(ctx),
    profilesDir: stringFlag(invocation, 'profiles-dir'),
    profileName: stringFlag(invocation, 'profile'),
    target: stringFlag(invocation, 'target'),
    vars: stringFlag(invocation, 'vars'),
    env: ctx.env,
  };
}

export interface SessionOptions {
  /** Print dbt's header lines (version, registered adapters); `dvt ls` keeps its output to the list. */
  header?: boolean;
  /**
   * Serve database calls made while rendering (`run_query`, `statement`,
   * `adapter.get_relation`, ...) through core's DatabaseBridge, which then
   * owns every connection of the command.
   */
  database?: boolean;
  /** Bring DuckDB even for a project on one other engine (`dvt show` previews there). */
  duckdb?: boolean;
}

export async function openSession(ctx: CommandContext, opts: SessionOptions = {}): Promise<Session> {
  const core = await import('@dvt/core');
  const { invocation, log, env } = ctx;
  const header = opts.header ?? true;
  if (header) log.info('MainReportVersion', `Running with dvt=${cliVersion()}`, { version: cliVersion() });
  const startedAt = new Date();
  const invocationId = randomUUID();
  const projectDir = projectDirOf(ctx);
  const project = core.loadProject(projectLoadOptions(ctx));
  applyProjectFlags(invocation, project.config.flags, log);
  const outputs = Object.values(project.profile.outputs);
  const secrets = new Set<string>(core.profileSecrets(project.profile));
  const installMask = () => log.setMask((text) => core.maskSecrets(text, [...secrets]));
  installMask();
  for (const w of project.warnings) log.warn('ProjectWarning', w.location ? `${w.location.file}${w.location.line ? `:${w.location.line}` : ''}: ${w.message}` : w.message);

  const discovery = createAdapterDiscovery({ projectDir, outputs });
  const adapters = new Map<string, AdapterDefinition>();
  const modules: Record<string, string> = {};
  const used = usedOutputs(project);
  for (const output of used) {
    const found = await discovery.discover(output.type);
    modules[output.type] = found.entry;
    const definition = found.definition;
    if (header && !adapters.has(output.type)) {
      log.info('AdapterRegistered', `Registered adapter: ${output.type}=${found.version ?? 'unknown'} (${found.packageName})`, {
        adapter_name: output.type,
        adapter_version: found.version,
        package: found.packageName,
      });
    }
    adapters.set(output.type, definition);
    for (const s of core.secretValues(output.config, definition.configSchema)) secrets.add(s);
  }
  // With several connections a model may be federated: it then compiles in
  // DuckDB's dialect and runs in the cache, whatever engines the outputs use.
  // Unit tests run in DuckDB too, whatever their model's target.
  if ((used.length > 1 || opts.duckdb || core.activeUnitTests(project).length > 0) && !adapters.has('duckdb')) {
    const found = await discovery.discover('duckdb');
    modules.duckdb = found.entry;
    adapters.set('duckdb', found.definition);
  }
  installMask();

  const targetPath = absoluteTargetPath(project);
  // Only when some template may call the database: the bridge moves every statement across threads.
  const bridge = opts.database && core.templatesReadDatabase(project)
    ? new core.DatabaseBridge({ projectDir, outputs: project.profile.outputs, modules, log: (level, message) => log[level === 'warn' ? 'warn' : 'debug']('AdapterLog', message) })
    : undefined;
  const compiler = await core.Compiler.create({
    project,
    adapters,
    targetPath,
    env,
    invocationId,
    runStartedAt: startedAt,
    database: bridge?.templateDatabase,
    flags: {
      WHICH: invocation.command,
      FULL_REFRESH: invocation.flags['full-refresh'] === true,
      FAIL_FAST: invocation.flags['fail-fast'] === true,
      WARN_ERROR: invocation.flags['warn-error'] === true,
      EMPTY: invocation.flags.empty === true,
      STORE_FAILURES: invocation.flags['store-failures'] === true,
      SELECT: listFlag(invocation, 'select') ?? null,
      EXCLUDE: listFlag(invocation, 'exclude') ?? null,
    },
    logger: {
      info: (message: string) => log.info('JinjaLogInfo', message),
      debug: (message: string) => log.debug('JinjaLogDebug', message),
      warn: (message: string) => log.warn('JinjaLogWarning', message),
    },
  });
  compiler.parseProject();
  const resolveAdapter = bridge ? async (type: string) => bridge.adapter(await discovery.resolve(type)) : discovery.resolve;
  return { project, compiler, targetPath, resolveAdapter, invocationId, startedAt, close: async () => bridge?.close() };
}

/**
 * Profile outputs the project uses: the default target, plus every output a
 * node (`config.target`, from YAML or a `{{ config(target=...) }}` call in
 * its file) or source (`connection:`) names. Other outputs of the profile may
 * be for engines that are not installed here. The compiler needs every
 * adapter before it parses, so in-file configs are found by a literal scan.
 */
export function usedOutputs(project: Project): Project['profile']['outputs'][string][] {
  const outputs = [];
  for (const name of usedOutputNames(project)) {
    const output = project.profile.outputs[name];
    if (output) outputs.push(output);
  }
  return outputs;
}

/** The names behind usedOutputs, including names the profile does not have (for `dvt debug` to report). */
export function usedOutputNames(project: Project): Set<string> {
  const names = new Set<string>([project.profile.target]);
  for (const node of project.nodes.values()) {
    if (typeof node.config.target === 'string') names.add(node.config.target);
    for (const name of inFileTargets(node.raw_code)) names.add(name);
  }
  for (const source of project.sources.values()) if (source.connection) names.add(source.connection);
  return names;
}

export function absoluteTargetPath(project: Project): string {
  const { targetPath, rootDir } = project.config;
  return isAbsolute(targetPath) ? targetPath : join(rootDir, targetPath);
}

const CONFIG_CALL = /\bconfig\s*\(([^)]*)\)/g;
const TARGET_KWARG = /\btarget\s*=\s*['"]([^'"]+)['"]/g;

/** Output names given literally as `target=` inside `config(...)` calls. */
export function inFileTargets(rawCode: string): string[] {
  const names: string[] = [];
  for (const call of rawCode.matchAll(CONFIG_CALL)) {
    for (const kwarg of call[1].matchAll(TARGET_KWARG)) names.push(kwarg[1]);
  }
  return names;
}
