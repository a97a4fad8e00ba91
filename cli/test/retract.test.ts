import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MARIADB, POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogsUnder, onMariadb, onPostgres, threeEngineProfile, uniqueTag, writeFiles } from './engines.js';
import { dvt, tempDir } from './helpers.js';

const skip = (await serviceSkipReason(POSTGRES)) ?? (await serviceSkipReason(MARIADB));
const tag = uniqueTag('retract');

/** A seed and a view on DuckDB, a table and a view on PostgreSQL (the table federated from the seed), a MariaDB table federated from PostgreSQL. */
function project(): string {
  const dir = tempDir();
  writeFiles(dir, {
    'dbt_project.yml': 'name: retracting\nprofile: retracting\n',
    'profiles.yml': threeEngineProfile('retracting', tag, `    broken:\n      type: postgres\n      host: ${POSTGRES.host}\n      port: 1\n      user: postgres\n      dbname: test\n      schema: ${tag}\n`),
    'seeds/numbers.csv': 'id,label\n1,one\n2,two\n3,three\n',
    'models/local_view.sql': "select id from {{ ref('numbers') }}\n",
    'models/pg_numbers.sql': "{{ config(target='pg', materialized='table') }}\nselect id, label from {{ ref('numbers') }}\n",
    'models/pg_view.sql': "{{ config(target='pg') }}\nselect id from {{ ref('pg_numbers') }}\n",
    'models/maria_numbers.sql': "{{ config(target='maria', materialized='table') }}\nselect id from {{ ref('pg_numbers') }}\n",
  });
  return dir;
}

async function duckdbTables(file: string): Promise<string[]> {
  const { default: duckdb } = await import('@dvt/adapter-duckdb');
  const conn = await duckdb.connect({ path: file }, { projectDir: '.', logger: { debug() {}, info() {}, warn() {} } });
  try {
    return (await conn.query('select table_name from information_schema.tables order by 1')).rows.map((r) => String(r[0]));
  } finally {
    await conn.close();
  }
}

/** The retract lines (`1 of 3 DROPPED ...`), in order. */
function lines(stdout: string): string[] {
  return stdout.split('\n').filter((l) => / \d+ of \d+ /.test(l));
}

describe.skipIf(skip)(`dvt retract drops across engines, children first${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(async () => {
    await onPostgres(`drop schema if exists "${tag}" cascade`);
    await onMariadb(`drop database if exists \`${tag}\``);
  });

  it('dry-run lists, drops nothing; then drops on PostgreSQL and MariaDB with the cache copies; then reports them missing', async () => {
    const dir = project();
    const build = dvt(['build'], { cwd: dir });
    expect(build.code, build.output).toBe(0);
    const built = await catalogsUnder(tag);
    expect(built.postgres).toEqual(expect.arrayContaining([`${tag}.pg_numbers:r`, `${tag}.pg_view:v`]));
    expect(built.mariadb).toContain(`${tag}.maria_numbers:BASE TABLE`);
    expect(await duckdbTables(join(dir, '.dvt', 'cache.duckdb'))).toEqual(expect.arrayContaining(['__model__numbers', '__model__pg_numbers']));

    const dry = dvt(['retract', '-s', 'pg_numbers+', '--dry-run'], { cwd: dir });
    expect(dry.code, dry.output).toBe(0);
    const planned = lines(dry.stdout);
    expect(planned).toHaveLength(3);
    expect(planned[2]).toMatch(new RegExp(`3 of 3 WOULD DROP table model "test"\\."${tag}"\\."pg_numbers" on 'pg' \\.+ \\[DRY RUN\\]`));
    expect(planned.slice(0, 2).join('\n')).toMatch(/maria_numbers/);
    expect(planned.slice(0, 2).join('\n')).toMatch(/WOULD DROP view model "test"\."\w+"\."pg_view"/);
    expect(dry.stdout).toMatch(/and cache table __model__pg_numbers/);
    expect(dry.stdout).toMatch(/Done\. WOULD_DROP=3 NOT_FOUND=0 ERROR=0 TOTAL=3/);
    expect(await catalogsUnder(tag)).toEqual(built);
    expect(await duckdbTables(join(dir, '.dvt', 'cache.duckdb'))).toContain('__model__pg_numbers');

    const drop = dvt(['retract', '-s', 'pg_numbers+'], { cwd: dir });
    expect(drop.code, drop.output).toBe(0);
    expect(drop.stdout).toMatch(/Done\. DROPPED=3 NOT_FOUND=0 ERROR=0 TOTAL=3/);
    const after = await catalogsUnder(tag);
    expect(after.postgres.filter((r) => /pg_numbers|pg_view/.test(r))).toEqual([]);
    expect(after.mariadb.filter((r) => /maria_numbers/.test(r))).toEqual([]);
    const cache = await duckdbTables(join(dir, '.dvt', 'cache.duckdb'));
    expect(cache).not.toContain('__model__pg_numbers');
    // Not selected: the seed's copy and everything on DuckDB stay.
    expect(cache).toContain('__model__numbers');
    expect(await duckdbTables(join(dir, 'dev.duckdb'))).toEqual(['local_view', 'numbers']);

    const again = dvt(['retract', '-s', 'pg_numbers+'], { cwd: dir });
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).toMatch(/Done\. DROPPED=0 NOT_FOUND=3 ERROR=0 TOTAL=3/);

    const local = dvt(['retract', '-s', 'numbers+', '--exclude', 'pg_numbers+'], { cwd: dir });
    expect(local.code, local.output).toBe(0);
    expect(lines(local.stdout)[0]).toMatch(/1 of 2 DROPPED view model "dev"\."main"\."local_view" on 'dev'/);
    expect(await duckdbTables(join(dir, 'dev.duckdb'))).toEqual([]);
  });

  it('a target it cannot reach is an error for that node only, and exit 1', () => {
    const dir = project();
    writeFiles(dir, { 'models/unreachable.sql': "{{ config(target='broken', materialized='table') }}\nselect 1 as one\n" });
    const r = dvt(['retract', '-s', 'unreachable', 'local_view'], { cwd: dir });
    expect(r.code, r.output).toBe(1);
    expect(r.stdout).toMatch(/ERROR dropping model .*"unreachable" on 'broken'/);
    expect(r.output).toMatch(/Could not connect to 'broken'/);
    expect(r.stdout).toMatch(/NOT FOUND .*local_view/);
    expect(r.stdout).toMatch(/Done\. DROPPED=0 NOT_FOUND=1 ERROR=1 TOTAL=2/);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, '.dvt'))).toBe(false);
  });

  it('needs a selection: dropping a whole project is never the default', () => {
    const r = dvt(['retract'], { cwd: project() });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/dvt retract needs --select/);
  });
});
