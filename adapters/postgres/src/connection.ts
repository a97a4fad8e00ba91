import type {
  Catalog,
  ColumnMeta,
  Connection,
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
import { CsvRecordCounter, DvtError, openLoadSource } from '@dvt/core';
import pg from './pg-driver.js';
import type { ClientConfig, FieldDef, Client as PgClient, QueryResult as PgQueryResult } from 'pg';
import Cursor from 'pg-cursor';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { binaryEncodings, binaryLoad } from './binary-load.js';
import { postgresCatalog } from './catalog.js';
import type { CatalogSql } from './catalog.js';
import { builtinTypeName, columnMeta } from './columns.js';
import { copyFromStdinSql, copyToStdoutSql, stripTrailingSemicolons } from './copy-sql.js';
import { quotePostgresLiteral, renderPostgresRelation } from './dialect.js';
import { toDvtError } from './errors.js';
import { decoderFor, rawTextTypes, toDriverParam } from './values.js';

/**
 * Read size of a file given to COPY FROM STDIN. 1 MiB reads take a third of the CPU of Node's
 * default 64 KiB over a large seed (fewer reads, socket writes and CopyData messages); progress is
 * reported per chunk, so a load that reports it reads 64 KiB at a time to move in small steps.
 */
const FILE_CHUNK_BYTES = 1 << 20;
const PROGRESS_CHUNK_BYTES = 1 << 16;

/** What differs between PostgreSQL and its wire-compatible relatives (Redshift). */
export interface SessionFlavor {
  /** Statements run once after connecting (simple protocol, one round trip). */
  setupSql: string[];
  /** A single-row, single-column query whose value `capabilities` reads. */
  versionSql: string;
  /** Capabilities this server really has, decided from `versionSql`'s value. */
  capabilities(version: string): Partial<DialectCapabilities>;
  /** Catalog queries; PostgreSQL's own by default. */
  catalogSql?: CatalogSql;
}

export interface SessionOptions {
  searchPath?: string;
  role?: string;
}

/** Session settings every dvt connection needs, for values in the contract's form. */
export function postgresSetupSql(opts: SessionOptions): string[] {
  const sql = [
    // timestamptz as UTC text, ISO dates, and floats printed shortest-exact on
    // servers older than 12 too.
    `SET TIME ZONE 'UTC'`,
    `SET datestyle TO 'ISO, MDY'`,
    `SET intervalstyle TO 'postgres'`,
    `SET extra_float_digits TO 3`,
  ];
  if (opts.searchPath) sql.push(`SELECT pg_catalog.set_config('search_path', ${quotePostgresLiteral(opts.searchPath)}, false)`);
  if (opts.role) sql.push(`SELECT pg_catalog.set_config('role', ${quotePostgresLiteral(opts.role)}, false)`);
  return sql;
}

export function postgresFlavor(opts: SessionOptions): SessionFlavor {
  return {
    setupSql: postgresSetupSql(opts),
    versionSql: `SELECT current_setting('server_version_num')`,
    capabilities: (version) => ({ merge: Number(version) >= 150000 }),
  };
}

const ROWS_AFFECTED_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY', 'SELECT']);

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/**
 * Runs `work`; when `signal` fires meanwhile, starts `onAbort` (cancelling the
 * statement) and, once `work` settles, waits for that cancel to finish before
 * rethrowing the signal's reason — so a late cancel cannot hit the next statement.
 */
async function abortable<T>(signal: AbortSignal | undefined, onAbort: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  if (!signal) return work();
  signal.throwIfAborted();
  let cancelling: Promise<void> | undefined;
  const listener = () => {
    cancelling = onAbort().catch(() => undefined);
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

/**
 * One session on a PostgreSQL-protocol server. Statements run one at a time,
 * in order. While a `stream` is open (its portal not yet exhausted or
 * closed), any other call on the connection is refused with an Error rather
 * than left waiting for the stream — which would deadlock code that queries
 * inside its loop; use a second connection for that.
 */
export class PostgresConnection implements Connection {
  readonly catalog: Catalog;
  /** The server's version as `versionSql` reports it. */
  readonly serverVersion: string;
  /** Capabilities of this server, overriding the dialect's static ones. */
  readonly capabilities: Partial<DialectCapabilities>;
  private readonly typeNames = new Map<number, string>();
  private closed = false;
  private streaming = false;

  private constructor(
    private readonly client: PgClient,
    private readonly clientConfig: ClientConfig,
    private readonly secrets: readonly (string | undefined)[],
    version: string,
    flavor: SessionFlavor,
  ) {
    this.serverVersion = version;
    this.capabilities = flavor.capabilities(version);
    const query = (sql: string, params?: Value[]) => this.query(sql, params);
    const database = clientConfig.database ?? '';
    this.catalog = postgresCatalog(query, database, flavor.catalogSql);
  }

  /** Connects (trying `attempts` times on connection failures) and prepares the session. */
  static async open(clientConfig: ClientConfig, flavor: SessionFlavor, attempts = 1): Promise<PostgresConnection> {
    const secrets = [typeof clientConfig.password === 'string' ? clientConfig.password : undefined];
    let lastError: unknown;
    for (let attempt = 1; attempt <= Math.max(1, attempts); attempt++) {
      const client = new pg.Client({ ...clientConfig, types: rawTextTypes });
      try {
        await client.connect();
      } catch (e) {
        lastError = e;
        await client.end().catch(() => undefined);
        if (attempt < attempts) await new Promise((r) => setTimeout(r, 1000 * attempt));
        continue;
      }
      // An idle session can still lose its socket; the error surfaces on the next call.
      client.on('error', () => undefined);
      try {
        const results = (await client.query([...flavor.setupSql, flavor.versionSql].join(';\n'))) as unknown as PgQueryResult | PgQueryResult[];
        const last = Array.isArray(results) ? results[results.length - 1] : results;
        const version = String((last.rows[0] as Record<string, unknown>)[last.fields[0].name]);
        return new PostgresConnection(client, clientConfig, secrets, version, flavor);
      } catch (e) {
        await client.end().catch(() => undefined);
        throw toDvtError(e, secrets);
      }
    }
    const where = `${clientConfig.host}:${clientConfig.port}/${clientConfig.database}`;
    const err = toDvtError(lastError, secrets);
    err.message = `cannot connect to ${where} as ${clientConfig.user}: ${err.message}`;
    throw err;
  }

  async query(sql: string, params: Value[] = [], opts: QueryOptions = {}): Promise<QueryResult> {
    this.assertOpen();
    return abortable(opts.signal, () => this.cancel(), async () => {
      let result: PgQueryResult | PgQueryResult[];
      try {
        result = (await this.client.query({ text: sql, values: params.map(toDriverParam), rowMode: 'array' })) as unknown as
          | PgQueryResult
          | PgQueryResult[];
      } catch (e) {
        throw toDvtError(e, this.secrets, sql);
      }
      // Several statements without parameters: the last one's result is the answer.
      const last = Array.isArray(result) ? result[result.length - 1] : result;
      const fields = last.fields ?? [];
      const columns = await this.describeFields(fields, false);
      const rows = decodeRows(last.rows as unknown as (string | null)[][], fields);
      const out: QueryResult = { columns, rows };
      if (last.command && ROWS_AFFECTED_COMMANDS.has(last.command) && typeof last.rowCount === 'number' && fields.length === 0) {
        out.rowsAffected = last.rowCount;
      }
      return out;
    });
  }

  async *stream(sql: string, params: Value[] = [], opts: StreamOptions = {}): AsyncGenerator<RowBatch> {
    this.assertOpen();
    const { signal } = opts;
    signal?.throwIfAborted();
    const batchSize = Math.max(1, Math.min(opts.batchSize ?? 1000, 100_000));
    const cursor = this.client.query(new Cursor(sql, params.map(toDriverParam) as unknown[], { rowMode: 'array', types: rawTextTypes }));
    this.streaming = true;
    // Between reads the server runs nothing: the loop's own check stops it.
    let reading = false;
    let cancelling: Promise<void> | undefined;
    const onAbort = () => {
      if (reading) cancelling = this.cancel().catch(() => undefined);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let exhausted = false;
    let columns: ColumnMeta[] | undefined;
    let first = true;
    try {
      for (;;) {
        signal?.throwIfAborted();
        let rows: (string | null)[][];
        let fields: FieldDef[];
        reading = true;
        try {
          [rows, fields] = await new Promise<[(string | null)[][], FieldDef[]]>((resolve, reject) =>
            cursor.read(batchSize, (err, got, result) => (err ? reject(err) : resolve([got as unknown as (string | null)[][], result?.fields ?? []]))),
          );
        } catch (e) {
          exhausted = true;
          if (signal?.aborted) throw abortError(signal);
          throw toDvtError(e, this.secrets, sql);
        } finally {
          reading = false;
        }
        columns ??= await this.describeFields(fields, true);
        if (rows.length === 0) {
          exhausted = true;
          this.streaming = false;
          if (first) yield { columns, rows: [] };
          break;
        }
        first = false;
        // Fewer rows than asked means the portal is complete and the session free again.
        if (rows.length < batchSize) {
          exhausted = true;
          this.streaming = false;
        }
        yield { columns, rows: decodeRows(rows, fields) };
        if (exhausted) break;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      await cancelling;
      if (!exhausted) await cursor.close().catch(() => undefined);
      this.streaming = false;
    }
  }

  async extract(sql: string, sink: ExtractSink, opts: QueryOptions = {}): Promise<ExtractStats> {
    this.assertOpen();
    // Line breaks around the query keep a trailing `-- comment` from swallowing the parenthesis.
    const probe = await this.query(`SELECT * FROM (\n${stripTrailingSemicolons(sql)}\n) AS _dvt_probe LIMIT 0`, [], opts);
    const copySql = copyToStdoutSql(sql, probe.columns, sink.csv);
    return abortable(opts.signal, () => this.cancel(), async () => {
      const source = this.client.query(copyTo(copySql));
      try {
        await pipeline(source, sink.stream as NodeJS.WritableStream);
      } catch (e) {
        throw toDvtError(e, this.secrets, copySql);
      }
      return { rows: source.rowCount, columns: probe.columns };
    });
  }

  async bulkLoad(relation: RelationRef, source: LoadSource, opts: LoadOptions = {}): Promise<LoadStats> {
    this.assertOpen();
    if (source.columns.length === 0) throw new DvtError('runtime', `cannot load ${renderPostgresRelation(relation)}: no columns given`);
    const table = renderPostgresRelation(relation);
    const columns = source.columns.map((c) => c.name);
    const copySql = copyFromStdinSql(table, columns, source.csv);
    return abortable(opts.signal, async () => undefined, async () => {
      const { onProgress } = opts;
      // Even a two-row file takes this path: the catalog read (and transaction) add about 0.25 ms to a load.
      const encodings = await binaryEncodings(this.client, table, columns, source.csv);
      const input = source.path !== undefined ? createReadStream(source.path, { highWaterMark: onProgress ? PROGRESS_CHUNK_BYTES : FILE_CHUNK_BYTES }) : openLoadSource(source);
      if (encodings) {
        try {
          return await binaryLoad({ client: this.client, table, columns, csv: source.csv, encodings, input }, opts);
        } catch (e) {
          throw toDvtError(e, this.secrets);
        }
      }
      const sink = this.client.query(copyFrom(copySql));
      const header = source.csv.header ? 1 : 0;
      const options = opts.signal ? { signal: opts.signal } : {};
      try {
        if (onProgress) await pipeline(input, new CsvRecordCounter((n) => onProgress(Math.max(0, n - header))), sink, options);
        else await pipeline(input, sink, options);
      } catch (e) {
        throw toDvtError(e, this.secrets, copySql);
      }
      opts.onProgress?.(sink.rowCount);
      return { rows: sink.rowCount };
    });
  }

  async ping(): Promise<void> {
    await this.query('SELECT 1');
  }

  /** Cancels the running statement from a second session (pg_cancel_backend). */
  async cancel(): Promise<void> {
    const pid = (this.client as unknown as { processID: number | null }).processID;
    if (this.closed || pid === null) return;
    try {
      await this.asideQuery(`SELECT pg_cancel_backend(${Number(pid)})`);
    } catch (e) {
      throw toDvtError(e, this.secrets);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client.end().catch(() => undefined);
  }

  private assertOpen(): void {
    if (this.closed) throw toDvtError(new Error('the connection is closed'), this.secrets);
    if (this.streaming) {
      throw new DvtError(
        'runtime',
        'a stream is still open on this connection: finish or break out of it first, or run this statement on another connection',
      );
    }
  }

  /**
   * Column metadata for result fields. Built-in types are named from their
   * OID; others (arrays, enums, domains) are looked up once per connection —
   * on this session, or, mid-stream (the session is busy), on a short second
   * session, which sees every committed type.
   */
  private async describeFields(fields: readonly FieldDef[], sessionBusy: boolean): Promise<ColumnMeta[]> {
    const missing = [...new Set(fields.map((f) => f.dataTypeID))].filter((oid) => builtinTypeName(oid, -1) === undefined && !this.typeNames.has(oid));
    if (missing.length > 0) {
      // OIDs are integers from the protocol, so inlining them is safe; this
      // form also runs on Redshift's leader node, which has no unnest().
      const sql = `SELECT t.oid::int8, pg_catalog.format_type(t.oid, NULL) FROM pg_catalog.pg_type t WHERE t.oid IN (${missing.join(', ')})`;
      const rows = sessionBusy ? await this.asideQuery(sql).catch(() => []) : (await this.client.query({ text: sql, rowMode: 'array' })).rows;
      for (const [oid, name] of rows as [string, string][]) this.typeNames.set(Number(oid), name);
    }
    return fields.map((f) => columnMeta(f.name, builtinTypeName(f.dataTypeID, f.dataTypeModifier) ?? this.typeNames.get(f.dataTypeID) ?? `oid ${f.dataTypeID}`));
  }

  /** Runs one statement on a short-lived second session with the same settings. */
  private async asideQuery(sql: string): Promise<unknown[][]> {
    const helper = new pg.Client({ ...this.clientConfig, types: rawTextTypes });
    helper.on('error', () => undefined);
    try {
      await helper.connect();
      return (await helper.query({ text: sql, rowMode: 'array' })).rows as unknown[][];
    } finally {
      await helper.end().catch(() => undefined);
    }
  }
}

function decodeRows(rows: readonly (string | null)[][], fields: readonly FieldDef[]): Value[][] {
  const decoders = fields.map((f) => decoderFor(f.dataTypeID));
  return rows.map((row) => row.map((v, i) => (v === null ? null : decoders[i](v))));
}
