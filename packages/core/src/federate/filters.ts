import type { CanonicalKind, ColumnMeta, Dialect } from '../adapter/contract.js';
import { typedLiteral } from '../adapter/defaults/literals.js';

/**
 * Filters that may travel into the extraction of an input, found in DuckDB's
 * parse tree (`json_serialize_sql`) of the one query that reads it. Pure.
 *
 * Only what is provably safe is taken: the statement must be a single SELECT
 * whose FROM is exactly the input's cache table (no join, no CTE, no
 * subquery, no sample), and only top-level AND-ed terms of its WHERE — which
 * apply before any GROUP BY, DISTINCT, window, QUALIFY or LIMIT of that same
 * SELECT. A term qualifies when it compares one column of the table with a
 * constant in a way the source engine cannot answer with fewer rows:
 * `IS [NOT] NULL` on an integer or text column; `=`, `<>`, `<`, `<=`, `>`, `>=` with a
 * safe-integer constant on an integer column; `=` with a string on a text
 * column (a case- or pad-insensitive collation there can only return more
 * rows). The model keeps its whole WHERE, so extra rows are filtered again
 * in DuckDB. LIMIT is never pushed.
 *
 * An incremental run adds watermarks (watermark.ts): a scalar subquery on
 * `{{ this }}` already evaluated, passed in `watermarks` by its JSON, stands
 * for its value. A temporal value compares only with a column of exactly its
 * kind (a date with a date, a timestamp with a timestamp, a timestamptz with
 * a timestamptz), so no engine converts across time zones or precisions.
 */
export interface PushedTerm {
  column: string;
  op: '=' | '<>' | '<' | '<=' | '>' | '>=' | 'is null' | 'is not null';
  value?: TermValue;
}

/**
 * A constant of a term: a safe integer, a string (text columns), or a date or
 * time in the canonical text of `Value` ('YYYY-MM-DD', 'YYYY-MM-DD
 * HH:MM:SS[.ffffff]', the same with '+00' for timestamptz).
 */
export type TermValue = number | string | TemporalValue;
export interface TemporalValue {
  temporal: 'date' | 'timestamp' | 'timestamptz';
  text: string;
}

