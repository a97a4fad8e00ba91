import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { inlineNode, showQuery } from '../src/run/index.js';
import { FULL_SCAN_BYTES, SAMPLE_ROWS } from '../src/run/seed/load.js';
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
function need(ctx: { skip: (reason?: string) => void }): AdapterDefinition {
  if (!duckdb) ctx.skip(skipReason);
  return duckdb!;
}
const plain = (rows: unknown[][]) => rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));

describe('hooks', () => {
  it('runs pre/post hooks outside and inside the transaction in dbt order', async (ctx) => {
    const db = need(ctx);
    const log = (what: string) => `insert into {{ target.schema }}.run_log values ('${what}', current_timestamp)`;
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'models/hooked.sql': `{{ config(
  materialized='table',
  pre_hook=[{'sql': "${log('pre outside')}", 'transaction': false}, "${log('pre inside')}"],
  post_hook=[{'sql': "${log('post outside')}", 'transaction': false}, "${log('post inside')}"],
) }}
select 1 as id`,
    });
    const out = await runDvt(db, p, 'run', { select: ['hooked'] });
    expect(out.results[0]!.status).toBe('success');
    expect(plain(await query(db, p, 'select phase from run_log order by rowid'))).toEqual([
      ['start'],
      ['pre outside'],
      ['pre inside'],
      ['post inside'],
      ['post outside'],
      ['end'],
    ]);
  });

  it('a failing on-run-start hook stops the run with the hook named', async (ctx) => {
    const db = need(ctx);
    const p = shop({ 'models/schema.yml': 'version: 2\n' });
    p.write({ 'dbt_project.yml': readFileSync(join(p.dir, 'dbt_project.yml'), 'utf8').replace('create table if not exists', 'create tabel') });
    await expect(runDvt(db, p, 'run', { select: ['stg_customers'] })).rejects.toThrow(/on-run-start hook 1 failed/);
  });
});

describe('on-run-end failures', () => {
  it('keep the nodes\' results and make the run unsuccessful', async (ctx) => {
    const db = need(ctx);
    const p = shop({ 'models/schema.yml': 'version: 2\n' });
    p.write({ 'dbt_project.yml': readFileSync(join(p.dir, 'dbt_project.yml'), 'utf8').replace("values ('end', current_timestamp)", "values ('end', current_timestamp, 'one too many')") });
    const out = await runDvt(db, p, 'build', { select: ['raw_customers', 'stg_customers'] });
    expect(out.results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(out.success).toBe(false);
    expect(out.hookFailures).toEqual([expect.stringMatching(/^on-run-end hook 1 failed: /)]);
  });
});

describe('store_failures', () => {
  it('keeps the failing rows in <schema>_dbt_test__audit', async (ctx) => {
    const db = need(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'tests/odd_ids.sql': "{{ config(store_failures=true) }} select id from {{ ref('raw_customers') }} where id % 2 = 1",
    });
    const out = await runDvt(db, p, 'build', { select: ['raw_customers', 'odd_ids'] });
    expect(statusOf(out, 'odd_ids')).toBe('fail');
    const result = out.results.find((r) => r.unique_id.endsWith('odd_ids'))!;
    expect(result.relation_name).toMatch(/"main_dbt_test__audit"\."odd_ids"$/);
    expect(plain(await query(db, p, 'select id from main_dbt_test__audit.odd_ids order by id'))).toEqual([[1], [3]]);
  });

  it('keeps only the rows the test counts when it has a limit', async (ctx) => {
    const db = need(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'tests/first_odd.sql': "{{ config(store_failures=true, limit=1) }} select id from {{ ref('raw_customers') }} where id % 2 = 1 order by id",
    });
    const out = await runDvt(db, p, 'build', { select: ['raw_customers', 'first_odd'] });
    expect(out.results.find((r) => r.unique_id.endsWith('first_odd'))).toMatchObject({ status: 'fail', failures: 1 });
    expect(plain(await query(db, p, 'select id from main_dbt_test__audit.first_odd'))).toEqual([[1]]);
  });

  it('store_failures_as picks a view, or nothing (ephemeral)', async (ctx) => {
    const db = need(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'tests/as_view.sql': "{{ config(store_failures_as='view') }} select id from {{ ref('raw_customers') }} where id = 2",
      'tests/as_nothing.sql': "{{ config(store_failures=true, store_failures_as='ephemeral') }} select id from {{ ref('raw_customers') }} where id = 2",
    });
    const out = await runDvt(db, p, 'build', { select: ['raw_customers', 'as_view', 'as_nothing'] });
    expect(statusOf(out, 'as_view')).toBe('fail');
    expect(statusOf(out, 'as_nothing')).toBe('fail');
    expect(await query(db, p, "select table_name, table_type from information_schema.tables where table_schema = 'main_dbt_test__audit' order by 1")).toEqual([['as_view', 'VIEW']]);
  });
});

