import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand, type RunEvent } from '../src/run/index.js';
import { connect, dropFixture, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

/**
 * `federation='target'` on the real servers: PostgreSQL -> MariaDB,
 * MariaDB -> PostgreSQL and a DuckDB file -> PostgreSQL. Each model calls
 * something only its target has (`version()` names the engine), so a pass
 * proves the SQL ran there and not in DuckDB.
 */
const fx = fixtureDir('fedtarget');
const staging = `${fx.tag}__dvt_staging`;
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let maria: Connection;

const MODELS: Record<string, string> = {
  // PostgreSQL source -> MariaDB target; orders is already on MariaDB.
  'models/maria_spend.sql': `{{ config(materialized='table', target='maria', federation='target') }}
select c.name, sum(o.amount) as total, max(version() like '%MariaDB%') as on_mariadb
from {{ source('shop', 'orders') }} o join {{ source('crm', 'customers') }} c on c.id = o.customer_id
group by c.name`,
  // MariaDB source -> PostgreSQL target.
  'models/pg_orders.sql': `{{ config(materialized='table', federation='target') }}
select o.id, o.amount, c.name, version() like 'PostgreSQL%' as on_postgres
from {{ source('shop', 'orders') }} o join {{ source('crm', 'customers') }} c on c.id = o.customer_id`,
  // DuckDB file -> PostgreSQL target; a view must become a table (its staged input is dropped).
  'models/pg_events.sql': `{{ config(materialized='view', federation='target') }}
select e.customer_id, e.kind, version() like 'PostgreSQL%' as on_postgres from {{ source('files', 'events') }} e`,
  // Only this model reads tickets: its integer WHERE term travels into the extraction, its text one does not.
  'models/pg_open_tickets.sql': `{{ config(materialized='table', federation='target') }}
select id, status from {{ source('shop', 'tickets') }} where customer_id = 1 and status = 'open'`,
  'models/pg_orders_inc.sql': `{{ config(materialized='incremental', unique_key='id', federation='target') }}
select id, amount from {{ source('shop', 'orders') }}
{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}`,
};

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  fx.write({
    'dbt_project.yml': 'name: fedtarget\nprofile: fedtarget\nconfig-version: 2\n',
    'profiles.yml': `fedtarget:
  target: pg
  outputs:
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag}, threads: 2 }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: ${fx.tag} }
    files: { type: duckdb, path: ${join(fx.dir, 'files.duckdb')}, schema: main }
`,
    'models/sources.yml': `version: 2
sources:
  - name: crm
    schema: ${fx.tag}
    tables: [{ name: customers }]
  - name: shop
    connection: maria
    schema: ${fx.tag}
    tables: [{ name: orders }, { name: tickets }]
  - name: files
    connection: files
    schema: main
    config: { cache: { max_age: 1h } }
    tables: [{ name: events }]
`,
    ...MODELS,
  });
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag }, fx.dir);
  maria = await connect(adapters.mariadb, { server: '127.0.0.1', username: 'root', schema: 'test' }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  await pg.query(`create table ${fx.tag}.customers (id int, name text, email text)`);
  await pg.query(`insert into ${fx.tag}.customers values (1, 'Ada', 'a@x'), (2, 'Grace', 'g@x'), (3, 'Zoë, "the" third', null)`);
  await maria.query(`create database ${fx.tag}`);
  await maria.query(`create table ${fx.tag}.orders (id int, customer_id int, amount decimal(12,2))`);
  await maria.query(`insert into ${fx.tag}.orders values (1, 1, 10.50), (2, 1, 4.25), (3, 2, 100.00), (4, 3, 0.01)`);
  await maria.query(`create table ${fx.tag}.tickets (id int, customer_id int, status varchar(10))`);
  await maria.query(`insert into ${fx.tag}.tickets values (1, 1, 'open'), (2, 1, 'OPEN'), (3, 1, 'closed'), (4, 2, 'open')`);
  const files = await connect(adapters.duckdb, { path: join(fx.dir, 'files.duckdb') }, fx.dir);
  await files.query('create table main.events (customer_id int, kind varchar)');
  await files.query("insert into main.events values (1, 'web'), (2, 'shop'), (3, 'web')");
  await files.close();
}, 60_000);

afterAll(() => dropFixture(fx, pg, maria, [staging]));