const COMPARISONS: Record<string, PushedTerm['op']> = {
  COMPARE_EQUAL: '=',
  COMPARE_NOTEQUAL: '<>',
  COMPARE_LESSTHAN: '<',
  COMPARE_LESSTHANOREQUALTO: '<=',
  COMPARE_GREATERTHAN: '>',
  COMPARE_GREATERTHANOREQUALTO: '>=',
};
/** The same comparison with its sides swapped (`3 < a` is `a > 3`). */
const MIRRORED: Record<string, PushedTerm['op']> = { '=': '=', '<>': '<>', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const INTEGER_CONSTANTS = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'HUGEINT']);
const INTEGER_KINDS = new Set<CanonicalKind>(['smallint', 'integer', 'bigint']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

export function pushableTerms(serialized: string, cacheTable: string, watermarks: ReadonlyMap<string, TermValue> = new Map()): PushedTerm[] {
  let tree: unknown;
  try {
    tree = JSON.parse(serialized);
  } catch {
    return [];
  }
  if (!isObject(tree) || tree.error !== false || !Array.isArray(tree.statements) || tree.statements.length !== 1) return [];
  const node = (tree.statements[0] as Json).node;
  if (!isObject(node) || node.type !== 'SELECT_NODE' || node.sample !== null) return [];
  const ctes = isObject(node.cte_map) ? node.cte_map.map : undefined;
  if (!Array.isArray(ctes) || ctes.length > 0) return [];
  const from = node.from_table;
  if (!isObject(from) || from.type !== 'BASE_TABLE' || from.sample !== null || String(from.table_name).toLowerCase() !== cacheTable.toLowerCase()) return [];
  if (!['', 'main'].includes(String(from.schema_name ?? '').toLowerCase()) || (from.catalog_name ?? '') !== '') return [];
  if (Array.isArray(from.column_name_alias) && from.column_name_alias.length > 0) return [];
  const names = new Set([String(from.table_name).toLowerCase(), ...(from.alias ? [String(from.alias).toLowerCase()] : [])]);
  // WHERE may name a select-list alias; such a name is never taken for a column.
  const aliases = new Set((Array.isArray(node.select_list) ? node.select_list : []).map((e) => (isObject(e) ? String(e.alias ?? '').toLowerCase() : '')).filter(Boolean));
  const column = (expr: unknown): string | undefined => {
    if (!isObject(expr) || expr.class !== 'COLUMN_REF' || !Array.isArray(expr.column_names)) return undefined;
    const parts = expr.column_names as string[];
    if (parts.length === 1) return aliases.has(parts[0]!.toLowerCase()) ? undefined : parts[0];
    if (parts.length === 2 && names.has(parts[0]!.toLowerCase())) return parts[1];
    return undefined;
  };
  const constant = (expr: unknown): TermValue | undefined => {
    if (isObject(expr) && expr.class === 'SUBQUERY') return watermarks.get(JSON.stringify(expr));
    if (!isObject(expr) || expr.class !== 'CONSTANT' || !isObject(expr.value) || expr.value.is_null !== false) return undefined;
    const type = isObject(expr.value.type) ? String(expr.value.type.id) : '';
    const value = expr.value.value;
    if (INTEGER_CONSTANTS.has(type) && typeof value === 'number' && Number.isSafeInteger(value)) return value;
    if (type === 'VARCHAR' && typeof value === 'string') return value;
    return undefined;
  };
  const terms: PushedTerm[] = [];
  const where = node.where_clause;
  const conjuncts = isObject(where) && where.type === 'CONJUNCTION_AND' && Array.isArray(where.children) ? where.children : where ? [where] : [];
  for (const term of conjuncts) {
    if (!isObject(term)) continue;
    if (term.type === 'OPERATOR_IS_NULL' || term.type === 'OPERATOR_IS_NOT_NULL') {
      const name = Array.isArray(term.children) && term.children.length === 1 ? column(term.children[0]) : undefined;
      if (name) terms.push({ column: name, op: term.type === 'OPERATOR_IS_NULL' ? 'is null' : 'is not null' });
      continue;
    }
    const op = COMPARISONS[String(term.type)];
    if (!op || term.class !== 'COMPARISON') continue;
    const [name, value, effective] =
      column(term.left) !== undefined ? [column(term.left), constant(term.right), op] : [column(term.right), constant(term.left), MIRRORED[op]!];
    if (name === undefined || value === undefined) continue;
    if (typeof value === 'string' && effective !== '=') continue;
    terms.push({ column: name, op: effective as PushedTerm['op'], value });
  }
  return terms;
}

/**
 * The terms as a WHERE condition in the source engine's SQL, keeping only
 * those whose column exists there with a type the term is safe for;
 * undefined when none remain.
 */
export function renderPushedTerms(terms: readonly PushedTerm[], columns: readonly ColumnMeta[], dialect: Dialect): string | undefined {
  const byName = new Map(columns.map((c) => [c.name.toLowerCase(), c]));
  const rendered: string[] = [];
  for (const term of terms) {
    const col = byName.get(term.column.toLowerCase());
    if (!col) continue;
    const name = dialect.quoteIdentifier(col.name);
    if (term.op === 'is null' || term.op === 'is not null') {
      // Dates and times are left out: MySQL's IS NULL also matches zero dates.
      if (INTEGER_KINDS.has(col.type.kind) || col.type.kind === 'text') rendered.push(`${name} ${term.op}`);
    } else if (typeof term.value === 'number' && INTEGER_KINDS.has(col.type.kind)) {
      rendered.push(`${name} ${term.op} ${term.value}`);
    } else if (typeof term.value === 'string' && col.type.kind === 'text') {
      rendered.push(`${name} = ${typedLiteral(dialect, term.value, { kind: 'text' })}`);
    } else if (isTemporal(term.value) && col.type.kind === term.value.temporal) {
      // Written as the source engine reads that exact value of the kind (a timestamptz's UTC included).
      rendered.push(`${name} ${term.op} ${typedLiteral(dialect, term.value.text, { kind: term.value.temporal })}`);
    }
  }
  return rendered.length > 0 ? rendered.join(' and ') : undefined;
}

function isTemporal(value: TermValue | undefined): value is TemporalValue {
  return typeof value === 'object' && value !== null;
}

/** The terms both lists have (a model's two compilations: with and without is_incremental()). */
export function commonTerms(a: readonly PushedTerm[], b: readonly PushedTerm[]): PushedTerm[] {
  const key = (t: PushedTerm) => JSON.stringify([t.column.toLowerCase(), t.op, t.value]);
  const inB = new Set(b.map(key));
  return a.filter((t) => inB.has(key(t)));
}
