import type { Catalog, ColumnMeta, QueryResult, RelationInfo, RelationKind, RelationRef, Value } from '@dvt/core';
import { mysqlToCanonical } from './types.js';

export type CatalogQuery = (sql: string, params?: Value[]) => Promise<QueryResult>;

const SYSTEM_SCHEMAS = ['information_schema', 'mysql', 'performance_schema', 'sys'];

const LIST_SCHEMAS = `
SELECT SCHEMA_NAME FROM information_schema.SCHEMATA
WHERE SCHEMA_NAME NOT IN (${SYSTEM_SCHEMAS.map((s) => `'${s}'`).join(', ')})
ORDER BY SCHEMA_NAME`;

// TABLE_ROWS is InnoDB's estimate; DATA_LENGTH + INDEX_LENGTH the space used.
const LIST_RELATIONS = `
SELECT TABLE_NAME, TABLE_TYPE, TABLE_COMMENT, TABLE_ROWS, DATA_LENGTH + INDEX_LENGTH
FROM information_schema.TABLES
WHERE TABLE_SCHEMA = ?
ORDER BY TABLE_NAME`;

const DESCRIBE = `
SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_COMMENT
FROM information_schema.COLUMNS
WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
ORDER BY ORDINAL_POSITION`;

const RELATION_EXISTS = `SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?`;

/** MariaDB's JSON columns are LONGTEXT with a json_valid() check named after the column. */
const JSON_CHECKS = `
SELECT CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS
WHERE CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ? AND LOWER(CHECK_CLAUSE) LIKE 'json_valid(%'`;

function kindOf(tableType: string): RelationKind {
  switch (tableType.toUpperCase()) {
    case 'BASE TABLE':
    case 'SYSTEM VERSIONED':
    case 'TEMPORARY':
      return 'table';
    case 'VIEW':
    case 'SYSTEM VIEW':
      return 'view';
    case 'SEQUENCE':
      return 'other';
    default:
      return 'other';
  }
}

function text(v: Value): string {
  return v === null ? '' : typeof v === 'string' ? v : String(v);
}

export interface MysqlCatalogOptions {
  /** MariaDB: read json_valid() checks to tell JSON from LONGTEXT. */
  jsonChecks: boolean;
}

/**
 * The catalog from information_schema: schemas are MySQL's databases (the
 * relation's `database` is its schema), native types are COLUMN_TYPE as the
 * server spells it, comments, and InnoDB's row estimate.
 */
export function mysqlCatalog(query: CatalogQuery, options: MysqlCatalogOptions): Catalog {
  // A relation's `database` is ignored: there is nothing above the schema (see renderMysqlRelation).
  const schemaOf = (schema: string, _database: string | undefined) => schema;
  return {
    async listSchemas() {
      const res = await query(LIST_SCHEMAS);
      const all = res.rows.map((r) => text(r[0]));
      return all;
    },
    async listRelations(schema, database) {
      const res = await query(LIST_RELATIONS, [schemaOf(schema, database)]);
      return res.rows.map(([name, type, comment, rows, bytes]): RelationInfo => {
        const info: RelationInfo = { database: schema, schema, identifier: text(name), kind: kindOf(text(type)) };
        // A view's comment is always the word VIEW.
        if (comment !== null && comment !== '' && info.kind !== 'view') info.comment = text(comment);
        const stats: RelationInfo['stats'] = {};
        if (rows !== null) stats.rowCount = Number(rows);
        if (bytes !== null) stats.bytes = Number(bytes);
        if (stats.rowCount !== undefined || stats.bytes !== undefined) info.stats = stats;
        return info;
      });
    },
    async describe(relation: RelationRef) {
      const schema = schemaOf(relation.schema, relation.database);
      const res = await query(DESCRIBE, [schema, relation.identifier]);
      if (res.rows.length === 0) {
        const exists = await query(RELATION_EXISTS, [schema, relation.identifier]);
        return exists.rows.length > 0 ? [] : undefined;
      }
      const jsonColumns = new Set<string>();
      if (options.jsonChecks) {
        const checks = await query(JSON_CHECKS, [schema, relation.identifier]);
        for (const [name] of checks.rows) jsonColumns.add(text(name));
      }
      return res.rows.map(([name, columnType, nullable, comment]): ColumnMeta => {
        const nativeType = jsonColumns.has(text(name)) ? 'json' : text(columnType);
        const col: ColumnMeta = { name: text(name), nativeType, type: mysqlToCanonical(nativeType), nullable: text(nullable) === 'YES' };
        if (comment !== null && comment !== '') col.comment = text(comment);
        return col;
      });
    },
  };
}
