import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { loadDuckdb, projectCopy, query, runDvt, statusOf, type TestProject } from './run-support.js';

let duckdb: AdapterDefinition | undefined;
let skipReason: string | undefined;

beforeAll(async () => {
  const loaded = await loadDuckdb();
  if (typeof loaded === 'string') skipReason = loaded;
  else duckdb = loaded;
});

const projects: TestProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

function shop(files: Record<string, string> = {}): TestProject {
  const p = projectCopy('run-shop', files);
  projects.push(p);
  return p;
}

function needDuckdb(ctx: { skip: (reason?: string) => void }): AdapterDefinition {
  if (!duckdb) ctx.skip(skipReason);
  return duckdb!;
}

const rows = (values: unknown[][]) => values.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));

describe('seeds on DuckDB', () => {
  it('infers dbt types, reads NULL markers, honours delimiter and column_types', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    const out = await runDvt(db, p, 'seed');
    expect(out.results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(out.results[0]!.adapter_response).toMatchObject({ rows_affected: 4 });

    const types = await query(
      db,
      p,
      `select table_name, column_name, data_type from information_schema.columns where table_schema = 'main' and table_name like 'raw_%' order by table_name, ordinal_position`,
    );
    expect(types).toEqual([
      ['raw_customers', 'id', 'INTEGER'],
      ['raw_customers', 'name', 'VARCHAR'],
      ['raw_customers', 'signup_date', 'DATE'],
      ['raw_customers', 'last_seen', 'TIMESTAMP'],
      ['raw_customers', 'is_active', 'BOOLEAN'],
      ['raw_customers', 'score', 'DOUBLE'],
      ['raw_customers', 'note', 'VARCHAR'],
      ['raw_payments', 'payment_id', 'INTEGER'],
      ['raw_payments', 'customer_id', 'INTEGER'],
      ['raw_payments', 'amount', 'DECIMAL(10,2)'],
      ['raw_payments', 'method', 'VARCHAR'],
    ]);
    expect(rows(await query(db, p, 'select id, name, is_active, score, note from raw_customers order by id'))).toEqual([
      [1, 'Ada', true, 4.5, 'first'],
      [2, 'Bo', false, 3, null],
      [3, 'Cy', true, null, null],
      [4, 'Dee, Jr.', false, 2.25, 'multi\nline'],
    ]);
    expect(await query(db, p, 'select sum(amount) from raw_payments')).toEqual([['132.59']]);
    expect(readFileSync(join(p.dir, 'target/run/run_shop/seeds/raw_customers.csv'), 'utf8')).toMatch(/create table/i);
  });

  it('re-seeds in place (dependent views keep working) and --full-refresh rebuilds with new columns', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    await runDvt(db, p, 'build', { select: ['raw_customers', 'stg_customers'] });
    p.write({ 'seeds/raw_customers.csv': 'id,name,signup_date,last_seen,is_active,score,note\n7,Eve,2024-05-01,,true,1,x\n' });
    const again = await runDvt(db, p, 'seed', { select: ['raw_customers'] });
    expect(again.results[0]!.status).toBe('success');
    expect(rows(await query(db, p, 'select customer_id, name from stg_customers'))).toEqual([[7, 'Eve']]);

    p.write({ 'seeds/raw_customers.csv': 'id,name,extra\n8,Fay,yes\n' });
    const changed = await runDvt(db, p, 'seed', { select: ['raw_customers'], fullRefresh: true });
    expect(changed.results[0]!.status).toBe('success');
    expect(rows(await query(db, p, 'select * from raw_customers'))).toEqual([[8, 'Fay', 'yes']]);
  });

  it('a ragged row fails the seed with file and line', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({ 'seeds/raw_payments.csv': 'payment_id;customer_id;amount;method\n1;1;2.00;card\n2;1;3.00\n' });
    const out = await runDvt(db, p, 'seed', { select: ['raw_payments'] });
    expect(out.results[0]!.status).toBe('error');
    expect(out.results[0]!.message).toContain('seeds/raw_payments.csv:3');
    expect(out.results[0]!.message).toContain('3 values but the header has 4 columns');
  });
});

