import type { CanonicalKind, ColumnMeta } from '../adapter/contract.js';
import type { Relation } from '../compile/relation.js';
import { DvtError } from '../errors.js';
import type { ExecutableNode } from '../project/types.js';
import type { CacheEntry, FederationCache } from './cache.js';
import type { PushedTerm, TermValue } from './filters.js';
import { columnsForDestination, moveRows, type Endpoint, type MoveStats } from './mover.js';
import { readingsOfThis, summarySelect, type ThisReadings } from './watermark.js';

/**
 * The `{{ this }}` side of an incremental federated run: the model's table
 * on its target, as much of it as the model reads, copied into the cache,
 * and the watermarks evaluated on that copy so they can travel into the
 * extraction of the inputs.
 */
export interface IncrementalThis {
  /** The cache table `{{ this }}` renders as. */
  relation: Relation;
  /** Rows moved from the target for it (two at most for a summary). */
  rows: number;
  /** Each watermark subquery's value by its JSON, for `pushableTerms`. */
  watermarks: Map<string, TermValue>;
  /** `config(watermark=...)`: the column and the target's maximum of it, when the target has rows. */
  configured?: { column: string; value: TermValue };
}

export interface IncrementalThisRequest {
  node: ExecutableNode;
  /** The model's table on its target. */
  target: Endpoint;
  targetRelation: Relation;
  cache: FederationCache;
  /** Its cache name, which the model's SQL was analysed with. */
  table: string;
  /** DuckDB's parse tree of the model's incremental compilation; undefined when it did not parse. */
  tree: string | undefined;
  /** The whole table copied, the way inputs are (columns of the target as they are). */
  copyWhole(): Promise<CacheEntry>;
  moved(what: string, stats: MoveStats): void;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  signal: AbortSignal;
}

/** Kinds whose min and max agree between engines (text is left out: collations order it differently). */
const ORDERED_KINDS = new Set<CanonicalKind>(['smallint', 'integer', 'bigint', 'decimal', 'real', 'double', 'date', 'timestamp', 'timestamptz']);
/** Kinds a watermark value travels as (filters.ts `TermValue`). */
const WATERMARK_KINDS = new Set<CanonicalKind>(['smallint', 'integer', 'bigint', 'date', 'timestamp', 'timestamptz']);

export async function copyIncrementalThis(request: IncrementalThisRequest): Promise<IncrementalThis> {
  const { node, cache, table } = request;
  const readings: ThisReadings = request.tree ? readingsOfThis(request.tree, table) : { subqueries: [], onlyWatermarks: false };
  const configured = watermarkColumn(node);
  const described = (await request.target.connection.catalog.describe(request.targetRelation.toRef())) ?? [];
  const byName = new Map(described.map((c) => [c.name.toLowerCase(), c]));
  if (configured !== undefined) checkedWatermarkColumn(node, configured, described, request.targetRelation.render());
  const wanted = [...readings.subqueries.flatMap((s) => s.aggregates.map((a) => a.column)), ...(configured ? [configured] : [])];
  const summarized = wanted.map((name) => byName.get(name.toLowerCase()));
  const summary = readings.onlyWatermarks && summarized.every((c): c is ColumnMeta => c !== undefined && ORDERED_KINDS.has(c.type.kind));

  let copied: { relation: Relation; rows: number };
  if (summary && wanted.length === 0) {
    // The model never reads {{ this }}: nothing to copy (the name only has to render).
    copied = { relation: cache.relation(table), rows: 0 };
  } else if (summary) {
    const columns = [...new Map(summarized.map((c) => [c!.name, c!])).values()];
    const withMinimum = readings.subqueries.some((s) => s.aggregates.some((a) => a.fn === 'min'));
    copied = await copySummary(request, columns, withMinimum);
  } else {
    const entry = await request.copyWhole();
    copied = { relation: entry.relation, rows: entry.rows ?? 0 };
  }

  const watermarks = await evaluateWatermarks(request, readings);
  await cache.withConnection(async (c) => {
    if (configured === undefined) return;
    const column = cache.adapter.dialect.quoteIdentifier(byName.get(configured.toLowerCase())!.name);
    const result = await c.query(`select max(${column}) from ${copied.relation.render()}`, [], { signal: request.signal });
    const max = result.rows[0]?.[0];
    if (max === null || max === undefined) return; // an empty target: every row is new
    const value = termValue(max, result.columns[0]!.type.kind);
    // The model relies on this filter: a maximum that cannot travel (a bigint past 2^53) must not mean "all rows again".
    if (value === undefined) throw new DvtError('runtime', `${node.unique_id}: the watermark ${configured} = ${String(max)} cannot be compared at the source`, { location: { file: node.original_file_path } });
    watermarks.set(CONFIGURED, value);
  });
  const configuredValue = watermarks.get(CONFIGURED);
  watermarks.delete(CONFIGURED);
  return {
    relation: copied.relation,
    rows: copied.rows,
    watermarks,
    ...(configured && configuredValue !== undefined ? { configured: { column: configured, value: configuredValue } } : {}),
  };
}