const logged = (events: RunEvent[], pattern: RegExp) => events.some((e) => e.type === 'log' && pattern.test(e.message));
const pgStaged = async () => (await pg.query(`select table_name from information_schema.tables where table_schema = '${staging}' order by 1`)).rows.map((r) => r[0]);
const mariaStaged = async () => (await maria.query(`select table_name from information_schema.tables where table_schema = '${staging}' order by 1`)).rows.map((r) => r[0]);
/** What stays in PostgreSQL's staging schema between runs: the events copy a cache policy keeps, and the bookkeeping of when it was loaded. */
const KEPT = ['__dvt_staging_meta', 'files__events'];

describe("federation='target' on PostgreSQL, MariaDB and a DuckDB file", () => {
  it('stages the remote inputs on the target, runs the model there in its dialect, and drops what it staged', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const outcome = await runProject(adapters, fx.dir, { select: Object.keys(MODELS).map((f) => f.slice('models/'.length, -'.sql'.length)) });
    expect(failures(outcome)).toEqual([]);

    expect((await maria.query(`select name, total, on_mariadb from ${fx.tag}.maria_spend order by total`)).rows).toEqual([
      ['Zoë, "the" third', '0.01', 1],
      ['Ada', '14.75', 1],
      ['Grace', '100.00', 1],
    ]);
    expect((await pg.query(`select id, amount, name, on_postgres from ${fx.tag}.pg_orders order by id`)).rows).toEqual([
      [1, '10.50', 'Ada', true],
      [2, '4.25', 'Ada', true],
      [3, '100.00', 'Grace', true],
      [4, '0.01', 'Zoë, "the" third', true],
    ]);
    expect((await pg.query(`select customer_id, kind, on_postgres from ${fx.tag}.pg_events order by 1`)).rows).toEqual([
      [1, 'web', true],
      [2, 'shop', true],
      [3, 'web', true],
    ]);
    expect((await pg.query(`select table_type from information_schema.tables where table_schema = '${fx.tag}' and table_name = 'pg_events'`)).rows).toEqual([['BASE TABLE']]);
    // PostgreSQL's '=' is exact: of 'open' and 'OPEN' only one row, though MariaDB sent both.
    expect((await pg.query(`select id, status from ${fx.tag}.pg_open_tickets order by id`)).rows).toEqual([[1, 'open']]);
    expect((await pg.query(`select count(*) from ${fx.tag}.pg_orders_inc`)).rows).toEqual([[4n]]);

    // The run says what moved where; orders was staged on PostgreSQL once though two models read it there.
    const ordersIntoPg = outcome.events.filter((e) => e.type === 'log' && e.message.startsWith(`moved 4 rows of source.fedtarget.shop.orders into "test"."${staging}"."shop__orders" on 'pg'`));
    expect(ordersIntoPg).toHaveLength(1);
    expect(logged(outcome.events, new RegExp(`^moved 3 rows of source\\.fedtarget\\.crm\\.customers into \`${staging}\`\\.\`crm__customers\` on 'maria'`))).toBe(true);
    expect(logged(outcome.events, /^moved 3 rows of source\.fedtarget\.files\.events into .* on 'pg' .*duckdb extract -> postgres bulkLoad/)).toBe(true);
    // Column pruning and the integer-only filter apply to staged copies.
    expect(logged(outcome.events, /^staging: crm__customers keeps 2 of 3 columns \(id, name\)$/)).toBe(true);
    expect(logged(outcome.events, /^staging: shop__tickets__for__pg_open_tickets extracts only rows where `customer_id` = 1$/)).toBe(true);
    expect(logged(outcome.events, /pg_events is materialized as 'view' but .*built as a table on 'pg' from its inputs staged there/)).toBe(true);

    // Nothing staged is left but the copy a cache policy keeps; MariaDB's staging database, left empty, is gone.
    expect(await pgStaged()).toEqual(KEPT);
    expect(await mariaStaged()).toEqual([]);
    expect((await maria.query(`select schema_name from information_schema.schemata where schema_name = '${staging}'`)).rows).toEqual([]);
  }, 120_000);

  it('compiles a model federated on the target against the staged names, in its dialect, staging nothing', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const outcome = await runProject(adapters, fx.dir, { command: 'compile', select: ['maria_spend', 'pg_open_tickets'] });
    expect(failures(outcome)).toEqual([]);
    const code = (name: string) => outcome.results.find((r) => r.unique_id === `model.fedtarget.${name}`)!.compiled_code;
    expect(code('maria_spend')).toContain(`from \`${fx.tag}\`.\`orders\` o join \`${staging}\`.\`crm__customers\` c`);
    expect(code('pg_open_tickets')).toContain(`from "test"."${staging}"."shop__tickets__for__pg_open_tickets"`);
    expect(logged(outcome.events, /^moved /)).toBe(false);
    expect(await pgStaged()).toEqual(KEPT);
    expect(await mariaStaged()).toEqual([]);
  }, 120_000);

  it('runs an incremental model natively on the target, stages only rows past its watermark subquery, and reuses a kept staged copy', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await maria.query(`insert into ${fx.tag}.orders values (5, 2, 7.00)`);
    const outcome = await runProject(adapters, fx.dir, { select: ['pg_orders_inc', 'pg_events'] });
    expect(failures(outcome)).toEqual([]);
    expect((await pg.query(`select id, amount from ${fx.tag}.pg_orders_inc order by id`)).rows).toEqual([
      [1, '10.50'],
      [2, '4.25'],
      [3, '100.00'],
      [4, '0.01'],
      [5, '7.00'],
    ]);
    // {{ this }} is the real table on PostgreSQL, not a copy of it.
    const inc = outcome.results.find((r) => r.unique_id === 'model.fedtarget.pg_orders_inc')!;
    expect(inc.compiled_code).toContain(`where id > (select max(id) from "test"."${fx.tag}"."pg_orders_inc")`);
    // Its watermark subquery, evaluated over the target's maximum ahead of the model, narrowed the model's own staged copy.
    expect(inc.compiled_code).toContain(`"${staging}"."shop__orders__for__pg_orders_inc"`);
    expect(logged(outcome.events, /^staging: shop__orders__for__pg_orders_inc extracts only rows where `id` > 4$/)).toBe(true);
    expect(inc.adapter_response).toMatchObject({ rows_moved: { inputs: { 'source.fedtarget.shop.orders': 1 }, this: 1 } });
    expect(logged(outcome.events, new RegExp(`^staging: kept "test"\\."${staging}"\\."files__events" on 'pg'`))).toBe(true);
    expect(await pgStaged()).toEqual(KEPT);
  }, 120_000);

  it('leaves the previous table as it was when the model fails on the target, and drops what it staged', async (ctx) => {
    if (skip) return ctx.skip(skip);
    fx.write({
      'models/pg_orders.sql': `{{ config(materialized='table', federation='target') }}
select o.id, o.amount / (o.id - o.id) as amount from {{ source('shop', 'orders') }} o`,
    });
    try {
      const outcome = await runProject(adapters, fx.dir, { select: ['pg_orders'] });
      expect(failures(outcome)).toEqual([expect.stringMatching(/^model\.fedtarget\.pg_orders: error [\s\S]*division by zero/)]);
      expect((await pg.query(`select count(*), bool_and(on_postgres) from ${fx.tag}.pg_orders`)).rows).toEqual([[4n, true]]);
      expect(await pgStaged()).toEqual(KEPT);
    } finally {
      fx.write({ 'models/pg_orders.sql': MODELS['models/pg_orders.sql']! });
    }
  }, 120_000);

  it('leaves the previous table as it was when the run is cancelled mid-model, and drops what it staged', async (ctx) => {
    if (skip) return ctx.skip(skip);
    fx.write({
      'models/pg_orders.sql': `{{ config(materialized='table', federation='target') }}
select o.id, o.amount from {{ source('shop', 'orders') }} o, pg_sleep(30)`,
    });
    try {
      const project = loadProject({ projectDir: fx.dir, profilesDir: fx.dir, env: {} });
      const compiler = await Compiler.create({ project, adapters, env: {} });
      compiler.parseProject();
      const controller = new AbortController();
      const events: RunEvent[] = [];
      const started = Date.now();
      const outcome = await runCommand({
        command: 'run',
        project,
        compiler,
        selection: ['model.fedtarget.pg_orders'],
        targetPath: join(fx.dir, 'target'),
        resolveAdapter: async (type) => adapters[type as EngineType],
        signal: controller.signal,
        events: (e) => {
          events.push(e);
          // Cancel once the input is staged: the model's SQL is then sleeping on PostgreSQL.
          if (e.type === 'log' && e.message.startsWith('moved 5 rows of source.fedtarget.shop.orders')) setTimeout(() => controller.abort(new Error('cancelled by the test')), 500);
        },
      });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(outcome.results.map((r) => [r.status, r.message])).toEqual([['error', expect.stringMatching(/cancel/i)]]);
      expect((await pg.query(`select count(*), bool_and(on_postgres) from ${fx.tag}.pg_orders`)).rows).toEqual([[4n, true]]);
      expect(await pgStaged()).toEqual(KEPT);
    } finally {
      fx.write({ 'models/pg_orders.sql': MODELS['models/pg_orders.sql']! });
    }
  }, 120_000);
});

