import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DvtError } from '../errors.js';
import type { ProjectConfig, ProjectWarning } from './types.js';
import { renderYamlTree } from './render.js';
import type { YamlRenderContext } from './render.js';
import { isRecord, parseYaml } from './yaml.js';
import type { YamlFile } from './yaml.js';

export const PROJECT_FILE = 'dbt_project.yml';

const KNOWN_KEYS = new Set([
  'name', 'version', 'config-version', 'profile', 'model-paths', 'source-paths', 'seed-paths', 'data-paths', 'test-paths',
  'analysis-paths', 'macro-paths', 'snapshot-paths', 'docs-paths', 'asset-paths', 'function-paths', 'target-path', 'log-path',
  'packages-install-path', 'clean-targets', 'query-comment', 'require-dbt-version', 'vars', 'quoting', 'on-run-start',
  'on-run-end', 'dispatch', 'models', 'seeds', 'snapshots', 'sources', 'tests', 'data_tests', 'metrics',
  'semantic-models', 'saved-queries', 'exposures', 'analyses', 'unit_tests', 'functions', 'restrict-access', 'flags',
  'dbt-cloud',
]);

const CONFIG_TREES = ['models', 'seeds', 'snapshots', 'sources', 'tests', 'data_tests', 'analyses', 'exposures', 'unit_tests'];

/** dbt leaves these unrendered at load time: vars render on use, hooks at run time. */
function skipAtLoad(path: readonly string[]): boolean {
  const head = path[0];
  if (head === 'vars' || head === 'on-run-start' || head === 'on-run-end' || head === 'query-comment') return true;
  const last = path[path.length - 1] ?? '';
  return /^\+?(pre|post)[-_]hook$/.test(last);
}

export interface LoadedProjectFile {
  config: ProjectConfig;
  packagesInstallPath: string;
  warnings: ProjectWarning[];
  /** Line of a key path in the file (`['models', 'shop', 'staging']`). */
  lineOfPath(path: readonly string[]): number | undefined;
}

/** dbt_project.yml as parsed, before rendering. */
export interface ProjectYaml {
  source: YamlFile;
  raw: Record<string, unknown>;
}

export function readProjectYaml(dir: string): ProjectYaml {
  const path = join(dir, PROJECT_FILE);
  if (!existsSync(path)) {
    throw new DvtError('config', `No ${PROJECT_FILE} found in ${dir}: run dvt from a project directory or pass --project-dir`);
  }
  const source = parseYaml(readFileSync(path, 'utf8'), PROJECT_FILE);
  const raw = source.value;
  if (!isRecord(raw)) throw new DvtError('config', `${PROJECT_FILE} must be a mapping`, { location: { file: PROJECT_FILE, line: 1 } });
  return { source, raw };
}

/**
 * The `profile:` of `<dir>/dbt_project.yml`, rendered alone: the rest of the
 * file may use `target`, which exists only once the profile is loaded.
 */
export function readProjectProfileName(dir: string, ctx: Omit<YamlRenderContext, 'allowSecrets'>, parsed = readProjectYaml(dir)): string {
  const { source, raw } = parsed;
  if (raw.profile === undefined || raw.profile === null) return '';
  const holder = { profile: raw.profile };
  renderYamlTree(source, holder, { ...ctx, allowSecrets: false }, () => false);
  return String(holder.profile);
}

/**
 * Read and render `<dir>/dbt_project.yml`. As in dbt, var() sees only --vars
 * here, and `target` is the profile's chosen output.
 */
