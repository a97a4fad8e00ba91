import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { buildManifest, buildRunResults } from '../src/artifacts/index.js';
import { Compiler } from '../src/compile/index.js';
import { buildGraph } from '../src/graph/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import type { RunCommandName, RunEventHandler } from '../src/run/index.js';
import { Selector } from '../src/select/index.js';
import { loadDuckdb, projectCopy, query, type TestProject } from './run-support.js';

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

const EXPECTED = resolve(import.meta.dirname, 'fixtures/unit-shop.expected');

function shop(files: Record<string, string> = {}): TestProject {
  const p = projectCopy('unit-shop', files);
  projects.push(p);
  return p;
}

function needDuckdb(ctx: { skip: (reason?: string) => void }): AdapterDefinition {
  if (!duckdb) ctx.skip(skipReason);
  return duckdb!;
}

interface RunSetup {
  select?: string[];
  exclude?: string[];
  adapters?: Record<string, AdapterDefinition>;
  /** Types the runner asked the adapter resolver for. */
  resolved?: string[];
  flags?: Record<string, unknown>;
  events?: RunEventHandler;
}

async function run(adapter: AdapterDefinition, p: TestProject, command: RunCommandName, setup: RunSetup = {}) {
  const project = loadProject({ projectDir: p.dir, profilesDir: p.dir, env: {} });
  const adapters = setup.adapters ?? { duckdb: adapter };
  const compiler = await Compiler.create({ project, adapters, env: {}, flags: setup.flags });
  compiler.parseProject();
  const selection = new Selector(project, buildGraph(project)).select({ select: setup.select, exclude: setup.exclude });
  const outcome = await runCommand({
    command,
    project,
    compiler,
    selection,
    targetPath: join(p.dir, 'target'),
    events: setup.events,
    resolveAdapter: async (type) => {
      setup.resolved?.push(type);
      return adapters[type]!;
    },
  });
  return { project, outcome, selection };
}

const byName = (results: { unique_id: string; status: string }[]) => Object.fromEntries(results.map((r) => [r.unique_id.split('.').slice(2).join('.'), r.status]));

