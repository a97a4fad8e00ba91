import type {
  Catalog,
  ColumnMeta,
  Connection,
  CsvSpec,
  DialectCapabilities,
  ExtractSink,
  ExtractStats,
  LoadOptions,
  LoadSource,
  LoadStats,
  QueryOptions,
  QueryResult,
  RelationRef,
  RowBatch,
  StreamOptions,
  Value,
} from '@dvt/core';
import { CsvWriter, DvtError, insertBulkLoad, openLoadSource, streamExtract, writeWithBackpressure } from '@dvt/core';
import mysql from 'mysql2';
import type { ConnectionOptions, FieldPacket, ResultSetHeader } from 'mysql2';
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { mysqlCatalog } from './catalog.js';
import { mysqlDialect, renderMysqlRelation } from './dialect.js';
import { derivedTable, hasOuterOrderBy, recordPlan, RecordWriter, serverCsvSupports, type RecordPlan } from './csv-lines.js';
import { toDvtError } from './errors.js';
import { columnMetaOf, rowDecoder, type WireField } from './fields.js';
import type { MysqlFlavor } from './flavor.js';
import { checkedChunks, directLoadFile, directLoadSql, previewLayout } from './direct-load.js';
import { EmptyDirectField, NotDirectlyLoadable } from './load-check.js';
import { loadDataCsv, loadDataSql, needsRewrite, readsAsLoadDataCsv } from './load.js';
import { bindParameters, checkFeatures } from './statements.js';
import { parseServerVersion, serverCapabilities } from './version.js';

/** Session settings every dvt connection needs for values in the contract's form. */
export const SESSION_SETUP_SQL = [
  // TIMESTAMP values read and written in UTC.
  `SET time_zone = '+00:00'`,
  // dvt's literals escape backslashes and quote strings with ' (see dialect.ts).
  `SET SESSION sql_mode = TRIM(BOTH ',' FROM REPLACE(REPLACE(CONCAT(',', @@SESSION.sql_mode, ','), ',NO_BACKSLASH_ESCAPES,', ','), ',ANSI_QUOTES,', ','))`,
];

/** Not settable per session on MySQL 5.7; tried, and its failure ignored. */
const OPTIONAL_SETUP_SQL = ['SET SESSION explicit_defaults_for_timestamp = ON'];

const SERVER_STATUS_IN_TRANS = 1;
const ER_BAD_DB_ERROR = 1049;

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

interface RawResult {
  rows: unknown[][];
  fields: FieldPacket[] | undefined;
  header: ResultSetHeader | undefined;
}

function isHeader(value: unknown): value is ResultSetHeader {
  return !!value && typeof value === 'object' && !Array.isArray(value) && 'affectedRows' in value;
}

/** mysql2's answer, reduced to its last result set (several statements give one each). */
function lastResult(result: unknown, fields: unknown): RawResult {
  const multi = Array.isArray(fields) && fields.length > 0 && fields.every((f) => f === undefined || Array.isArray(f));
  const multiHeaders = Array.isArray(result) && result.length > 0 && isHeader(result[0]);
  if (multi || multiHeaders) {
    const results = result as unknown[];
    const last = results[results.length - 1];
    const lastFields = Array.isArray(fields) ? (fields[fields.length - 1] as FieldPacket[] | undefined) : undefined;
    return isHeader(last) ? { rows: [], fields: undefined, header: last } : { rows: last as unknown[][], fields: lastFields, header: undefined };
  }
  if (isHeader(result)) return { rows: [], fields: undefined, header: result };
  return { rows: result as unknown[][], fields: fields as FieldPacket[], header: undefined };
}

/** Byte width of one character in the results' character set. */
function mbMaxLenOf(charset: string | undefined): number {
  const c = (charset ?? 'utf8mb4').toLowerCase();
  if (c.startsWith('utf8mb4')) return 4;
  if (c.startsWith('utf8') || c.startsWith('utf8mb3')) return 3;
  if (c.startsWith('ucs2') || c.startsWith('utf16')) return 4;
  return 1;
}

