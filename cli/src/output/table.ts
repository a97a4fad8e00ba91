import type { Value } from '@dvt/core';

/**
 * Rows as a Markdown-style table, as `dbt show` prints them: a header, a rule,
 * one line per row; columns as wide as their widest cell.
 */
export function formatTable(columns: readonly string[], rows: readonly Value[][]): string {
  const cells = rows.map((row) => row.map(cellText));
  const widths = columns.map((name, i) => Math.max(name.length, ...cells.map((r) => r[i]?.length ?? 0)));
  const line = (values: readonly string[]) => `| ${values.map((v, i) => v.padEnd(widths[i])).join(' | ')} |`;
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

function cellText(value: Value): string {
  if (value === null) return '';
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return String(value).replace(/\r?\n/g, ' ');
}

/** Row values as JSON-safe values (bigint as text, binary as hex), for `--log-format json`. */
export function jsonRow(columns: readonly string[], row: readonly Value[]): Record<string, unknown> {
  return Object.fromEntries(
    columns.map((name, i) => {
      const v = row[i];
      return [name, typeof v === 'bigint' ? v.toString() : v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v];
    }),
  );
}