describe('unit tests on DuckDB', () => {
  it('pass for dict, csv, sql and fixture-file rows, overrides of vars, env vars and is_incremental, `this`, ephemeral inputs', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    const { outcome } = await run(db, p, 'test', { select: ['test_type:unit'] });
    expect(byName(outcome.results)).toEqual({
      'big_order_count.counts_given_ephemeral_rows': 'pass',
      'big_order_count.counts_through_the_ephemeral_model': 'pass',
      'big_order_count.counts_with_a_lower_threshold': 'pass',
      'customer_totals.totals_skip_returned_orders': 'pass',
      'customer_totals.totals_with_excluded_status_var': 'pass',
      'recent_orders.first_load_takes_every_row': 'pass',
      'recent_orders.incremental_run_takes_newer_rows': 'pass',
      'regional_orders.region_from_env': 'pass',
      'stg_orders.cleans_status_and_date': 'pass',
    });
    // The compiled SQL: each input a CTE of its rows, cast to the types its YAML or seed file gives.
    for (const name of ['cleans_status_and_date', 'incremental_run_takes_newer_rows', 'totals_skip_returned_orders']) {
      const compiled = readFileSync(join(p.dir, 'target/compiled/unit_shop/models/unit_tests.yml', `${name}.sql`), 'utf8');
      // DVT_UPDATE_EXPECTED=1 rewrites the checked-in files (review the diff before committing it).
      if (process.env.DVT_UPDATE_EXPECTED === '1') writeFileSync(join(EXPECTED, `${name}.sql`), compiled);
      expect(compiled, name).toBe(readFileSync(join(EXPECTED, `${name}.sql`), 'utf8'));
    }
  });

  it('fails with a diff of the rows each side lacks, order aside and counting duplicates', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/more_unit_tests.yml': [
        'unit_tests:',
        '  - name: wrong_status',
        '    model: stg_orders',
        '    given:',
        "      - input: ref('raw_orders')",
        '        rows:',
        '          - {id: 1, status: PLACED}',
        '          - {id: 2, status: PLACED}',
        '          - {id: 3, status: Shipped}',
        '    expect:',
        '      rows:',
        '        - {order_id: 3, status: shipped}',
        '        - {order_id: 2, status: placed}',
        '        - {order_id: 1, status: returned}',
        '        - {order_id: 1, status: returned}',
        '',
      ].join('\n'),
    });
    const { outcome } = await run(db, p, 'test', { select: ['stg_orders'] });
    const failed = outcome.results.find((r) => r.unique_id === 'unit_test.unit_shop.stg_orders.wrong_status')!;
    expect(failed.status).toBe('fail');
    expect(failed.failures).toBe(3);
    expect(failed.message).toBe(
      [
        'actual differs from expected:',
        '',
        '@@  | order_id | status',
        '+++ | 1        | placed',
        '--- | 1        | returned',
        '--- | 1        | returned',
      ].join('\n'),
    );
    expect(outcome.success).toBe(false);
    expect(byName(outcome.results)['stg_orders.cleans_status_and_date']).toBe('pass');
  });

  it('in build, runs before its model and skips the model and what follows when it fails', async (ctx) => {
    const db = needDuckdb(ctx);
    const passing = shop();
    const ok = await run(db, passing, 'build', { select: ['raw_orders', 'stg_orders', 'regional_orders'] });
    const order = ok.outcome.results.map((r) => r.unique_id);
    expect(order.indexOf('unit_test.unit_shop.stg_orders.cleans_status_and_date')).toBeLessThan(order.indexOf('model.unit_shop.stg_orders'));
    expect(order.indexOf('unit_test.unit_shop.regional_orders.region_from_env')).toBeLessThan(order.indexOf('model.unit_shop.regional_orders'));
    expect(ok.outcome.results.every((r) => ['success', 'pass'].includes(r.status))).toBe(true);
    expect(await query(db, passing, 'select count(*) from stg_orders')).toEqual([[3n]]);

    const failing = shop({
      'models/unit_tests.yml': readFileSync(join(passing.dir, 'models/unit_tests.yml'), 'utf8').replace('{order_id: 2, status: shipped', '{order_id: 2, status: placed'),
    });
    const bad = await run(db, failing, 'build', { select: ['raw_orders', 'stg_orders', 'regional_orders'] });
    const status = byName(bad.outcome.results);
    expect(status['stg_orders.cleans_status_and_date']).toBe('fail');
    expect(status.raw_orders).toBe('success');
    expect(status.stg_orders).toBe('skipped');
    // Like the model, its unit tests wait for what it reads.
    expect(status['regional_orders.region_from_env']).toBe('skipped');
    expect(status.regional_orders).toBe('skipped');
    expect(bad.outcome.results.find((r) => r.unique_id === 'model.unit_shop.stg_orders')!.message).toBe(
      'Skipped because unit_test.unit_shop.stg_orders.cleans_status_and_date failed',
    );
    expect(await query(db, failing, "select count(*) from information_schema.tables where table_name = 'stg_orders'")).toEqual([[0n]]);
  });

  it('keep their given rows under --empty, which empties only what models read', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    const { outcome } = await run(db, p, 'build', { select: ['raw_orders', 'stg_orders'], flags: { EMPTY: true } });
    expect(byName(outcome.results)).toEqual({ raw_orders: 'success', stg_orders: 'success', 'stg_orders.cleans_status_and_date': 'pass' });
    expect(await query(db, p, 'select count(*) from stg_orders')).toEqual([[0n]]);
  });

  it("type an input without YAML types from its relation when it exists, else from the given values", async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/top_customers.sql': "select customer_id, name, total_amount from {{ ref('customer_totals') }} where total_amount > 10",
      'models/more_unit_tests.yml': [
        'unit_tests:',
        '  - name: keeps_big_spenders',
        '    model: top_customers',
        '    given:',
        "      - input: ref('customer_totals')",
        "        rows: [{customer_id: 1, total_amount: '10.50'}, {customer_id: 2, total_amount: 9}]",
        '    expect:',
        '      rows: [{customer_id: 1, name: null, total_amount: 10.5}]',
        '',
      ].join('\n'),
    });
    // Not built: only the columns the rows name exist, and the model reads `name`.
    const before = await run(db, p, 'test', { select: ['top_customers'] });
    expect(before.outcome.results[0]!.status).toBe('error');
    expect(before.outcome.results[0]!.message).toMatch(/Referenced column "name" not found/);
    expect(before.outcome.results[0]!.message).toContain("ref('customer_totals'): typed from the given rows alone (no data_type in YAML, not built yet)");

    await query(db, p, 'create schema crm; create table crm.customers (id integer, name varchar, signup_date date)');
    const built = await run(db, p, 'build', { select: ['raw_orders', 'stg_orders', 'customer_totals'], exclude: ['test_type:unit'] });
    expect(built.outcome.results.map((r) => r.status)).toEqual(['success', 'success', 'success']);
    const after = await run(db, p, 'test', { select: ['top_customers'] });
    expect([after.outcome.results[0]!.status, after.outcome.results[0]!.message]).toEqual(['pass', null]);
    // customer_totals' real columns, with the types DuckDB gave them.
    expect(after.outcome.results[0]!.compiled_code).toContain('cast(1 as INTEGER) as "customer_id", cast(null as VARCHAR) as "name", cast(null as BIGINT) as "order_count", cast(\'10.50\' as DECIMAL(');
  });

  it('says which input is missing, and what an incremental model needs, with the YAML line', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/more_unit_tests.yml': [
        'unit_tests:',
        '  - name: no_source_rows',
        '    model: customer_totals',
        '    given:',
        "      - input: ref('stg_orders')",
        '        rows: []',
        '    expect:',
        '      rows: []',
        '  - name: no_branch_chosen',
        '    model: recent_orders',
        '    given:',
        "      - input: ref('stg_orders')",
        '        rows: []',
        '    expect:',
        '      rows: []',
        '',
      ].join('\n'),
    });
    const { outcome } = await run(db, p, 'test', { select: ['test_type:unit,models/more_unit_tests.yml'] });
    const message = (name: string) => outcome.results.find((r) => r.unique_id.endsWith(`.${name}`))!.message;
    expect(message('no_source_rows')).toContain("unit test 'no_source_rows' gives no rows for source('crm', 'customers'), which model 'customer_totals' reads: add it under 'given'");
    expect(message('no_source_rows')).toContain('models/more_unit_tests.yml:2');
    expect(message('no_branch_chosen')).toContain("Boolean override for 'is_incremental' must be provided for unit test 'no_branch_chosen' in model 'recent_orders'");
    expect(message('no_branch_chosen')).toContain('models/more_unit_tests.yml:9');
  });

  it('are selected as tests of their model, by test_type:unit and resource type', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    const project = loadProject({ projectDir: p.dir, profilesDir: p.dir, env: {} });
    const selector = new Selector(project, buildGraph(project));
    expect(selector.select({ select: ['stg_orders'] })).toEqual(['model.unit_shop.stg_orders', 'unit_test.unit_shop.stg_orders.cleans_status_and_date']);
    // Each criterion brings its tests before the intersection, as in dbt.
    expect(selector.select({ select: ['customer_totals,test_type:unit'] })).toEqual([
      'unit_test.unit_shop.customer_totals.totals_skip_returned_orders',
      'unit_test.unit_shop.customer_totals.totals_with_excluded_status_var',
    ]);
    expect(selector.select({ select: ['test_type:unit', 'tag:totals'] }).filter((id) => !id.startsWith('unit_test.'))).toEqual([]);
    expect(selector.select({ select: ['tag:totals'] })).toEqual(['unit_test.unit_shop.customer_totals.totals_skip_returned_orders']);
    expect(selector.select({ select: ['customer_totals'], resourceTypes: ['model', 'test'] })).toEqual(['model.unit_shop.customer_totals']);
    // A disabled model's unit tests are disabled with it.
    p.write({ 'models/regional_orders.sql': "{{ config(enabled=false) }}\nselect 1 as order_id, 'eu' as region" });
    const disabled = loadProject({ projectDir: p.dir, profilesDir: p.dir, env: {} });
    const compiler = await Compiler.create({ project: disabled, adapters: { duckdb: db }, env: {} });
    compiler.parseProject();
    expect(new Selector(disabled, buildGraph(disabled)).select({ select: ['test_type:unit'] })).not.toContain('unit_test.unit_shop.regional_orders.region_from_env');
  });
});

