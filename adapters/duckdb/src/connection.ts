import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type net from 'node:net';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { StatementType, type DuckDBConnection, type DuckDBMaterializedResult, type DuckDBResult } from '@duckdb/node-api';
import {
  DvtError,
  type Catalog,
  type Connection,
  type DataFile,
  type ExtractSink,
  type ExtractStats,
  type LoadOptions,
  type LoadSource,
  type LoadStats,
  type QueryOptions,
  type QueryResult,
  type RelationRef,
  type RowBatch,
  type StreamOptions,
  type Value,
} from '@dvt/core';
import { duckdbCatalog } from './catalog.js';
import { asSubquery, copyToCsvSql, copyToParquetSql, insertFromCsvSql, insertFromParquetSql } from './copy-sql.js';
import { databaseError } from './errors.js';
import { makeFifo, openFifoReader, openFifoWriter, POISON } from './fifo.js';
import type { InstanceLease } from './instances.js';
import { convertRows, duckDBParamTypes, resultShape, toDuckDBParams } from './values.js';

const DEFAULT_BATCH_ROWS = 2048;

function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const e = new Error('The operation was aborted');
  e.name = 'AbortError';
  return e;
}

function tempFile(extension: string): string {
  return path.join(os.tmpdir(), `dvt-duckdb-${process.pid}-${randomUUID()}.${extension}`);
}

export class DuckDBAdapterConnection implements Connection {
  readonly catalog: Catalog = duckdbCatalog(this);
  private closed = false;
  /**
   * A statement started while a stream is open would silently end that
   * stream (DuckDB drops a pending streaming result when its connection runs
   * anything else), so it is refused instead.
   */
  private streamOpen = false;

  constructor(
    private readonly conn: DuckDBConnection,
    private readonly lease: InstanceLease,
    private readonly secrets: string[],
  ) {}

