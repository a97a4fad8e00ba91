/**
 * Whether a preview's row limit (`dvt show --limit`) may travel into the
 * extraction of an input, decided on DuckDB's parse tree
 * (`json_serialize_sql`) of the query the limit wraps. Pure.
 *
 * The limit keeps "any N rows" of the query. That equals "the query over any
 * N rows of the input" only when every row of the input yields exactly one
 * row of the query, unchanged in number: a single SELECT whose FROM is
 * exactly the input's cache table (no join, CTE, subquery or sample), with no
 * WHERE (a term the source cannot apply exactly would leave fewer than N
 * rows), no GROUP BY, HAVING, QUALIFY, DISTINCT, ORDER BY or LIMIT of its
 * own, and a select list of only columns, `*`, constants and casts of those
 * (a function may be an aggregate; a window reads other rows).
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function limitTravels(serialized: string, cacheTable: string): boolean {
  let tree: unknown;
  try {
    tree = JSON.parse(serialized);
  } catch {
    return false;
  }
  if (!isObject(tree) || tree.error !== false || !Array.isArray(tree.statements) || tree.statements.length !== 1) return false;
  const node = (tree.statements[0] as Json).node;
  if (!isObject(node) || node.type !== 'SELECT_NODE') return false;
  if (node.sample !== null || node.where_clause !== null || node.having !== null || node.qualify !== null) return false;
  if (node.aggregate_handling !== 'STANDARD_HANDLING') return false;
  if (!emptyList(node.modifiers) || !emptyList(node.group_expressions) || !emptyList(node.group_sets)) return false;
  if (!isObject(node.cte_map) || !emptyList(node.cte_map.map)) return false;
  const from = node.from_table;
  if (!isObject(from) || from.type !== 'BASE_TABLE' || from.sample !== null || (from.at_clause ?? null) !== null) return false;
  if (String(from.table_name).toLowerCase() !== cacheTable.toLowerCase()) return false;
  if (!['', 'main'].includes(String(from.schema_name ?? '').toLowerCase()) || (from.catalog_name ?? '') !== '') return false;
  return Array.isArray(node.select_list) && node.select_list.length > 0 && node.select_list.every(rowWise);
}

/** An expression computed from one row alone, never from several. */
function rowWise(expr: unknown): boolean {
  if (!isObject(expr)) return false;
  switch (expr.class) {
    case 'COLUMN_REF':
    case 'CONSTANT':
      return true;
    case 'STAR':
      // `* replace (...)` computes expressions, which may be aggregates.
      return (expr.expr ?? null) === null && emptyList(expr.replace_list ?? []);
    case 'CAST':
      return rowWise(expr.child);
    default:
      return false;
  }
}

function emptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}
