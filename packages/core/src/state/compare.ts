import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DvtError } from '../errors.js';

/** How a node differs from the state manifest: the `state:modified.<x>` sub-selectors, and `new`. */
export type StateChange = 'new' | 'body' | 'configs' | 'relation' | 'macros';
export const STATE_MODIFIED_KINDS: readonly StateChange[] = ['body', 'configs', 'relation', 'macros'];

/** The parts of a manifest.json entry the comparison reads (dbt's field names). */
export interface ManifestEntry {
  unique_id: string;
  resource_type: string;
  /** Nodes: `{name, checksum}` of the file; unit tests: one string, of their definition. */
  checksum?: { name: string; checksum: string } | string;
  config?: Record<string, unknown>;
  database?: string | null;
  schema?: string | null;
  alias?: string | null;
  identifier?: string | null;
  relation_name?: string | null;
  depends_on?: { macros?: string[] };
  /** Macros only. */
  macro_sql?: string;
}

export interface StateManifest {
  /** Where it was read from (the `--state` directory). */
  dir: string;
  nodes: Record<string, ManifestEntry>;
  sources: Record<string, ManifestEntry>;
  macros: Record<string, ManifestEntry>;
  unit_tests: Record<string, ManifestEntry>;
}

/** `<dir>/manifest.json` of a previous run (`--state DIR`). */
export function readStateManifest(dir: string): StateManifest {
  const file = join(dir, 'manifest.json');
  if (!existsSync(file)) throw new DvtError('usage', `--state ${dir}: there is no manifest.json there (write one with dvt parse, run or build, then copy target/)`);
  const parsed = readJson(file, `--state ${dir}: manifest.json`) as { nodes?: unknown; sources?: unknown };
  if (typeof parsed.nodes !== 'object' || parsed.nodes === null) throw new DvtError('usage', `--state ${dir}: manifest.json has no nodes`, { location: { file } });
  return {
    dir,
    nodes: parsed.nodes as Record<string, ManifestEntry>,
    sources: (parsed.sources ?? {}) as Record<string, ManifestEntry>,
    macros: ((parsed as { macros?: unknown }).macros ?? {}) as Record<string, ManifestEntry>,
    unit_tests: ((parsed as { unit_tests?: unknown }).unit_tests ?? {}) as Record<string, ManifestEntry>,
  };
}

/**
 * Each node's status in `<dir>/run_results.json` of a previous run, or
 * undefined when there is none (a `--state` directory may hold only a manifest).
 */
export function readStateResults(dir: string): Map<string, string> | undefined {
  const file = join(dir, 'run_results.json');
  if (!existsSync(file)) return undefined;
  const parsed = readJson(file, `--state ${dir}: run_results.json`) as { results?: unknown };
  const results = Array.isArray(parsed.results) ? (parsed.results as { unique_id?: unknown; status?: unknown }[]) : [];
  return new Map(results.filter((r) => typeof r.unique_id === 'string' && typeof r.status === 'string').map((r) => [r.unique_id as string, r.status as string]));
}

/**
 * Each source's `max_loaded_at` in a sources.json (`dvt source freshness`),
 * null where its check failed; undefined when the file is not there.
 */
export function readSourceFreshness(file: string): Map<string, string | null> | undefined {
  if (!existsSync(file)) return undefined;
  const parsed = readJson(file, file) as { results?: unknown };
  const results = Array.isArray(parsed.results) ? (parsed.results as { unique_id?: unknown; max_loaded_at?: unknown }[]) : [];
  return new Map(results.filter((r) => typeof r.unique_id === 'string').map((r) => [r.unique_id as string, typeof r.max_loaded_at === 'string' ? r.max_loaded_at : null]));
}

/**
 * dbt's `source_status:fresher`: sources whose data the current check saw
 * newer than the previous one did, or that only the current one checked.
 * A source whose current check failed is never fresher.
 */
export function fresherSources(current: ReadonlyMap<string, string | null>, previous: ReadonlyMap<string, string | null>): Set<string> {
  const fresher = new Set<string>();
  for (const [id, loadedAt] of current) {
    if (loadedAt === null) continue;
    const before = previous.get(id);
    if (before === undefined || before === null || Date.parse(loadedAt) > Date.parse(before)) fresher.add(id);
  }
  return fresher;
}