export function readProjectFile(dir: string, ctx: Omit<YamlRenderContext, 'allowSecrets'>, parsed = readProjectYaml(dir)): LoadedProjectFile {
  const { source, raw } = parsed;
  renderYamlTree(source, raw, { ...ctx, allowSecrets: false }, skipAtLoad);
  const at = (key: string) => ({ file: PROJECT_FILE, line: source.lineOf(raw, key) });
  const warnings: ProjectWarning[] = [];

  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(key)) warnings.push({ message: `Unknown key '${key}' in ${PROJECT_FILE} is ignored`, location: at(key) });
  }
  const name = raw.name;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new DvtError('config', `'name' in ${PROJECT_FILE} must be a valid identifier (letters, digits, underscores), got ${JSON.stringify(name ?? null)}`, {
      location: at('name'),
    });
  }
  const configVersion = raw['config-version'] === undefined ? 2 : Number(raw['config-version']);
  if (configVersion !== 2) {
    throw new DvtError('config', `config-version ${String(raw['config-version'])} is not supported; use config-version: 2`, { location: at('config-version') });
  }

  const paths = (key: string, fallback: string[], legacyKey?: string): string[] => {
    const value = raw[key] ?? (legacyKey ? raw[legacyKey] : undefined);
    if (value === undefined || value === null) return fallback;
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
      throw new DvtError('config', `'${key}' must be a list of paths`, { location: at(key) });
    }
    return (value as string[]).map((p) => p.replace(/\\/g, '/').replace(/\/+$/, ''));
  };
  const modelPaths = paths('model-paths', ['models'], 'source-paths');
  const seedPaths = paths('seed-paths', ['seeds'], 'data-paths');
  const testPaths = paths('test-paths', ['tests']);
  const analysisPaths = paths('analysis-paths', ['analyses']);
  const macroPaths = paths('macro-paths', ['macros']);
  const snapshotPaths = paths('snapshot-paths', ['snapshots']);
  const docsPaths = paths('docs-paths', [...modelPaths, ...seedPaths, ...testPaths, ...analysisPaths, ...macroPaths, ...snapshotPaths]);
  const targetPath = typeof raw['target-path'] === 'string' ? raw['target-path'] : 'target';
  const packagesInstallPath = typeof raw['packages-install-path'] === 'string' ? raw['packages-install-path'] : 'dbt_packages';

  const configTrees: Record<string, Record<string, unknown>> = {};
  for (const tree of CONFIG_TREES) {
    const value = raw[tree];
    if (value === undefined || value === null) continue;
    if (!isRecord(value)) throw new DvtError('config', `'${tree}' in ${PROJECT_FILE} must be a mapping`, { location: at(tree) });
    configTrees[tree] = value;
  }
  const flags = raw.flags ?? {};
  if (!isRecord(flags)) throw new DvtError('config', `'flags' in ${PROJECT_FILE} must be a mapping`, { location: at('flags') });
  const vars = raw.vars ?? {};
  if (!isRecord(vars)) throw new DvtError('config', `'vars' in ${PROJECT_FILE} must be a mapping`, { location: at('vars') });

  const config: ProjectConfig = {
    name,
    version: raw.version === undefined || raw.version === null ? undefined : String(raw.version),
    profile: typeof raw.profile === 'string' ? raw.profile : '',
    configVersion,
    modelPaths,
    seedPaths,
    macroPaths,
    testPaths,
    snapshotPaths,
    analysisPaths,
    docsPaths,
    targetPath,
    cleanTargets: paths('clean-targets', [targetPath]),
    vars,
    quoting: isRecord(raw.quoting) ? (raw.quoting as Record<string, boolean>) : {},
    onRunStart: hookList(raw['on-run-start']),
    onRunEnd: hookList(raw['on-run-end']),
    dispatch: dispatchList(raw.dispatch, at('dispatch')),
    flags,
    configTrees,
    rootDir: dir,
  };
  const lineOfPath = (path: readonly string[]): number | undefined => {
    let container: unknown = raw;
    for (let i = 0; i < path.length - 1; i++) container = isRecord(container) ? container[path[i]!] : undefined;
    return source.lineOf(container, path[path.length - 1]);
  };
  return { config, packagesInstallPath, warnings, lineOfPath };
}

function hookList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => String(v));
}

function dispatchList(value: unknown, location: { file: string; line?: number }): ProjectConfig['dispatch'] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new DvtError('config', `'dispatch' must be a list of {macro_namespace, search_order}`, { location });
  return value.map((entry) => {
    if (!isRecord(entry) || typeof entry.macro_namespace !== 'string' || !Array.isArray(entry.search_order)) {
      throw new DvtError('config', `each 'dispatch' entry needs macro_namespace (string) and search_order (list)`, { location });
    }
    return { macro_namespace: entry.macro_namespace, search_order: entry.search_order.map(String) };
  });
}
