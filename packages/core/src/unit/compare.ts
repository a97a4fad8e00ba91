import type { Dialect, Value } from '../adapter/contract.js';
import { valueToText } from '../adapter/values.js';

/**
 * Comparing a unit test's actual rows with the expected ones (pure): one
 * query keeps, on the columns `expect` lists, the rows of each side the
 * other lacks — `except all` both ways, so the comparison ignores order and
 * counts duplicates — tagged `actual` or `expected`; the diff prints them.
 */

export const ACTUAL_CTE = 'dbt_internal_unit_test_actual';
export const EXPECTED_CTE = 'dbt_internal_unit_test_expected';

export function compareSql(actualSql: string, expectedSql: string, columns: readonly string[], dialect: Dialect): string {
  const list = columns.map((c) => dialect.quoteIdentifier(c)).join(', ');
  const side = (name: string, from: string, other: string) =>
    `select '${name}' as actual_or_expected, * from (\n  select * from ${from}\n  except all\n  select * from ${other}\n) as ${name}_only`;
  return [
    `with ${ACTUAL_CTE} as (`,
    `  select ${list} from (\n${actualSql}\n  ) as dbt_internal_unit_test_model`,
    `), ${EXPECTED_CTE} as (`,
    `  select ${list} from (\n${expectedSql}\n  ) as dbt_internal_unit_test_fixture`,
    `)`,
    side('actual', ACTUAL_CTE, EXPECTED_CTE),
    'union all',
    side('expected', EXPECTED_CTE, ACTUAL_CTE),
  ].join('\n');
}

/** A row of the comparison: which side it is on, then its values in the compared columns' order. */
export interface DiffRow {
  side: 'actual' | 'expected';
  values: readonly Value[];
}

/**
 * dbt's failure text, in daff's notation: a header `@@` line with the
 * compared columns, `+++` for a row only the model returned, `---` for an
 * expected row it did not return. Rows are sorted so the output is stable.
 */
export function renderDiff(columns: readonly string[], rows: readonly DiffRow[]): string {
  const text = (v: Value) => (v === null ? 'null' : valueToText(v));
  const body = rows
    .map((r) => [r.side === 'actual' ? '+++' : '---', ...r.values.map(text)])
    .sort((a, b) => a.slice(1).join('\u0000').localeCompare(b.slice(1).join('\u0000')) || a[0]!.localeCompare(b[0]!));
  const table = [['@@', ...columns], ...body];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
  const lines = table.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join(' | ').trimEnd());
  return `actual differs from expected:\n\n${lines.join('\n')}`;
}
