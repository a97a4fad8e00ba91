import type { ColumnMeta, CsvSpec } from '@dvt/core';
import { DvtError } from '@dvt/core';
import { quoteMysqlIdentifier, quoteMysqlString } from './dialect.js';
import type { WireField } from './fields.js';
import { sqlTokens } from './sql-lexer.js';

/**
 * CSV records made of bytes the server sends ready (see
 * `MysqlConnection.extract`): the client copies them and never decodes a
 * value. Every field is spelled as core's CSV writer spells the value the row
 * decoders produce: booleans as true/false, fractions of seconds without
 * trailing zeros, TIMESTAMP with `+00`, text always quoted with quotes
 * doubled, binary as `\x` and lowercase hex, NULL as the spec's null string.
 *
 * The server spells the numbers, dates and times and joins each run of them
 * with the delimiter (one result column per run). Text and binary values come
 * as they are, one column each, and the client quotes or hex-encodes them:
 * MariaDB's REPLACE() takes time quadratic in the quotes of a value (31 s for
 * one of 160,000 quotes), HEX() of a value beyond half of `max_allowed_packet`
 * is NULL, and a value sent as it is costs the server nothing. Pure.
 */

const YEAR_TYPE = 13;
/** MySQL's JSON type: utf8mb4 text, though its column says binary. */
const JSON_TYPE = 245;
const ZEROFILL_FLAG = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const X = 0x78;
const LF = 0x0a;
/** Longest text value quoted byte by byte; longer ones go by indexOf() and copy(). */
const BYTEWISE_MAX = 256;

/** `RecordPart`s as the writer's hot loop compares them. */
const RUN = 0;
const TEXT = 1;
const BINARY = 2;

/** Printable ASCII and tab. */
const ASCII = /^[\t -~]*$/;
/** Characters a field written unquoted (numbers, dates, times, true/false, `\x` hex) may hold. */
const UNQUOTED_CHARS = /[0-9A-Za-z.:+\- \\]/;
/** Unquoted field text made of these characters only could be mistaken for a non-empty null string. */
const UNQUOTED_ONLY = /^[0-9a-fx.:+\- \\]+$/i;
/** mysql2's names of the result encodings whose bytes are UTF-8 (utf8mb3 is CESU-8 without the surrogates). */
const UTF8_ENCODINGS = new Set(['utf8', 'cesu8']);

/**
 * Whether records can be made this way in `csv`: its delimiter and null
 * string must be printable ASCII (or tab), the delimiter must not occur in an
 * unquoted field, and no unquoted field may read as the null string.
 */
export function serverCsvSupports(csv: CsvSpec): boolean {
  const { delimiter, nullString } = csv;
  // ASCII keeps the literals' bytes the same in any connection character set.
  if (!ASCII.test(delimiter + nullString)) return false;
  if (delimiter.length !== 1 || UNQUOTED_CHARS.test(delimiter) || /["\r\n]/.test(delimiter)) return false;
  return nullString === '' || !(UNQUOTED_ONLY.test(nullString) || nullString === 'true' || nullString === 'false');
}

/**
 * Whether `sql` ends in an ORDER BY of its own (outside parentheses). A
 * derived table drops such an ordering, so these queries are not wrapped.
 */
export function hasOuterOrderBy(sql: string): boolean {
  let depth = 0;
  const tokens = sqlTokens(sql);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === 'punct' && t.text === '(') depth++;
    else if (t.kind === 'punct' && t.text === ')') depth--;
    else if (depth === 0 && t.kind === 'word' && t.text.toLowerCase() === 'order' && tokens[i + 1]?.text.toLowerCase() === 'by') return true;
  }
  return false;
}

/** `sql` as a derived table; line breaks keep a trailing `-- comment` from swallowing the parenthesis. */
export function derivedTable(sql: string): string {
  return `(\n${sql.replace(/[\s;]+$/, '')}\n) as dvt_extracted`;
}

/** Drops the zeros ending a fraction of seconds, and the point when nothing is left after it. */
function withoutTrailingZeros(text: string): string {
  return `trim(trailing '.' from trim(trailing '0' from ${text}))`;
}

/**
 * A non-text column's field as SQL (not yet NULL-safe), or undefined for a
 * type the server cannot spell as the row decoders do.
 */
function spelledSql(field: WireField, column: ColumnMeta, csv: CsvSpec): string | undefined {
  const ref = quoteMysqlIdentifier(field.name);
  const flags = typeof field.flags === 'number' ? field.flags : 0;
  // Only 0 to 6 digits are fractions of seconds; other `decimals` mean the server did not say.
  const fraction = field.decimals >= 1 && field.decimals <= 6;
  switch (column.type.kind) {
    case 'boolean':
      // elt() of NULL is NULL, where if() would take a NULL comparison as false.
      return `elt((${ref} <> 0) + 1, 'false', 'true')`;
    case 'smallint':
    case 'integer':
    case 'bigint':
    case 'decimal':
      // YEAR and ZEROFILL columns arrive zero-padded; the decoders read them as numbers.
      return field.columnType === YEAR_TYPE || flags & ZEROFILL_FLAG ? `(${ref} + 0)` : ref;
    case 'real':
    case 'double':
    case 'date':
      return ref;
    case 'time':
    case 'timestamp':
      if (field.decimals > 6) return undefined;
      return fraction ? withoutTrailingZeros(ref) : ref;
    case 'timestamptz':
      if (field.decimals > 6) return undefined;
      // The session's zone is UTC (SESSION_SETUP_SQL).
      return `concat(${fraction ? withoutTrailingZeros(ref) : ref}, '+00')`;
    default:
      // A bare NULL (`select null as x`) is always the null string.
      return column.nativeType === 'null' ? quoteMysqlString(csv.nullString) : undefined;
  }
}

