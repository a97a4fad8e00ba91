import path from 'node:path';
import { DvtError, type ConfigProperty } from '@dvt/core';

export interface DuckDBAttachment {
  path: string;
  alias?: string;
  read_only?: boolean;
}

/** A profiles.yml output of `type: duckdb`, with dbt-duckdb's keys. */
export interface DuckDBConfig {
  path?: string;
  schema?: string;
  database?: string;
  threads?: number;
  settings?: Record<string, string | number | boolean>;
  extensions?: string[];
  attach?: DuckDBAttachment[];
  [key: string]: unknown;
}

export const MEMORY = ':memory:';

export const configSchema: ConfigProperty[] = [
  { name: 'path', type: 'string', default: MEMORY, description: "Database file, relative to the project directory; ':memory:' for an in-process database." },
  { name: 'schema', type: 'string', default: 'main', description: 'Schema models are built in.' },
  { name: 'database', type: 'string', description: "Catalog name; derived from the file name ('memory' in memory) and must match it when given." },
  // As in dbt-duckdb, `threads` is dbt's run concurrency; DuckDB's own worker count is `settings: { threads: N }`.
  { name: 'threads', type: 'number', description: "dbt's run concurrency (models built at once). DuckDB's worker threads: settings.threads." },
  { name: 'settings', type: 'object', description: 'SET options applied to every connection, e.g. { memory_limit: 2GB }.' },
  { name: 'extensions', type: 'array', description: 'Extensions to LOAD (built-in ones work offline; others need INSTALL, hence network).' },
  { name: 'attach', type: 'array', description: 'Other DuckDB files to ATTACH: [{ path, alias, read_only }].' },
];

function fail(message: string): never {
  throw new DvtError('config', `duckdb profile: ${message}`);
}

/** The catalog name DuckDB gives a database file: its base name without extension. */
export function databaseNameForPath(dbPath: string): string {
  if (dbPath === MEMORY || dbPath === '') return 'memory';
  const base = path.basename(dbPath);
  const dot = base.indexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

export interface ResolvedConfig {
  /** Absolute file path, or ':memory:'. */
  path: string;
  database: string;
  schema: string;
  settings: Record<string, string | number | boolean>;
  extensions: string[];
  attach: { path: string; alias: string; readOnly: boolean }[];
}

function resolvePath(p: string, projectDir: string): string {
  return p === MEMORY || p === '' ? MEMORY : path.resolve(projectDir, p);
}

/** Checks a profile output and resolves its paths against the project directory. */
export function resolveConfig(config: DuckDBConfig, projectDir: string): ResolvedConfig {
  if (config.path !== undefined && typeof config.path !== 'string') fail('`path` must be a string');
  if (config.schema !== undefined && (typeof config.schema !== 'string' || config.schema === '')) fail('`schema` must be a non-empty string');
  if (config.threads !== undefined && !(Number.isInteger(config.threads) && config.threads > 0)) fail('`threads` must be a positive integer');
  if (config.settings !== undefined && (typeof config.settings !== 'object' || config.settings === null || Array.isArray(config.settings))) fail('`settings` must be a map of option: value');
  if (config.extensions !== undefined && !(Array.isArray(config.extensions) && config.extensions.every((e) => typeof e === 'string' && /^\w+$/.test(e)))) {
    fail('`extensions` must be a list of extension names');
  }
  if (config.attach !== undefined && !Array.isArray(config.attach)) fail('`attach` must be a list of { path, alias, read_only }');

  const dbPath = resolvePath(config.path ?? MEMORY, projectDir);
  const derived = databaseNameForPath(dbPath);
  if (config.database !== undefined && config.database !== derived) {
    fail(`\`database\` is '${config.database}' but the file ${config.path ?? MEMORY} is attached as '${derived}'; remove \`database\` or rename the file`);
  }
  const attach = (config.attach ?? []).map((a, i) => {
    if (!a || typeof a.path !== 'string') fail(`attach[${i}] needs a \`path\``);
    const resolved = resolvePath(a.path, projectDir);
    return { path: resolved, alias: a.alias ?? databaseNameForPath(resolved), readOnly: a.read_only === true };
  });
  return {
    path: dbPath,
    database: derived,
    schema: config.schema ?? 'main',
    settings: (config.settings ?? {}) as Record<string, string | number | boolean>,
    extensions: config.extensions ?? [],
    attach,
  };
}

/** Path identity without touching the disk (canSee is pure): normalised, and relative paths compared as written. */
export function samePath(a: string | undefined, b: string | undefined): boolean {
  const norm = (p: string | undefined) => (p === undefined || p === '' || p === MEMORY ? MEMORY : path.normalize(p));
  return norm(a) === norm(b);
}