const CONFIGURED = '\u0000configured';

/**
 * `federation='target'`: the model runs on its target against its real
 * table, so of `{{ this }}` only the watermark subqueries' values are needed
 * ahead of it, to narrow what is staged. A summary of the target (its maxima
 * and minima) answers them whatever else the model reads of the table; it is
 * copied into the cache as `table` (the caller drops it) and the subqueries
 * are evaluated there, as for a model federated in DuckDB. No subquery, or
 * one over a column that cannot be summarised (text, or not found): none.
 */
export async function watermarksOnTarget(request: Omit<IncrementalThisRequest, 'copyWhole'>): Promise<{ rows: number; watermarks: Map<string, TermValue> }> {
  const readings = request.tree ? readingsOfThis(request.tree, request.table) : { subqueries: [], onlyWatermarks: false };
  if (readings.subqueries.length === 0) return { rows: 0, watermarks: new Map() };
  const described = (await request.target.connection.catalog.describe(request.targetRelation.toRef())) ?? [];
  const byName = new Map(described.map((c) => [c.name.toLowerCase(), c]));
  const summarized = readings.subqueries.flatMap((s) => s.aggregates.map((a) => byName.get(a.column.toLowerCase())));
  if (!summarized.every((c): c is ColumnMeta => c !== undefined && ORDERED_KINDS.has(c.type.kind))) {
    request.log('debug', `watermark: the subqueries on {{ this }} read columns of ${request.targetRelation.render()} that cannot be summarised; the remote inputs are staged whole`);
    return { rows: 0, watermarks: new Map() };
  }
  const columns = [...new Map(summarized.map((c) => [c.name, c])).values()];
  const withMinimum = readings.subqueries.some((s) => s.aggregates.some((a) => a.fn === 'min'));
  const copied = await copySummary(request, columns, withMinimum);
  return { rows: copied.rows, watermarks: await evaluateWatermarks(request, readings) };
}

/**
 * Each watermark subquery evaluated in the cache over the copy of
 * `{{ this }}` (`table`), by its JSON: the values that may travel.
 */
async function evaluateWatermarks(request: Pick<IncrementalThisRequest, 'cache' | 'log' | 'signal'>, readings: ThisReadings): Promise<Map<string, TermValue>> {
  const { cache } = request;
  const watermarks = new Map<string, TermValue>();
  if (readings.subqueries.length === 0) return watermarks;
  await cache.withConnection(async (c) => {
    const valueOf = async (sql: string): Promise<TermValue | undefined> => {
      const result = await c.query(`select * from (${sql}) as watermark`, [], { signal: request.signal });
      const kind = result.columns[0]?.type.kind;
      return kind === undefined ? undefined : termValue(result.rows[0]?.[0], kind);
    };
    for (const subquery of readings.subqueries) {
      try {
        const sql = String((await c.query(`select json_deserialize_sql(${cache.adapter.dialect.quoteLiteral(subquery.statement)}::json)`)).rows[0]?.[0]);
        const value = await valueOf(sql);
        if (value !== undefined) watermarks.set(subquery.key, value);
        request.log('debug', `watermark: ${sql} is ${value === undefined ? 'not a value that travels' : JSON.stringify(value)}`);
      } catch (e) {
        // Not evaluated here means only that it does not travel; the model still evaluates it itself.
        request.log('debug', `watermark: could not evaluate a subquery on {{ this }} ahead of the model: ${(e as Error).message}`);
      }
    }
  });
  return watermarks;
}

/** `config(watermark='col')`, checked. */
export function watermarkColumn(node: ExecutableNode): string | undefined {
  const value = node.config.watermark;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DvtError('config', `${node.unique_id}: watermark must name one column (got ${JSON.stringify(value)})`, { location: { file: node.original_file_path } });
  }
  return value;
}

