import type { ColumnMeta, CsvSpec } from '@dvt/core';
import { quoteMysqlIdentifier, quoteMysqlString } from './dialect.js';
import type { WireField } from './fields.js';
import { sqlTokens } from './sql-lexer.js';

/**
 * SQL that has the server write each row of a query as one CSV record, so
 * the client only copies bytes (see `MysqlConnection.extract`). Each field
 * is spelled as core's CSV writer spells the value the row decoders produce:
 * text always quoted with quotes doubled, booleans as true/false, binary as
 * `\x` and lowercase hex, fractions of seconds without trailing zeros,
 * TIMESTAMP with `+00`, NULL as the spec's null string. Pure.
 */

const YEAR_TYPE = 13;
const ZEROFILL_FLAG = 64;

const ASCII = /^[\x01-\x7f]*$/;
/** Characters a field written unquoted (numbers, dates, times, true/false, `\x` hex) may hold. */
const UNQUOTED_CHARS = /[0-9A-Za-z.:+\- \\]/;
/** Unquoted field text made of these characters only could be mistaken for a non-empty null string. */
const UNQUOTED_ONLY = /^[0-9a-fx.:+\- \\]+$/i;

/**
 * Whether the server can write records in `csv`: its delimiter and null
 * string must be ASCII, the delimiter must not occur in an unquoted field,
 * and no unquoted field may read as the null string.
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
 * A column's field as SQL text (not yet NULL-safe), or undefined for a type
 * the server cannot spell as the row decoders do.
 */
function fieldSql(field: WireField, column: ColumnMeta, csv: CsvSpec): string | undefined {
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
    case 'text':
    case 'json':
    case 'uuid':
      // One character set for every field: columns of different collations cannot clash in concat().
      return `concat('"', replace(convert(${ref} using utf8mb4), '"', '""'), '"')`;
    case 'binary':
      return `concat('\\\\x', lower(hex(${ref})))`;
    default:
      // A bare NULL (`select null as x`) is always the null string.
      return column.nativeType === 'null' ? quoteMysqlString(csv.nullString) : undefined;
  }
}

/**
 * `select <one CSV record per row> from (<sql>) as dvt_extracted`, given the
 * derived table's fields and their column metadata, or undefined when a
 * column's type is one the server cannot spell as core would. The record
 * travels as bytes (`using binary`): UTF-8 whatever the connection's
 * character set.
 */
export function csvLineSql(sql: string, fields: readonly WireField[], columns: readonly ColumnMeta[], csv: CsvSpec): string | undefined {
  const nullString = quoteMysqlString(csv.nullString);
  const parts: string[] = [];
  for (let i = 0; i < fields.length; i++) {
    const text = fieldSql(fields[i], columns[i], csv);
    if (text === undefined) return undefined;
    // concat() of a NULL is NULL: every field is made NULL-safe so none can go missing.
    parts.push(`ifnull(${text}, ${nullString})`);
  }
  if (parts.length === 0) return undefined;
  return `select convert(concat(${parts.join(`, ${quoteMysqlString(csv.delimiter)}, `)}) using binary) from ${derivedTable(sql)}`;
}