describe('compile and show', () => {
  it('compile returns the SQL of each node and builds nothing', async (ctx) => {
    const db = need(ctx);
    const p = shop();
    const out = await runDvt(db, p, 'compile');
    expect(out.results.every((r) => r.status === 'success')).toBe(true);
    const stg = out.results.find((r) => r.unique_id === 'model.run_shop.stg_customers')!;
    expect(stg.compiled_code).toMatch(/from "[^"]+"\."main"\."raw_customers"/);
    expect(await query(db, p, "select count(*) from information_schema.tables where table_name = 'stg_customers'")).toEqual([[0n]]);
    expect(existsSync(join(p.dir, 'target/run'))).toBe(false);
  });

  it('show returns a node\'s rows with a limit, and inline SQL', async (ctx) => {
    const db = need(ctx);
    const p = shop();
    await runDvt(db, p, 'seed');
    const project = loadProject({ projectDir: p.dir, profilesDir: p.dir, env: {} });
    const compiler = await Compiler.create({ project, adapters: { duckdb: db }, env: {} });
    compiler.parseProject();
    const node = project.nodes.get('model.run_shop.stg_customers')!;
    const shown = await showQuery({ project, compiler, node, limit: 2, resolveAdapter: async () => db });
    expect(shown.columns.map((c) => c.name)).toEqual(['customer_id', 'name', 'signup_date', 'is_active']);
    expect(shown.rows).toHaveLength(2);
    const inline = await showQuery({ project, compiler, node: inlineNode(project, 'select 40 + 2 as answer'), inline: true, limit: 5, resolveAdapter: async () => db });
    expect(inline.rows).toEqual([[42]]);
    // A statement terminator is not part of the query the limit wraps.
    const terminated = await showQuery({ project, compiler, node: inlineNode(project, 'select 40 + 2 as answer ;  \n'), inline: true, limit: 5, resolveAdapter: async () => db });
    expect(terminated.rows).toEqual([[42]]);
  });
});

/** More rows than the sample and more bytes than a full scan; row SAMPLE_ROWS + 5 holds `late` in the amount column. */
function bigSeed(late: string): { csv: string; rows: number } {
  const lines = ['id,amount,label'];
  let bytes = 0;
  for (let i = 1; bytes < FULL_SCAN_BYTES + 1000 || i <= SAMPLE_ROWS + 10; i++) {
    const line = `${i},${i === SAMPLE_ROWS + 5 ? late : String(i % 1000)},label number ${i} with some padding text`;
    lines.push(line);
    bytes += line.length + 1;
  }
  return { csv: `${lines.join('\n')}\n`, rows: lines.length - 1 };
}