describe('build on DuckDB', () => {
  it('builds seeds, views, tables and tests in order, with hooks and artifacts', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    const out = await runDvt(db, p, 'build');
    const byName = Object.fromEntries(out.results.map((r) => [r.unique_id, r.status]));
    expect(out.results.filter((r) => r.status === 'error' || r.status === 'fail' || r.status === 'skipped')).toEqual([]);
    // "Dee, Jr." is not an accepted value, and that test has severity warn
    expect(statusOf(out, 'accepted_values_stg_customers_name__Ada__Bo__Cy')).toBe('warn');
    expect(Object.keys(byName)).toHaveLength(10);
    expect(out.success).toBe(true);

    const start = out.events.find((e) => e.type === 'run_start');
    expect(start).toMatchObject({ type: 'run_start', countsText: expect.stringMatching(/^2 models, 2 seeds, 6 data tests/) });
    const descriptions = out.events.flatMap((e) => (e.type === 'node_start' ? [e.node.description] : []));
    expect(descriptions).toContain('sql view model main.stg_customers');
    expect(descriptions).toContain('sql table model main.customer_payments');
    expect(descriptions).toContain('seed file main.raw_customers');

    expect(rows(await query(db, p, 'select customer_id, total_paid, payments from customer_payments order by 1'))).toEqual([
      [1, '24.99', 2],
      [2, '100.10', 1],
      [3, '7.50', 1],
      [4, '0.00', 0],
    ]);
    expect(rows(await query(db, p, "select phase from run_log order by rowid"))).toEqual([['start'], ['post customer_payments'], ['end']]);
    // store_failures: the failing rows (none) land in the audit schema
    expect(rows(await query(db, p, 'select count(*) from main_dbt_test__audit.not_null_customer_payments_total_paid'))).toEqual([[0]]);
    const runFile = readFileSync(join(p.dir, 'target/run/run_shop/models/customer_payments.sql'), 'utf8');
    expect(runFile).toMatch(/create table "[^"]+"\."main"\."customer_payments__dbt_tmp"/);
    expect(runFile).toMatch(/rename to "customer_payments"/);
    expect(existsSync(join(p.dir, 'target/run/run_shop/models/schema.yml/unique_stg_customers_customer_id.sql'))).toBe(true);

    const result = out.results.find((r) => r.unique_id === 'model.run_shop.customer_payments')!;
    expect(result.timing.map((t) => t.name)).toEqual(['compile', 'execute']);
    expect(result.thread_id).toBe('Thread-1');
    expect(result.relation_name).toMatch(/"main"\."customer_payments"$/);
    expect(result.compiled_code).toContain('left join');
  });

  it('a failing table build keeps the old table, and its descendants are skipped', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/fragile.sql': "{{ config(materialized='table') }} select 1 as id union all select 2",
      'models/after_fragile.sql': "select * from {{ ref('fragile') }}",
      'models/schema.yml': 'version: 2\n',
    });
    const first = await runDvt(db, p, 'run', { select: ['fragile', 'after_fragile'] });
    expect(first.results.map((r) => r.status)).toEqual(['success', 'success']);

    p.write({ 'models/fragile.sql': "{{ config(materialized='table') }} select cast('not a number' as integer) as id" });
    const second = await runDvt(db, p, 'run', { select: ['fragile', 'after_fragile'] });
    expect(statusOf(second, 'fragile')).toBe('error');
    expect(second.results[0]!.message).toMatch(/^Database Error in model fragile \(models\/fragile\.sql\)/);
    expect(second.results[1]).toMatchObject({ status: 'skipped', message: 'Skipped because model.run_shop.fragile failed' });
    expect(second.success).toBe(false);
    expect(rows(await query(db, p, 'select id from fragile order by id'))).toEqual([[1], [2]]);
    const leftovers = await query(db, p, "select table_name from information_schema.tables where table_name like 'fragile__dbt%'");
    expect(leftovers).toEqual([]);
  });

  it('a view replaces a table of the same name, and a table replaces a view', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({ 'models/shape.sql': "{{ config(materialized='table') }} select 1 as id", 'models/schema.yml': 'version: 2\n' });
    await runDvt(db, p, 'run', { select: ['shape'] });
    p.write({ 'models/shape.sql': "{{ config(materialized='view') }} select 2 as id" });
    expect((await runDvt(db, p, 'run', { select: ['shape'] })).results[0]!.status).toBe('success');
    expect(await query(db, p, "select table_type from information_schema.tables where table_name = 'shape'")).toEqual([['VIEW']]);
    p.write({ 'models/shape.sql': "{{ config(materialized='table') }} select 3 as id" });
    expect((await runDvt(db, p, 'run', { select: ['shape'] })).results[0]!.status).toBe('success');
    expect(await query(db, p, "select table_type from information_schema.tables where table_name = 'shape'")).toEqual([['BASE TABLE']]);
    expect(rows(await query(db, p, 'select id from shape'))).toEqual([[3]]);
  });

  it('runs a diamond on two threads, parents first', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'models/d_top.sql': "{{ config(materialized='table') }} select 1 as id",
      'models/d_left.sql': "select id, 'l' as side from {{ ref('d_top') }}",
      'models/d_right.sql': "select id, 'r' as side from {{ ref('d_top') }}",
      'models/d_bottom.sql': "{{ config(materialized='table') }} select * from {{ ref('d_left') }} union all select * from {{ ref('d_right') }}",
    });
    const out = await runDvt(db, p, 'run', { select: ['d_top', 'd_left', 'd_right', 'd_bottom'], threads: 2 });
    expect(out.results.map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);
    const order = out.events.flatMap((e) => (e.type === 'node_start' || e.type === 'node_end' ? [`${e.type}:${e.node.name}`] : []));
    const at = (s: string) => order.indexOf(s);
    expect(at('node_start:d_left')).toBeGreaterThan(at('node_end:d_top'));
    expect(at('node_start:d_right')).toBeGreaterThan(at('node_end:d_top'));
    expect(at('node_start:d_bottom')).toBeGreaterThan(Math.max(at('node_end:d_left'), at('node_end:d_right')));
    expect(new Set(out.results.map((r) => r.thread_id))).toEqual(new Set(['Thread-1', 'Thread-2']));
    expect(rows(await query(db, p, 'select side from d_bottom order by side'))).toEqual([['l'], ['r']]);
  });

  it('--fail-fast skips what has not run after the first failure', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'models/a_bad.sql': "{{ config(materialized='table') }} select cast('x' as integer) as id",
      'models/z_good.sql': 'select 1 as id',
    });
    const out = await runDvt(db, p, 'run', { select: ['a_bad', 'z_good'], failFast: true });
    expect(statusOf(out, 'a_bad')).toBe('error');
    expect(out.results.find((r) => r.unique_id.endsWith('z_good'))).toMatchObject({
      status: 'skipped',
      message: 'Skipped: --fail-fast stopped the run after model.run_shop.a_bad failed',
    });
    const without = await runDvt(db, p, 'run', { select: ['a_bad', 'z_good'] });
    expect(statusOf(without, 'z_good')).toBe('success');
  });
});