/** Read size of the direct LOAD DATA path: 1 MiB reads cost a third of the CPU of Node's default 64 KiB. */
const DIRECT_CHUNK_BYTES = 1 << 20;
/** Bytes of CSV records gathered before one write to the extraction sink. */
const RECORD_CHUNK_BYTES = 1 << 20;

/**
 * One session on a MySQL or MariaDB server through mysql2. Statements run one
 * at a time; while a `stream` is open, any other call on the connection is
 * refused with an Error (use a second connection to query inside the loop).
 */
export class MysqlConnection implements Connection {
  readonly catalog: Catalog;
  readonly serverVersion: string;
  readonly capabilities: Partial<DialectCapabilities>;
  private readonly mbMaxLen: number;
  private readonly secrets: readonly (string | undefined)[];
  /**
   * LOAD DATA LOCAL for bulk loads: undefined asks the server's `local_infile`
   * on the first load; false loads with INSERTs.
   */
  loadDataLocal: boolean | undefined;
  private closed = false;
  private streaming = false;
  private inTransaction = false;

  private constructor(
    private readonly conn: mysql.Connection,
    private readonly options: ConnectionOptions,
    readonly flavor: MysqlFlavor,
    version: string,
  ) {
    this.serverVersion = version;
    this.capabilities = serverCapabilities(flavor, version);
    this.secrets = [typeof options.password === 'string' ? options.password : undefined];
    this.mbMaxLen = mbMaxLenOf(typeof options.charset === 'string' ? options.charset : undefined);
    this.catalog = mysqlCatalog((sql, params) => this.query(sql, params), { jsonChecks: parseServerVersion(version).mariadb });
  }

