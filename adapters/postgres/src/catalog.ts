import type { Catalog, ColumnMeta, QueryResult, RelationInfo, RelationKind, RelationRef, Value } from '@dvt/core';
import { DvtError } from '@dvt/core';
import { columnMeta } from './columns.js';

export type CatalogQuery = (sql: string, params?: Value[]) => Promise<QueryResult>;

const KINDS: Record<string, RelationKind> = {
  r: 'table',
  p: 'table',
  v: 'view',
  m: 'materialized_view',
  f: 'external',
};

/**
 * The catalog queries, each taking `$1` = schema (and `$2` = relation name).
 * listRelations returns (name, relkind, comment, row estimate, bytes);
 * describe returns (name, native type, not null, comment).
 */
export interface CatalogSql {
  listSchemas: string;
  listRelations: string;
  describe: string;
  relationExists: string;
}

const LIST_SCHEMAS = `
SELECT n.nspname
FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
ORDER BY n.nspname`;

// reltuples is -1 for a table never vacuumed or analyzed (PostgreSQL 14+).
const LIST_RELATIONS = `
SELECT c.relname, c.relkind::text, obj_description(c.oid, 'pg_class'), c.reltuples::float8,
       CASE WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_total_relation_size(c.oid) END
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition
ORDER BY c.relname`;

const DESCRIBE = `
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, col_description(c.oid, a.attnum)
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

const RELATION_EXISTS = `
SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2`;

export const POSTGRES_CATALOG_SQL: CatalogSql = {
  listSchemas: LIST_SCHEMAS,
  listRelations: LIST_RELATIONS,
  describe: DESCRIBE,
  relationExists: RELATION_EXISTS,
};

/**
 * The catalog read from pg_catalog: one database (the connected one), with
 * native types as `format_type` spells them, comments, and the planner's row
 * estimate.
 */
export function postgresCatalog(query: CatalogQuery, connectedDatabase: string, sql: CatalogSql = POSTGRES_CATALOG_SQL): Catalog {
  const checkDatabase = (database: string | undefined) => {
    if (database !== undefined && database !== connectedDatabase) {
      throw new DvtError(
        'database',
        `PostgreSQL cannot read the catalog of database '${database}' from a connection to '${connectedDatabase}'; add an output for it to the profile`,
      );
    }
  };
  return {
    async listSchemas(database) {
      checkDatabase(database);
      const res = await query(sql.listSchemas);
      return res.rows.map((r) => r[0] as string);
    },
    async listRelations(schema, database) {
      checkDatabase(database);
      const res = await query(sql.listRelations, [schema]);
      return res.rows.map(([name, kind, comment, tuples, bytes]): RelationInfo => {
        const info: RelationInfo = { database: connectedDatabase, schema, identifier: name as string, kind: KINDS[kind as string] ?? 'other' };
        if (comment !== null) info.comment = comment as string;
        const stats: RelationInfo['stats'] = {};
        if (typeof tuples === 'number' && tuples >= 0) stats.rowCount = Math.round(tuples);
        if (bytes !== null) stats.bytes = Number(bytes);
        if (stats.rowCount !== undefined || stats.bytes !== undefined) info.stats = stats;
        return info;
      });
    },
    async describe(relation: RelationRef) {
      checkDatabase(relation.database);
      const res = await query(sql.describe, [relation.schema, relation.identifier]);
      if (res.rows.length === 0) {
        const exists = await query(sql.relationExists, [relation.schema, relation.identifier]);
        return exists.rows.length > 0 ? [] : undefined;
      }
      return res.rows.map(([name, nativeType, notNull, comment]): ColumnMeta => {
        const col = columnMeta(name as string, nativeType as string);
        col.nullable = !notNull;
        if (comment !== null) col.comment = comment as string;
        return col;
      });
    },
  };
}
