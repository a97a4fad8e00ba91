import type { Catalog, ColumnMeta, Connection, RelationInfo, RelationKind } from '@dvt/core';
import { duckdbToCanonical } from './dialect.js';

const HIDDEN_SCHEMAS = "('information_schema', 'pg_catalog')";

/**
 * Catalog read from DuckDB's own duckdb_* table functions (row counts come as
 * estimates from duckdb_tables). Names match case-insensitively, as DuckDB
 * resolves identifiers: "Orders" and "orders" are the same table there.
 */
export function duckdbCatalog(connection: Pick<Connection, 'query'>): Catalog {
  return {
    async listSchemas(database) {
      const result = await connection.query(
        `select schema_name from duckdb_schemas() where lower(database_name) = lower(coalesce($1, current_database())) and schema_name not in ${HIDDEN_SCHEMAS} order by schema_name`,
        [database ?? null],
      );
      return result.rows.map((r) => r[0] as string);
    },

    async listRelations(schema, database) {
      const result = await connection.query(
        `select database_name, schema_name, table_name, 'table' as kind, estimated_size, comment
           from duckdb_tables() where lower(database_name) = lower(coalesce($2, current_database())) and lower(schema_name) = lower($1)
         union all
         select database_name, schema_name, view_name, 'view', null, comment
           from duckdb_views() where lower(database_name) = lower(coalesce($2, current_database())) and lower(schema_name) = lower($1) and not internal
         order by 3`,
        [schema, database ?? null],
      );
      return result.rows.map((r): RelationInfo => {
        const info: RelationInfo = { database: r[0] as string, schema: r[1] as string, identifier: r[2] as string, kind: r[3] as RelationKind };
        if (r[4] !== null) info.stats = { rowCount: Number(r[4]) };
        if (r[5]) info.comment = r[5] as string;
        return info;
      });
    },

    async describe(relation) {
      const result = await connection.query(
        `select column_name, data_type, is_nullable, comment from duckdb_columns()
          where lower(database_name) = lower(coalesce($1, current_database())) and lower(schema_name) = lower($2) and lower(table_name) = lower($3)
          order by column_index`,
        [relation.database ?? null, relation.schema, relation.identifier],
      );
      if (result.rows.length === 0) return undefined;
      return result.rows.map((r): ColumnMeta => {
        const column: ColumnMeta = { name: r[0] as string, nativeType: r[1] as string, type: duckdbToCanonical(r[1] as string), nullable: r[2] as boolean };
        if (r[3]) column.comment = r[3] as string;
        return column;
      });
    },
  };
}
