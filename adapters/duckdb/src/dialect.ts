import { DEFAULT_CSV, parseSqlType, type CanonicalType, type Dialect, type RelationRef, type Value } from '@dvt/core';

/** DuckDB's plain `DECIMAL` is DECIMAL(18,3). */
const DEFAULT_DECIMAL = { precision: 18, scale: 3 };
const MAX_DECIMAL_PRECISION = 38;

const BY_NAME: Record<string, CanonicalType> = {
  boolean: { kind: 'boolean' },
  bool: { kind: 'boolean' },
  logical: { kind: 'boolean' },
  tinyint: { kind: 'smallint' },
  int1: { kind: 'smallint' },
  utinyint: { kind: 'smallint' },
  smallint: { kind: 'smallint' },
  int2: { kind: 'smallint' },
  short: { kind: 'smallint' },
  usmallint: { kind: 'integer' },
  integer: { kind: 'integer' },
  int: { kind: 'integer' },
  int4: { kind: 'integer' },
  signed: { kind: 'integer' },
  uinteger: { kind: 'bigint' },
  bigint: { kind: 'bigint' },
  int8: { kind: 'bigint' },
  long: { kind: 'bigint' },
  // Wider than 64 bits: values still arrive as JS bigint; a target with only
  // 64-bit integers refuses out-of-range values rather than rounding them.
  ubigint: { kind: 'bigint' },
  hugeint: { kind: 'bigint' },
  int128: { kind: 'bigint' },
  uhugeint: { kind: 'bigint' },
  float: { kind: 'real' },
  float4: { kind: 'real' },
  real: { kind: 'real' },
  double: { kind: 'double' },
  float8: { kind: 'double' },
  'double precision': { kind: 'double' },
  varchar: { kind: 'text' },
  text: { kind: 'text' },
  string: { kind: 'text' },
  char: { kind: 'text' },
  bpchar: { kind: 'text' },
  nvarchar: { kind: 'text' },
  'character varying': { kind: 'text' },
  character: { kind: 'text' },
  enum: { kind: 'text' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  time_ns: { kind: 'time' },
  timestamp: { kind: 'timestamp' },
  datetime: { kind: 'timestamp' },
  timestamp_us: { kind: 'timestamp' },
  timestamp_ms: { kind: 'timestamp' },
  timestamp_s: { kind: 'timestamp' },
  timestamp_ns: { kind: 'timestamp' },
  'timestamp without time zone': { kind: 'timestamp' },
  timestamptz: { kind: 'timestamptz' },
  'timestamp with time zone': { kind: 'timestamptz' },
  interval: { kind: 'interval' },
  uuid: { kind: 'uuid' },
  json: { kind: 'json' },
  blob: { kind: 'binary' },
  bytea: { kind: 'binary' },
  binary: { kind: 'binary' },
  varbinary: { kind: 'binary' },
};

/** Maps a DuckDB type spelling (as duckdb_columns or a result shows it) to the canonical type. */
export function duckdbToCanonical(native: string): CanonicalType {
  const trimmed = native.trim();
  // Nested types (INTEGER[], INTEGER[3], STRUCT(...), MAP(...), UNION(...)) have no canonical counterpart.
  if (/\[\d*\]\s*$/.test(trimmed) || /^(struct|map|union|list)\s*\(/i.test(trimmed)) return { kind: 'unknown', native: trimmed };
  const parsed = parseSqlType(trimmed);
  if (parsed.base === 'decimal' || parsed.base === 'numeric') {
    if (parsed.args.length === 0) return { kind: 'decimal', ...DEFAULT_DECIMAL };
    return { kind: 'decimal', precision: parsed.args[0], scale: parsed.args[1] ?? 0 };
  }
  if (parsed.base.startsWith('enum')) return { kind: 'text' };
  // The whole spelling decides: TIME WITH TIME ZONE is not a TIME.
  const name = parsed.suffix ? `${parsed.base} ${parsed.suffix}` : parsed.base;
  return BY_NAME[name] ?? { kind: 'unknown', native: trimmed };
}

/** The DuckDB column type that holds every value of a canonical type. */
export function canonicalToDuckdb(type: CanonicalType): string {
  switch (type.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'smallint':
      return 'SMALLINT';
    case 'integer':
      return 'INTEGER';
    case 'bigint':
      return 'BIGINT';
    case 'decimal': {
      // An unconstrained decimal (PostgreSQL `numeric`) gets the widest DuckDB decimal with room for fractions.
      if (type.precision === undefined) return 'DECIMAL(38,10)';
      const precision = Math.min(type.precision, MAX_DECIMAL_PRECISION);
      const scale = Math.min(type.scale ?? 0, precision);
      return `DECIMAL(${precision},${scale})`;
    }
    case 'real':
      return 'FLOAT';
    case 'double':
      return 'DOUBLE';
    case 'text':
      return 'VARCHAR';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      return 'TIMESTAMP';
    case 'timestamptz':
      return 'TIMESTAMP WITH TIME ZONE';
    case 'interval':
      return 'INTERVAL';
    case 'json':
      return 'JSON';
    case 'uuid':
      return 'UUID';
    case 'binary':
      return 'BLOB';
    case 'unknown':
      return 'VARCHAR';
  }
}

export function quoteIdentifier(id: string): string {
  return `"${id.replace(/"/g, '""')}"`;
}

export function quoteLiteral(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    return `'${Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity'}'::DOUBLE`;
  }
  if (value instanceof Uint8Array) {
    let escaped = '';
    for (const byte of value) escaped += `\\x${byte.toString(16).padStart(2, '0').toUpperCase()}`;
    return `'${escaped}'::BLOB`;
  }
  // DuckDB string literals are standard SQL: only the quote needs doubling; backslashes are plain.
  return `'${value.replace(/'/g, "''")}'`;
}

export function renderRelation(relation: RelationRef): string {
  const parts = relation.database ? [relation.database, relation.schema, relation.identifier] : [relation.schema, relation.identifier];
  return parts.map(quoteIdentifier).join('.');
}

export const duckdbDialect: Dialect = {
  quoteIdentifier,
  quoteLiteral,
  placeholder: (index) => `$${index}`,
  toCanonicalType: duckdbToCanonical,
  fromCanonicalType: canonicalToDuckdb,
  renderRelation,
  capabilities: {
    transactions: true,
    transactionalDdl: true,
    // MERGE INTO arrived in DuckDB 1.4; this adapter pins 1.5.
    merge: true,
    renameTable: true,
    createOrReplace: true,
    cte: true,
    windowFunctions: true,
    // DuckDB has no identifier length limit; 255 keeps names portable to files and other engines' catalogs.
    maxIdentifierLength: 255,
    bulkLoad: 'copy',
    extract: 'copy',
    incrementalStrategies: ['append', 'delete+insert', 'merge', 'microbatch'],
    loadCsv: DEFAULT_CSV,
  },
};
