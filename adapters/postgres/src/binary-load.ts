import type { CsvSpec, LoadOptions, LoadStats } from '@dvt/core';
import { CsvRecordCounter } from '@dvt/core';
import type { Client as PgClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BinaryCopyEncoder } from './binary-copy.js';
import { columnEncoding } from './binary-values.js';
import type { ColumnEncoding } from './binary-values.js';
import { copyFromStdinSql } from './copy-sql.js';
import { quotePostgresIdentifier } from './dialect.js';
import { withCopyLine } from './errors.js';

/**
 * The table's columns `columns` (in that order) as binary encodings, when
 * every one has a type the encoder reproduces exactly; undefined otherwise
 * (or when the table cannot be found: the text COPY then reports it).
 */
export async function binaryEncodings(client: PgClient, table: string, columns: readonly string[], csv: CsvSpec): Promise<ColumnEncoding[] | undefined> {
  if (!BinaryCopyEncoder.supports(csv)) return undefined;
  let rows: [string, number, number][];
  try {
    const result = await client.query({
      text: `SELECT a.attname, a.atttypid::int4, a.atttypmod FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = pg_catalog.to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`,
      values: [table],
      rowMode: 'array',
    });
    rows = (result.rows as [string, string, string][]).map(([name, oid, typmod]) => [name, Number(oid), Number(typmod)]);
  } catch {
    return undefined;
  }
  const byName = new Map(rows.map(([name, oid, typmod]) => [name, columnEncoding(oid, typmod)]));
  const encodings = columns.map((name) => byName.get(name));
  return encodings.every((e) => e !== undefined) ? encodings : undefined;
}

function asBuffer(chunk: unknown): Buffer {
  return Buffer.isBuffer(chunk) ? chunk : typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk as Uint8Array);
}

export interface BinaryLoad {
  client: PgClient;
  table: string;
  columns: readonly string[];
  csv: CsvSpec;
  encodings: ColumnEncoding[];
  input: AsyncIterable<string | Uint8Array>;
}

/**
 * Loads CSV through `COPY ... (FORMAT binary)`, encoding on this side, and the
 * records from the first one the encoder cannot prove exact onward through a
 * text-mode COPY, so the table receives what one CSV COPY would have given it
 * (and a bad value fails with the server's own message). Both COPYs commit or
 * fail together: outside a transaction they run in one of their own; inside
 * the caller's they are part of it (and never committed here).
 */
export async function binaryLoad(load: BinaryLoad, opts: LoadOptions): Promise<LoadStats> {
  const { client, table, columns, csv, encodings } = load;
  const { onProgress, signal } = opts;
  const pipeOptions = signal ? { signal } : {};
  const input = load.input[Symbol.asyncIterator]();
  let inputDone = false;
  const nextChunk = async (): Promise<Buffer | undefined> => {
    const next = await input.next();
    if (next.done) inputDone = true;
    return next.done ? undefined : asBuffer(next.value);
  };
  const encoder = new BinaryCopyEncoder(encodings, csv);

  async function* encoded(): AsyncGenerator<Buffer> {
    for (let chunk = await nextChunk(); chunk !== undefined; chunk = await nextChunk()) {
      yield* encoder.push(chunk);
      onProgress?.(encoder.rows);
      if (encoder.stopped) break;
    }
    yield* encoder.end();
  }

  async function* rest(prefix: Buffer): AsyncGenerator<Buffer> {
    yield Buffer.concat([prefix, encoder.remainder()]);
    if (inputDone) return;
    for (let chunk = await nextChunk(); chunk !== undefined; chunk = await nextChunk()) yield chunk;
  }

  const ownTransaction = client.getTransactionStatus() === 'I';
  if (ownTransaction) await client.query('BEGIN');
  let phase: 'binary' | 'text' = 'binary';
  try {
    const columnList = columns.map(quotePostgresIdentifier).join(', ');
    const binarySink = client.query(copyFrom(`COPY ${table} (${columnList}) FROM STDIN (FORMAT binary)`));
    await pipeline(Readable.from(encoded(), { objectMode: false }), binarySink, pipeOptions);
    let rows = binarySink.rowCount;
    if (encoder.remainder().length > 0) {
      phase = 'text';
      const start = encoder.textCopyStart();
      const textSink = client.query(copyFrom(copyFromStdinSql(table, columns, { ...csv, header: start.header })));
      const header = start.header ? 1 : 0;
      const source = Readable.from(rest(start.prefix), { objectMode: false });
      if (onProgress) await pipeline(source, new CsvRecordCounter((n) => onProgress(rows + Math.max(0, n - header))), textSink, pipeOptions);
      else await pipeline(source, textSink, pipeOptions);
      rows += textSink.rowCount;
    }
    if (ownTransaction) await client.query('COMMIT');
    onProgress?.(rows);
    return { rows };
  } catch (e) {
    if (ownTransaction) await client.query('ROLLBACK').catch(() => undefined);
    if (!inputDone) await input.return?.().catch(() => undefined);
    // The server numbers the rows of a binary COPY, and the lines of the text COPY from where it began.
    throw withCopyLine(e, (line) => (phase === 'binary' ? encoder.fileLineOfRow(line) : line + encoder.textCopyStart().lineOffset));
  }
}