describe('data tests on DuckDB', () => {
  it('judges severity, thresholds, fail_calc and limit as dbt does', async (ctx) => {
    const db = needDuckdb(ctx);
    const three = 'select 1 as n union all select 2 union all select 3';
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'tests/no_negative_payments.sql': 'select 1 as n where false',
      'tests/t_fail.sql': three,
      'tests/t_warn.sql': `{{ config(severity='warn') }} ${three}`,
      'tests/t_threshold_warn.sql': `{{ config(warn_if='>1', error_if='>5') }} ${three}`,
      'tests/t_threshold_pass.sql': `{{ config(warn_if='>5', error_if='>5') }} ${three}`,
      'tests/t_fail_calc.sql': "{{ config(fail_calc='sum(n)') }} select 0 as n union all select 0",
      'tests/t_limit.sql': `{{ config(limit=1) }} ${three}`,
    });
    const out = await runDvt(db, p, 'test', { select: ['t_fail', 't_warn', 't_threshold_warn', 't_threshold_pass', 't_fail_calc', 't_limit'] });
    const got = Object.fromEntries(out.results.map((r) => [r.unique_id.split('.').at(-1), [r.status, r.failures, r.message]]));
    expect(got).toEqual({
      t_fail: ['fail', 3, 'Got 3 results, configured to fail if != 0'],
      t_warn: ['warn', 3, 'Got 3 results, configured to warn if != 0'],
      t_threshold_warn: ['warn', 3, 'Got 3 results, configured to warn if >1'],
      t_threshold_pass: ['pass', 3, null],
      t_fail_calc: ['pass', 0, null],
      t_limit: ['fail', 1, 'Got 1 result, configured to fail if != 0'],
    });
    expect(out.success).toBe(false);
  });

  it('a test whose query fails is an error, not a failure', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({ 'models/schema.yml': 'version: 2\n', 'tests/broken.sql': 'select * from no_such_table' });
    const out = await runDvt(db, p, 'test', { select: ['broken'] });
    expect(out.results[0]).toMatchObject({ status: 'error', failures: null });
    expect(out.results[0]!.message).toMatch(/^Database Error in test broken \(tests\/broken\.sql\)\n {2}.*no_such_table/);
  });

  it('in build, a failing test skips the models downstream of what it tests', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\nmodels:\n  - name: base\n    columns:\n      - name: id\n        data_tests: [not_null]\n',
      'models/base.sql': 'select cast(null as integer) as id',
      'models/downstream.sql': "select * from {{ ref('base') }}",
    });
    const out = await runDvt(db, p, 'build', { select: ['base', 'downstream', 'not_null_base_id'] });
    expect(statusOf(out, 'base')).toBe('success');
    expect(statusOf(out, 'not_null_base_id')).toBe('fail');
    expect(out.results.find((r) => r.unique_id.endsWith('downstream'))).toMatchObject({ status: 'skipped' });
  });
});