/**
 * Compares the current manifest (as `buildManifest` writes it, so both sides
 * have one shape) with the state's: per unique_id, what changed. Unchanged
 * nodes are absent. Configs compare as JSON with keys in any order, leaving
 * out dvt's own `dvt` entry (derived from other configs) and, as dbt does,
 * `database`/`schema`/`alias`, which count as a relation change. `macros`:
 * a macro the node calls directly has other SQL (or is gone) — macros those
 * macros call are not followed. A unit test's body is its definition
 * (model, given, expect, overrides), as its checksum covers it.
 */
export function compareWithState(
  current: {
    nodes: Record<string, ManifestEntry>;
    sources: Record<string, ManifestEntry>;
    macros?: Record<string, ManifestEntry>;
    unit_tests?: Record<string, ManifestEntry>;
  },
  state: StateManifest,
): Map<string, Set<StateChange>> {
  const macroChanged = (id: string) => current.macros?.[id]?.macro_sql !== state.macros[id]?.macro_sql;
  const changes = new Map<string, Set<StateChange>>();
  const compare = (now: Record<string, ManifestEntry>, before: Record<string, ManifestEntry>) => {
    for (const [id, entry] of Object.entries(now)) {
      const old = before[id];
      const found = new Set<StateChange>();
      if (!old) found.add('new');
      else {
        const [checksum, oldChecksum] = [checksumOf(entry), checksumOf(old)];
        if (checksum !== undefined && oldChecksum !== undefined && checksum !== oldChecksum) found.add('body');
        if (canonical(withoutDvt(entry.config)) !== canonical(withoutDvt(old.config))) found.add('configs');
        if (relationOf(entry) !== relationOf(old)) found.add('relation');
        if ((entry.depends_on?.macros ?? []).some(macroChanged)) found.add('macros');
      }
      if (found.size > 0) changes.set(id, found);
    }
  };
  compare(current.nodes, state.nodes);
  compare(current.sources, state.sources);
  compare(current.unit_tests ?? {}, state.unit_tests);
  return changes;
}

/** An artifact's JSON; `what` names it in the error when it is not JSON. */
function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DvtError('usage', `${what} is not valid JSON (${(e as Error).message})`, { location: { file } });
  }
}

function checksumOf(entry: ManifestEntry): string | undefined {
  return typeof entry.checksum === 'string' ? entry.checksum : entry.checksum?.checksum;
}

/** Does a node with `changes` match `state:<value>` (`modified`, `modified.body`, `new`, ...)? */
export function matchesState(changes: ReadonlySet<StateChange> | undefined, selectorValue: string, methodArgs: readonly string[]): boolean {
  // dbt writes the sub-selector on the value: state:modified.body.
  const [value, ...valueArgs] = selectorValue.split('.');
  const args = [...methodArgs, ...valueArgs];
  if (value === 'new') return changes?.has('new') === true;
  if (value !== 'modified') {
    throw new DvtError('usage', `state:${selectorValue} is not a state selector; use state:new or state:modified (.body, .configs, .relation)`);
  }
  if (!changes) return false;
  if (args.length === 0) return true;
  const kind = args[0] as StateChange;
  if (!STATE_MODIFIED_KINDS.includes(kind)) {
    throw new DvtError('usage', `state:modified.${args[0]} is not supported; use state:modified.body, .configs, .relation or .macros`);
  }
  return changes.has(kind);
}

/**
 * As dbt: the naming configs as written, not the names they produced, so
 * that the same project built for prod and for dev is not "modified"
 * everywhere by its target's schema. Sources have no such config: their
 * names are their YAML.
 */
function relationOf(entry: ManifestEntry): string {
  if (entry.resource_type === 'source') return JSON.stringify([entry.database ?? null, entry.schema ?? null, entry.identifier ?? null]);
  const config = entry.config ?? {};
  return JSON.stringify([config.database ?? null, config.schema ?? null, config.alias ?? null]);
}

/** dvt's own `dvt` entry (derived), and the naming configs that dbt compares as the relation, not as configs. */
function withoutDvt(config: Record<string, unknown> | undefined): Record<string, unknown> {
  const { dvt: _dvt, database: _database, schema: _schema, alias: _alias, ...rest } = config ?? {};
  return rest;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
