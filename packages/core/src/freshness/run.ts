import type { AdapterContext, AdapterDefinition } from '../adapter/contract.js';
import { withDefaults } from '../adapter/defaults/index.js';
import type { Compiler } from '../compile/compiler.js';
import { Relation } from '../compile/relation.js';
import type { Project, SourceDefinition } from '../project/types.js';
import { ConnectionPool } from '../run/pool.js';
import { freshnessCriteria, freshnessStatus, parseLoadedAt, type FreshnessCriteria, type FreshnessStatus } from './criteria.js';

export interface FreshnessOptions {
  project: Project;
  /** Parsed; its `collect_freshness` macro (overridable as in dbt) writes the query. */
  compiler: Compiler;
  /** Source unique_ids chosen by selection; those without `loaded_at_field` or thresholds are left out, as in dbt. */
  selection: readonly string[];
  threads?: number;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  events?: (event: FreshnessEvent) => void;
  /** The clock ages are measured against (tests pin it). */
  now?: () => Date;
}

interface FreshnessChecked {
  unique_id: string;
  status: FreshnessStatus;
  max_loaded_at: Date;
  snapshotted_at: Date;
  max_loaded_at_time_ago_in_s: number;
  criteria: FreshnessCriteria;
}
interface FreshnessFailed {
  unique_id: string;
  status: 'runtime error';
  error: string;
}
export type FreshnessResult = (FreshnessChecked | FreshnessFailed) & {
  thread_id: string;
  execution_time: number;
  timing: { name: string; started_at: string; completed_at: string }[];
};

export interface FreshnessSourceInfo {
  unique_id: string;
  /** `source_name.table_name`, dbt's wording in the progress lines. */
  name: string;
  index: number;
  total: number;
}
export type FreshnessEvent =
  | { type: 'start'; count: number; threads: number; target: string }
  | { type: 'source_start'; source: FreshnessSourceInfo; thread_id: string }
  | { type: 'source_end'; source: FreshnessSourceInfo; result: FreshnessResult }
  | { type: 'end'; elapsed: number; results: FreshnessResult[] };

export interface FreshnessOutcome {
  results: FreshnessResult[];
  elapsed: number;
  /** False when a source is stale past error_after or could not be checked (exit code 1). */
  success: boolean;
}

/** The sources of `selection` that have something to check: a loaded_at_field and a threshold. */
export function sourcesWithFreshness(project: Project, selection: readonly string[]): { source: SourceDefinition; criteria: FreshnessCriteria }[] {
  const out: { source: SourceDefinition; criteria: FreshnessCriteria }[] = [];
  for (const id of [...selection].sort()) {
    const source = project.sources.get(id);
    if (!source || source.config.enabled === false || !source.loaded_at_field) continue;
    const criteria = freshnessCriteria(source.freshness, { source: `${source.source_name}.${source.name}`, file: source.original_file_path, line: source.line });
    if (criteria) out.push({ source, criteria });
  }
  return out;
}

/**
 * `dvt source freshness`: for each source table, `max(loaded_at_field)` on
 * the connection the source lives on (its `connection:`, else the default
 * target), aged against the clock and judged by its thresholds. A failing
 * query is that source's `runtime error`, never the run's.
 */
export async function runSourceFreshness(opts: FreshnessOptions): Promise<FreshnessOutcome> {
  const { project, compiler } = opts;
  const now = opts.now ?? (() => new Date());
  const emit = opts.events ?? (() => undefined);
  const started = performance.now();
  const work = sourcesWithFreshness(project, opts.selection);
  const threads = Math.max(1, opts.threads ?? project.profile.outputs[project.profile.target]?.threads ?? 1);
  emit({ type: 'start', count: work.length, threads, target: project.profile.target });
  const ctx: AdapterContext = { projectDir: project.config.rootDir, logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
  const pool = new ConnectionPool(project.profile.outputs, opts.resolveAdapter, ctx, threads, (c, a) => withDefaults(c, a.dialect));
  const results: FreshnessResult[] = new Array(work.length);
  let next = 0;
  const worker = async (threadId: string) => {
    while (next < work.length) {
      const index = next++;
      const { source, criteria } = work[index]!;
      const info: FreshnessSourceInfo = { unique_id: source.unique_id, name: `${source.source_name}.${source.name}`, index: index + 1, total: work.length };
      emit({ type: 'source_start', source: info, thread_id: threadId });
      const result = await checkOne(source, criteria, { compiler, pool, project, now, threadId });
      results[index] = result;
      emit({ type: 'source_end', source: info, result });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(threads, Math.max(1, work.length)) }, (_, i) => worker(`Thread-${i + 1}`)));
  } finally {
    await pool.closeAll();
  }
  const elapsed = (performance.now() - started) / 1000;
  emit({ type: 'end', elapsed, results });
  return { results, elapsed, success: results.every((r) => r.status === 'pass' || r.status === 'warn') };
}

async function checkOne(
  source: SourceDefinition,
  criteria: FreshnessCriteria,
  env: { compiler: Compiler; pool: ConnectionPool; project: Project; now: () => Date; threadId: string },
): Promise<FreshnessResult> {
  const startedAt = new Date();
  const t0 = performance.now();
  const outputName = source.connection ?? env.project.profile.target;
  const finish = (body: FreshnessChecked | FreshnessFailed): FreshnessResult => ({
    ...body,
    thread_id: env.threadId,
    execution_time: (performance.now() - t0) / 1000,
    timing: [{ name: 'execute', started_at: startedAt.toISOString(), completed_at: new Date().toISOString() }],
  });
  try {
    const lease = await env.pool.acquire(outputName);
    try {
      const relation = new Relation(lease.adapter.dialect, lease.output.type, {
        database: source.database,
        schema: source.schema,
        identifier: source.identifier,
        type: 'table',
        quotePolicy: { ...env.project.config.quoting, ...(source.quoting ?? {}) },
      });
      const sql = String(env.compiler.callMacro('collect_freshness', [relation, source.loaded_at_field, criteria.filter], {}, { adapterType: lease.output.type }));
      const answer = await lease.connection.query(sql);
      const snapshottedAt = env.now();
      const maxLoadedAt = parseLoadedAt(answer.rows[0]?.[0] ?? null);
      const age = (snapshottedAt.getTime() - maxLoadedAt.getTime()) / 1000;
      return finish({
        unique_id: source.unique_id,
        status: freshnessStatus(criteria, age),
        max_loaded_at: maxLoadedAt,
        snapshotted_at: snapshottedAt,
        max_loaded_at_time_ago_in_s: age,
        criteria,
      });
    } finally {
      lease.release();
    }
  } catch (e) {
    return finish({ unique_id: source.unique_id, status: 'runtime error', error: (e as Error).message });
  }
}
