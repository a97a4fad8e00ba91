import type { Dialect, DialectCapabilities, Value } from '@dvt/core';
import { DEFAULT_CSV } from '@dvt/core';
import { quotePostgresIdentifier, quotePostgresLiteral, renderPostgresRelation } from '@dvt/adapter-postgres';
import { canonicalToRedshift, redshiftToCanonical } from './types.js';

/**
 * Literals that mean the same whether or not the server treats backslashes
 * as escapes (Redshift descends from PostgreSQL 8.0, where it did): a
 * backslash is spelled chr(92) outside the quotes.
 */
export function quoteRedshiftLiteral(value: Value): string {
  if (value instanceof Uint8Array) return `from_hex('${Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')}')`;
  if (typeof value !== 'string' || !value.includes('\\')) return quotePostgresLiteral(value);
  const pieces = value.split('\\').map((p) => quotePostgresLiteral(p));
  return `(${pieces.join(' || chr(92) || ')})`;
}

export const redshiftCapabilities: DialectCapabilities = {
  transactions: true,
  transactionalDdl: true,
  // MERGE arrived in Redshift in 2023: clusters on older patches reject it.
  merge: true,
  renameTable: true,
  createOrReplace: false,
  cte: true,
  windowFunctions: true,
  maxIdentifierLength: 127,
  // No COPY FROM STDIN: batched INSERT, or COPY from S3 when the profile
  // names a bucket (the connection then reports bulkLoad 'stage').
  bulkLoad: 'insert',
  extract: 'stream',
  incrementalStrategies: ['append', 'delete+insert', 'merge', 'microbatch'],
  loadCsv: { ...DEFAULT_CSV },
  maxParameters: 32767,
};

export const redshiftDialect: Dialect = {
  quoteIdentifier: quotePostgresIdentifier,
  quoteLiteral: quoteRedshiftLiteral,
  placeholder: (index) => `$${index}`,
  toCanonicalType: redshiftToCanonical,
  fromCanonicalType: canonicalToRedshift,
  capabilities: redshiftCapabilities,
  renderRelation: (relation) => renderPostgresRelation(relation),
};