describe('unit tests of a versioned model', () => {
  it('become one unit test per version tested, each run against that version', async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop({
      'models/labels_v1.sql': "select order_id, 'v1' as label from {{ ref('stg_orders') }}",
      'models/labels_v2.sql': "select order_id, 'v2' as label from {{ ref('stg_orders') }}",
      'models/labels.yml': [
        'models:',
        '  - name: labels',
        '    versions: [{v: 1}, {v: 2}]',
        'unit_tests:',
        '  - name: labels_every_version',
        '    model: labels',
        '    given: [{input: "ref(\'stg_orders\')", rows: [{order_id: 1}]}]',
        '    expect: {rows: [{order_id: 1}]}',
        '  - name: labels_v2_only',
        '    model: labels',
        '    versions: {include: [2]}',
        '    given: [{input: "ref(\'stg_orders\')", rows: [{order_id: 1}]}]',
        "    expect: {rows: [{order_id: 1, label: v2}]}",
        '',
      ].join('\n'),
    });
    const { outcome } = await run(db, p, 'test', { select: ['labels'] });
    expect(byName(outcome.results)).toEqual({
      'labels.labels_every_version_v1': 'pass',
      'labels.labels_every_version_v2': 'pass',
      'labels.labels_v2_only_v2': 'pass',
    });
    expect(readFileSync(join(p.dir, 'target/compiled/unit_shop/models/labels.yml/labels_v2_only_v2.sql'), 'utf8')).toContain("'v2' as label");
  });
});

