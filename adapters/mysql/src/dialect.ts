import type { CanonicalType, Dialect, DialectCapabilities, RelationRef, Value } from '@dvt/core';
import { DvtError } from '@dvt/core';
import type { MysqlFlavor } from './flavor.js';
import { FLAVOR_TRAITS } from './flavor.js';
import { canonicalToMysql, mysqlToCanonical } from './types.js';

/** Identifiers longer than this are refused by the server. */
export const MAX_IDENTIFIER_LENGTH = 64;

export function quoteMysqlIdentifier(id: string): string {
  if (id.includes('\0')) throw new DvtError('compile', `identifier contains a NUL character: ${JSON.stringify(id)}`);
  return `\`${id.replaceAll('`', '``')}\``;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * A string literal for a session WITHOUT `NO_BACKSLASH_ESCAPES` (the servers'
 * default, and dvt removes that mode from every session it opens): a
 * backslash and a quote are escaped with a backslash, and NUL, CR, LF and
 * Ctrl-Z are written as escapes so the statement text stays printable.
 */
export function quoteMysqlString(value: string): string {
  let out = "'";
  for (const ch of value) {
    switch (ch) {
      case '\\':
        out += '\\\\';
        break;
      case "'":
        out += "\\'";
        break;
      case '\0':
        out += '\\0';
        break;
      case '\n':
        out += '\\n';
        break;
      case '\r':
        out += '\\r';
        break;
      case '\x1a':
        out += '\\Z';
        break;
      default:
        out += ch;
    }
  }
  return `${out}'`;
}

function numberLiteral(v: number): string {
  if (!Number.isFinite(v)) throw new DvtError('runtime', `MySQL has no literal for ${v}: its DOUBLE holds no NaN or infinity`);
  if (Number.isInteger(v) && Math.abs(v) <= Number.MAX_SAFE_INTEGER) return Object.is(v, -0) ? '-0e0' : String(v);
  // An exponent makes the literal a DOUBLE rather than an exact DECIMAL.
  const text = String(v);
  return /e/i.test(text) ? text : `${text}e0`;
}

export function quoteMysqlLiteral(value: Value): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return numberLiteral(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return value.length === 0 ? "''" : `X'${hex(value)}'`;
  return quoteMysqlString(value);
}

/**
 * A constant of a canonical type. A timestamptz ('... +00', UTC) is written
 * as its UTC wall-clock time without the offset: the servers read a
 * TIMESTAMP literal in the session time zone, which dvt sets to UTC on every
 * connection (connection.ts), and they drop an offset in a comparison (so
 * it would only be right by that same setting) and refuse one in an INSERT.
 */
export function mysqlTypedLiteral(value: Value, type: CanonicalType): string {
  if (type.kind !== 'timestamptz' || typeof value !== 'string') return quoteMysqlLiteral(value);
  const utc = /^(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?) ?(?:\+00(?::?00)?|Z)$/.exec(value);
  if (!utc) throw new DvtError('runtime', `a timestamptz constant must be in UTC ('YYYY-MM-DD HH:MM:SS[.ffffff]+00'), got ${JSON.stringify(value)}`);
  return quoteMysqlString(utc[1]!.replace('T', ' '));
}

/**
 * MySQL has no database above schemas (a "database" is a schema), so a
 * relation renders as `schema`.`identifier` and its `database` is ignored,
 * as dbt-mysql does: dvt sets it to target.database, which is the target
 * schema, on every relation, even those in other schemas.
 */
export function renderMysqlRelation(relation: RelationRef): string {
  const schema = relation.schema || relation.database;
  return schema ? `${quoteMysqlIdentifier(schema)}.${quoteMysqlIdentifier(relation.identifier)}` : quoteMysqlIdentifier(relation.identifier);
}

export function mysqlCapabilities(flavor: MysqlFlavor): DialectCapabilities {
  const traits = FLAVOR_TRAITS[flavor];
  return {
    transactions: true,
    // Every DDL statement commits the open transaction implicitly.
    transactionalDdl: false,
    merge: false,
    // RENAME TABLE a TO b, c TO d swaps tables atomically.
    renameTable: true,
    // CREATE OR REPLACE exists for views only (tables are swapped by rename).
    createOrReplace: true,
    cte: traits.cte,
    windowFunctions: traits.windowFunctions,
    maxIdentifierLength: MAX_IDENTIFIER_LENGTH,
    bulkLoad: 'load-data',
    extract: 'stream',
    // dbt's names only. The `upsert` strategy (INSERT ... ON DUPLICATE KEY
    // UPDATE) is a macro, get_incremental_upsert_sql, as custom strategies are.
    incrementalStrategies: ['append', 'delete+insert'],
    // LOAD DATA with ESCAPED BY '' reads an unquoted NULL as SQL NULL and a
    // quoted "NULL" as the text, so text is always quoted.
    loadCsv: { delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true },
    // Parameters are bound in the client, so this only sizes statements:
    // kept well under max_allowed_packet (16 MB by default on MySQL 5.7).
    maxParameters: 10000,
    // Not `strictLoad`: the server rounds '2.5' into an INT without even a
    // warning, so core checks a large seed's types beside the load.
    strictLoad: false,
  };
}

export function mysqlDialect(flavor: MysqlFlavor): Dialect {
  return {
    quoteIdentifier: quoteMysqlIdentifier,
    quoteLiteral: quoteMysqlLiteral,
    typedLiteral: mysqlTypedLiteral,
    placeholder: () => '?',
    toCanonicalType: mysqlToCanonical,
    fromCanonicalType: (type) => canonicalToMysql(type, flavor),
    capabilities: mysqlCapabilities(flavor),
    renderRelation: renderMysqlRelation,
    omitsDatabase: true,
  };
}
