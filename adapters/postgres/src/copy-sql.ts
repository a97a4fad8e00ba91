import type { ColumnMeta, CsvSpec } from '@dvt/core';
import { quotePostgresIdentifier, quotePostgresLiteral } from './dialect.js';

/** COPY options for a CSV spec (shared by loads and extractions). */
function csvOptions(csv: CsvSpec): string[] {
  return [
    'FORMAT csv',
    `HEADER ${csv.header ? 'true' : 'false'}`,
    `DELIMITER ${quotePostgresLiteral(csv.delimiter)}`,
    `NULL ${quotePostgresLiteral(csv.nullString)}`,
  ];
}

/** `COPY <table> (<cols>) FROM STDIN (...)` reading CSV in `csv`'s spec. */
export function copyFromStdinSql(table: string, columns: readonly string[], csv: CsvSpec): string {
  const cols = columns.map(quotePostgresIdentifier).join(', ');
  return `COPY ${table} (${cols}) FROM STDIN (${csvOptions(csv).join(', ')})`;
}

/** A query without the trailing semicolons and blanks COPY (...) cannot take. */
export function stripTrailingSemicolons(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

/** Kinds whose text could equal the NULL marker, so `forceQuoteText` quotes them. */
const QUOTED_KINDS = new Set(['text', 'json', 'uuid', 'interval', 'unknown']);

/**
 * `COPY (<sql>) TO STDOUT (...)` writing `csv`'s spec. Booleans are spelled
 * true/false (COPY writes t/f), which needs the query wrapped; other columns
 * pass through untouched so numbers and timestamps keep the server's exact text.
 */
export function copyToStdoutSql(sql: string, columns: readonly ColumnMeta[], csv: CsvSpec): string {
  const inner = stripTrailingSemicolons(sql);
  const hasBoolean = columns.some((c) => c.type.kind === 'boolean');
  const source = hasBoolean
    ? `SELECT ${columns
        .map((c) => {
          const q = `_dvt_q.${quotePostgresIdentifier(c.name)}`;
          return c.type.kind === 'boolean'
            ? `CASE WHEN ${q} THEN 'true' WHEN NOT ${q} THEN 'false' END AS ${quotePostgresIdentifier(c.name)}`
            : q;
        })
        .join(', ')} FROM (\n${inner}\n) AS _dvt_q`
    : inner;
  const options = csvOptions(csv);
  const forced = csv.forceQuoteText ? columns.filter((c) => QUOTED_KINDS.has(c.type.kind)) : [];
  if (forced.length > 0) options.push(`FORCE_QUOTE (${forced.map((c) => quotePostgresIdentifier(c.name)).join(', ')})`);
  // Line breaks keep a trailing `-- comment` in the query from swallowing the parenthesis.
  return `COPY (\n${source}\n) TO STDOUT (${options.join(', ')})`;
}
