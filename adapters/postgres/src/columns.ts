import type { ColumnMeta } from '@dvt/core';
import { OID } from './values.js';
import { postgresToCanonical } from './types.js';

/** A result column as the wire protocol describes it. */
export interface WireField {
  name: string;
  dataTypeID: number;
  dataTypeModifier: number;
}

/**
 * The `format_type` spelling of a built-in type from its OID and modifier,
 * without a round trip. `undefined` for anything else (arrays, enums,
 * domains): the connection asks the server for those once and caches them.
 */
export function builtinTypeName(oid: number, typmod: number): string | undefined {
  switch (oid) {
    case OID.numeric: {
      if (typmod < 4) return 'numeric';
      const m = typmod - 4;
      return `numeric(${(m >> 16) & 0xffff},${m & 0xffff})`;
    }
    case OID.varchar:
      return typmod >= 4 ? `character varying(${typmod - 4})` : 'character varying';
    case OID.bpchar:
      return typmod >= 4 ? `character(${typmod - 4})` : 'bpchar';
    case OID.bool:
      return 'boolean';
    case OID.bytea:
      return 'bytea';
    case OID.char:
      return '"char"';
    case OID.name:
      return 'name';
    case OID.int8:
      return 'bigint';
    case OID.int2:
      return 'smallint';
    case OID.int4:
      return 'integer';
    case OID.text:
      return 'text';
    case OID.oid:
      return 'oid';
    case OID.json:
      return 'json';
    case OID.float4:
      return 'real';
    case OID.float8:
      return 'double precision';
    case OID.unknown:
      return 'unknown';
    case OID.date:
      return 'date';
    case OID.time:
      return 'time without time zone';
    case OID.timetz:
      return 'time with time zone';
    case OID.timestamp:
      return 'timestamp without time zone';
    case OID.timestamptz:
      return 'timestamp with time zone';
    case OID.interval:
      return 'interval';
    case OID.uuid:
      return 'uuid';
    case OID.jsonb:
      return 'jsonb';
    default:
      return undefined;
  }
}

export function columnMeta(name: string, nativeType: string): ColumnMeta {
  const type = postgresToCanonical(nativeType);
  // A literal 'abc' without a cast has the pseudo-type unknown; it is text.
  if (nativeType === 'unknown') return { name, nativeType: 'text', type: { kind: 'text' } };
  return { name, nativeType, type };
}