  /** Connects, prepares the session and selects `schema` when it exists already. */
  static async open(options: ConnectionOptions, flavor: MysqlFlavor, schema: string | undefined): Promise<MysqlConnection> {
    const secrets = [typeof options.password === 'string' ? options.password : undefined];
    const { database: _ignored, ...withoutDatabase } = options;
    const conn = mysql.createConnection(withoutDatabase);
    // An idle session can still lose its socket; the error surfaces on the next call.
    conn.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => conn.connect((err) => (err ? reject(err) : resolve())));
    } catch (e) {
      conn.destroy();
      const err = toDvtError(e, secrets);
      err.message = `cannot connect to ${options.host}:${options.port} as ${options.user}: ${err.message}`;
      throw err;
    }
    const run = (sql: string) => new Promise<unknown>((resolve, reject) => conn.query(sql, (err, result) => (err ? reject(err) : resolve(result))));
    try {
      for (const sql of SESSION_SETUP_SQL) await run(sql);
      for (const sql of OPTIONAL_SETUP_SQL) await run(sql).catch(() => undefined);
      const version = String(((await run('SELECT VERSION()')) as unknown[][])[0][0]);
      if (schema) {
        // The target schema may not exist yet (dvt creates it); then nothing is selected.
        await run(`USE \`${schema.replaceAll('`', '``')}\``).catch((e: { errno?: number }) => {
          if (e?.errno !== ER_BAD_DB_ERROR) throw e;
        });
      }
      return new MysqlConnection(conn, options, flavor, version);
    } catch (e) {
      conn.destroy();
      throw toDvtError(e, secrets);
    }
  }

  /** The server's thread id of this session (for KILL QUERY). */
  get threadId(): number | null {
    return this.conn.threadId;
  }

  async query(sql: string, params: Value[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    const text = this.prepare(sql, params);
    const raw = await this.abortable(opts.signal, () => this.raw(text));
    const columns = (raw.fields ?? []).map((f) => columnMetaOf(f as unknown as WireField, this.mbMaxLen));
    const decode = rowDecoder(columns);
    const out: QueryResult = { columns, rows: raw.rows.map((r) => decode(r)) };
    if (raw.header) out.rowsAffected = raw.header.affectedRows;
    return out;
  }

  async *stream(sql: string, params: Value[] = [], opts: StreamOptions = {}): AsyncGenerator<RowBatch> {
    this.assertOpen();
    const { signal } = opts;
    signal?.throwIfAborted();
    const text = this.prepare(sql, params);
    const batchSize = Math.max(1, Math.min(opts.batchSize ?? 1000, 100_000));
    this.streaming = true;
    let columns: ColumnMeta[] | undefined;
    let decode: ((row: unknown[]) => Value[]) | undefined;
    // Full batches wait in `ready`; the socket is paused while two are waiting,
    // so the server keeps sending while the consumer works on one.
    const ready: unknown[][][] = [];
    let current: unknown[][] = [];
    let finished = false;
    let failure: unknown;
    let paused = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const query = this.conn.query(text);
    query.on('fields', (fields: FieldPacket[]) => {
      columns = fields.map((f) => columnMetaOf(f as unknown as WireField, this.mbMaxLen));
      decode = rowDecoder(columns);
    });
    query.on('result', (row: unknown) => {
      if (!Array.isArray(row)) return;
      current.push(row);
      if (current.length < batchSize) return;
      ready.push(current);
      current = [];
      if (ready.length >= 2 && !paused) {
        paused = true;
        this.conn.pause();
      }
      notify();
    });
    query.on('error', (e: unknown) => {
      failure = e;
      finished = true;
      notify();
    });
    query.on('end', () => {
      finished = true;
      notify();
    });
    const onAbort = () => notify();
    signal?.addEventListener('abort', onAbort, { once: true });
    let first = true;
    try {
      for (;;) {
        while (!finished && ready.length === 0 && !signal?.aborted) await new Promise<void>((resolve) => (wake = resolve));
        if (signal?.aborted) throw abortError(signal);
        if (failure) throw toDvtError(failure, this.secrets, text);
        let rows = ready.shift();
        if (!rows && finished) {
          rows = current;
          current = [];
        }
        if (paused && ready.length < 2) {
          paused = false;
          this.conn.resume();
        }
        if (rows && (rows.length > 0 || first)) {
          first = false;
          yield { columns: columns ?? [], rows: decode ? rows.map(decode) : [] };
        }
        if (finished && ready.length === 0 && current.length === 0) break;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) {
        // Stop the statement on the server, then read what is left so the session is free.
        await this.cancel().catch(() => undefined);
        const drained = new Promise<void>((resolve) => {
          if (finished) resolve();
          else query.on('end', () => resolve());
        });
        ready.length = 0;
        current = [];
        query.removeAllListeners('result');
        if (paused) this.conn.resume();
        await drained;
      }
      this.streaming = false;
    }
  }

  /**
   * The result of `sql` as CSV in the sink's spec, made of bytes the server
   * sends ready (`csv-lines.ts`): it spells numbers, dates and times as core's
   * CSV writer would and sends text and binary values as they are; the client
   * quotes text, hex-encodes binary and copies bytes, never decoding a value
   * (decoding and re-encoding every value was most of an extraction's time).
   * Where that cannot be done (a column type the server cannot spell, text
   * not arriving as UTF-8, a query a derived table cannot hold, an outer
   * ORDER BY a derived table would drop, a spec whose delimiter or null
   * string a field could hold) core's CSV writer runs over `stream`.
   */
  async extract(sql: string, sink: ExtractSink, opts: QueryOptions = {}): Promise<ExtractStats> {
    this.assertOpen();
    opts.signal?.throwIfAborted();
    const text = this.prepare(sql, []);
    const planned = await this.planRecords(text, sink.csv);
    opts.signal?.throwIfAborted();
    if (!planned) return streamExtract(this, sql, sink, opts);
    const header = new CsvWriter(sink.csv).header(planned.columns.map((c) => c.name));
    if (header) await writeWithBackpressure(sink.stream, header);
    const rows = await this.copyRecords(planned.plan, new RecordWriter(sink.csv, planned.plan.parts), sink.stream, opts.signal);
    return { rows, columns: planned.columns };
  }

  /**
   * The statement that has the server send the records, with the result's
   * columns, or undefined where it cannot. Both statements are prepared (not
   * run) first: what the wrapping could break fails there, before any byte
   * reaches the sink.
   */
  private async planRecords(sql: string, csv: CsvSpec): Promise<{ plan: RecordPlan; columns: ColumnMeta[] } | undefined> {
    if (!serverCsvSupports(csv) || hasOuterOrderBy(sql)) return undefined;
    const fields = await this.preparedFields(`select * from ${derivedTable(sql)}`);
    if (!fields) return undefined;
    const columns = fields.map((f) => columnMetaOf(f, this.mbMaxLen));
    const plan = recordPlan(sql, fields, columns, csv);
    if (!plan || !(await this.preparedFields(plan.sql))) return undefined;
    return { plan, columns };
  }

  /** The result columns the server reports for `sql` when preparing it, or undefined if it refuses it. */
  private preparedFields(sql: string): Promise<WireField[] | undefined> {
    return new Promise((resolve) => {
      this.conn.prepare(sql, (err, statement) => {
        if (err) return resolve(undefined);
        // mysql2 keeps the column definitions on the statement; its typings leave them out.
        const fields = (statement as unknown as { columns: WireField[] }).columns;
        // Closes it on the server and drops mysql2's cached copy, which would go stale.
        this.conn.unprepare(sql);
        resolve(fields);
      });
    });
  }

  /**
   * Runs the plan's statement with every value as raw bytes and writes the
   * records into `out` in chunks, pausing the socket while `out` is full.
   * Stops the statement (KILL QUERY) on abort or when `out` fails, and reads
   * what is left so the session stays usable. Returns the row count.
   */
  private async copyRecords(plan: RecordPlan, writer: RecordWriter, out: NodeJS.WritableStream, signal: AbortSignal | undefined): Promise<number> {
    this.streaming = true;
    let chunk = Buffer.allocUnsafe(RECORD_CHUNK_BYTES);
    let used = 0;
    let rows = 0;
    let paused = false;
    let failure: unknown;
    let cancelling: Promise<void> | undefined;
    const resume = () => {
      if (!paused) return;
      paused = false;
      this.conn.resume();
    };
    const stop = (e: unknown) => {
      failure ??= e;
      resume();
      cancelling ??= this.cancel().catch(() => undefined);
    };
    const send = (bytes: Buffer) => {
      if (out.write(bytes) || paused) return;
      paused = true;
      this.conn.pause();
      out.once('drain', resume);
    };
    const onAbort = () => stop(abortError(signal!));
    const onOutError = (e: unknown) => stop(e);
    const onOutClose = () => stop(new DvtError('runtime', 'the extraction sink closed before all rows were written'));
    const query = this.conn.query({ sql: plan.sql, typeCast: false, rowsAsArray: true } as mysql.QueryOptions);
    const ended = new Promise<void>((resolve) => {
      query.on('error', (e: unknown) => {
        failure ??= e;
        resolve();
      });
      query.on('end', () => resolve());
    });
    query.on('result', (row: unknown) => {
      if (failure) return;
      const values = row as (Buffer | null)[];
      const room = writer.maxLength(values);
      if (used + room > chunk.length) {
        if (used > 0) send(chunk.subarray(0, used));
        chunk = Buffer.allocUnsafe(Math.max(RECORD_CHUNK_BYTES, room));
        used = 0;
      }
      try {
        used = writer.write(values, chunk, used);
        rows++;
      } catch (e) {
        stop(e);
      }
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    out.on('error', onOutError);
    out.on('close', onOutClose);
    try {
      await ended;
      // A kill sent after the statement ended must land before the session runs anything else.
      await cancelling;
      if (failure) throw failure;
      if (used > 0) await writeWithBackpressure(out, chunk.subarray(0, used));
      return rows;
    } catch (e) {
      if (signal?.aborted) throw abortError(signal);
      throw toDvtError(e, this.secrets, plan.sql);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      out.off('error', onOutError);
      out.off('close', onOutClose);
      out.off('drain', resume);
      this.streaming = false;
    }
  }

  async bulkLoad(relation: RelationRef, source: LoadSource, opts: LoadOptions = {}): Promise<LoadStats> {
    this.assertOpen();
    if (source.columns.length === 0) throw new DvtError('runtime', `cannot load ${renderMysqlRelation(relation)}: no columns given`);
    if (!(await this.localInfileAllowed())) return insertBulkLoad(this, mysqlDialect(this.flavor), relation, source, opts);
    const direct = directLoadFile(source);
    const layout = direct && (await previewLayout(direct.path, direct.delimiter, source.csv.header, source.columns.length));
    if (direct && layout) {
      // The file as it is, checked on the way. An empty field in a column its start held none of
      // redoes the load with every column through a variable; another byte LOAD DATA would read
      // differently sends it the slow way (each attempt is rolled back first).
      for (const attempt of [layout, { ...layout, direct: [] }]) {
        const chunks = checkedChunks(createReadStream(direct.path, { highWaterMark: DIRECT_CHUNK_BYTES }) as AsyncIterable<Buffer>, attempt, source.columns.length);
        try {
          return await this.loadData(relation, directLoadSql(relation, source.columns, source.csv, attempt.lineEnd, attempt.direct), chunks, () => 0, opts);
        } catch (e) {
          if (!(e instanceof NotDirectlyLoadable)) throw e;
          if (!(e instanceof EmptyDirectField)) break;
        }
      }
    }
    if (readsAsLoadDataCsv(source.csv, source.columns) && !source.columns.some(needsRewrite)) {
      // Already in the form LOAD DATA reads losslessly (what a mover asks extractors for): the
      // bytes go as they are instead of being parsed and written again. A record with the wrong
      // field count still fails the load through the server's warnings.
      const sql = loadDataSql(relation, source.columns, { skipHeader: source.csv.header });
      return this.loadData(relation, sql, asBuffers(openLoadSource(source)), () => 0, opts);
    }
    let records = 0;
    const csv = loadDataCsv(openLoadSource(source) as AsyncIterable<string | Uint8Array>, source.csv, source.columns, (n) => {
      records += n;
      opts.onProgress?.(records);
    });
    return this.loadData(relation, loadDataSql(relation, source.columns), csv, () => records, opts);
  }

  /**
   * Whether this server accepts LOAD DATA LOCAL (`local_infile`, OFF by
   * default on MySQL 8); asked once. Where it does not, bulk loads go as
   * multi-row INSERTs (core's default), slower but allowed.
   */
  private async localInfileAllowed(): Promise<boolean> {
    if (this.loadDataLocal === undefined) {
      const value = (await this.raw('SELECT @@GLOBAL.local_infile')).rows[0]?.[0];
      this.loadDataLocal = Number(value) === 1 || String(value).toUpperCase() === 'ON';
    }
    return this.loadDataLocal;
  }

  /** Runs one LOAD DATA LOCAL statement fed by `chunks`; any warning fails it and rolls it back. */
  private async loadData(
    relation: RelationRef,
    sql: string,
    chunks: AsyncIterable<Buffer>,
    records: () => number,
    opts: LoadOptions,
  ): Promise<LoadStats> {
    let inputError: unknown;
    const input = Readable.from(this.paced(chunks));
    input.on('error', (e) => {
      inputError = e;
    });
    // A warning (a value the server had to change) fails the load: roll back what it wrote.
    const nested = this.inTransaction;
    await this.raw(nested ? 'SAVEPOINT dvt_load' : 'START TRANSACTION');
    const undo = () => this.raw(nested ? 'ROLLBACK TO SAVEPOINT dvt_load' : 'ROLLBACK').catch(() => undefined);
    let header: ResultSetHeader | undefined;
    try {
      const raw = await this.abortable(opts.signal, () => this.raw(sql, () => input));
      if (inputError) throw inputError;
      header = raw.header;
      if (header && header.warningStatus > 0) {
        const warnings = await this.raw('SHOW WARNINGS LIMIT 5');
        const lines = warnings.rows.map((r) => `${r[0]} ${r[1]}: ${r[2]}`);
        throw new DvtError(
          'database',
          `loading ${renderMysqlRelation(relation)} produced ${header.warningStatus} warning(s); nothing was loaded. ${lines.join('; ')}`,
        );
      }
    } catch (e) {
      input.destroy();
      await undo();
      if (inputError instanceof NotDirectlyLoadable) throw inputError;
      throw toDvtError(inputError ?? e, this.secrets);
    }
    await this.raw(nested ? 'RELEASE SAVEPOINT dvt_load' : 'COMMIT');
    const rows = header?.affectedRows ?? records();
    opts.onProgress?.(rows);
    return { rows };
  }

  /**
   * Holds each chunk back while the socket's send buffer is full: mysql2
   * writes LOAD DATA chunks as fast as the stream gives them and pauses only
   * on a 'pause' event sockets never emit, so without this a large file
   * would pile up in memory on a slow link.
   */
  private async *paced(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const socket = (this.conn as unknown as { stream: NodeJS.WritableStream & { writableNeedDrain?: boolean } }).stream;
    for await (const chunk of chunks) {
      if (socket.writableNeedDrain) await once(socket, 'drain');
      yield chunk;
    }
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** Stops the running statement from a second session (KILL QUERY). */
  async cancel(): Promise<void> {
    const id = this.conn.threadId;
    if (this.closed || id === null) return;
    const { database: _ignored, ...options } = this.options;
    const helper = mysql.createConnection(options);
    helper.on('error', () => undefined);
    try {
      await new Promise<void>((resolve, reject) => helper.query(`KILL QUERY ${Number(id)}`, (err) => (err ? reject(err) : resolve())));
    } catch (e) {
      throw toDvtError(e, this.secrets);
    } finally {
      helper.destroy();
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.conn.end(() => resolve()));
    this.conn.destroy();
  }

  private assertOpen(): void {
    if (this.closed) throw new DvtError('database', 'the connection is closed');
    if (this.streaming) {
      throw new DvtError(
        'runtime',
        'a stream is still open on this connection: finish or break out of it first, or run this statement on another connection',
      );
    }
  }

  /** Bound statement text, refused early when it uses what the server lacks. */
  private prepare(sql: string, params: Value[]): string {
    checkFeatures(sql, { ...this.capabilities, flavor: this.flavor });
    return bindParameters(sql, params);
  }

  /** Runs one text on the session and tracks whether a transaction is open. */
  private raw(sql: string, infile?: () => Readable): Promise<RawResult> {
    return new Promise((resolve, reject) => {
      const options: mysql.QueryOptions = { sql };
      if (infile) (options as { infileStreamFactory?: () => Readable }).infileStreamFactory = infile;
      this.conn.query(options, (err, result, fields) => {
        if (err) return reject(toDvtError(err, this.secrets, sql));
        const raw = lastResult(result, fields);
        if (raw.header) this.inTransaction = (raw.header.serverStatus & SERVER_STATUS_IN_TRANS) !== 0;
        resolve(raw);
      });
    });
  }

  /**
   * Runs `work`; when `signal` fires meanwhile, kills the statement and, once
   * `work` settles, waits for the kill to finish before rethrowing the
   * signal's reason — so a late kill cannot hit the next statement.
   */
  private async abortable<T>(signal: AbortSignal | undefined, work: () => Promise<T>): Promise<T> {
    if (!signal) return work();
    signal.throwIfAborted();
    let cancelling: Promise<void> | undefined;
    const listener = () => {
      cancelling = this.cancel().catch(() => undefined);
    };
    signal.addEventListener('abort', listener, { once: true });
    try {
      return await work();
    } catch (e) {
      if (signal.aborted) throw abortError(signal);
      throw e;
    } finally {
      signal.removeEventListener('abort', listener);
      await cancelling;
    }
  }
}

/** The chunks of a load source as Buffers (a stream may yield strings). */
async function* asBuffers(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
}