/** The target table's column `config(watermark=...)` names, refused unless it is an integer, date or time. */
export function checkedWatermarkColumn(node: ExecutableNode, configured: string, columns: readonly ColumnMeta[], rendered: string): ColumnMeta {
  const column = columns.find((c) => c.name.toLowerCase() === configured.toLowerCase());
  const problem = !column ? 'is not a column of' : WATERMARK_KINDS.has(column.type.kind) ? undefined : `is ${column.type.kind} (an integer, date, timestamp or timestamptz is needed) in`;
  if (problem) throw new DvtError('config', `${node.unique_id}: watermark column '${configured}' ${problem} ${rendered}`, { location: { file: node.original_file_path } });
  return column!;
}

/**
 * The term `config(watermark=...)` adds to the one input holding that column:
 * only its rows past the target's maximum move. Unlike the WHERE terms this
 * is the model's own instruction, so it must apply: an input whose column
 * cannot be compared with the value (another kind) is an error, not a full copy.
 */
export function configuredTerm(node: ExecutableNode, configured: { column: string; value: TermValue }, inputs: ReadonlyMap<string, readonly ColumnMeta[]>): { input: string; term: PushedTerm } {
  const holders = [...inputs].filter(([, columns]) => columns.some((c) => c.name.toLowerCase() === configured.column.toLowerCase()));
  const where = { location: { file: node.original_file_path } };
  if (holders.length !== 1) {
    const found = holders.length === 0 ? 'none of its inputs has it' : `several inputs have it (${holders.map(([id]) => id).join(', ')})`;
    throw new DvtError('config', `${node.unique_id}: watermark column '${configured.column}' must be a column of exactly one input; ${found}`, where);
  }
  const [input, columns] = holders[0]!;
  const column = columns.find((c) => c.name.toLowerCase() === configured.column.toLowerCase())!;
  const kind = typeof configured.value === 'object' ? configured.value.temporal : typeof configured.value === 'number' ? 'integer' : 'text';
  const comparable = typeof configured.value === 'object' ? column.type.kind === configured.value.temporal : ['smallint', 'integer', 'bigint'].includes(column.type.kind) && kind === 'integer';
  if (!comparable) {
    throw new DvtError('config', `${node.unique_id}: watermark column '${configured.column}' is ${kind} on the target but ${column.type.kind} in ${input}; the watermark compares equal kinds only`, where);
  }
  return { input, term: { column: column.name, op: '>', value: configured.value } };
}

/** A value `query` returned, as a term constant: safe integers, dates and times; anything else does not travel. */
export function termValue(value: unknown, kind: CanonicalKind): TermValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (kind === 'smallint' || kind === 'integer' || kind === 'bigint') {
    const n = typeof value === 'bigint' ? Number(value) : value;
    return typeof n === 'number' && Number.isSafeInteger(n) ? n : undefined;
  }
  if ((kind === 'date' || kind === 'timestamp' || kind === 'timestamptz') && typeof value === 'string') return { temporal: kind, text: value };
  return undefined;
}

/** The summary rows (maxima, and minima when asked) computed on the target and moved into the cache. */
async function copySummary(
  request: Pick<IncrementalThisRequest, 'target' | 'targetRelation' | 'cache' | 'table' | 'moved' | 'log' | 'signal'>,
  columns: ColumnMeta[],
  withMinimum: boolean,
): Promise<{ relation: Relation; rows: number }> {
  const { target, cache, table } = request;
  const specs = columnsForDestination(columns, target.adapter.type === cache.adapter.type);
  const sql = summarySelect(
    columns.map((c) => c.name),
    withMinimum,
    request.targetRelation.render(),
    target.adapter.dialect,
  );
  request.log('debug', `cache: ${table} is a summary of ${request.targetRelation.render()} (${withMinimum ? 'maxima and minima' : 'maxima'} of ${columns.map((c) => c.name).join(', ')})`);
  const entry = await cache.load(table, {
    columns: specs,
    load: async (connection, loading, loadingColumns) => {
      const stats = await moveRows({ from: target, sql, to: { connection, adapter: cache.adapter }, relation: loading.toRef(), columns: loadingColumns, signal: request.signal });
      request.moved(`summary into cache ${table}`, stats);
      return stats.rows;
    },
  });
  return { relation: entry.relation, rows: entry.rows ?? 0 };
}
