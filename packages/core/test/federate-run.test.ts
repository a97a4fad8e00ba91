import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { connect, dropFixture, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

const fx = fixtureDir('fedrun');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let maria: Connection;
let files: Connection;

const profile = () => `fed:
  target: duck
  outputs:
    duck: { type: duckdb, path: ${join(fx.dir, 'warehouse.duckdb')}, schema: main, threads: 2 }
    files: { type: duckdb, path: ${join(fx.dir, 'files.duckdb')}, schema: main }
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag} }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: ${fx.tag} }
`;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  fx.write({
    // This file is about the cache: its DuckDB-target models ask for it (unset, they would federate on their target).
    'dbt_project.yml': 'name: fed\nprofile: fed\nconfig-version: 2\nmodels:\n  +federation: duckdb\n',
    'profiles.yml': profile(),
    'models/sources.yml': `version: 2
sources:
  - name: crm
    connection: pg
    schema: ${fx.tag}
    tables: [{ name: customers }]
  - name: shop
    connection: maria
    schema: ${fx.tag}
    tables: [{ name: orders }, { name: tickets }]
  - name: files
    connection: files
    schema: main
    tables: [{ name: events }]
`,
    'models/joined.sql': `{{ config(materialized='table') }}
select c.id as customer_id, c.name, o.amount, e.kind
from {{ source('shop', 'orders') }} o
join {{ source('crm', 'customers') }} c on c.id = o.customer_id
join {{ source('files', 'events') }} e on e.customer_id = c.id`,
    'models/pg_summary.sql': `{{ config(materialized='table', target='pg') }}
select name, sum(amount) as total, count(*) as n from {{ ref('joined') }} group by name`,
    'models/maria_summary.sql': `{{ config(materialized='table', target='maria') }}
select name, total from {{ ref('pg_summary') }}`,
    'models/orders_on_pg.sql': `{{ config(materialized='view', target='pg') }}
select * from {{ source('shop', 'orders') }}`,
    'models/ada_open_tickets.sql': `{{ config(materialized='table') }}
select id, status from {{ source('shop', 'tickets') }} t where t.customer_id = 1 and status = 'open'`,
    'models/customers_inc.sql': `{{ config(materialized='incremental', unique_key='id') }}
select id, name from {{ source('crm', 'customers') }}
{% if is_incremental() %}where id > (select max(id) from {{ this }}){% endif %}`,
  });
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag }, fx.dir);
  maria = await connect(adapters.mariadb, { server: '127.0.0.1', username: 'root', schema: 'test' }, fx.dir);
  files = await connect(adapters.duckdb, { path: join(fx.dir, 'files.duckdb') }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  await pg.query(`create table ${fx.tag}.customers (id int, name text, email text)`);
  await pg.query(`insert into ${fx.tag}.customers values (1, 'Ada', 'a@x'), (2, 'Grace', 'g@x'), (3, 'Zoë, "the" third', null)`);
  await maria.query(`create database ${fx.tag}`);
  await maria.query(`create table ${fx.tag}.orders (id int, customer_id int, amount decimal(12,2))`);
  await maria.query(`insert into ${fx.tag}.orders values (1, 1, 10.50), (2, 1, 4.25), (3, 2, 100.00), (4, 3, 0.01)`);
  await maria.query(`create table ${fx.tag}.tickets (id int, customer_id int, status varchar(10))`);
  await maria.query(`insert into ${fx.tag}.tickets values (1, 1, 'open'), (2, 1, 'OPEN'), (3, 1, 'closed'), (4, 2, 'open'), (5, 1, 'open ')`);
  await files.query(`create table main.events (customer_id int, kind varchar)`);
  await files.query(`insert into main.events values (1, 'web'), (2, 'shop'), (3, 'web')`);
  await files.close();
}, 60_000);

afterAll(() => dropFixture(fx, pg, maria));