describe("federation='auto'", () => {
  it('picks the target when its largest input is there or the remote rows pass the threshold, DuckDB otherwise', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await pg.query(`create table ${fx.tag}.visits as select i as id, i % 3 + 1 as customer_id from generate_series(1, 200) i`);
    await pg.query(`analyze ${fx.tag}.visits`);
    await pg.query(`analyze ${fx.tag}.customers`);
    await maria.query(`analyze table ${fx.tag}.orders`);
    // The SQL runs on either engine; `on_postgres` says which one did.
    const sql = (rows: number, local: string) => `{{ config(materialized='table', federation='auto', federation_auto_rows=${rows}) }}
select o.id, version() like 'PostgreSQL%' as on_postgres from {{ source('shop', 'orders') }} o join {{ source('crm', '${local}') }} c on c.id = o.customer_id`;
    fx.write({
      'models/auto_small.sql': sql(1000, 'customers'),
      'models/auto_over.sql': sql(2, 'customers'),
      'models/auto_local_big.sql': sql(1000, 'visits').replace('c.id = o.customer_id', 'c.customer_id = o.customer_id'),
      'models/sources.yml': `version: 2
sources:
  - name: crm
    schema: ${fx.tag}
    tables: [{ name: customers }, { name: visits }]
  - name: shop
    connection: maria
    schema: ${fx.tag}
    tables: [{ name: orders }, { name: tickets }]
  - name: files
    connection: files
    schema: main
    config: { cache: { max_age: 1h } }
    tables: [{ name: events }]
`,
    });
    const outcome = await runProject(adapters, fx.dir, { select: ['auto_small', 'auto_over', 'auto_local_big'] });
    expect(failures(outcome)).toEqual([]);
    const onPostgres = async (model: string) => (await pg.query(`select distinct on_postgres from ${fx.tag}.${model}`)).rows;
    expect(await onPostgres('auto_small')).toEqual([[false]]);
    expect(await onPostgres('auto_over')).toEqual([[true]]);
    expect(await onPostgres('auto_local_big')).toEqual([[true]]);
    expect(logged(outcome.events, /^federation='auto' runs model\.fedtarget\.auto_small in DuckDB: its remote inputs hold ~5 rows, within federation_auto_rows \(1000\)/)).toBe(true);
    expect(logged(outcome.events, /^federation='auto' runs model\.fedtarget\.auto_over on its target 'pg': its remote inputs hold ~5 rows, above federation_auto_rows \(2\)/)).toBe(true);
    expect(logged(outcome.events, /^federation='auto' runs model\.fedtarget\.auto_local_big on its target 'pg': its largest input, source\.fedtarget\.crm\.visits \(~200 rows\), is on 'pg'/)).toBe(true);
    expect((await pg.query(`select count(*) from ${fx.tag}.auto_local_big`)).rows).toEqual([[333n]]);
    expect(await pgStaged()).toEqual(KEPT);
  }, 120_000);
});

