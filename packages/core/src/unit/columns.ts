import type { ColumnMeta, Dialect } from '../adapter/contract.js';
import type { ColumnInfo } from '../project/types.js';
import type { FixtureColumn } from './fixture-sql.js';

/**
 * Where a fixture's column types come from (pure parts). Unit tests run in
 * DuckDB whatever the input's engine, so types are translated through the
 * canonical type system: the input engine's spelling -> canonical -> DuckDB.
 */

/** A type spelled by `from`'s engine, spelled for `to`'s (unchanged when both are the same engine). */
export function translateType(native: string, from: Dialect, to: Dialect, sameEngine: boolean): string {
  if (sameEngine) return native;
  return to.fromCanonicalType(from.toCanonicalType(native));
}

/** The columns the input's YAML types (`data_type`, e.g. under a contract), in YAML order. */
export function declaredColumns(columns: Record<string, ColumnInfo>, from: Dialect, to: Dialect, sameEngine: boolean): FixtureColumn[] {
  return Object.values(columns)
    .filter((c) => typeof c.data_type === 'string' && c.data_type.trim() !== '')
    .map((c) => ({ name: c.name, type: translateType(c.data_type!, from, to, sameEngine) }));
}

/** Columns of the real relation, as its engine's catalog describes them. */
export function describedColumns(columns: readonly ColumnMeta[], to: Dialect, sameEngine: boolean): FixtureColumn[] {
  return columns.map((c) => ({ name: c.name, type: sameEngine ? c.nativeType : to.fromCanonicalType(c.type) }));
}
