import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

const skip = await serviceSkipReason(POSTGRES);
const schema = `dvt_cli_${process.pid}_${Date.now().toString(36)}`;

/** The starter project with a second output on the local PostgreSQL, found as @dvt/adapter-postgres. */
function starterWithPostgres(extra: Record<string, string> = {}): string {
  const cwd = tempDir();
  expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
  const dir = join(cwd, 'shop');
  const fields = {
    type: 'postgres',
    host: POSTGRES.host,
    port: String(POSTGRES.port),
    user: 'postgres',
    password: `"{{ env_var('DBT_ENV_SECRET_PG_PASSWORD', 'unused-with-trust-auth') }}"`,
    dbname: 'test',
    schema,
    threads: '2',
    ...extra,
  };
  appendFileSync(join(dir, 'profiles.yml'), `    pg:\n${Object.entries(fields).map(([k, v]) => `      ${k}: ${v}\n`).join('')}`);
  return dir;
}

describe.skipIf(skip)(`the CLI on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  afterAll(async () => {
    const { default: postgres } = await import('@dvt/adapter-postgres');
    const logger = { debug() {}, info() {}, warn() {} };
    const conn = await postgres.connect({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema }, { projectDir: '.', logger });
    await conn.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn.close();
  });

  it('discovers the adapter, checks the connection, builds and shows with --target', () => {
    const dir = starterWithPostgres();
    const debug = dvt(['debug', '--target', 'pg'], { cwd: dir });
    expect(debug.code, debug.output).toBe(0);
    expect(debug.stdout).toMatch(/adapter: @dvt\/adapter-postgres/);
    expect(debug.stdout).toMatch(/password: \*{4}/);
    expect(debug.stdout).toMatch(/ {2}pg \(postgres, [^)]+\): OK connection ok/);
    const build = dvt(['build', '--target', 'pg'], { cwd: dir });
    expect(build.code, build.output).toBe(0);
    expect(build.stdout).toMatch(/Registered adapter: postgres=/);
    expect(build.stdout).toMatch(/Done\. PASS=9 WARN=0 ERROR=0 SKIP=0 TOTAL=9/);
    const show = dvt(['show', '--target', 'pg', '-s', 'rider_summary', '--limit', '2'], { cwd: dir });
    expect(show.code, show.output).toBe(0);
    expect(show.stdout.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4);
  });

  it('builds a model on PostgreSQL from a DuckDB project with config(target=...) in its file', () => {
    const dir = starterWithPostgres();
    writeFileSync(join(dir, 'models', 'on_pg.sql'), "{{ config(target='pg', materialized='table') }}\nselect 42 as answer\n");
    const r = dvt(['run', '-s', 'on_pg'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Registered adapter: postgres=/);
    expect(r.stdout).toMatch(new RegExp(`OK created sql table model ${schema}\\.on_pg`));
  });

  it('masks a secret the driver echoes in its error', () => {
    const dir = starterWithPostgres({ dbname: `"{{ env_var('DBT_ENV_SECRET_PG_DB') }}"` });
    const env = { DBT_ENV_SECRET_PG_DB: 'db_secret_4b3c2a' };
    for (const args of [['debug', '--target', 'pg'], ['run', '--target', 'pg']]) {
      const r = dvt(args, { cwd: dir, env });
      expect(r.code, r.output).not.toBe(0);
      expect(r.output, r.output).toMatch(/does not exist|\*{4}/);
      expect(r.output).not.toContain('db_secret_4b3c2a');
    }
  });
});
