import type { CanonicalType } from '@dvt/core';
import { canonicalToPostgres, postgresToCanonical } from '@dvt/adapter-postgres';

/** Longest VARCHAR Redshift stores (bytes). */
export const REDSHIFT_MAX_VARCHAR = 65535;

/**
 * Redshift type names <-> canonical types: PostgreSQL's spellings plus
 * SUPER, VARBYTE, and Redshift's defaults (bare NUMERIC is numeric(18,0);
 * TEXT is varchar(256)).
 */
export function redshiftToCanonical(native: string): CanonicalType {
  const t = native.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === 'super') return { kind: 'json' };
  if (/^(varbyte|varbinary|binary varying)(\(\d+\))?$/.test(t)) return { kind: 'binary' };
  if (t === 'numeric' || t === 'decimal') return { kind: 'decimal', precision: 18, scale: 0 };
  if (t === 'text') return { kind: 'text', length: 256 };
  if (/^(character varying|varchar|nvarchar)\(max\)$/.test(t)) return { kind: 'text', length: REDSHIFT_MAX_VARCHAR };
  if (t === 'nvarchar' || t === 'bpchar' || t === 'nchar') return postgresToCanonical(t === 'nvarchar' ? 'varchar' : 'char');
  return postgresToCanonical(native);
}

/** Redshift spells most types as PostgreSQL does; these are the kinds where it differs. */
export function canonicalToRedshift(type: CanonicalType): string {
  switch (type.kind) {
    case 'decimal':
      // Redshift caps precision at 38; an unconstrained decimal gets the most room it can.
      return type.precision === undefined ? 'numeric(38,10)' : `numeric(${Math.min(type.precision, 38)},${type.scale ?? 0})`;
    case 'text':
      return `character varying(${Math.min(type.length ?? REDSHIFT_MAX_VARCHAR, REDSHIFT_MAX_VARCHAR)})`;
    // No storable interval or uuid type: their text form fits in a varchar.
    case 'interval':
      return 'character varying(64)';
    case 'uuid':
      return 'character(36)';
    case 'json':
      return 'super';
    case 'binary':
      return 'varbyte';
    default:
      return canonicalToPostgres(type);
  }
}
