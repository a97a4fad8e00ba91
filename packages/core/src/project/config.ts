import type { ExecutableNode, HookConfig, NodeConfig, ResourceType } from './types.js';
import { isRecord } from './yaml.js';

/**
 * Config keys dbt knows, per resource type. In a dbt_project.yml tree a key
 * that is neither `+`-prefixed nor one of these names a folder.
 */
const COMMON_KEYS = [
  'enabled', 'materialized', 'schema', 'database', 'alias', 'tags', 'meta', 'pre-hook', 'post-hook', 'pre_hook', 'post_hook',
  'persist_docs', 'quoting', 'column_types', 'full_refresh', 'unique_key', 'on_schema_change', 'on_configuration_change',
  'grants', 'packages', 'docs', 'contract', 'event_time', 'incremental_strategy', 'batch_size', 'lookback', 'begin',
  'concurrent_batches', 'access', 'group', 'sql_header', 'target', 'connection', 'freshness', 'loaded_at_field',
] as const;
const KEYS_BY_TYPE: Record<string, readonly string[]> = {
  models: [...COMMON_KEYS],
  seeds: [...COMMON_KEYS, 'delimiter', 'quote_columns'],
  snapshots: [
    ...COMMON_KEYS, 'strategy', 'updated_at', 'check_cols', 'target_schema', 'target_database', 'snapshot_meta_column_names',
    'hard_deletes', 'dbt_valid_to_current', 'invalidate_hard_deletes',
  ],
  tests: [
    ...COMMON_KEYS, 'severity', 'where', 'limit', 'warn_if', 'error_if', 'fail_calc', 'store_failures', 'store_failures_as',
  ],
  sources: ['enabled', 'tags', 'meta', 'freshness', 'loaded_at_field', 'event_time', 'quoting', 'database', 'schema'],
  analyses: [...COMMON_KEYS],
  unit_tests: ['enabled', 'tags', 'meta'],
};

/** Keys whose values accumulate (lists append) rather than replace. */
const APPEND_KEYS = new Set(['tags', 'pre_hook', 'post_hook', 'packages']);

/** A config without the keys that append when merged (applying it again would repeat them). */
export function withoutAppendingKeys(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !APPEND_KEYS.has(normalizeConfigKey(key))));
}
/** Keys whose dict values merge key by key (later keys win). */
const UPDATE_KEYS = new Set(['meta', 'quoting', 'column_types', 'persist_docs', 'docs', 'contract']);

export type ConfigTreeKind = keyof typeof KEYS_BY_TYPE;

/** The project tree (`models:`, `seeds:` ...) that configures a resource type. */
export function treeKindOf(resourceType: ResourceType): ConfigTreeKind {
  switch (resourceType) {
    case 'seed': return 'seeds';
    case 'snapshot': return 'snapshots';
    case 'test': return 'tests';
    case 'source': return 'sources';
    case 'analysis': return 'analyses';
    default: return 'models';
  }
}

/** `pre-hook` and `pre_hook` are one config; dbt writes the underscore form. */
export function normalizeConfigKey(key: string): string {
  const bare = key.startsWith('+') ? key.slice(1) : key;
  if (bare === 'pre-hook') return 'pre_hook';
  if (bare === 'post-hook') return 'post_hook';
  return bare;
}

export function isConfigKey(kind: ConfigTreeKind, key: string, value: unknown): boolean {
  if (key.startsWith('+')) return true;
  if (KEYS_BY_TYPE[kind]!.includes(key)) return true;
  // A plain key with a scalar value cannot be a folder: keep it as a custom config.
  return !isRecord(value);
}

/**
 * The configs a dbt_project.yml tree gives a node with this fqn: walk the
 * tree along the fqn, applying each level's configs over the previous ones
 * (deeper wins, tags/hooks accumulate).
 */
export function configFromTree(kind: ConfigTreeKind, tree: Record<string, unknown> | undefined, fqn: string[]): Record<string, unknown> {
  let result: Record<string, unknown> = {};
  let level: unknown = tree;
  for (let depth = 0; isRecord(level); depth++) {
    const configs: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(level)) {
      if (isConfigKey(kind, key, value)) configs[normalizeConfigKey(key)] = value;
    }
    result = mergeConfig(result, configs);
    if (depth >= fqn.length) break;
    const next = level[fqn[depth]!];
    level = isRecord(next) && !isConfigKey(kind, fqn[depth]!, next) ? next : undefined;
  }
  return result;
}

/**
 * Config keys of a tree that are not dbt's but one or two letters away from
 * one (`+materialised`): `[key path, the known key]`. Custom config keys that
 * resemble nothing are left alone.
 */
