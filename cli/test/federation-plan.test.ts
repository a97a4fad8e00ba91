import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

const skip = await serviceSkipReason(POSTGRES);
const schema = `dvt_cli_fed_${process.pid}_${Date.now().toString(36)}`;

/** The starter project (DuckDB) with a model on PostgreSQL that reads a DuckDB model. */
function starterWithFederatedModel(): string {
  const cwd = tempDir();
  expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
  const dir = join(cwd, 'shop');
  appendFileSync(join(dir, 'profiles.yml'), `    pg:\n      type: postgres\n      host: ${POSTGRES.host}\n      port: ${POSTGRES.port}\n      user: postgres\n      dbname: test\n      schema: ${schema}\n`);
  writeFileSync(join(dir, 'models', 'riders_on_pg.sql'), "{{ config(target='pg', materialized='table') }}\nselect count(*) as riders from {{ ref('rider_summary') }}\n");
  return dir;
}

/**
 * A project whose every output is PostgreSQL, on two databases that cannot see
 * each other: federation still needs DuckDB, which the CLI brings itself.
 */
function postgresOnlyProject(): string {
  const dir = tempDir();
  const pg = (db: string) => `      type: postgres\n      host: ${POSTGRES.host}\n      port: ${POSTGRES.port}\n      user: postgres\n      dbname: ${db}\n      schema: ${schema}\n`;
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: pg_only\nprofile: pg_only\n');
  writeFileSync(join(dir, 'profiles.yml'), `pg_only:\n  target: main\n  outputs:\n    main:\n${pg('test')}    other:\n${pg('postgres')}`);
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'models', 'numbers.sql'), "{{ config(materialized='table') }}\nselect 1 as n union all select 2\n");
  writeFileSync(join(dir, 'models', 'numbers_elsewhere.sql'), "{{ config(target='other', materialized='table') }}\nselect sum(n) as total from {{ ref('numbers') }}\n");
  return dir;
}

describe('the federation plan in the CLI', () => {
  afterAll(async () => {
    if (skip) return;
    const { default: postgres } = await import('@dvt/adapter-postgres');
    const conn = await postgres.connect({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema }, { projectDir: '.', logger: { debug() {}, info() {}, warn() {} } });
    await conn.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn.close();
    const other = await postgres.connect({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'postgres', schema }, { projectDir: '.', logger: { debug() {}, info() {}, warn() {} } });
    await other.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await other.close();
  });

  it('dvt ls --output json shows each node path, engine and the inputs that move', () => {
    const dir = starterWithFederatedModel();
    const r = dvt(['ls', '--output', 'json', '--resource-type', 'model'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const items = r.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { name: string; plan?: Record<string, unknown> });
    expect(items.find((i) => i.name === 'rider_summary')?.plan).toMatchObject({ path: 'pushdown', engine: 'duckdb', moves: [] });
    expect(items.find((i) => i.name === 'riders_on_pg')?.plan).toEqual({
      path: 'federate-duckdb',
      engine: 'duckdb',
      target: 'pg',
      moves: [{ input: 'model.shop.rider_summary', from: 'dev', to: 'cache', table: '__model__rider_summary' }],
      reason: "reads model.shop.rider_summary on 'dev', which 'pg' cannot see",
    });
  });

  it.skipIf(skip)(`dvt build runs the federated model on PostgreSQL from the DuckDB cache${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const dir = starterWithFederatedModel();
    const r = dvt(['build'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`OK created sql table model ${schema}\\.riders_on_pg`));
    const show = dvt(['show', '--target', 'pg', '--inline', `select riders from ${schema}.riders_on_pg`], { cwd: dir });
    expect(show.code, show.output).toBe(0);
  });

  it.skipIf(skip)(`a project with no DuckDB output federates through the CLI's own DuckDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const dir = postgresOnlyProject();
    const r = dvt(['run'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`OK created sql table model ${schema}\\.numbers_elsewhere`));
  });
});