  /** Runs `work`, interrupting DuckDB if `signal` fires meanwhile. */
  private async guarded<T>(signal: AbortSignal | undefined, context: string | undefined, work: () => Promise<T>, streaming = false): Promise<T> {
    if (signal?.aborted) throw abortError(signal);
    if (this.streamOpen && !streaming) {
      throw new DvtError('runtime', 'this DuckDB connection is reading a stream: finish or break out of it before running another statement, or use a second connection');
    }
    const onAbort = () => this.conn.interrupt();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await work();
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      throw databaseError(e, this.secrets, context);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private run(sql: string, params: Value[] = []): Promise<DuckDBMaterializedResult> {
    // Without parameters DuckDB accepts several statements in one string (hooks, scripts).
    return params.length === 0 ? this.conn.run(sql) : this.conn.run(sql, toDuckDBParams(params), duckDBParamTypes(params));
  }

  async query(sql: string, params: Value[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    return this.guarded(opts.signal, undefined, async () => {
      const result = await this.run(sql, params);
      const shape = resultShape(result.columnNames(), result.columnTypes());
      const rows = convertRows(await result.getRows(), shape.convert);
      const out: QueryResult = { columns: shape.columns, rows };
      if (isDml(result)) out.rowsAffected = result.rowsChanged;
      return out;
    });
  }

  async *stream(sql: string, params: Value[] = [], opts: StreamOptions = {}): AsyncGenerator<RowBatch> {
    const { signal } = opts;
    const batchRows = Math.max(1, opts.batchSize ?? DEFAULT_BATCH_ROWS);
    const result = await this.guarded(signal, undefined, () =>
      params.length === 0 ? this.conn.stream(sql) : this.conn.stream(sql, toDuckDBParams(params), duckDBParamTypes(params)),
    );
    this.streamOpen = true;
    try {
      yield* this.batches(result, batchRows, signal);
    } finally {
      this.streamOpen = false;
    }
  }

  private async *batches(result: DuckDBResult, batchRows: number, signal: AbortSignal | undefined): AsyncGenerator<RowBatch> {
    const shape = resultShape(result.columnNames(), result.columnTypes());
    let pending: Value[][] = [];
    let yielded = false;
    for (;;) {
      const chunk = await this.guarded(signal, undefined, () => result.fetchChunk(), true);
      if (!chunk || chunk.rowCount === 0) break;
      pending = pending.length === 0 ? convertRows(chunk.getRows(), shape.convert) : pending.concat(convertRows(chunk.getRows(), shape.convert));
      let start = 0;
      while (pending.length - start >= batchRows) {
        const rows = start === 0 && pending.length === batchRows ? pending : pending.slice(start, start + batchRows);
        start += batchRows;
        yielded = true;
        yield { columns: shape.columns, rows };
        if (signal?.aborted) throw abortError(signal);
      }
      pending = start === 0 ? pending : pending.slice(start);
    }
    // An empty result still yields its columns once.
    if (pending.length > 0 || !yielded) yield { columns: shape.columns, rows: pending };
    // Leaving the loop early (break) drops `result`: DuckDB releases a pending
    // streaming result as soon as the connection runs its next statement.
  }

  async bulkLoad(relation: RelationRef, source: LoadSource, opts: LoadOptions = {}): Promise<LoadStats> {
    if (source.path !== undefined) return this.loadCsvFile(relation, source, source.path, opts);
    if (!source.open) throw new Error('bulk load source has neither a path nor a stream');
    const temp = tempFile('csv');
    try {
      if (await makeFifo(temp)) return await this.loadThroughPipe(relation, source, temp, opts);
      // No named pipes here: read_csv needs a file, so the stream is spooled to one first.
      await pipeline(source.open() as NodeJS.ReadableStream, createWriteStream(temp), { signal: opts.signal });
      return await this.loadCsvFile(relation, source, temp, opts);
    } finally {
      await rm(temp, { force: true });
    }
  }

  private async loadCsvFile(relation: RelationRef, source: LoadSource, file: string, opts: LoadOptions): Promise<LoadStats> {
    const sql = insertFromCsvSql(relation, source.columns, source.csv, file);
    const result = await this.guarded(opts.signal, `loading ${source.path ?? 'a CSV stream'} into ${relation.schema}.${relation.identifier}`, () => this.conn.run(sql));
    const rows = Number(result.rowsChanged);
    opts.onProgress?.(rows);
    return { rows };
  }

  /**
   * read_csv of a stream through a named pipe: DuckDB parses while the
   * source is still writing. A source that fails leaves the CSV unreadable
   * (POISON), so DuckDB's single INSERT fails and inserts nothing.
   */
  private async loadThroughPipe(relation: RelationRef, source: LoadSource, fifo: string, opts: LoadOptions): Promise<LoadStats> {
    const input = source.open!() as NodeJS.ReadableStream & { destroy?(error?: Error): void };
    const settled = new AbortController();
    let sourceError: unknown;
    let writer: net.Socket | undefined;
    const feeding = (async () => {
      writer = await openFifoWriter(fifo, settled.signal);
      if (!writer) return;
      // A broken pipe means DuckDB stopped reading; its own error says why.
      writer.on('error', () => undefined);
      try {
        for await (const chunk of input as AsyncIterable<Buffer | string>) {
          if (!writer.write(chunk)) await once(writer, 'drain');
        }
      } catch (e) {
        if (!writer.destroyed) {
          sourceError = e;
          writer.write(POISON);
        }
      }
      writer.end();
    })();
    const onAbort = () => input.destroy?.(abortError(opts.signal!));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const stats = await this.loadCsvFile(relation, source, fifo, opts);
      await feeding;
      if (sourceError) throw sourceError;
      return stats;
    } catch (e) {
      // DuckDB stopped (or never started) reading: stop feeding the pipe.
      settled.abort();
      writer?.destroy(new Error('the load stopped reading'));
      await feeding.catch(() => undefined);
      input.destroy?.();
      throw sourceError ?? e;
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Column metadata of a query without running it. */
  private async describeQuery(sql: string): Promise<ReturnType<typeof resultShape>['columns']> {
    const prepared = await this.conn.prepare(`select * from ${asSubquery(sql)} as described`);
    const names: string[] = [];
    const types = [];
    for (let i = 0; i < prepared.columnCount; i++) {
      names.push(prepared.columnName(i));
      types.push(prepared.columnType(i));
    }
    return resultShape(names, types).columns;
  }

  async extract(sql: string, sink: ExtractSink, opts: QueryOptions = {}): Promise<ExtractStats> {
    const temp = tempFile('csv');
    try {
      if (await makeFifo(temp)) return await this.extractThroughPipe(sql, sink, temp, opts);
      const { columns, rows } = await this.guarded(opts.signal, undefined, async () => {
        const columns = await this.describeQuery(sql);
        const result = await this.conn.run(copyToCsvSql(sql, columns, sink.csv, temp));
        return { columns, rows: Number(result.rowsChanged) };
      });
      // COPY wrote a file; hand its bytes to the sink without ending it (the caller owns the sink).
      await pipeline(createReadStream(temp), sink.stream, { end: false, signal: opts.signal });
      return { rows, columns };
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** `COPY ... TO` a named pipe whose bytes flow to the sink while DuckDB writes them. */
  private async extractThroughPipe(sql: string, sink: ExtractSink, fifo: string, opts: QueryOptions): Promise<ExtractStats> {
    const columns = await this.guarded(opts.signal, undefined, () => this.describeQuery(sql));
    const pipeEnd = openFifoReader(fifo);
    let sinkError: unknown;
    // The sink stays open (the caller owns it). When it fails, our end closes and DuckDB's next write fails.
    const draining = pipeline(pipeEnd.stream, sink.stream as NodeJS.WritableStream, { end: false }).catch((e: unknown) => {
      sinkError = e;
    });
    try {
      const result = await this.guarded(opts.signal, undefined, () => this.withoutInsertionOrder(() => this.conn.run(copyToCsvSql(sql, columns, sink.csv, fifo))));
      pipeEnd.release();
      await draining;
      if (sinkError) throw sinkError;
      return { rows: Number(result.rowsChanged), columns };
    } catch (e) {
      // A sink that failed first is the cause (DuckDB then saw a broken pipe); closing our end below is not.
      const cause = sinkError ?? e;
      pipeEnd.release();
      pipeEnd.stream.destroy();
      await draining;
      throw cause;
    }
  }

  /**
   * Runs a COPY with DuckDB free to write rows in any order: keeping insertion
   * order makes it buffer every finished chunk that is ahead of a slower one,
   * and behind a pipe drained by a slower database that grew past 1 GiB for
   * 5M rows. A moved table has no order to keep.
   */
  private async withoutInsertionOrder<T>(copy: () => Promise<T>): Promise<T> {
    const reader = await this.conn.runAndReadAll(`select current_setting('preserve_insertion_order')`);
    const previous = Boolean(reader.getRows()[0]?.[0]);
    if (!previous) return copy();
    await this.conn.run('set preserve_insertion_order = false');
    try {
      return await copy();
    } finally {
      await this.conn.run('set preserve_insertion_order = true');
    }
  }

  async exportFile(sql: string, file: DataFile, opts: QueryOptions = {}): Promise<ExtractStats> {
    return this.guarded(opts.signal, `exporting to ${file.path}`, async () => {
      const columns = await this.describeQuery(sql);
      const result = await this.conn.run(copyToParquetSql(sql, file.path));
      return { rows: Number(result.rowsChanged), columns };
    });
  }

  async loadFile(relation: RelationRef, file: DataFile, opts: LoadOptions = {}): Promise<LoadStats> {
    return this.guarded(opts.signal, `loading ${file.path}`, async () => {
      const result = await this.conn.run(insertFromParquetSql(relation, file.path));
      const rows = Number(result.rowsChanged);
      opts.onProgress?.(rows);
      return { rows };
    });
  }

  async ping(): Promise<void> {
    await this.query('select 1');
  }

  async cancel(): Promise<void> {
    this.conn.interrupt();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.conn.closeSync();
    this.lease.release();
  }
}

const DML = new Set<StatementType>([StatementType.INSERT, StatementType.UPDATE, StatementType.DELETE, StatementType.MERGE_INTO]);

function isDml(result: DuckDBMaterializedResult): boolean {
  return DML.has(result.statementType);
}