export function misspelledConfigKeys(kind: ConfigTreeKind, tree: Record<string, unknown> | undefined): [string[], string][] {
  if (!tree) return [];
  const known = KEYS_BY_TYPE[kind]!;
  const found: [string[], string][] = [];
  const visit = (level: Record<string, unknown>, path: string[]): void => {
    for (const [key, value] of Object.entries(level)) {
      if (isConfigKey(kind, key, value)) {
        const bare = normalizeConfigKey(key);
        if (known.includes(bare)) continue;
        const close = known.find((k) => editDistance(k, bare) <= (bare.length > 5 ? 2 : 1));
        if (close) found.push([[...path, key], close]);
      } else if (isRecord(value)) visit(value, [...path, key]);
    }
  };
  visit(tree, []);
  return found;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * Folder paths of a config tree that no resource's fqn reaches: usually a
 * typo (`stagin:`) or a package that is not installed. dbt warns about them.
 */
export function unusedConfigPaths(kind: ConfigTreeKind, tree: Record<string, unknown> | undefined, fqns: Iterable<readonly string[]>): string[][] {
  if (!tree) return [];
  const reached = new Set<unknown>([tree]);
  for (const fqn of fqns) {
    let level: unknown = tree;
    for (const part of fqn) {
      const next: unknown = isRecord(level) ? level[part] : undefined;
      if (!isRecord(next) || isConfigKey(kind, part, next)) break;
      reached.add(next);
      level = next;
    }
  }
  const unused: string[][] = [];
  const visit = (level: Record<string, unknown>, path: string[]): void => {
    for (const [key, value] of Object.entries(level)) {
      if (isConfigKey(kind, key, value) || !isRecord(value)) continue;
      if (reached.has(value)) visit(value, [...path, key]);
      else unused.push([...path, key]);
    }
  };
  visit(tree, []);
  return unused;
}

/**
 * dbt's config merge: tags and hooks append, meta/quoting/column_types/
 * persist_docs/docs/contract merge key by key, grants merge by key (a
 * `+`-prefixed grant key appends to the grantees), everything else is
 * replaced by the later value.
 */
export function mergeConfig<T extends Record<string, unknown>>(base: T, update: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...base };
  for (const [rawKey, value] of Object.entries(update)) {
    const key = normalizeConfigKey(rawKey);
    if (value === undefined) continue;
    if (APPEND_KEYS.has(key)) {
      const previous = key === 'tags' || key === 'packages' ? asStringList(out[key]) : normalizeHooks(out[key]);
      const added = key === 'tags' || key === 'packages' ? asStringList(value) : normalizeHooks(value);
      out[key] = key === 'tags' ? dedupe([...(previous as string[]), ...(added as string[])]) : [...previous, ...added];
    } else if (UPDATE_KEYS.has(key) && isRecord(value)) {
      out[key] = { ...(isRecord(out[key]) ? out[key] : {}), ...value };
    } else if (key === 'grants' && isRecord(value)) {
      out[key] = mergeGrants(isRecord(out[key]) ? (out[key] as Record<string, string[]>) : {}, value);
    } else {
      out[key] = value;
    }
  }
  return out as T;
}

function mergeGrants(base: Record<string, string[]>, update: Record<string, unknown>): Record<string, string[]> {
  const out = { ...base };
  for (const [rawKey, grantees] of Object.entries(update)) {
    const append = rawKey.startsWith('+');
    const key = append ? rawKey.slice(1) : rawKey;
    const list = asStringList(grantees);
    out[key] = append ? dedupe([...(out[key] ?? []), ...list]) : list;
  }
  return out;
}

function asStringList(value: unknown): string[] {
  if (value === null || value === undefined) return [];
  if (Array.isArray(value)) return value.map((v) => String(v));
  return [String(value)];
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)];
}

/** Hooks come as a string, a `{sql, transaction}` mapping, or a list of either. */
export function normalizeHooks(value: unknown): HookConfig[] {
  if (value === null || value === undefined) return [];
  const items = Array.isArray(value) ? value : [value];
  return items.map((item) => {
    if (isRecord(item)) {
      return { sql: String(item.sql ?? ''), transaction: item.transaction === undefined ? true : Boolean(item.transaction) };
    }
    return { sql: String(item), transaction: true };
  });
}

/** The config every node of a resource type starts from (dbt's defaults). */
export function defaultConfig(resourceType: ExecutableNode['resource_type'] | 'source'): NodeConfig {
  const base: NodeConfig = {
    enabled: true,
    materialized: 'view',
    tags: [],
    meta: {},
    pre_hook: [],
    post_hook: [],
    persist_docs: {},
    quoting: {},
    column_types: {},
    grants: {},
    docs: { show: true, node_color: null },
    alias: null,
    schema: null,
    database: null,
  };
  switch (resourceType) {
    case 'model':
      return { ...base, on_schema_change: 'ignore', full_refresh: null, contract: { enforced: false, alias_types: true }, access: 'protected' };
    case 'seed':
      return { ...base, materialized: 'seed', delimiter: ',', quote_columns: null, full_refresh: null };
    case 'snapshot':
      return { ...base, materialized: 'snapshot' };
    case 'test':
      return {
        ...base, materialized: 'test', severity: 'ERROR', where: null, limit: null, warn_if: '!= 0', error_if: '!= 0',
        fail_calc: 'count(*)', store_failures: null, store_failures_as: null, schema: 'dbt_test__audit',
      };
    default:
      return base;
  }
}

/** Build a node's config: defaults, then each layer in order (later wins). */
export function resolveConfig(resourceType: ExecutableNode['resource_type'] | 'source', ...layers: Record<string, unknown>[]): NodeConfig {
  let config = defaultConfig(resourceType);
  for (const layer of layers) if (Object.keys(layer).length > 0) config = mergeConfig(config, layer);
  return config;
}