describe('a model built on PostgreSQL, unit-tested on DuckDB', () => {
  const postgresEntry = resolve(import.meta.dirname, '../../../adapters/postgres/dist/index.js');
  const pgModel = {
    // The profile's `pg` output points where nothing listens: touching it would fail the run.
    'profiles.yml': '',
    'models/pg/order_labels.sql': [
      "{{ config(target='pg') }}",
      'select id, upper(label) as label, amount::numeric(10,2) * 2 as doubled',
      "from {{ source('billing', 'invoices') }}",
    ].join('\n'),
    'models/pg/sources.yml': [
      'sources:',
      '  - name: billing',
      '    connection: pg',
      '    schema: billing',
      '    tables:',
      '      - name: invoices',
      '        columns:',
      '          - {name: id, data_type: int4}',
      '          - {name: label, data_type: text}',
      '          - {name: amount, data_type: "numeric(12,3)"}',
      '          - {name: issued_at, data_type: timestamptz}',
      'unit_tests:',
      '  - name: labels_are_upper_case',
      '    model: order_labels',
      '    given:',
      "      - input: source('billing', 'invoices')",
      '        rows:',
      '          - {id: 1, label: a, amount: 1.255}',
      '          - {id: 2, label: b}',
      '    expect:',
      '      rows:',
      '        - {id: 1, label: A, doubled: 2.52}',
      '        - {id: 2, label: B, doubled: null}',
      '',
    ].join('\n'),
  };

  async function setup(ctx: { skip: (reason?: string) => void }, files: Record<string, string>) {
    const db = needDuckdb(ctx);
    if (!existsSync(postgresEntry)) ctx.skip(`the PostgreSQL adapter is not built (${postgresEntry})`);
    const postgres = ((await import(pathToFileURL(postgresEntry).href)) as { default: AdapterDefinition }).default;
    const p = shop();
    p.write({
      ...files,
      'profiles.yml': [
        'run_shop:',
        '  target: dev',
        '  outputs:',
        '    dev: {type: duckdb, path: warehouse.duckdb, schema: main, threads: 1}',
        '    pg: {type: postgres, host: 127.0.0.1, port: 1, user: nobody, dbname: nowhere, schema: public, threads: 1}',
        '',
      ].join('\n'),
    });
    return { db, postgres, p };
  }

  it('runs with the YAML types translated from PostgreSQL, and never connects to it', async (ctx) => {
    const { db, postgres, p } = await setup(ctx, pgModel);
    const resolved: string[] = [];
    const { outcome } = await run(db, p, 'test', { select: ['order_labels'], adapters: { duckdb: db, postgres }, resolved });
    expect(outcome.results.map((r) => [r.unique_id, r.status, r.message])).toEqual([['unit_test.unit_shop.order_labels.labels_are_upper_case', 'pass', null]]);
    expect(resolved.filter((t) => t !== 'duckdb')).toEqual([]);
    const compiled = readFileSync(join(p.dir, 'target/compiled/unit_shop/models/pg/sources.yml/labels_are_upper_case.sql'), 'utf8');
    expect(compiled).toContain('cast(1.255 as DECIMAL(12,3)) as "amount", cast(null as TIMESTAMP WITH TIME ZONE) as "issued_at"');
    expect(compiled).toContain('from __dbt__cte__billing__invoices');
  });

  it('with engine: duckdb, says what the model uses that DuckDB lacks; by default, reports both DuckDB and the unreachable target', async (ctx) => {
    const tsvector = "{{ config(target='pg') }}\nselect id, to_tsvector(label) as label, amount as doubled\nfrom {{ source('billing', 'invoices') }}";
    const duckdbOnly = pgModel['models/pg/sources.yml'].replace('    model: order_labels\n', '    model: order_labels\n    config: {engine: duckdb}\n');
    const { db, postgres, p } = await setup(ctx, { ...pgModel, 'models/pg/order_labels.sql': tsvector, 'models/pg/sources.yml': duckdbOnly });
    const { outcome } = await run(db, p, 'test', { select: ['order_labels'], adapters: { duckdb: db, postgres } });
    expect(outcome.results[0]!.status).toBe('error');
    expect(outcome.results[0]!.message).toContain("unit test ran in DuckDB (model 'order_labels' is built on postgres); model SQL uses function to_tsvector, which DuckDB lacks");
    expect(outcome.results[0]!.message).not.toContain("target 'pg'");

    p.write({ 'models/pg/sources.yml': pgModel['models/pg/sources.yml'] });
    const fallback = await run(db, p, 'test', { select: ['order_labels'], adapters: { duckdb: db, postgres } });
    const message = fallback.outcome.results[0]!.message ?? '';
    expect(fallback.outcome.results[0]!.status).toBe('error');
    expect(message).toContain('model SQL uses function to_tsvector, which DuckDB lacks');
    expect(message).toMatch(/running it on target 'pg' \(postgres\) instead failed too:\n.*(ECONNREFUSED|connect)/);
  });
  it("names the call no DuckDB function takes (PostgreSQL's count(distinct a, b))", async (ctx) => {
    const counting = "{{ config(target='pg') }}\nselect count(distinct id, label) as id, 'x' as label, 1 as doubled\nfrom {{ source('billing', 'invoices') }}";
    const duckdbOnly = pgModel['models/pg/sources.yml'].replace('    model: order_labels\n', '    model: order_labels\n    config: {engine: duckdb}\n');
    const { db, postgres, p } = await setup(ctx, { ...pgModel, 'models/pg/order_labels.sql': counting, 'models/pg/sources.yml': duckdbOnly });
    const { outcome } = await run(db, p, 'test', { select: ['order_labels'], adapters: { duckdb: db, postgres } });
    expect(outcome.results[0]!.status).toBe('error');
    expect(outcome.results[0]!.message).toContain('model SQL calls count(INTEGER, VARCHAR), which no DuckDB function takes');
  });
});

