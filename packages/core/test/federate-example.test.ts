import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { connect, dropFixture, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

/** docs/examples/federation, built from scratch and then incrementally, on the real servers. */
const example = join(import.meta.dirname, '../../../docs/examples/federation');
const fx = fixtureDir('fedexample');
const env = { DVT_FEDERATION_PG_SCHEMA: fx.tag, DVT_FEDERATION_MARIADB_SCHEMA: fx.tag };
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let maria: Connection;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  cpSync(example, fx.dir, { recursive: true, filter: (src) => !/[/\\](target|\.dvt|[^/\\]+\.duckdb)$/.test(src) });
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: 'public' }, fx.dir);
  maria = await connect(adapters.mariadb, { server: '127.0.0.1', username: 'root', schema: 'test' }, fx.dir);
});

afterAll(() => dropFixture(fx, pg, maria));

describe('the federation example project', () => {
  it('seeds its sources on three engines, then runs and tests every node from scratch', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const seeded = await runProject(adapters, fx.dir, { command: 'seed', env });
    expect(failures(seeded)).toEqual([]);
    expect(seeded.results).toHaveLength(3);
    // Not `build`: the sources are seeds, and nothing in the DAG orders a model after the reload of a seed it reads as a source.
    const built = await runProject(adapters, fx.dir, { command: 'run', env });
    expect(failures(built)).toEqual([]);
    expect(built.results).toHaveLength(4);
    const tested = await runProject(adapters, fx.dir, { command: 'test', env });
    expect(failures(tested)).toEqual([]);
    expect(tested.results).toHaveLength(4);
    expect((await pg.query(`select country, customers, revenue from ${fx.tag}.revenue_by_country order by country`)).rows).toEqual([
      ['AT', 1n, 7.25],
      ['GB', 1n, 24.99],
      ['SE', 1n, 42],
      ['US', 2n, 383.25],
    ]);
    expect((await maria.query(`select country, revenue from ${fx.tag}.top_countries order by country`)).rows).toEqual([['US', 383.25]]);
    expect((await pg.query(`select count(*) from ${fx.tag}.orders_mirror`)).rows).toEqual([[7n]]);
  }, 180_000);

  it('runs again incrementally: the mirror takes only the new order', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await maria.query(`insert into ${fx.tag}.orders values (108, 3, 9.99, '2024-05-01 00:00:00')`);
    const again = await runProject(adapters, fx.dir, { command: 'run', env });
    expect(failures(again)).toEqual([]);
    const mirror = again.results.find((r) => r.unique_id === 'model.federation.orders_mirror')!;
    expect(mirror.compiled_code).toContain('__this__orders_mirror');
    // The watermark travelled into MariaDB: one order moved (customer_activity still read all of them, from its own copy),
    // and of the mirror on PostgreSQL only its maximum ordered_at.
    expect(mirror.adapter_response.rows_moved).toEqual({ inputs: { 'source.federation.shop.orders': 1 }, this: 1, result: 1 });
    const all = (await pg.query(`select * from ${fx.tag}.orders_mirror order by order_id`)).rows;
    expect((await pg.query(`select order_id, amount from ${fx.tag}.orders_mirror where order_id > 106 order by order_id`)).rows, JSON.stringify(all, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).toEqual([
      [107, 12.75],
      [108, 9.99],
    ]);
    expect((await pg.query(`select count(*) from ${fx.tag}.orders_mirror`)).rows).toEqual([[8n]]);
  }, 180_000);
});