describe("config(watermark=...) with federation='target'", () => {
  it('stages only the rows past the target table maximum on an incremental run, into the model own copy', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await pg.query(`create table ${fx.tag}.signups (signup_id int, customer_id int)`);
    await pg.query(`insert into ${fx.tag}.signups values (10, 1), (11, 2)`);
    fx.write({
      // No is_incremental() filter: the watermark alone keeps the second run from appending the same rows again.
      'models/pg_orders_wm.sql': `{{ config(materialized='incremental', federation='target', watermark='id') }}
select id, amount from {{ source('shop', 'orders') }}`,
      'models/pg_wm_local.sql': `{{ config(materialized='incremental', federation='target', watermark='signup_id') }}
select s.signup_id, o.amount from {{ source('crm', 'signups') }} s join {{ source('shop', 'orders') }} o on o.customer_id = s.customer_id`,
      'models/sources.yml': `version: 2
sources:
  - name: crm
    schema: ${fx.tag}
    tables: [{ name: customers }, { name: visits }, { name: signups }]
  - name: shop
    connection: maria
    schema: ${fx.tag}
    tables: [{ name: orders }, { name: tickets }]
  - name: files
    connection: files
    schema: main
    config: { cache: { max_age: 1h } }
    tables: [{ name: events }]
`,
    });
    const first = await runProject(adapters, fx.dir, { select: ['pg_orders_wm', 'pg_wm_local'] });
    expect(failures(first)).toEqual([]);
    expect((await pg.query(`select count(*) from ${fx.tag}.pg_orders_wm`)).rows).toEqual([[5n]]);

    await maria.query(`insert into ${fx.tag}.orders values (6, 3, 1.00)`);
    const again = await runProject(adapters, fx.dir, { select: ['pg_orders_wm', 'pg_wm_local'] });
    expect(logged(again.events, new RegExp(`^moved 1 rows of source\\.fedtarget\\.shop\\.orders into "test"\\."${staging}"\\."shop__orders__for__pg_orders_wm" on 'pg'`))).toBe(true);
    expect(logged(again.events, /^staging: shop__orders__for__pg_orders_wm extracts only rows where `id` > 5$/)).toBe(true);
    expect((await pg.query(`select id, amount from ${fx.tag}.pg_orders_wm order by id`)).rows).toEqual([
      [1, '10.50'],
      [2, '4.25'],
      [3, '100.00'],
      [4, '0.01'],
      [5, '7.00'],
      [6, '1.00'],
    ]);
    const result = again.results.find((r) => r.unique_id === 'model.fedtarget.pg_orders_wm')!;
    expect(result.adapter_response).toMatchObject({ rows_moved: { inputs: { 'source.fedtarget.shop.orders': 1 } } });
    // A watermark on an input the target reads in place cannot narrow what moves: refused, naming the file.
    expect(failures(again)).toEqual([
      expect.stringMatching(/^model\.fedtarget\.pg_wm_local: error [\s\S]*models\/pg_wm_local\.sql: .*watermark column 'signup_id' is on source\.fedtarget\.crm\.signups, which 'pg' reads in place/),
    ]);
    expect(await pgStaged()).toEqual(KEPT);
  }, 120_000);

  it('narrows the staged copy with a timestamptz watermark subquery, written for MariaDB as its UTC time', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await maria.query(`create table ${fx.tag}.shipments (id int, shipped_at timestamp(6) null)`);
    await maria.query(`insert into ${fx.tag}.shipments values (1, '2024-01-01 10:00:01.5'), (2, '2024-01-01 10:00:02.5')`);
    fx.write({
      'models/pg_shipments_inc.sql': `{{ config(materialized='incremental', federation='target') }}
select id, shipped_at from {{ source('shop', 'shipments') }}
{% if is_incremental() %}where shipped_at > (select max(shipped_at) from {{ this }}){% endif %}`,
      'models/sources.yml': `version: 2
sources:
  - name: crm
    schema: ${fx.tag}
    tables: [{ name: customers }, { name: visits }, { name: signups }]
  - name: shop
    connection: maria
    schema: ${fx.tag}
    tables: [{ name: orders }, { name: tickets }, { name: shipments }]
  - name: files
    connection: files
    schema: main
    config: { cache: { max_age: 1h } }
    tables: [{ name: events }]
`,
    });
    const first = await runProject(adapters, fx.dir, { select: ['pg_shipments_inc'] });
    expect(failures(first)).toEqual([]);
    // One row exactly at the watermark (the comparison is strict: it stays behind), two past it.
    await maria.query(`insert into ${fx.tag}.shipments values (3, '2024-01-01 10:00:02.5'), (4, '2024-01-01 10:00:02.75'), (5, '2024-01-02 00:00:00')`);
    const again = await runProject(adapters, fx.dir, { select: ['pg_shipments_inc'] });
    expect(failures(again)).toEqual([]);
    expect(logged(again.events, /^staging: shop__shipments__for__pg_shipments_inc extracts only rows where `shipped_at` > '2024-01-01 10:00:02\.5'$/)).toBe(true);
    const result = again.results.find((r) => r.unique_id === 'model.fedtarget.pg_shipments_inc')!;
    expect(result.adapter_response).toMatchObject({ rows_moved: { inputs: { 'source.fedtarget.shop.shipments': 2 }, this: 1 } });
    expect((await pg.query(`select id from ${fx.tag}.pg_shipments_inc order by id`)).rows).toEqual([[1], [2], [4], [5]]);
    expect(await pgStaged()).toEqual(KEPT);
  }, 120_000);
});
