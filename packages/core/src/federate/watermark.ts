import type { Dialect } from '../adapter/contract.js';

/**
 * How an incremental federated model reads `{{ this }}`, found in DuckDB's
 * parse tree (`json_serialize_sql`) of its incremental compilation, where
 * `{{ this }}` is the cache table `thisTable`. Pure.
 *
 * A **watermark subquery** is a scalar subquery that reads nothing but
 * `thisTable` and whose value depends only on `max(col)` / `min(col)` of its
 * columns: `(select max(updated_at) from {{ this }})`,
 * `(select coalesce(max(id), 0) from {{ this }} t)`,
 * `(select max(day) - interval 1 day from {{ this }})`. It has no WHERE,
 * GROUP BY, HAVING, QUALIFY, ORDER BY, LIMIT, CTE, join or sample; every
 * column it names is inside such an aggregate (a bare column would read the
 * outer query); around the aggregates only constants, casts, COALESCE and
 * arithmetic. Such a value is the same over any table with the same minimum
 * and maximum per column, so two rows from the target (the maxima, the
 * minima) answer it: the target computes the aggregates, nothing else moves.
 */
export interface ThisAggregate {
  fn: 'max' | 'min';
  /** As the model spells it; the target's catalog decides whether it exists. */
  column: string;
}

export interface WatermarkSubquery {
  /** The subquery expression as JSON: how `pushableTerms` recognises it in the same tree. */
  key: string;
  /** A one-statement document `json_deserialize_sql` turns back into the subquery's SQL. */
  statement: string;
  aggregates: ThisAggregate[];
}

export interface ThisReadings {
  subqueries: WatermarkSubquery[];
  /** Every read of `thisTable` in the model is one of `subqueries`: a summary of the target answers them all. */
  onlyWatermarks: boolean;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Scalar functions that may surround the aggregates (DuckDB spells `interval 1 day` with `to_days` and `trunc`). */
const SCALAR_FUNCTIONS = new Set([
  '+',
  '-',
  '*',
  '/',
  'trunc',
  'to_years',
  'to_months',
  'to_weeks',
  'to_days',
  'to_hours',
  'to_minutes',
  'to_seconds',
  'to_milliseconds',
  'to_microseconds',
]);

export function readingsOfThis(serialized: string, thisTable: string): ThisReadings {
  let tree: unknown;
  try {
    tree = JSON.parse(serialized);
  } catch {
    return { subqueries: [], onlyWatermarks: false };
  }
  if (!isObject(tree) || tree.error !== false) return { subqueries: [], onlyWatermarks: false };
  const subqueries: WatermarkSubquery[] = [];
  let readsOfThis = 0;
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(visit);
    if (!isObject(value)) return;
    if (value.type === 'BASE_TABLE' && isThisTable(value, thisTable)) readsOfThis += 1;
    if (value.class === 'SUBQUERY') {
      const aggregates = watermarkAggregates(value, thisTable);
      if (aggregates) subqueries.push({ key: JSON.stringify(value), statement: statementOf(value), aggregates });
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(tree.statements);
  return { subqueries, onlyWatermarks: readsOfThis === subqueries.length };
}

function isThisTable(table: Json, thisTable: string): boolean {
  return String(table.table_name).toLowerCase() === thisTable.toLowerCase() && ['', 'main'].includes(String(table.schema_name ?? '').toLowerCase()) && (table.catalog_name ?? '') === '';
}

/** The aggregates of a watermark subquery, or undefined when the expression is not one. */
function watermarkAggregates(expr: Json, thisTable: string): ThisAggregate[] | undefined {
  if (expr.subquery_type !== 'SCALAR' || !isObject(expr.subquery)) return undefined;
  const node = expr.subquery.node;
  if (!isObject(node) || node.type !== 'SELECT_NODE' || node.aggregate_handling !== 'STANDARD_HANDLING') return undefined;
  if (node.where_clause !== null || node.having !== null || node.qualify !== null || node.sample !== null) return undefined;
  if (!isEmpty(node.modifiers) || !isEmpty(node.group_expressions) || !isEmpty(node.group_sets)) return undefined;
  if (!isObject(node.cte_map) || !isEmpty(node.cte_map.map)) return undefined;
  const from = node.from_table;
  if (!isObject(from) || from.type !== 'BASE_TABLE' || !isThisTable(from, thisTable)) return undefined;
  if (from.sample !== null || (from.at_clause ?? null) !== null || !isEmpty(from.column_name_alias ?? [])) return undefined;
  if (!Array.isArray(node.select_list) || node.select_list.length !== 1) return undefined;
  const names = new Set([String(from.table_name).toLowerCase(), ...(from.alias ? [String(from.alias).toLowerCase()] : [])]);
  const aggregates: ThisAggregate[] = [];
  return collect(node.select_list[0], names, aggregates) && aggregates.length > 0 ? aggregates : undefined;
}

/** Walks the subquery's one expression; false as soon as something other than the allowed shapes appears. */
function collect(expr: unknown, tableNames: Set<string>, out: ThisAggregate[]): boolean {
  if (!isObject(expr)) return false;
  switch (expr.class) {
    case 'CONSTANT':
      return true;
    case 'CAST':
      return collect(expr.child, tableNames, out);
    case 'OPERATOR':
      return expr.type === 'OPERATOR_COALESCE' && Array.isArray(expr.children) && expr.children.every((c) => collect(c, tableNames, out));
    case 'FUNCTION': {
      const name = String(expr.function_name).toLowerCase();
      if (expr.schema !== '' || (expr.catalog ?? '') !== '' || expr.filter !== null || !Array.isArray(expr.children)) return false;
      if (name === 'max' || name === 'min') {
        const column = expr.children.length === 1 ? columnOf(expr.children[0], tableNames) : undefined;
        const ordered = isObject(expr.order_bys) && !isEmpty(expr.order_bys.orders);
        if (column === undefined || ordered) return false;
        out.push({ fn: name, column });
        return true;
      }
      return SCALAR_FUNCTIONS.has(name) && expr.children.every((c) => collect(c, tableNames, out));
    }
    default:
      // A column outside an aggregate, a subquery, CASE, a window: not a watermark.
      return false;
  }
}

function columnOf(expr: unknown, tableNames: Set<string>): string | undefined {
  if (!isObject(expr) || expr.class !== 'COLUMN_REF' || !Array.isArray(expr.column_names)) return undefined;
  const parts = expr.column_names as string[];
  if (parts.length === 1) return parts[0];
  if (parts.length === 2 && tableNames.has(parts[0]!.toLowerCase())) return parts[1];
  return undefined;
}

/** The subquery alone as a statement document; source positions are dropped (DuckDB writes some it cannot read back). */
function statementOf(expr: Json): string {
  return JSON.stringify({ error: false, statements: [expr.subquery] }, (key, value: unknown) => (key === 'query_location' ? undefined : value));
}

function isEmpty(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

/**
 * The target's summary in its own SQL: one row of each column's maximum and,
 * when a subquery asks for a minimum, one of its minimum. Over these rows
 * every `max`/`min` of those columns equals the one over the whole table
 * (an empty table gives NULLs, as the aggregates do).
 */
export function summarySelect(columns: readonly string[], withMinimum: boolean, rendered: string, dialect: Dialect): string {
  const row = (fn: string) => `select ${columns.map((c) => `${fn}(${dialect.quoteIdentifier(c)}) as ${dialect.quoteIdentifier(c)}`).join(', ')} from ${rendered}`;
  return withMinimum ? `${row('max')} union all ${row('min')}` : row('max');
}
