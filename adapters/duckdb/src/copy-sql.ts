import { isTextLikeKind, type ColumnMeta, type ColumnSpec, type CsvSpec, type RelationRef } from '@dvt/core';
import { canonicalToDuckdb, quoteIdentifier, quoteLiteral, renderRelation } from './dialect.js';

/**
 * SQL for DuckDB's CSV and Parquet paths. Pure: the connection runs it.
 * Binary travels in CSV as PostgreSQL hex (`\x0aff`), which DuckDB neither
 * writes nor reads by itself, so binary columns are converted in SQL.
 */

function csvOptions(csv: CsvSpec): string[] {
  return [`delim = ${quoteLiteral(csv.delimiter)}`, `header = ${csv.header}`, `quote = '"'`, `escape = '"'`, `nullstr = ${quoteLiteral(csv.nullString)}`];
}

/**
 * `INSERT ... SELECT ... FROM read_csv(...)` with the columns typed from the
 * source, never sniffed (DuckDB guesses BIGINT for int and DOUBLE for numeric),
 * and `allow_quoted_nulls = false` so `""` stays the empty string.
 */
export function insertFromCsvSql(relation: RelationRef, columns: ColumnSpec[], csv: CsvSpec, filePath: string): string {
  const readTypes = columns.map((c) => {
    const type = c.type.kind === 'binary' ? 'VARCHAR' : (c.nativeType ?? canonicalToDuckdb(c.type));
    return `${quoteLiteral(c.name)}: ${quoteLiteral(type)}`;
  });
  const selectList = columns.map((c) => {
    const col = quoteIdentifier(c.name);
    return c.type.kind === 'binary' ? `from_hex(regexp_replace(${col}, '^\\\\x', ''))` : col;
  });
  const options = [...csvOptions(csv), `columns = {${readTypes.join(', ')}}`, 'auto_detect = false', 'allow_quoted_nulls = false', 'strict_mode = true'];
  return (
    `insert into ${renderRelation(relation)} (${columns.map((c) => quoteIdentifier(c.name)).join(', ')}) ` +
    `select ${selectList.join(', ')} from read_csv(${quoteLiteral(filePath)}, ${options.join(', ')})`
  );
}

/**
 * A query as a parenthesised subquery: trailing semicolons dropped, and line
 * breaks around it so a trailing `-- comment` cannot swallow the parenthesis.
 */
export function asSubquery(sql: string): string {
  return `(\n${sql.replace(/[\s;]+$/, '')}\n)`;
}

/** Wraps `sql` so binary columns come out as hex text. */
function hexBinaryColumns(sql: string, columns: ColumnMeta[]): string {
  const binary = columns.filter((c) => c.type.kind === 'binary');
  if (binary.length === 0) return sql;
  const replaced = binary.map((c) => `'\\x' || lower(hex(${quoteIdentifier(c.name)})) as ${quoteIdentifier(c.name)}`);
  return `select * replace (${replaced.join(', ')}) from ${asSubquery(sql)} as extracted`;
}

/** `COPY (sql) TO file` as CSV in the requested spec (FORCE_QUOTE on text-like columns when asked). */
export function copyToCsvSql(sql: string, columns: ColumnMeta[], csv: CsvSpec, filePath: string): string {
  const options = ['format csv', `header ${csv.header}`, `delimiter ${quoteLiteral(csv.delimiter)}`, `quote '"'`, `escape '"'`, `nullstr ${quoteLiteral(csv.nullString)}`];
  const forced = csv.forceQuoteText ? columns.filter((c) => isTextLikeKind(c.type)) : [];
  if (forced.length > 0) options.push(`force_quote (${forced.map((c) => quoteIdentifier(c.name)).join(', ')})`);
  return `copy ${asSubquery(hexBinaryColumns(sql, columns))} to ${quoteLiteral(filePath)} (${options.join(', ')})`;
}

export function copyToParquetSql(sql: string, filePath: string): string {
  return `copy ${asSubquery(sql)} to ${quoteLiteral(filePath)} (format parquet)`;
}

export function insertFromParquetSql(relation: RelationRef, filePath: string): string {
  return `insert into ${renderRelation(relation)} by name select * from read_parquet(${quoteLiteral(filePath)})`;
}