describe('federated runs across DuckDB, PostgreSQL and MariaDB', () => {
  it('builds a model joining all three engines and a cross-engine ref chain, through the cache', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const outcome = await runProject(adapters, fx.dir);
    expect(failures(outcome)).toEqual([]);
    expect(outcome.results).toHaveLength(6);

    const duck = await connect(adapters.duckdb, { path: join(fx.dir, 'warehouse.duckdb') }, fx.dir);
    try {
      expect((await duck.query('select customer_id, name, amount, kind from main.joined order by customer_id, amount')).rows).toEqual([
        [1, 'Ada', '4.25', 'web'],
        [1, 'Ada', '10.50', 'web'],
        [2, 'Grace', '100.00', 'shop'],
        [3, 'Zoë, "the" third', '0.01', 'web'],
      ]);
    } finally {
      await duck.close();
    }
    expect((await pg.query(`select name, total, n from ${fx.tag}.pg_summary order by name`)).rows).toEqual([
      ['Ada', '14.75', 2n],
      ['Grace', '100.00', 1n],
      ['Zoë, "the" third', '0.01', 1n],
    ]);
    expect((await maria.query(`select name, total from ${fx.tag}.maria_summary order by total`)).rows).toEqual([
      ['Zoë, "the" third', '0.01'],
      ['Ada', '14.75'],
      ['Grace', '100.00'],
    ]);
    // The federated view is a table on PostgreSQL, with one warning saying why.
    expect((await pg.query(`select table_type from information_schema.tables where table_schema = '${fx.tag}' and table_name = 'orders_on_pg'`)).rows).toEqual([['BASE TABLE']]);
    const warnings = outcome.events.filter((e) => e.type === 'log' && e.level === 'warn' && e.message.includes('orders_on_pg'));
    expect(warnings).toHaveLength(1);
    // Progress reports name the rows moved.
    expect(outcome.events.some((e) => e.type === 'log' && /moved 4 rows of source\.fed\.shop\.orders into cache shop__orders .*rows\/s/.test(e.message))).toBe(true);
    // Extraction keeps only the columns the run's models read (no model reads email).
    expect(outcome.events.some((e) => e.type === 'log' && e.message === 'cache: crm__customers keeps 2 of 3 columns (id, name)')).toBe(true);
    // A source only one model reads is extracted with that model's provably safe WHERE terms, into
    // its own copy. MariaDB's case- and pad-insensitive '=' sends more rows than DuckDB keeps.
    expect(outcome.events.some((e) => e.type === 'log' && e.message === "cache: shop__tickets__for__ada_open_tickets extracts only rows where `customer_id` = 1 and `status` = 'open'")).toBe(true);
    expect(outcome.events.some((e) => e.type === 'log' && e.message.startsWith('moved 3 rows of source.fed.shop.tickets into cache shop__tickets__for__ada_open_tickets'))).toBe(true);
    const duckCheck = await connect(adapters.duckdb, { path: join(fx.dir, 'warehouse.duckdb') }, fx.dir);
    try {
      expect((await duckCheck.query('select id, status from main.ada_open_tickets order by id')).rows).toEqual([[1, 'open']]);
    } finally {
      await duckCheck.close();
    }
    // Staging tables are gone; the cache holds the copies under their names.
    expect((await pg.query(`select table_name from information_schema.tables where table_schema = '${fx.tag}' and table_name like '%dvt%'`)).rows).toEqual([]);
    expect(existsSync(join(fx.dir, '.dvt', 'cache.duckdb'))).toBe(true);
    // The federated model's compiled SQL reads the cache tables.
    const joined = outcome.results.find((r) => r.unique_id === 'model.fed.joined')!;
    expect(joined.compiled_code).toContain('"main"."shop__orders"');
  }, 120_000);

  it('extracts each remote input once per run however many models read it', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const outcome = await runProject(adapters, fx.dir, { select: ['joined', 'orders_on_pg'] });
    expect(failures(outcome)).toEqual([]);
    const orderMoves = outcome.events.filter((e) => e.type === 'log' && e.message.includes('of source.fed.shop.orders into cache'));
    expect(orderMoves).toHaveLength(1);
  }, 120_000);

  it('runs an incremental model on the target table copied for {{ this }}, appending only new rows', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await pg.query(`insert into ${fx.tag}.customers values (4, 'Hedy', 'h@x')`);
    const outcome = await runProject(adapters, fx.dir, { select: ['customers_inc'] });
    expect(failures(outcome)).toEqual([]);
    expect(outcome.results[0]!.compiled_code).toContain('from "main"."__this__customers_inc"');
    const duck = await connect(adapters.duckdb, { path: join(fx.dir, 'warehouse.duckdb') }, fx.dir);
    try {
      expect((await duck.query('select id, name from main.customers_inc order by id')).rows).toEqual([
        [1, 'Ada'],
        [2, 'Grace'],
        [3, 'Zoë, "the" third'],
        [4, 'Hedy'],
      ]);
    } finally {
      await duck.close();
    }
  }, 120_000);

  it('keeps a cache copy younger than its cache max_age between runs; --full-refresh extracts again', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const sources = (await import('node:fs')).readFileSync(join(fx.dir, 'models/sources.yml'), 'utf8');
    fx.write({ 'models/sources.yml': sources.replace('  - name: files\n', '  - name: files\n    config: { cache: { max_age: 1h } }\n') });
    const kept = (e: { type: string; message?: string }) => e.type === 'log' && e.message === 'cache: kept files__events (younger than its max age)';
    // Earlier runs left a copy; a full refresh loads it anew, ignoring the policy.
    const first = await runProject(adapters, fx.dir, { select: ['joined'], fullRefresh: true });
    expect(failures(first)).toEqual([]);
    expect(first.events.some(kept)).toBe(false);
    const duckFiles = await connect(adapters.duckdb, { path: join(fx.dir, 'files.duckdb') }, fx.dir);
    await duckFiles.query(`update main.events set kind = 'app' where customer_id = 1`);
    await duckFiles.close();
    const second = await runProject(adapters, fx.dir, { select: ['joined'] });
    expect(failures(second)).toEqual([]);
    expect(second.events.some(kept)).toBe(true);
    const kinds = async () => {
      const duck = await connect(adapters.duckdb, { path: join(fx.dir, 'warehouse.duckdb') }, fx.dir);
      try {
        return (await duck.query('select distinct kind from main.joined where customer_id = 1')).rows;
      } finally {
        await duck.close();
      }
    };
    expect(await kinds()).toEqual([['web']]);
    const refreshed = await runProject(adapters, fx.dir, { select: ['joined'], fullRefresh: true });
    expect(refreshed.events.some(kept)).toBe(false);
    expect(await kinds()).toEqual([['app']]);
  }, 120_000);

  it('compiles a federated model (dvt compile) against the cache tables, moving nothing', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const outcome = await runProject(adapters, fx.dir, { select: ['pg_summary', 'joined'], command: 'compile' });
    expect(failures(outcome)).toEqual([]);
    const summary = outcome.results.find((r) => r.unique_id === 'model.fed.pg_summary')!;
    expect(summary.compiled_code).toContain('from "main"."__model__joined"');
    expect(outcome.events.some((e) => e.type === 'log' && e.message.startsWith('moved '))).toBe(false);
  }, 60_000);
});