describe('a unit test with engine: target', () => {
  const root = resolve(import.meta.dirname, '../../..');
  const postgresEntry = join(root, 'adapters/postgres/dist/index.js');
  const testkitEntry = join(root, 'packages/adapter-testkit/dist/index.js');

  it('runs on the model\'s own PostgreSQL, in its dialect: always with engine: target, by default when DuckDB rejects the SQL; SQL fixtures render there', async (ctx) => {
    const db = needDuckdb(ctx);
    if (!existsSync(postgresEntry) || !existsSync(testkitEntry)) ctx.skip('the PostgreSQL adapter or the testkit is not built');
    const kit = (await import(pathToFileURL(testkitEntry).href)) as { serviceSkipReason(spec: unknown): Promise<string | undefined>; POSTGRES: unknown };
    const unavailable = await kit.serviceSkipReason(kit.POSTGRES);
    if (unavailable) {
      if (process.env.DVT_TEST_REQUIRE_SERVICES === '1') throw new Error(unavailable);
      ctx.skip(unavailable);
    }
    const postgres = ((await import(pathToFileURL(postgresEntry).href)) as { default: AdapterDefinition }).default;
    const test = (name: string, config: string) =>
      [
        `  - name: ${name}`,
        '    model: search_terms',
        config,
        "    given: [{input: \"source('billing', 'invoices')\", rows: [{id: 1, label: Ada}]}]",
        "    expect: {rows: [{id: 1, terms: \"'ada':1\"}]}",
      ].join('\n');
    const p = shop({
      'profiles.yml': [
        'run_shop:',
        '  target: dev',
        '  outputs:',
        '    dev: {type: duckdb, path: warehouse.duckdb, schema: main, threads: 1}',
        '    pg: {type: postgres, host: 127.0.0.1, port: 5432, user: postgres, dbname: test, schema: public, threads: 1}',
        '',
      ].join('\n'),
      'tests/fixtures/grace_rows.sql': "select 2 as id, {{ dbt.string_literal('Grace') }} || {{ dbt.string_literal(var('suffix')) }} as label\n",
      'models/pg/search_terms.sql': "{{ config(target='pg') }}\nselect id, to_tsvector('simple', label)::text as terms\nfrom {{ source('billing', 'invoices') }}",
      'models/pg/schema.yml': [
        'sources:',
        '  - name: billing',
        '    connection: pg',
        '    tables:',
        '      - name: invoices',
        '        columns: [{name: id, data_type: int4}, {name: label, data_type: text}]',
        'unit_tests:',
        test('terms_on_postgres', '    config: {engine: target}'),
        test('terms_falling_back', '    config: {}'),
        test('terms_on_duckdb_only', '    config: {engine: duckdb}'),
        '  - name: labels_from_rendered_sql_fixture',
        '    model: search_terms',
        '    given:',
        "      - input: source('billing', 'invoices')",
        '        format: sql',
        '        fixture: grace_rows',
        '    overrides: {vars: {suffix: " Hopper"}}',
        "    expect: {rows: [{id: 2, terms: \"'grace':1 'hopper':2\"}]}",
        '',
      ].join('\n'),
    });
    const logs: string[] = [];
    const { outcome } = await run(db, p, 'test', { select: ['search_terms'], adapters: { duckdb: db, postgres }, events: (e) => (e.type === 'log' ? logs.push(e.message) : undefined) });
    const result = (name: string) => outcome.results.find((r) => r.unique_id.endsWith(`.${name}`))!;
    expect([result('terms_on_postgres').status, result('terms_on_postgres').message]).toEqual(['pass', null]);
    expect(result('terms_on_postgres').compiled_code).toContain('cast(1 as int4) as "id", cast(\'Ada\' as text) as "label"');
    // The default runs in DuckDB first; DuckDB lacks to_tsvector, so it reruns on PostgreSQL with PostgreSQL's types.
    expect([result('terms_falling_back').status, result('terms_falling_back').message]).toEqual(['pass', null]);
    expect(result('terms_falling_back').compiled_code).toContain('cast(1 as int4) as "id"');
    expect(logs.filter((m) => m.startsWith('unit test terms_falling_back:'))).toEqual([
      "unit test terms_falling_back: DuckDB cannot run model 'search_terms' (model SQL uses function to_tsvector, which DuckDB lacks); running it on its target 'pg' (postgres) instead",
    ]);
    expect(result('terms_on_duckdb_only').status).toBe('error');
    expect(result('terms_on_duckdb_only').message).toContain('model SQL uses function to_tsvector, which DuckDB lacks');
    // The SQL fixture's Jinja renders (macros, overridden vars) before it runs, here on PostgreSQL.
    expect([result('labels_from_rendered_sql_fixture').status, result('labels_from_rendered_sql_fixture').message]).toEqual(['pass', null]);
    expect(result('labels_from_rendered_sql_fixture').compiled_code).toContain("select 2 as id, 'Grace' || ' Hopper' as label");
  });
});

