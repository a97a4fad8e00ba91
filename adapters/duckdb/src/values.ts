import {
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBTypeId,
  blobValue,
  DOUBLE,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { normalizeTime, normalizeTimestamp, type ColumnMeta, type Value } from '@dvt/core';
import { duckdbToCanonical } from './dialect.js';

type Convert = (value: DuckDBValue) => Value;

const asIs: Convert = (v) => v as Value;
const asText: Convert = (v) => String(v);

function dateText(v: DuckDBValue): Value {
  const d = v as DuckDBDateValue;
  // DuckDB stores ±infinity as the extreme day numbers; print them as PostgreSQL does.
  if (!d.isFinite) return d.days > 0 ? 'infinity' : '-infinity';
  return d.toString();
}

/** Converter from a DuckDB value to the contract's representation, chosen once per column. */
function converterFor(type: DuckDBType): Convert {
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
    case DuckDBTypeId.VARCHAR:
      return asIs;
    case DuckDBTypeId.UINTEGER:
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return (v) => (typeof v === 'bigint' ? v : BigInt(v as number));
    case DuckDBTypeId.DATE:
      return dateText;
    case DuckDBTypeId.TIMESTAMP_NS:
      // Nanoseconds do not travel: the contract carries microseconds.
      return (v) => normalizeTimestamp(String(v));
    case DuckDBTypeId.TIME_NS:
      return (v) => normalizeTime(String(v));
    case DuckDBTypeId.BLOB:
      return (v) => (v as DuckDBBlobValue).bytes;
    default:
      // DECIMAL, TIMESTAMP(_S/_MS/TZ), TIME, INTERVAL, UUID, ENUM, nested and
      // other types: DuckDB's own text is already the contract's form (or the
      // best text for unknown types).
      return asText;
  }
}

export interface ResultShape {
  columns: ColumnMeta[];
  convert: Convert[];
}

export function nativeTypeName(type: DuckDBType): string {
  return type.alias ?? type.toString();
}

export function resultShape(names: string[], types: DuckDBType[]): ResultShape {
  const columns = names.map((name, i) => {
    const nativeType = nativeTypeName(types[i]);
    return { name, nativeType, type: duckdbToCanonical(nativeType) };
  });
  return { columns, convert: types.map(converterFor) };
}

export function convertRows(rows: DuckDBValue[][], convert: Convert[]): Value[][] {
  const out: Value[][] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    const converted: Value[] = new Array(row.length);
    for (let c = 0; c < row.length; c++) {
      const v = row[c];
      converted[c] = v === null ? null : convert[c](v);
    }
    out[r] = converted;
  }
  return out;
}

/** Bind parameters: DuckDB infers each one's type from where it is used, casting text as needed. */
export function toDuckDBParams(params: Value[]): DuckDBValue[] {
  return params.map((p) => (p instanceof Uint8Array ? blobValue(p) : p));
}

/**
 * Explicit bind types where inference goes wrong: the driver binds every
 * integral JS number as an integer, so -1.5e300 would overflow BIGINT.
 * `undefined` entries leave the driver's inference in place.
 */
export function duckDBParamTypes(params: Value[]): DuckDBType[] {
  return params.map((p) => (typeof p === 'number' && !Number.isSafeInteger(p) ? DOUBLE : undefined)) as DuckDBType[];
}
