import type { Catalog, ColumnMeta, Connection, Dialect, RelationInfo, RelationKind, RelationRef, Value } from '../contract.js';

function relationKind(tableType: string): RelationKind {
  const t = tableType.toUpperCase();
  if (t === 'BASE TABLE' || t === 'TABLE' || t === 'LOCAL TEMPORARY' || t === 'SYSTEM VERSIONED') return 'table';
  if (t === 'VIEW' || t === 'SYSTEM VIEW') return 'view';
  if (t === 'MATERIALIZED VIEW') return 'materialized_view';
  if (t === 'FOREIGN' || t === 'FOREIGN TABLE' || t === 'EXTERNAL') return 'external';
  return 'other';
}

function text(v: Value): string {
  return v === null ? '' : typeof v === 'string' ? v : String(v);
}

function int(v: Value): number | undefined {
  return v === null || v === undefined ? undefined : Number(v);
}

/**
 * information_schema reports `character varying` with the length apart and
 * `numeric` with precision and scale apart; glue them back into the spelling
 * the dialect maps (`character varying(20)`, `numeric(12,2)`).
 */
export function nativeTypeFromInformationSchema(dataType: string, charLength?: number, precision?: number, scale?: number): string {
  const t = dataType.toLowerCase();
  if ((t === 'numeric' || t === 'decimal') && precision !== undefined) return `${dataType}(${precision},${scale ?? 0})`;
  if (/char/.test(t) && charLength !== undefined && charLength > 0) return `${dataType}(${charLength})`;
  return dataType;
}

/**
 * A `Catalog` built on the SQL-standard information_schema views, for
 * adapters that bring no native catalog. `database` filters on
 * `table_catalog` where given (engines without catalogs ignore it by passing
 * none).
 */
export function informationSchemaCatalog(connection: Pick<Connection, 'query'>, dialect: Dialect): Catalog {
  const p = (i: number) => dialect.placeholder(i);
  return {
    async listSchemas(database) {
      const where = database === undefined ? '' : ` where catalog_name = ${p(1)}`;
      const result = await connection.query(
        `select schema_name as schema_name from information_schema.schemata${where} order by schema_name`,
        database === undefined ? [] : [database],
      );
      return result.rows.map((r) => text(r[0]));
    },

    async listRelations(schema, database) {
      const params: Value[] = [schema];
      let sql =
        'select table_catalog as table_catalog, table_schema as table_schema, table_name as table_name, table_type as table_type' +
        ` from information_schema.tables where table_schema = ${p(1)}`;
      if (database !== undefined) {
        sql += ` and table_catalog = ${p(2)}`;
        params.push(database);
      }
      const result = await connection.query(`${sql} order by table_name`, params);
      return result.rows.map((r): RelationInfo => ({
        database: text(r[0]) || undefined,
        schema: text(r[1]),
        identifier: text(r[2]),
        kind: relationKind(text(r[3])),
      }));
    },

    async describe(relation: RelationRef) {
      const params: Value[] = [relation.schema, relation.identifier];
      let sql =
        'select column_name as column_name, data_type as data_type, is_nullable as is_nullable,' +
        ' character_maximum_length as character_maximum_length, numeric_precision as numeric_precision, numeric_scale as numeric_scale' +
        ` from information_schema.columns where table_schema = ${p(1)} and table_name = ${p(2)}`;
      if (relation.database !== undefined) {
        sql += ` and table_catalog = ${p(3)}`;
        params.push(relation.database);
      }
      const result = await connection.query(`${sql} order by ordinal_position`, params);
      if (result.rows.length === 0) return undefined;
      return result.rows.map((r): ColumnMeta => {
        const dataType = text(r[1]);
        const isDecimal = /^(numeric|decimal)$/i.test(dataType);
        const nativeType = nativeTypeFromInformationSchema(dataType, int(r[3]), isDecimal ? int(r[4]) : undefined, isDecimal ? int(r[5]) : undefined);
        return { name: text(r[0]), nativeType, type: dialect.toCanonicalType(nativeType), nullable: text(r[2]).toUpperCase() === 'YES' };
      });
    },
  };
}
