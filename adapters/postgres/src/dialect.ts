import type { Dialect, DialectCapabilities, RelationRef, Value } from '@dvt/core';
import { DEFAULT_CSV, DvtError } from '@dvt/core';
import { canonicalToPostgres, postgresToCanonical } from './types.js';

export function quotePostgresIdentifier(id: string): string {
  if (id.includes('\0')) throw new DvtError('compile', `identifier contains a NUL character: ${JSON.stringify(id)}`);
  return `"${id.replaceAll('"', '""')}"`;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

function numberLiteral(v: number, floatType: string): string {
  if (Number.isNaN(v)) return `'NaN'::${floatType}`;
  if (v === Infinity) return `'Infinity'::${floatType}`;
  if (v === -Infinity) return `'-Infinity'::${floatType}`;
  if (Object.is(v, -0)) return `'-0'::${floatType}`;
  return String(v);
}

/**
 * Literals for a server with standard_conforming_strings on (the default
 * since 9.1): a backslash is an ordinary character, only `'` is doubled.
 */
export function quotePostgresLiteral(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return numberLiteral(value, 'double precision');
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return `'\\x${hex(value)}'::bytea`;
  if (value.includes('\0')) throw new DvtError('compile', 'PostgreSQL text cannot contain a NUL character');
  return `'${value.replaceAll("'", "''")}'`;
}

export const postgresCapabilities: DialectCapabilities = {
  transactions: true,
  transactionalDdl: true,
  // MERGE exists from PostgreSQL 15; the connection reports the server's
  // own answer in `Connection.capabilities`.
  merge: true,
  renameTable: true,
  // CREATE OR REPLACE exists for views only; tables are swapped by rename.
  createOrReplace: false,
  cte: true,
  windowFunctions: true,
  maxIdentifierLength: 63,
  bulkLoad: 'copy',
  extract: 'copy',
  incrementalStrategies: ['append', 'delete+insert', 'merge', 'microbatch'],
  loadCsv: { ...DEFAULT_CSV },
  // The protocol counts bind parameters in an int16.
  maxParameters: 65535,
  // COPY refuses a number that does not fit its column rather than rounding it.
  strictLoad: true,
};

export function renderPostgresRelation(relation: RelationRef, quote: (id: string) => string = quotePostgresIdentifier): string {
  const parts = [relation.database, relation.schema, relation.identifier].filter((p): p is string => Boolean(p));
  return parts.map(quote).join('.');
}

export const postgresDialect: Dialect = {
  quoteIdentifier: quotePostgresIdentifier,
  quoteLiteral: quotePostgresLiteral,
  placeholder: (index) => `$${index}`,
  toCanonicalType: postgresToCanonical,
  fromCanonicalType: canonicalToPostgres,
  capabilities: postgresCapabilities,
  renderRelation: (relation) => renderPostgresRelation(relation),
};
