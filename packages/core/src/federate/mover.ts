import { randomUUID } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { AdapterDefinition, CanonicalType, ColumnMeta, ColumnSpec, RelationRef } from '../adapter/contract.js';
import type { CompleteConnection } from '../adapter/defaults/index.js';
import { moveInsideWorker } from '../bridge/remote-connection.js';
import { CsvRecordCounter } from './csv-records.js';

/** One side of a move: a connection (with core's defaults filled in) and its adapter. */
export interface Endpoint {
  connection: CompleteConnection;
  adapter: AdapterDefinition;
}

export interface MoveProgress {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface MoveRequest {
  from: Endpoint;
  /** The query whose rows move. */
  sql: string;
  to: Endpoint;
  /** An existing table on `to` whose columns are `columns`. */
  relation: RelationRef;
  columns: ColumnSpec[];
  signal?: AbortSignal;
  /**
   * Called as rows pass (every PROGRESS_EVERY_RECORDS records) and once at
   * the end. Only given when someone shows it: counting reads every byte.
   */
  onProgress?: (progress: MoveProgress) => void;
}

export interface MoveStats extends MoveProgress {
  /** How the rows travelled, e.g. `postgres extract -> duckdb bulkLoad (csv)`. */
  route: string;
}

/** Bytes in flight between the extractor and the loader: what keeps memory bounded. */
const PIPE_BUFFER_BYTES = 4 * 1024 * 1024;
/** How often the pipe's record count is reported (the listener throttles by time). */
const PROGRESS_EVERY_RECORDS = 1000;

/**
 * Moves the rows of `sql` on one engine into a table on another as CSV in
 * the spec the loader reads losslessly (`capabilities.loadCsv`): the source's
 * `extract` writes into a pipe that the destination's `bulkLoad` reads at
 * the same time, with backpressure. Both are the adapters' fast paths where
 * they have them (PostgreSQL COPY, MariaDB LOAD DATA, DuckDB COPY/read_csv)
 * and core's streamed defaults otherwise. When either side fails, the other
 * is stopped and the first error is thrown. Between two connections of one
 * engine that exchange columnar files (DuckDB's cache and a DuckDB target)
 * the rows travel as a Parquet file instead. Two connections the database
 * bridge's worker holds move there, so no byte crosses threads.
 */
export async function moveRows(request: MoveRequest): Promise<MoveStats> {
  const { from, to } = request;
  const inWorker = moveInsideWorker(request);
  if (inWorker) return inWorker;
  if (canMoveAsFile(from, to)) return moveAsFile(request);
  const csv = to.adapter.dialect.capabilities.loadCsv;
  const started = Date.now();
  const controller = new AbortController();
  const stopOnOuterAbort = () => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', stopOnOuterAbort, { once: true });
  const progress = (rows: number): MoveProgress => {
    const seconds = (Date.now() - started) / 1000;
    return { rows, seconds, rowsPerSecond: seconds > 0 ? Math.round(rows / seconds) : rows };
  };
  // Rows are counted in the pipe, the same way whichever loader reads it (DuckDB's read_csv
  // and MariaDB's LOAD DATA say nothing until they finish), and only when someone listens.
  const header = csv.header ? 1 : 0;
  const { onProgress } = request;
  const pipe = onProgress
    ? new CsvRecordCounter((records) => onProgress(progress(Math.max(0, records - header))), PROGRESS_EVERY_RECORDS, { highWaterMark: PIPE_BUFFER_BYTES })
    : new PassThrough({ highWaterMark: PIPE_BUFFER_BYTES });
  const fail = (error: unknown) => {
    if (!pipe.destroyed) pipe.destroy(error instanceof Error ? error : new Error(String(error)));
    if (!controller.signal.aborted) controller.abort(error);
  };
  const extraction = from.connection
    .extract(request.sql, { csv, stream: pipe }, { signal: controller.signal })
    .then((stats) => {
      // Some extractors end the sink themselves (a piped COPY), others leave it open.
      if (!pipe.writableEnded) pipe.end();
      return stats;
    })
    .catch((error: unknown) => {
      fail(error);
      throw error;
    });
  const load = to.connection
    .bulkLoad(
      request.relation,
      { columns: request.columns, csv, open: () => pipe },
      // Not asked to count: the pipe does, when someone listens.
      { signal: controller.signal },
    )
    .catch((error: unknown) => {
      fail(error);
      throw error;
    });
  try {
    const [extracted, loaded] = await Promise.allSettled([extraction, load]);
    // The side that failed first says why; the other usually only saw the pipe close.
    if (extracted.status === 'rejected' && loaded.status === 'rejected') throw firstCause(extracted.reason, loaded.reason, request.signal);
    if (extracted.status === 'rejected') throw extracted.reason;
    if (loaded.status === 'rejected') throw loaded.reason;
    if (extracted.value.rows !== loaded.value.rows) {
      throw new Error(`moved ${extracted.value.rows} rows out of ${from.adapter.type} but ${loaded.value.rows} arrived in ${to.adapter.type} (${renderName(request.relation)})`);
    }
    const done = progress(loaded.value.rows);
    request.onProgress?.(done);
    return { ...done, route: `${from.adapter.type} extract -> ${to.adapter.type} bulkLoad (csv, ${csv.nullString === '' ? 'empty' : csv.nullString} null)` };
  } finally {
    request.signal?.removeEventListener('abort', stopOnOuterAbort);
  }
}

/**
 * Two connections of the same engine that write and read a columnar file
 * (DuckDB to DuckDB: the cache and a DuckDB target) exchange a Parquet file
 * instead of CSV: no text formatting or parsing, each side in its own
 * engine's native code.
 */
function canMoveAsFile(from: Endpoint, to: Endpoint): boolean {
  return from.adapter.type === to.adapter.type && from.connection.exportFile !== undefined && to.connection.loadFile !== undefined;
}

async function moveAsFile(request: MoveRequest): Promise<MoveStats> {
  const { from, to, columns } = request;
  const started = Date.now();
  const dialect = to.adapter.dialect;
  // Cast to the destination's column types on the way out, so the file holds exactly what the table takes.
  const select = columns.map((c) => `cast(${dialect.quoteIdentifier(c.name)} as ${c.nativeType ?? dialect.fromCanonicalType(c.type)}) as ${dialect.quoteIdentifier(c.name)}`);
  const file = { path: join(tmpdir(), `dvt-move-${process.pid}-${randomUUID()}.parquet`), format: 'parquet' as const };
  try {
    const exported = await from.connection.exportFile!(`select ${select.join(', ')} from (\n${request.sql.replace(/[\s;]+$/, '')}\n) as dvt_moved`, file, { signal: request.signal });
    const loaded = await to.connection.loadFile!(request.relation, file, { signal: request.signal });
    if (exported.rows !== loaded.rows) {
      throw new Error(`moved ${exported.rows} rows out of ${from.adapter.type} but ${loaded.rows} arrived in ${to.adapter.type} (${renderName(request.relation)})`);
    }
    const seconds = (Date.now() - started) / 1000;
    const done = { rows: loaded.rows, seconds, rowsPerSecond: seconds > 0 ? Math.round(loaded.rows / seconds) : loaded.rows };
    request.onProgress?.(done);
    return { ...done, route: `${from.adapter.type} exportFile -> ${to.adapter.type} loadFile (parquet)` };
  } finally {
    await rm(file.path, { force: true });
  }
}

function firstCause(extractError: unknown, loadError: unknown, outer: AbortSignal | undefined): unknown {
  if (outer?.aborted) return outer.reason ?? extractError;
  const pipeClosed = (e: unknown) => e instanceof Error && /premature close|destroyed|aborted|EPIPE|write after end/i.test(e.message);
  return pipeClosed(extractError) && !pipeClosed(loadError) ? loadError : extractError;
}

function renderName(relation: RelationRef): string {
  return [relation.database, relation.schema, relation.identifier].filter(Boolean).join('.');
}

/**
 * The columns a moved table gets on the destination: the canonical types as
 * read on the source. A type the source engine could not name canonically
 * travels as text unless both sides are the same engine.
 */
export function columnsForDestination(columns: readonly ColumnMeta[], sameEngine: boolean): ColumnSpec[] {
  return columns.map((c) => ({ name: c.name, type: portableType(c.type, sameEngine), ...(sameEngine && c.type.kind === 'unknown' ? { nativeType: c.nativeType } : {}) }));
}

function portableType(type: CanonicalType, sameEngine: boolean): CanonicalType {
  return type.kind === 'unknown' && !sameEngine ? { kind: 'text' } : type;
}

/** `create table` with the destination dialect's types for the columns. */
export function createTableSql(to: AdapterDefinition, relation: RelationRef, columns: readonly ColumnSpec[]): string {
  const dialect = to.dialect;
  const list = columns.map((c) => `${dialect.quoteIdentifier(c.name)} ${c.nativeType ?? dialect.fromCanonicalType(c.type)}`);
  return `create table ${dialect.renderRelation(relation)} (${list.join(', ')})`;
}
