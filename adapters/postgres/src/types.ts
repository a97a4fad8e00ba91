import type { CanonicalType } from '@dvt/core';

/**
 * PostgreSQL type names <-> dvt's canonical types. Accepts every spelling the
 * server and users write (`int4`, `integer`, `character varying(20)`,
 * `timestamp(3) with time zone`, `_int4`, `text[]`) and emits the spelling
 * `format_type` shows, so catalog output and generated DDL agree.
 */

const SIMPLE: Record<string, CanonicalType> = {
  bool: { kind: 'boolean' },
  boolean: { kind: 'boolean' },
  int2: { kind: 'smallint' },
  smallint: { kind: 'smallint' },
  smallserial: { kind: 'smallint' },
  serial2: { kind: 'smallint' },
  int: { kind: 'integer' },
  int4: { kind: 'integer' },
  integer: { kind: 'integer' },
  serial: { kind: 'integer' },
  serial4: { kind: 'integer' },
  int8: { kind: 'bigint' },
  bigint: { kind: 'bigint' },
  bigserial: { kind: 'bigint' },
  serial8: { kind: 'bigint' },
  real: { kind: 'real' },
  float4: { kind: 'real' },
  'double precision': { kind: 'double' },
  float8: { kind: 'double' },
  float: { kind: 'double' },
  text: { kind: 'text' },
  name: { kind: 'text' },
  citext: { kind: 'text' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  'time without time zone': { kind: 'time' },
  timestamp: { kind: 'timestamp' },
  'timestamp without time zone': { kind: 'timestamp' },
  timestamptz: { kind: 'timestamptz' },
  'timestamp with time zone': { kind: 'timestamptz' },
  interval: { kind: 'interval' },
  json: { kind: 'json' },
  jsonb: { kind: 'json' },
  uuid: { kind: 'uuid' },
  bytea: { kind: 'binary' },
};

/** Lower-cases, collapses blanks, and drops `(p)` precision on time types. */
function normalise(native: string): string {
  return native
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/\s*\(\s*/g, '(')
    .replace(/\s*\)\s*/g, ') ')
    .replace(/\s*,\s*/g, ',')
    .trim();
}

export function postgresToCanonical(native: string): CanonicalType {
  const t = normalise(native);
  if (t.endsWith('[]') || (t.startsWith('_') && t.length > 1)) return { kind: 'unknown', native };

  const simple = SIMPLE[t];
  if (simple) return { ...simple };

  let m = /^(?:numeric|decimal)(?:\((\d+)(?:,(-?\d+))?\))?$/.exec(t);
  if (m) {
    if (m[1] === undefined) return { kind: 'decimal' };
    return { kind: 'decimal', precision: Number(m[1]), scale: Number(m[2] ?? 0) };
  }
  m = /^(?:character varying|varchar)(?:\((\d+)\))?$/.exec(t);
  if (m) return m[1] === undefined ? { kind: 'text' } : { kind: 'text', length: Number(m[1]) };
  // char(n) is blank-padded; canonically it is text of that length.
  m = /^(?:character|char|bpchar)(?:\((\d+)\))?$/.exec(t);
  if (m) return { kind: 'text', length: m[1] === undefined ? (t === 'bpchar' ? undefined : 1) : Number(m[1]) };
  m = /^float\((\d+)\)$/.exec(t);
  if (m) return Number(m[1]) <= 24 ? { kind: 'real' } : { kind: 'double' };
  m = /^(time|timestamp)(?:\(\d\))?(?: (with|without) time zone)?$/.exec(t);
  if (m) {
    if (m[1] === 'timestamp') return { kind: m[2] === 'with' ? 'timestamptz' : 'timestamp' };
    if (m[2] !== 'with') return { kind: 'time' };
  }
  if (/^interval\b/.test(t)) return { kind: 'interval' };
  // timetz, enums, domains, ranges, geometry, network types: kept as they are.
  return { kind: 'unknown', native };
}

export function canonicalToPostgres(type: CanonicalType): string {
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'smallint':
      return 'smallint';
    case 'integer':
      return 'integer';
    case 'bigint':
      return 'bigint';
    case 'decimal':
      if (type.precision === undefined) return 'numeric';
      return `numeric(${type.precision},${type.scale ?? 0})`;
    case 'real':
      return 'real';
    case 'double':
      return 'double precision';
    case 'text':
      return type.length === undefined ? 'text' : `character varying(${type.length})`;
    case 'date':
      return 'date';
    case 'time':
      return 'time without time zone';
    case 'timestamp':
      return 'timestamp without time zone';
    case 'timestamptz':
      return 'timestamp with time zone';
    case 'interval':
      return 'interval';
    case 'json':
      return 'jsonb';
    case 'uuid':
      return 'uuid';
    case 'binary':
      return 'bytea';
    case 'unknown':
      return type.native;
  }
}
