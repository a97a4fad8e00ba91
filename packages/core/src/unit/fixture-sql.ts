import type { CanonicalType, Dialect } from '../adapter/contract.js';
import { DvtError } from '../errors.js';
import { ColumnInference, type SeedKind } from '../run/seed/infer.js';

/**
 * The SQL of a unit test's rows (pure): each given input becomes a query of
 * literals cast to the input's column types, one `select` per row joined by
 * `union all`; a column a row leaves out is NULL of its type, as in dbt.
 */

/** A column of a fixture, with its type spelled for the engine the test runs in. */
export interface FixtureColumn {
  name: string;
  type: string;
}

/** A YAML/CSV value as a SQL literal (before the cast to its column's type). */
export function sqlLiteral(value: unknown, dialect: Dialect): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return dialect.quoteLiteral(value);
  return dialect.quoteLiteral(JSON.stringify(value));
}

/** Finds a row's key among the columns, case-insensitively (dbt lower-cases both sides). */
function columnIndex(columns: readonly FixtureColumn[]): Map<string, number> {
  return new Map(columns.map((c, i) => [c.name.toLowerCase(), i]));
}

/**
 * `select cast(... as type) as "col", ... union all ...` for `rows` over
 * `columns`. A key that is not a column is an error naming the fixture and
 * the columns it accepts; no rows gives the columns and zero rows.
 */
export function rowsSql(rows: readonly Record<string, unknown>[], columns: readonly FixtureColumn[], dialect: Dialect, fixtureName: string): string {
  if (columns.length === 0) throw new DvtError('compile', `unit test fixture for ${fixtureName} has no columns: give at least one row with values`);
  const index = columnIndex(columns);
  const select = (values: readonly unknown[]) =>
    `select ${columns.map((c, i) => `${castValue(values[i], c.type, dialect)} as ${dialect.quoteIdentifier(c.name)}`).join(', ')}`;
  if (rows.length === 0) return `${select([])}\nlimit 0`;
  return rows
    .map((row) => {
      const values: unknown[] = new Array(columns.length).fill(null);
      for (const [key, value] of Object.entries(row)) {
        const i = index.get(key.toLowerCase());
        if (i === undefined) {
          throw new DvtError(
            'compile',
            `Invalid column name: '${key}' in unit test fixture for ${fixtureName}. Accepted columns for ${fixtureName} are: ${columns.map((c) => c.name).join(', ')}`,
          );
        }
        values[i] = value;
      }
      return select(values);
    })
    .join('\nunion all\n');
}

function castValue(value: unknown, type: string, dialect: Dialect): string {
  // A column of unknown type (every value NULL) keeps the engine's untyped NULL, which fits wherever the model uses it.
  if (type === '') return sqlLiteral(value, dialect);
  return `cast(${sqlLiteral(value, dialect)} as ${type})`;
}

const KIND_TO_CANONICAL: Record<SeedKind, CanonicalType> = {
  integer: { kind: 'integer' },
  bigint: { kind: 'bigint' },
  float: { kind: 'double' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp' },
  boolean: { kind: 'boolean' },
  text: { kind: 'text' },
};

/**
 * Columns and types read from the rows themselves, when neither the input's
 * YAML nor its relation says: the keys in order of appearance, each typed
 * as a seed column holding those values would be (integer, double, date,
 * timestamp, boolean, else text), spelled by `dialect`. A column with no
 * value but NULL has no type (''). `names` come first (a CSV header with no
 * rows).
 */
export function inferColumns(rows: readonly Record<string, unknown>[], dialect: Pick<Dialect, 'fromCanonicalType'>, names?: readonly string[]): FixtureColumn[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const add = (name: string) => {
    if (seen.has(name.toLowerCase())) return;
    seen.add(name.toLowerCase());
    order.push(name);
  };
  for (const name of names ?? []) add(name);
  for (const row of rows) for (const key of Object.keys(row)) add(key);
  return order.map((name) => {
    const inference = new ColumnInference();
    for (const row of rows) {
      const key = Object.keys(row).find((k) => k.toLowerCase() === name.toLowerCase());
      const value = key === undefined ? null : row[key];
      if (value === null || value === undefined) continue;
      inference.observe(typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
    return { name, type: inference.nonNullCount === 0 ? '' : dialect.fromCanonicalType(KIND_TO_CANONICAL[inference.result()]) };
  });
}