describe('engines without transactional DDL (DuckDB told so)', () => {
  const withoutTxDdl = (db: AdapterDefinition): AdapterDefinition => ({
    ...db,
    dialect: { ...db.dialect, capabilities: { ...db.dialect.capabilities, transactionalDdl: false } },
  });

  it('replaces views in one statement, and a failed table build still keeps the old table', async (ctx) => {
    const db = withoutTxDdl(needDuckdb(ctx));
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'models/v_plain.sql': 'select 1 as id',
      'models/t_plain.sql': "{{ config(materialized='table') }} select 1 as id",
    });
    expect((await runDvt(db, p, 'run', { select: ['v_plain', 't_plain'] })).success).toBe(true);
    p.write({ 'models/v_plain.sql': 'select 2 as id', 'models/t_plain.sql': "{{ config(materialized='table') }} select no_such_column" });
    const second = await runDvt(db, p, 'run', { select: ['v_plain', 't_plain'] });
    expect(statusOf(second, 'v_plain')).toBe('success');
    expect(statusOf(second, 't_plain')).toBe('error');
    expect(readFileSync(join(p.dir, 'target/run/run_shop/models/v_plain.sql'), 'utf8')).toMatch(/^create or replace view/);
    expect(rows(await query(db, p, 'select id from v_plain'))).toEqual([[2]]);
    expect(rows(await query(db, p, 'select id from t_plain'))).toEqual([[1]]);
    expect(await query(db, p, "select table_name from information_schema.tables where table_name like 't_plain__dbt%'")).toEqual([]);
  });
});
