import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MARIADB, POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogsUnder, onMariadb, onPostgres, threeEngineProfile, uniqueTag, writeFiles } from './engines.js';
import { dvt, tempDir } from './helpers.js';

const skip = (await serviceSkipReason(POSTGRES)) ?? (await serviceSkipReason(MARIADB));
const tag = uniqueTag('show');

/** Orders on PostgreSQL, customers on MariaDB, the default target a DuckDB file; models join them or live on PostgreSQL. */
function project(): string {
  const dir = tempDir();
  writeFiles(dir, {
    'dbt_project.yml': 'name: preview\nprofile: preview\n',
    'profiles.yml': threeEngineProfile('preview', tag),
    'models/sources.yml': `sources:
  - name: shop
    connection: pg
    schema: ${tag}
    tables: [{ name: orders }]
  - name: crm
    connection: maria
    schema: ${tag}
    tables: [{ name: customers }]
`,
    'models/revenue_by_customer.sql':
      "select c.name, sum(o.amount) as revenue, count(*) as orders\nfrom {{ source('shop', 'orders') }} o\njoin {{ source('crm', 'customers') }} c on c.id = o.customer_id\nwhere o.status = 'paid'\ngroup by c.name\n",
    'models/order_amounts.sql': "{{ config(target='pg', materialized='table') }}\nselect id, amount from {{ source('shop', 'orders') }}\n",
  });
  return dir;
}

interface ShowEvent {
  info: { name: string; msg: string };
  data: { columns?: string[]; rows?: Record<string, unknown>[] };
}

async function cacheTables(dir: string, sql = 'select table_name from information_schema.tables'): Promise<string[]> {
  const { default: duckdb } = await import('@dvt/adapter-duckdb');
  const conn = await duckdb.connect({ path: join(dir, '.dvt', 'cache.duckdb') }, { projectDir: dir, logger: { debug() {}, info() {}, warn() {} } });
  try {
    return (await conn.query(sql)).rows.map((r) => String(r[0]));
  } finally {
    await conn.close();
  }
}

function events(stdout: string): ShowEvent[] {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as ShowEvent);
}

describe.skipIf(skip)(`dvt show pulls inputs from PostgreSQL and MariaDB into DuckDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    await onPostgres(`create schema "${tag}"`);
    await onPostgres(`create table "${tag}".orders (id int, customer_id int, amount numeric(10,2), status text, note text)`);
    await onPostgres(`insert into "${tag}".orders select g, g % 4, g * 1.5, case when g % 2 = 0 then 'paid' else 'open' end, 'n' || g from generate_series(1, 2000) g`);
    await onMariadb(`create database \`${tag}\``);
    await onMariadb(`create table \`${tag}\`.customers (id int, name varchar(40))`);
    await onMariadb(`insert into \`${tag}\`.customers values (0, 'zero'), (1, 'one'), (2, 'two'), (3, 'three')`);
  });
  afterAll(async () => {
    await onPostgres(`drop schema if exists "${tag}" cascade`);
    await onMariadb(`drop database if exists \`${tag}\``);
  });

  it('runs a model joining both engines in DuckDB and creates nothing on any target', async () => {
    const dir = project();
    const before = await catalogsUnder(tag);
    const r = dvt(['show', '-s', 'revenue_by_customer', '--log-format', 'json'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    const shown = events(r.stdout).find((e) => e.info.name === 'ShowNode')!;
    expect(shown.data.columns).toEqual(['name', 'revenue', 'orders']);
    // Paid orders are the even ids: customers 0 and 2, 500 orders each.
    const rows = shown.data.rows!.map((row) => [row.name, Number(row.revenue), Number(row.orders)]).sort();
    expect(rows).toEqual([
      ['two', 750000, 500],
      ['zero', 751500, 500],
    ]);
    const moves = events(r.stdout).filter((e) => e.info.name === 'ShowPlacement').map((e) => e.info.msg);
    expect(moves.some((m) => /^moved 2000 rows of source\.preview\.shop\.orders from 'pg'/.test(m)), moves.join('\n')).toBe(true);
    expect(moves.some((m) => /^moved 4 rows of source\.preview\.crm\.customers from 'maria'/.test(m)), moves.join('\n')).toBe(true);
    expect(await catalogsUnder(tag)).toEqual(before);
    // The default target (a DuckDB file) was not even opened; the cache keeps no preview copy.
    expect(existsSync(join(dir, 'dev.duckdb'))).toBe(false);
    expect(await cacheTables(dir)).not.toContainEqual(expect.stringMatching(/__show$/));
    // Nor their bookkeeping.
    expect(await cacheTables(dir, 'select table_name from main.__dvt_cache_meta')).toEqual([]);
  });

  it('moves only --limit rows of a plain projection, and only the rows a safe WHERE keeps', async () => {
    const dir = project();
    const before = await catalogsUnder(tag);
    const model = dvt(['show', '-s', 'order_amounts', '--limit', '3', '--log-format', 'json', '--debug'], { cwd: dir });
    expect(model.code, model.output).toBe(0);
    const shown = events(model.stdout).find((e) => e.info.name === 'ShowNode')!;
    expect(shown.data.columns).toEqual(['id', 'amount']);
    expect(shown.data.rows).toHaveLength(3);
    const modelLog = events(model.stdout).map((e) => e.info.msg);
    expect(modelLog).toContain("order_amounts runs in DuckDB on copies of source.preview.shop.orders (from 'pg')");
    expect(modelLog.some((m) => /^moved 3 rows of source\.preview\.shop\.orders from 'pg' into the cache \(limited to 3\)/.test(m)), modelLog.join('\n')).toBe(true);
    expect(modelLog).toContain('cache: shop__orders__show keeps 2 of 5 columns (id, amount)');

    const inline = dvt(['show', '--inline', "select id, status from {{ source('shop', 'orders') }} where id >= 1990 order by id", '--limit', '4', '--log-format', 'json', '--debug'], { cwd: dir });
    expect(inline.code, inline.output).toBe(0);
    const inlineShown = events(inline.stdout).find((e) => e.info.name === 'ShowNode')!;
    expect(inlineShown.data.rows).toEqual([
      { id: 1990, status: 'paid' },
      { id: 1991, status: 'open' },
      { id: 1992, status: 'paid' },
      { id: 1993, status: 'open' },
    ]);
    const inlineLog = events(inline.stdout).map((e) => e.info.msg);
    // The ORDER BY keeps the limit out of extraction; the WHERE travels.
    expect(inlineLog.some((m) => /^moved 11 rows of source\.preview\.shop\.orders from 'pg' into the cache in/.test(m)), inlineLog.join('\n')).toBe(true);
    expect(await catalogsUnder(tag)).toEqual(before);
  });

  it('an inline query reading no ref() or source() runs on the target as written', () => {
    const dir = project();
    const r = dvt(['show', '--target', 'pg', '--inline', `select count(*) as n from "${tag}".orders`, '--log-format', 'json'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(events(r.stdout).find((e) => e.info.name === 'ShowNode')!.data.rows).toEqual([{ n: '2000' }]);
  });

  it('a missing input is a clean error naming it, with nothing left in the cache', async () => {
    const dir = project();
    writeFiles(dir, { 'models/reads_missing.sql': "select * from {{ ref('order_amounts') }}\n" });
    const r = dvt(['show', '-s', 'reads_missing'], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/model\.preview\.order_amounts \("test"\."dvt_cli_show_\w+"\."order_amounts"\) does not exist on PostgreSQL/);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(await cacheTables(dir)).not.toContainEqual(expect.stringMatching(/__show$/));
  });
});
