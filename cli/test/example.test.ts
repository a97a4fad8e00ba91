import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { BIN, copyExample, dvt, type Run } from './helpers.js';

const SCHEMAS = fileURLToPath(new URL('../../../shared/fixtures/dbt-artifact-schemas', import.meta.url));

// The example project end to end on embedded DuckDB, as the demo runs it.
describe('the jaffle-shop example', () => {
  let dir: string;
  let first: Run;

  beforeAll(() => {
    dir = copyExample();
    first = dvt(['build'], { cwd: dir });
  });

  it('builds with every node green', () => {
    expect(first.code, first.output).toBe(0);
    expect(first.stdout).toMatch(/Found \d+ models, 3 seeds, \d+ data tests/);
    expect(first.stdout).toMatch(/^\d\d:\d\d:\d\d {2}1 of \d+ START seed file main_raw\.raw_customers \.+ \[RUN\]$/m);
    expect(first.stdout).toMatch(/OK created sql incremental model main\.order_status_latest \.+ \[.+ in \d+\.\d\ds\]/);
    expect(first.stdout).toMatch(/OK loaded seed file main_raw\.raw_orders \.+ \[INSERT 1100 in/);
    expect(first.stdout).toMatch(/PASS unique_customers_customer_id \.+ \[PASS in/);
    expect(first.stdout).toMatch(/Finished running 1 incremental model, 2 table models, 3 view models, 3 seeds, \d+ data tests in 0 hours 0 minutes and [\d.]+ seconds/);
    expect(first.stdout).toMatch(/Completed successfully/);
    expect(first.stdout).toMatch(/Done\. PASS=\d+ WARN=0 ERROR=0 SKIP=0 TOTAL=\d+/);
  });

  it('writes manifest.json and run_results.json with a result per node', () => {
    const total = Number(/TOTAL=(\d+)/.exec(first.stdout)?.[1]);
    const runResults = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
    expect(runResults.results).toHaveLength(total);
    expect(runResults.metadata.dbt_schema_version).toMatch(/run-results\/v6/);
    const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8'));
    expect(manifest.nodes['model.jaffle_shop.customers']).toBeDefined();
    expect(existsSync(join(dir, 'target', 'compiled', 'jaffle_shop', 'models', 'marts', 'customers.sql'))).toBe(true);
  });

  // dbt's published schemas live beside the repository (../shared), never in it.
  it.skipIf(!existsSync(join(SCHEMAS, 'manifest-v12.json')))(`writes artifacts that validate against dbt's schemas (from ${SCHEMAS})`, () => {
    for (const [schema, file] of [['manifest-v12.json', 'manifest.json'], ['run-results-v6.json', 'run_results.json']]) {
      const ajv = new Ajv2020({ strict: false, allErrors: true });
      (addFormats as unknown as (a: Ajv2020) => void)(ajv);
      const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, schema), 'utf8')));
      const ok = validate(JSON.parse(readFileSync(join(dir, 'target', file), 'utf8')));
      expect(ok, `${file}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('builds again, taking the incremental path, still green', () => {
    const again = dvt(['build'], { cwd: dir });
    expect(again.code, again.output).toBe(0);
    expect(again.stdout).toMatch(/Completed successfully/);
  });

  it('the incremental model merges an order whose status changed since the last run', () => {
    const seed = join(dir, 'seeds', 'raw_orders.csv');
    const original = readFileSync(seed, 'utf8');
    writeFileSync(seed, original.replace('\n1,56,2024-09-06 07:39:12,returned,2024-09-18 07:42:34\n', '\n1,56,2024-09-06 07:39:12,completed,2025-02-01 09:00:00\n'));
    try {
      const r = dvt(['build', '-s', '+order_status_latest'], { cwd: dir });
      expect(r.code, r.output).toBe(0);
      expect(r.stdout).toMatch(/OK created sql incremental model main\.order_status_latest \.+ \[.*1 in/);
      const shown = dvt(['show', '--inline', "select status, count(*) over () as n from {{ ref('order_status_latest') }} where order_id = 1"], { cwd: dir });
      expect(shown.stdout).toMatch(/\| completed +\| 1 +\|/);
    } finally {
      writeFileSync(seed, original);
    }
  });

  it('shows the first rows of a mart', () => {
    const r = dvt(['show', '--select', 'customers', '--limit', '3'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Previewing node 'customers'/);
    const tableLines = r.stdout.split('\n').filter((l) => l.startsWith('|'));
    expect(tableLines).toHaveLength(2 + 3);
    expect(tableLines[0]).toMatch(/\| customer_id +\| full_name/);
  });

  it('shows each selected node in turn, as JSON with --log-format json', () => {
    const r = dvt(['show', '-s', 'orders', 'customers', '--limit', '2', '--log-format', 'json'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const shown = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.info.name === 'ShowNode');
    expect(shown.map((e) => e.info.msg)).toEqual(["Previewing node 'customers'", "Previewing node 'orders'"]);
    expect(shown[0].data.rows).toHaveLength(2);
    expect(shown[0].data.rows[0]).toHaveProperty('customer_id');
  });

  it('shows a seed from the table it was loaded into', () => {
    const r = dvt(['show', '-s', 'raw_orders', '--limit', '2'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.startsWith('|'))).toHaveLength(4);
  });

  it('shows inline SQL with ref(), inlining an ephemeral model as a CTE', () => {
    const r = dvt(['show', '--inline', "select count(*) as n from {{ ref('stg_orders') }}"], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/\| 1100 +\|/);
    const ephemeral = dvt(['show', '--inline', "select count(*) as orders_paid from {{ ref('int_order_payments') }}"], { cwd: dir });
    expect(ephemeral.code, ephemeral.output).toBe(0);
    expect(ephemeral.stdout).toMatch(/\| 1100 +\|/);
    const compiled = dvt(['compile', '--inline', "select * from {{ ref('int_order_payments') }} limit {{ var('n', 3) }}"], { cwd: dir });
    expect(compiled.code, compiled.output).toBe(0);
    expect(compiled.stdout).toMatch(/with __dbt__cte__int_order_payments as \(/);
    expect(compiled.stdout).toMatch(/select \* from __dbt__cte__int_order_payments limit 3/);
  });

  it('lists resources as selectors, names, paths and JSON', () => {
    const selectors = dvt(['ls', '--resource-type', 'model'], { cwd: dir });
    expect(selectors.code, selectors.output).toBe(0);
    expect(selectors.stdout.trim().split('\n')).toContain('jaffle_shop.marts.customers');
    const names = dvt(['ls', '-s', 'tag:marts', '--resource-type', 'model', '--output', 'name'], { cwd: dir });
    expect(names.stdout.trim().split('\n').sort()).toEqual(['customers', 'order_status_latest', 'orders']);
    const paths = dvt(['ls', '-s', '+customers', '--resource-type', 'seed', '-o', 'path'], { cwd: dir });
    expect(paths.stdout.trim().split('\n').sort()).toEqual(['seeds/raw_customers.csv', 'seeds/raw_orders.csv', 'seeds/raw_payments.csv']);
    const json = dvt(['ls', '-s', 'stg_orders', '--resource-type', 'model', '-o', 'json'], { cwd: dir });
    expect(JSON.parse(json.stdout.trim())).toMatchObject({ name: 'stg_orders', resource_type: 'model', unique_id: 'model.jaffle_shop.stg_orders' });
  });

  it('stops quietly when the reader of its output goes away (dvt debug | head -1)', () => {
    const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" debug | head -1`], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });

  it('build --resource-type builds only those types', () => {
    const r = dvt(['build', '--resource-type', 'seed'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Done\. PASS=3 WARN=0 ERROR=0 SKIP=0 TOTAL=3/);
  });

  it('warns about a criterion that matches nothing, and about an empty run', () => {
    const r = dvt(['run', '-s', 'no_such_node'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/The selection criterion 'no_such_node' does not match any enabled nodes/);
    expect(r.stdout).toMatch(/Nothing to do\./);
  });

  it('--quiet prints only the results (and errors)', () => {
    const show = dvt(['show', '-q', '-s', 'customers', '--limit', '1'], { cwd: dir });
    expect(show.code, show.output).toBe(0);
    expect(show.stdout.trim().split('\n')).toHaveLength(3);
    expect(show.stdout).toMatch(/^\| customer_id/);
    const run = dvt(['run', '--quiet', '-s', 'stg_customers'], { cwd: dir });
    expect(run.code, run.output).toBe(0);
    expect(run.stdout).toBe('');
    expect(dvt(['ls', '-q', '-s', 'customers', '--resource-type', 'model'], { cwd: dir }).stdout).toBe('jaffle_shop.marts.customers\n');
  });

  it('prints one JSON object per line with --log-format json', () => {
    const r = dvt(['run', '-s', 'stg_customers', '--log-format', 'json'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const events = r.stdout.trim().split('\n').map((line) => JSON.parse(line));
    for (const e of events) {
      expect(e.info).toMatchObject({ name: expect.any(String), level: expect.any(String), msg: expect.any(String), ts: expect.any(String) });
      expect(e.data).toBeTypeOf('object');
    }
    const finished = events.find((e) => e.info.name === 'NodeFinished');
    expect(finished.data.run_result).toMatchObject({ unique_id: 'model.jaffle_shop.stg_customers', status: 'success' });
    expect(events.at(-1).info.msg).toMatch(/^Done\. PASS=1/);
  });

  it('colours statuses only when asked and never with NO_COLOR', () => {
    const ESC = '\u001b[';
    const GREEN = '\u001b[32m';
    const plain = dvt(['run', '-s', 'stg_customers'], { cwd: dir });
    expect(plain.stdout).not.toContain(ESC);
    const forced = dvt(['run', '-s', 'stg_customers'], { cwd: dir, env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
    expect(forced.stdout).toContain(`[${GREEN}CREATE VIEW in `);
    const both = dvt(['run', '-s', 'stg_customers'], { cwd: dir, env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
    expect(both.stdout).not.toContain(ESC);
  });

  it('compiles one node and prints its SQL with the ephemeral model inlined', () => {
    const r = dvt(['compile', '-s', 'orders'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Compiled node 'orders' is:/);
    expect(r.stdout).toMatch(/__dbt__cte__int_order_payments/);
  });

  it('a failing test and a failing model exit 1 with dbt\'s summary; descendants are skipped', () => {
    const failingTest = join(dir, 'tests', 'always_fails.sql');
    const brokenModel = join(dir, 'models', 'broken_model.sql');
    const downstream = join(dir, 'models', 'after_broken.sql');
    writeFileSync(failingTest, 'select 1 as x union all select 2 as x\n');
    writeFileSync(brokenModel, 'select no_such_column from {{ ref(\'stg_orders\') }}\n');
    writeFileSync(downstream, "select * from {{ ref('broken_model') }}\n");
    try {
      const t = dvt(['test', '-s', 'always_fails'], { cwd: dir });
      expect(t.code, t.output).toBe(1);
      expect(t.stdout).toMatch(/FAIL 2 always_fails \.+ \[FAIL 2 in/);
      expect(t.stdout).toMatch(/Completed with 1 error and 0 warnings:/);
      expect(t.stdout).toMatch(/Failure in test always_fails \(tests\/always_fails\.sql\)/);
      const m = dvt(['run', '-s', 'broken_model+'], { cwd: dir });
      expect(m.code, m.output).toBe(1);
      expect(m.stdout).toMatch(/ERROR creating sql view model main\.broken_model \.+ \[ERROR in/);
      expect(m.stdout).toMatch(/SKIP relation main\.after_broken \.+ \[SKIP\]/);
      expect(m.stdout).toMatch(/Error in model broken_model \(models\/broken_model\.sql\)\n.*no_such_column/);
      expect(m.stdout).toMatch(/Done\. PASS=0 WARN=0 ERROR=1 SKIP=1 TOTAL=2/);
      // --fail-fast: the first failure stops the rest (one thread, so the order is fixed).
      const x = dvt(['run', '-s', 'broken_model', 'stg_customers', '--threads', '1', '-x'], { cwd: dir });
      expect(x.code, x.output).toBe(1);
      expect(x.stdout).toMatch(/ERROR=1 SKIP=1 TOTAL=2/);
    } finally {
      for (const f of [failingTest, brokenModel, downstream]) rmSync(f);
    }
  });

  it('a test that warns exits 0 and is listed under the warnings', () => {
    const warning = join(dir, 'tests', 'warns_only.sql');
    writeFileSync(warning, "{{ config(severity='warn') }}\nselect 1 as x\n");
    try {
      const r = dvt(['test', '-s', 'warns_only'], { cwd: dir });
      expect(r.code, r.output).toBe(0);
      expect(r.stdout).toMatch(/WARN 1 warns_only \.+ \[WARN 1 in/);
      expect(r.stdout).toMatch(/Completed with 1 warning:/);
      expect(r.stdout).toMatch(/Warning in test warns_only \(tests\/warns_only\.sql\)/);
      expect(r.stdout).toMatch(/Done\. PASS=0 WARN=1 ERROR=0 SKIP=0 TOTAL=1/);
    } finally {
      rmSync(warning);
    }
  });

  it('debug reports the DuckDB connection', () => {
    const r = dvt(['debug'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/ {2}dev \(duckdb, .+\): OK connection ok/);
    expect(r.stdout).toMatch(/adapter: @dvt\/adapter-duckdb/);
  });

  it('clean removes target/ (and the database in it)', () => {
    const r = dvt(['clean'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(existsSync(join(dir, 'target'))).toBe(false);
    expect(existsSync(join(dir, 'models'))).toBe(true);
  });
});
