import { createReadStream } from 'node:fs';
import { DvtError } from '../../errors.js';
import type { Connection, Dialect, LoadOptions, LoadSource, LoadStats, RelationRef, Value } from '../contract.js';
import { readCsvBatches, type CsvRecord } from '../csv.js';
import { textToValue } from '../values.js';

/** Bind parameters per statement when the dialect does not say (PostgreSQL and MySQL allow 65535). */
const DEFAULT_MAX_PARAMETERS = 30000;
const MAX_ROWS_PER_STATEMENT = 1000;

export function openLoadSource(source: LoadSource): AsyncIterable<string | Uint8Array> {
  if (source.path !== undefined) return createReadStream(source.path);
  if (source.open) return source.open() as unknown as AsyncIterable<string | Uint8Array>;
  throw new DvtError('runtime', 'bulk load source has neither a path nor a stream');
}

function describeSource(source: LoadSource): string {
  return source.path ?? 'the load stream';
}

/**
 * The bulk load every adapter gets: reads the CSV with bounded memory and
 * appends it with multi-row INSERT statements of bound parameters. Values
 * are bound as the JS types the column kinds call for (numbers, booleans,
 * bytes) or as text the engine casts. It does not open a transaction: the
 * caller decides whether the load is atomic.
 */
export async function insertBulkLoad(
  connection: Pick<Connection, 'query'>,
  dialect: Dialect,
  relation: RelationRef,
  source: LoadSource,
  opts: LoadOptions = {},
): Promise<LoadStats> {
  const columns = source.columns;
  if (columns.length === 0) throw new DvtError('runtime', `cannot load ${dialect.renderRelation(relation)}: no columns given`);
  const maxParams = dialect.capabilities.maxParameters ?? DEFAULT_MAX_PARAMETERS;
  const rowsPerStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(maxParams / columns.length)));
  const target = dialect.renderRelation(relation);
  const columnList = columns.map((c) => dialect.quoteIdentifier(c.name)).join(', ');

  let pending: Value[][] = [];
  let loaded = 0;
  let line = 0;
  let headerSkipped = !source.csv.header;

  const flush = async () => {
    if (pending.length === 0) return;
    opts.signal?.throwIfAborted();
    const params: Value[] = [];
    const tuples = pending.map((row) => {
      const slots = row.map((v) => {
        params.push(v);
        return dialect.placeholder(params.length);
      });
      return `(${slots.join(', ')})`;
    });
    await connection.query(`insert into ${target} (${columnList}) values ${tuples.join(', ')}`, params, { signal: opts.signal });
    loaded += pending.length;
    pending = [];
    opts.onProgress?.(loaded);
  };

  const convert = (record: CsvRecord): Value[] => {
    if (record.length !== columns.length) {
      throw new DvtError('runtime', `${describeSource(source)}: record ${line} has ${record.length} fields, expected ${columns.length} (${columns.map((c) => c.name).join(', ')})`);
    }
    return record.map((field, i) => {
      if (field === null) return null;
      try {
        return textToValue(field, columns[i].type);
      } catch (e) {
        throw new DvtError('runtime', `${describeSource(source)}: record ${line}, column ${columns[i].name}: ${(e as Error).message}`);
      }
    });
  };

  for await (const batch of readCsvBatches(openLoadSource(source), source.csv)) {
    for (const record of batch) {
      line++;
      if (!headerSkipped) {
        headerSkipped = true;
        continue;
      }
      pending.push(convert(record));
      if (pending.length >= rowsPerStatement) await flush();
    }
  }
  await flush();
  return { rows: loaded };
}
