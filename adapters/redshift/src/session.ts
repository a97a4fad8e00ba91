import type { CatalogSql, SessionFlavor } from '@dvt/adapter-postgres';
import { quotePostgresLiteral } from '@dvt/adapter-postgres';

/**
 * pg_catalog queries Redshift's leader node answers: no relispartition, no
 * pg_total_relation_size, comments read from pg_description directly. Late
 * binding views (WITH NO SCHEMA BINDING) list no columns here.
 */
export const REDSHIFT_CATALOG_SQL: CatalogSql = {
  listSchemas: `
SELECT n.nspname FROM pg_catalog.pg_namespace n
WHERE n.nspname NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema'
ORDER BY n.nspname`,
  listRelations: `
SELECT c.relname, c.relkind::text, d.description, c.reltuples::float8, NULL::int8
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = 0
WHERE n.nspname = $1 AND c.relkind IN ('r', 'v')
ORDER BY c.relname`,
  describe: `
SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, d.description
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
LEFT JOIN pg_catalog.pg_description d ON d.objoid = c.oid AND d.objsubid = a.attnum
WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`,
  relationExists: `
SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2`,
};

/** The `Redshift x.y.z` build in `version()`, if the server is Redshift. */
export function redshiftBuild(version: string): string | undefined {
  return /Redshift (\d+(?:\.\d+)*)/.exec(version)?.[1];
}

export function redshiftFlavor(opts: { searchPath?: string; staged: boolean }): SessionFlavor {
  const setupSql = [`SET TIME ZONE 'UTC'`, `SET datestyle TO 'ISO, MDY'`, `SET extra_float_digits TO 2`];
  if (opts.searchPath) setupSql.push(`SELECT set_config('search_path', ${quotePostgresLiteral(opts.searchPath)}, false)`);
  return {
    setupSql,
    versionSql: 'SELECT version()',
    capabilities: () => (opts.staged ? { bulkLoad: 'stage' } : {}),
    catalogSql: REDSHIFT_CATALOG_SQL,
  };
}
