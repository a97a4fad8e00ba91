import type { CanonicalType, Dialect, Value } from '../contract.js';

/**
 * A constant of a canonical type in the dialect's SQL: the dialect's own
 * `typedLiteral` where it has one, else a quoted literal, which an engine
 * without one must read as the type of the column it meets (PostgreSQL and
 * DuckDB do, a timestamptz's '+00' included).
 */
export function typedLiteral(dialect: Dialect, value: Value, type: CanonicalType): string {
  return dialect.typedLiteral ? dialect.typedLiteral(value, type) : dialect.quoteLiteral(value);
}
