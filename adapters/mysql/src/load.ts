import type { ColumnSpec, CsvSpec, RelationRef } from '@dvt/core';
import { CsvFormatError, CsvWriter, DvtError, hexToBinary, isTextLikeKind, normalizeTimestampTz, readCsvBatches, textToValue } from '@dvt/core';
import { quoteMysqlIdentifier, quoteMysqlString, renderMysqlRelation } from './dialect.js';

/**
 * The CSV dvt hands to LOAD DATA: no header, unquoted NULL for SQL NULL,
 * text always quoted (so the text 'NULL' stays text), LF line ends.
 */
export const LOAD_DATA_CSV: CsvSpec = { delimiter: ',', header: false, nullString: 'NULL', forceQuoteText: true };

/**
 * Whether CSV in `spec` is `LOAD_DATA_CSV` but for a header line, which
 * `loadDataSql(..., { skipHeader })` skips (LOAD DATA skips lines by their
 * terminator, unaware of quotes, so only names without line breaks qualify).
 */
export function readsAsLoadDataCsv(spec: CsvSpec, columns: readonly ColumnSpec[]): boolean {
  const { delimiter, nullString, forceQuoteText } = LOAD_DATA_CSV;
  if (spec.delimiter !== delimiter || spec.nullString !== nullString || spec.forceQuoteText !== forceQuoteText) return false;
  return !spec.header || columns.every((c) => !/[\r\n]/.test(c.name));
}

/** File name in the LOAD DATA statement; mysql2 hands it to `infileStreamFactory`, which ignores it. */
const STREAM_NAME = 'dvt-load-stream';

/** Whether a column travels through a user variable and a SET expression. */
function transformOf(column: ColumnSpec, variable: string): string | undefined {
  // The CSV carries binary as hex digits: the server decodes them.
  if (column.type.kind === 'binary') return `UNHEX(${variable})`;
  return undefined;
}

/**
 * `LOAD DATA LOCAL INFILE` for CSV in `LOAD_DATA_CSV`: `ESCAPED BY ''` keeps
 * backslashes as data, `OPTIONALLY ENCLOSED BY '"'` reads doubled quotes and
 * quoted line breaks, the column list names every column.
 */
export function loadDataSql(relation: RelationRef, columns: readonly ColumnSpec[], { skipHeader = false } = {}): string {
  const targets: string[] = [];
  const sets: string[] = [];
  columns.forEach((c, i) => {
    const variable = `@dvt_c${i}`;
    const transform = transformOf(c, variable);
    if (transform) {
      targets.push(variable);
      sets.push(`${quoteMysqlIdentifier(c.name)} = ${transform}`);
    } else targets.push(quoteMysqlIdentifier(c.name));
  });
  return (
    `LOAD DATA LOCAL INFILE ${quoteMysqlString(STREAM_NAME)} INTO TABLE ${renderMysqlRelation(relation)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n'${skipHeader ? ' IGNORE 1 LINES' : ''} ` +
    `(${targets.join(', ')})${sets.length > 0 ? ` SET ${sets.join(', ')}` : ''}`
  );
}

type FieldRewrite = (text: string) => string;

/** Whether the server cannot read a column's CSV text as written (booleans, binary, timestamptz). */
export function needsRewrite(column: ColumnSpec): boolean {
  return fieldRewrite(column) !== undefined;
}

/** Rewrites a CSV field into the form the server reads for the column's type. */
function fieldRewrite(column: ColumnSpec): FieldRewrite | undefined {
  switch (column.type.kind) {
    case 'boolean':
      return (text) => (textToValue(text, column.type) ? '1' : '0');
    case 'binary':
      return (text) => Buffer.from(hexToBinary(text)).toString('hex');
    case 'timestamptz':
      // The session's zone is +00:00 and the server reads no offsets.
      return (text) => normalizeTimestampTz(text).replace(/\+00$/, '');
    default:
      return undefined;
  }
}

/**
 * Reads CSV in any spec and yields it re-encoded as `LOAD_DATA_CSV`, with
 * booleans as 1/0, binary as bare hex and timestamptz in UTC without an
 * offset. Malformed CSV, a wrong field count, or a boolean, binary or
 * timestamptz field that cannot be read fails with its record number; other
 * values are the server's to check (its warnings fail the load).
 */
export async function* loadDataCsv(
  input: AsyncIterable<string | Uint8Array>,
  spec: CsvSpec,
  columns: readonly ColumnSpec[],
  onRecords: (count: number) => void,
): AsyncGenerator<Buffer> {
  const writer = new CsvWriter(LOAD_DATA_CSV, { textColumns: columns.map((c) => isTextLikeKind(c.type)) });
  const rewrites = columns.map(fieldRewrite);
  let header = spec.header;
  let recordNumber = 0;
  try {
    for await (const records of readCsvBatches(input, spec)) {
      let out = '';
      let count = 0;
      for (const record of records) {
        if (header) {
          header = false;
          continue;
        }
        recordNumber++;
        if (record.length !== columns.length) {
          throw new DvtError('runtime', `CSV record ${recordNumber} has ${record.length} fields; the table load expects ${columns.length}`);
        }
        for (let i = 0; i < record.length; i++) {
          const v = record[i];
          const rewrite = rewrites[i];
          if (v !== null && rewrite) {
            try {
              record[i] = rewrite(v);
            } catch (e) {
              throw new DvtError('runtime', `CSV record ${recordNumber}, column ${columns[i].name}: ${(e as Error).message}`);
            }
          }
        }
        out += writer.row(record);
        count++;
      }
      if (count > 0) {
        onRecords(count);
        yield Buffer.from(out, 'utf8');
      }
    }
  } catch (e) {
    if (e instanceof CsvFormatError) throw new DvtError('runtime', `malformed CSV: ${e.message}`);
    throw e;
  }
}