/** How a result column of a `RecordPlan` becomes CSV: fields the server spelled and joined, a text value to quote, binary to hex-encode. */
export type RecordPart = 'run' | 'text' | 'binary';

/** How the server sends the records of a query: the statement, and what each of its columns is. */
export interface RecordPlan {
  sql: string;
  parts: RecordPart[];
}

function isText(column: ColumnMeta): boolean {
  return column.type.kind === 'text' || column.type.kind === 'json' || column.type.kind === 'uuid';
}

/**
 * The statement over `sql` as a derived table, given the derived table's
 * fields and their column metadata, or undefined when a column's type is one
 * the server cannot spell as core would or its text does not arrive as UTF-8
 * (a connection character set other than utf8mb4 or utf8mb3).
 */
export function recordPlan(sql: string, fields: readonly WireField[], columns: readonly ColumnMeta[], csv: CsvSpec): RecordPlan | undefined {
  const nullString = quoteMysqlString(csv.nullString);
  const selected: string[] = [];
  const parts: RecordPart[] = [];
  let run: string[] = [];
  const endRun = () => {
    if (run.length === 0) return;
    // Bytes as they are, whatever the connection's character set (the run is ASCII).
    selected.push(`convert(concat(${run.join(`, ${quoteMysqlString(csv.delimiter)}, `)}) using binary)`);
    parts.push('run');
    run = [];
  };
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const kind = columns[i].type.kind;
    if (isText(columns[i]) || kind === 'binary') {
      if (kind !== 'binary' && !UTF8_ENCODINGS.has(field.encoding ?? '') && field.columnType !== JSON_TYPE) return undefined;
      endRun();
      selected.push(quoteMysqlIdentifier(field.name));
      parts.push(kind === 'binary' ? 'binary' : 'text');
      continue;
    }
    const text = spelledSql(field, columns[i], csv);
    if (text === undefined) return undefined;
    // concat() of a NULL is NULL: every field is made NULL-safe so none can go missing.
    run.push(`ifnull(${text}, ${nullString})`);
  }
  endRun();
  if (selected.length === 0) return undefined;
  return { sql: `select ${selected.join(', ')} from ${derivedTable(sql)}`, parts };
}

/**
 * Writes rows of a `RecordPlan`'s statement (each column's raw bytes) as CSV
 * records into byte buffers. Pure.
 */
export class RecordWriter {
  private readonly delimiter: number;
  private readonly nullBytes: Buffer;
  private readonly kinds: Uint8Array;

  constructor(csv: CsvSpec, parts: readonly RecordPart[]) {
    this.delimiter = csv.delimiter.charCodeAt(0);
    this.nullBytes = Buffer.from(csv.nullString, 'latin1');
    this.kinds = Uint8Array.from(parts, (p) => (p === 'run' ? RUN : p === 'text' ? TEXT : BINARY));
  }

  /** The most bytes `write` can take for `row` (every byte of a text value a quote). */
  maxLength(row: readonly (Buffer | null)[]): number {
    let n = row.length * (this.nullBytes.length + 3);
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      if (v !== null) n += this.kinds[i] === RUN ? v.length : 2 * v.length;
    }
    return n;
  }

  /** Writes `row` and a line feed at `at` (room for `maxLength(row)` is the caller's business); returns the end. */
  write(row: readonly (Buffer | null)[], target: Buffer, at: number): number {
    for (let i = 0; i < row.length; i++) {
      if (i > 0) target[at++] = this.delimiter;
      const v = row[i];
      const kind = this.kinds[i];
      if (v === null) {
        // The server's runs are NULL-safe: only a value sent as it is can be NULL.
        if (kind === RUN) throw new DvtError('runtime', 'the server sent no fields for a run of columns');
        target.set(this.nullBytes, at);
        at += this.nullBytes.length;
      } else if (kind === RUN) {
        target.set(v, at);
        at += v.length;
      } else if (kind === TEXT) {
        at = writeQuoted(v, target, at);
      } else {
        target[at++] = BACKSLASH;
        target[at++] = X;
        at += target.write(v.toString('hex'), at, 'latin1');
      }
    }
    target[at++] = LF;
    return at;
  }
}

function writeQuoted(value: Buffer, target: Buffer, at: number): number {
  target[at++] = QUOTE;
  const n = value.length;
  if (n <= BYTEWISE_MAX) {
    // Short values (most of them): byte by byte is cheaper than a copy() call per piece, each making a view.
    for (let i = 0; i < n; i++) {
      const b = value[i];
      target[at++] = b;
      if (b === QUOTE) target[at++] = QUOTE;
    }
    target[at++] = QUOTE;
    return at;
  }
  let from = 0;
  for (let q = value.indexOf(QUOTE); q >= 0; q = value.indexOf(QUOTE, q + 1)) {
    at += value.copy(target, at, from, q + 1);
    target[at++] = QUOTE;
    from = q + 1;
  }
  at += value.copy(target, at, from);
  target[at++] = QUOTE;
  return at;
}