describe('large seeds', () => {
  it('on a strict loader, a refused load is redone with the whole file\'s types', async (ctx) => {
    const base = need(ctx);
    const db: AdapterDefinition = { ...base, dialect: { ...base.dialect, capabilities: { ...base.dialect.capabilities, strictLoad: true } } };
    const seed = bigSeed('n/a');
    const p = shop({ 'models/schema.yml': 'version: 2\n', 'seeds/big.csv': seed.csv });
    const out = await runDvt(db, p, 'seed', { select: ['big'] });
    expect(out.results[0]).toMatchObject({ status: 'success', adapter_response: { rows_affected: seed.rows } });
    expect(await query(db, p, "select data_type from information_schema.columns where table_name = 'big' and column_name = 'amount'")).toEqual([['VARCHAR']]);
  });

  it('types from a sample, and re-infers from the whole file when the load rejects a later value', async (ctx) => {
    const db = need(ctx);
    const seed = bigSeed('2.5');
    const p = shop({ 'models/schema.yml': 'version: 2\n', 'seeds/big.csv': seed.csv });
    const out = await runDvt(db, p, 'seed', { select: ['big'] });
    expect(out.results[0]).toMatchObject({ status: 'success', adapter_response: { rows_affected: seed.rows } });
    expect(await query(db, p, "select data_type from information_schema.columns where table_name = 'big' and column_name = 'amount'")).toEqual([['DOUBLE']]);
    expect(out.events.some((e) => e.type === 'log' && /loading again with the whole file's types/.test(e.message))).toBe(true);
  });
});

describe('grants', () => {
  it('default__get_grant_sql renders one GRANT per privilege; on DuckDB (no privileges) grants are accepted and do nothing', async (ctx) => {
    const db = need(ctx);
    const p = shop({ 'models/granted.sql': "{{ config(materialized='incremental', grants={'select': ['reporter', 'analyst']}) }} select 1 as id" });
    const project = loadProject({ projectDir: p.dir, profilesDir: p.dir, env: {} });
    const compiler = await Compiler.create({ project, adapters: { duckdb: db }, env: {} });
    compiler.parseProject();
    const node = project.nodes.get('model.run_shop.customer_payments')!;
    const sql = compiler.callMacro('default__get_grant_sql', [compiler.relationOf(node), 'select', ['reporter', 'analyst']], {}, { node, adapterType: 'duckdb' });
    expect(String(sql).trim()).toMatch(/^grant select on "[^"]+"\."main"\."customer_payments" to reporter, analyst$/);
    for (let i = 0; i < 2; i++) {
      const out = await runDvt(db, p, 'run', { select: ['granted'] });
      expect(out.results.map((r) => r.status)).toEqual(['success']);
    }
  });
});

describe('seed edge cases', () => {
  it('a seed with only a header loads an empty table (integer columns, as dbt types them)', async (ctx) => {
    const db = need(ctx);
    const p = shop({ 'models/schema.yml': 'version: 2\n', 'seeds/empty.csv': 'a,b\n' });
    const out = await runDvt(db, p, 'seed', { select: ['empty'] });
    expect(out.results[0]).toMatchObject({ status: 'success', adapter_response: { rows_affected: 0 } });
    expect(await query(db, p, "select column_name, data_type from information_schema.columns where table_name = 'empty' order by ordinal_position")).toEqual([
      ['a', 'INTEGER'],
      ['b', 'INTEGER'],
    ]);
  });
});

describe('seed options', () => {
  it('quote_columns keeps header names as written; a tab delimiter works', async (ctx) => {
    const db = need(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'seeds/spaced.csv': 'Order Id\tAmount Paid\n1\t2.5\n',
      'seeds/spaced.yml': "version: 2\nseeds:\n  - name: spaced\n    config:\n      quote_columns: true\n      delimiter: \"\\t\"\n      column_types:\n        amount paid: decimal(8,3)\n",
    });
    const out = await runDvt(db, p, 'seed', { select: ['spaced'] });
    expect(out.results[0]!.status).toBe('success');
    expect(await query(db, p, "select column_name, data_type from information_schema.columns where table_name = 'spaced' order by ordinal_position")).toEqual([
      ['Order Id', 'INTEGER'],
      ['Amount Paid', 'DECIMAL(8,3)'],
    ]);
  });
});

describe('connections', () => {
  it('a target that cannot connect stops the run with a clear adapter error', async (ctx) => {
    const db = need(ctx);
    const p = shop();
    const refusing: AdapterDefinition = { ...db, connect: () => Promise.reject(new Error('connection refused')) };
    await expect(runDvt(refusing, p, 'run')).rejects.toMatchObject({
      kind: 'adapter',
      exitCode: 2,
      message: "Could not connect to 'dev' (DuckDB): connection refused",
    });
  });
});

describe('custom materializations', () => {
  it('a {% materialization %} block runs (statements need the database bridge); an unknown one is missing', async (ctx) => {
    const db = need(ctx);
    const p = shop({
      'models/schema.yml': 'version: 2\n',
      'macros/snowflake_ish.sql':
        "{% materialization dynamic_table, default %}{{ return({'relations': []}) }}{% endmaterialization %}\n" +
        "{% materialization with_statement, default %}{% call statement('main') %}{{ sql }}{% endcall %}{{ return({'relations': []}) }}{% endmaterialization %}\n",
      'models/m_custom.sql': "{{ config(materialized='dynamic_table') }} select 1 as id",
      'models/m_statement.sql': "{{ config(materialized='with_statement') }} select 1 as id",
      'models/m_unknown.sql': "{{ config(materialized='no_such_thing') }} select 1 as id",
    });
    const out = await runDvt(db, p, 'run', { select: ['m_custom', 'm_statement', 'm_unknown'] });
    const result = (name: string) => out.results.find((r) => r.unique_id.endsWith(name))!;
    expect(result('m_custom').status).toBe('success');
    expect(result('m_statement').message).toContain("reads the database while compiling, which needs the runner's database bridge");
    expect(result('m_unknown').message).toContain("materialization 'no_such_thing' of model.run_shop.m_unknown does not exist");
  });
});

describe('persist_docs', () => {
  it('writes the model and column descriptions as comments', async (ctx) => {
    const db = need(ctx);
    const p = shop({
      'models/schema.yml': `version: 2
models:
  - name: documented
    description: "Customers' first orders"
    config:
      persist_docs: {relation: true, columns: true}
    columns:
      - name: id
        description: The customer
      - name: gone
        description: Not in the table any more
`,
      'models/documented.sql': "{{ config(materialized='table') }} select 1 as id, 2 as other",
    });
    const out = await runDvt(db, p, 'run', { select: ['documented'] });
    expect(out.results[0]!.status).toBe('success');
    expect(await query(db, p, "select comment from duckdb_tables() where table_name = 'documented'")).toEqual([["Customers' first orders"]]);
    expect(await query(db, p, "select column_name, comment from duckdb_columns() where table_name = 'documented' order by column_index")).toEqual([
      ['id', 'The customer'],
      ['other', null],
    ]);
  });
});
