import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { connect, dropFixture, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

/**
 * Hooks of a federated model (in DuckDB or with `federation='target'`) run on
 * its target with the target's own materialization, and see what dbt's hooks
 * would see there:
 * `is_incremental()` true on a second incremental run, `{{ this }}` the
 * model's table on the target (never a cache or staging name).
 */
const fx = fixtureDir('fedhooks');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let maria: Connection;

const audit = (when: string) =>
  `insert into {{ target.schema }}.hook_audit (phase, incremental, this_name, this_rows) values ('${when}', {{ 'true' if is_incremental() else 'false' }}, '{{ this }}', {{ '(select count(*) from ' ~ this ~ ')' if is_incremental() else 'null' }})`;

const incremental = (federation: string) => `{{ config(materialized='incremental', unique_key='id'${federation}, pre_hook="${audit('pre')}", post_hook="${audit('post')}") }}
select id, amount from {{ source('shop', 'orders') }}
{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}
`;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  fx.write({
    'dbt_project.yml': 'name: fedhooks\nprofile: fedhooks\nconfig-version: 2\n',
    'profiles.yml': `fedhooks:
  target: pg
  outputs:
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag} }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: ${fx.tag} }
`,
    'models/sources.yml': `version: 2
sources:
  - name: shop
    connection: maria
    schema: ${fx.tag}
    tables: [{ name: orders }]
`,
    'models/orders_copy.sql': incremental(''),
    'models/orders_on_target.sql': incremental(", federation='target'"),
  });
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag }, fx.dir);
  maria = await connect(adapters.mariadb, { server: '127.0.0.1', username: 'root', schema: 'test' }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  await pg.query(`create table ${fx.tag}.hook_audit (run_at int generated always as identity, phase text, incremental boolean, this_name text, this_rows int)`);
  await maria.query(`create database ${fx.tag}`);
  await maria.query(`create table ${fx.tag}.orders (id int, amount int)`);
  await maria.query(`insert into ${fx.tag}.orders values (1, 10), (2, 20)`);
}, 60_000);

afterAll(() => dropFixture(fx, pg, maria));

describe('hooks of a federated model', () => {
  it('see is_incremental() and {{ this }} as on the target: false on the first run, true on the second', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const first = await runProject(adapters, fx.dir);
    expect(failures(first)).toEqual([]);
    const moved = (run: typeof first, model: string) => run.results.find((r) => r.unique_id === `model.fedhooks.${model}`)!.adapter_response;
    expect(moved(first, 'orders_copy')).toMatchObject({ rows_moved: { inputs: { 'source.fedhooks.shop.orders': 2 } } });
    await maria.query(`insert into ${fx.tag}.orders values (3, 30)`);
    const second = await runProject(adapters, fx.dir);
    expect(failures(second)).toEqual([]);
    // Both second runs federated incrementally: one new row moved.
    expect(moved(second, 'orders_copy')).toMatchObject({ rows_moved: { inputs: { 'source.fedhooks.shop.orders': 1 } } });
    expect(moved(second, 'orders_on_target')).toMatchObject({ rows_moved: { inputs: { 'source.fedhooks.shop.orders': 1 } } });
    for (const model of ['orders_copy', 'orders_on_target']) {
      const table = `"test"."${fx.tag}"."${model}"`;
      const audited = await pg.query(`select phase, incremental, this_rows from ${fx.tag}.hook_audit where this_name = '${table.replaceAll("'", "''")}' order by run_at`);
      expect(audited.rows, model).toEqual([
        ['pre', false, null],
        ['post', false, null],
        ['pre', true, 2],
        ['post', true, 3],
      ]);
    }
  }, 120_000);
});
