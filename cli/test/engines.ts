import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MARIADB, POSTGRES } from '@dvt/adapter-testkit';

/**
 * Real PostgreSQL and MariaDB for the CLI's cross-engine tests: SQL run
 * through our own adapters, a project writer, and a listing of everything
 * that exists under a test's unique tag (its schemas and databases), to
 * prove that a command created or dropped nothing else.
 */
const logger = { debug() {}, info() {}, warn() {} };

export function uniqueTag(name: string): string {
  return `dvt_cli_${name}_${process.pid}_${Date.now().toString(36)}`;
}

export async function onPostgres<T = unknown[]>(sql: string): Promise<T[]> {
  const { default: postgres } = await import('@dvt/adapter-postgres');
  const conn = await postgres.connect({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema: 'public' }, { projectDir: '.', logger });
  try {
    return (await conn.query(sql)).rows as T[];
  } finally {
    await conn.close();
  }
}

export async function onMariadb<T = unknown[]>(sql: string): Promise<T[]> {
  const { default: mariadb } = await import('@dvt/adapter-mariadb');
  const conn = await mariadb.connect({ server: MARIADB.host, port: MARIADB.port, username: 'root', password: '', schema: 'test' }, { projectDir: '.', logger });
  try {
    return (await conn.query(sql)).rows as T[];
  } finally {
    await conn.close();
  }
}

/** Every relation (with its kind) in PostgreSQL schemas and MariaDB databases whose names start with `tag`. */
export async function catalogsUnder(tag: string): Promise<{ postgres: string[]; mariadb: string[] }> {
  const pattern = `${tag.replace(/_/g, '\\_')}%`;
  const pg = await onPostgres<[string, string]>(
    `select n.nspname, coalesce(c.relname::text || ':' || c.relkind::text, '') from pg_namespace n left join pg_class c on c.relnamespace = n.oid and c.relkind in ('r','v','m','p') where n.nspname like '${pattern}' order by 1, 2`,
  );
  const maria = await onMariadb<[string, string]>(
    `select s.schema_name, coalesce(concat(t.table_name, ':', t.table_type), '') from information_schema.schemata s left join information_schema.tables t on t.table_schema = s.schema_name where s.schema_name like '${pattern}' order by 1, 2`,
  );
  return { postgres: pg.map((r) => `${r[0]}.${r[1]}`), mariadb: maria.map((r) => `${r[0]}.${r[1]}`) };
}

export function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** profiles.yml outputs: `dev` DuckDB (a file in the project), `pg` and `maria` on the local servers in schema/database `tag`. */
export function threeEngineProfile(profile: string, tag: string, extra = ''): string {
  return `${profile}:
  target: dev
  outputs:
    dev:
      type: duckdb
      path: dev.duckdb
    pg:
      type: postgres
      host: ${POSTGRES.host}
      port: ${POSTGRES.port}
      user: postgres
      dbname: test
      schema: ${tag}
    maria:
      type: mariadb
      server: ${MARIADB.host}
      port: ${MARIADB.port}
      username: root
      password: ""
      schema: ${tag}
${extra}`;
}