describe('unit tests in the artifacts', () => {
  const SCHEMAS = resolve(import.meta.dirname, '../../../../shared/fixtures/dbt-artifact-schemas');
  const haveSchemas = existsSync(join(SCHEMAS, 'manifest-v12.json'));

  function validator(file: string) {
    const ajv = new Ajv2020({ strict: false, allErrors: true, code: { optimize: false } });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    return ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, file), 'utf8')));
  }

  it.skipIf(!haveSchemas)("manifest.json lists them under unit_tests, valid against dbt's v12 schema; run_results against v6", async (ctx) => {
    const db = needDuckdb(ctx);
    const p = shop();
    const { project, outcome } = await run(db, p, 'test', { select: ['customer_totals'] });
    const manifest = buildManifest(project, { invocationId: 'unit-tests' }) as { unit_tests: Record<string, Record<string, unknown>>; child_map: Record<string, string[]> };
    const validate = validator('manifest-v12.json');
    validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    const test = manifest.unit_tests['unit_test.unit_shop.customer_totals.totals_skip_returned_orders']!;
    expect(test).toMatchObject({
      model: 'customer_totals',
      resource_type: 'unit_test',
      fqn: ['unit_shop', 'customer_totals', 'totals_skip_returned_orders'],
      depends_on: { macros: [], nodes: ['model.unit_shop.customer_totals'] },
      config: { enabled: true, tags: ['unit', 'totals'], meta: {} },
      expect: { format: 'csv', fixture: null, rows: [{ customer_id: '10', name: 'Ada', order_count: '1', total_amount: '25.50' }, { customer_id: '20', name: 'Bo', order_count: '1', total_amount: '7.25' }] },
    });
    expect(manifest.child_map['model.unit_shop.customer_totals']).toContain('unit_test.unit_shop.customer_totals.totals_skip_returned_orders');

    const runResults = validator('run-results-v6.json');
    runResults(buildRunResults(outcome.results, { which: 'test' }, outcome.elapsed, { invocationId: 'unit-tests' }));
    expect(runResults.errors ?? []).toEqual([]);
  }, 120_000);
});
