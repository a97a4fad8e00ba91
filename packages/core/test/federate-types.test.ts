import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection, Value } from '../src/adapter/contract.js';
import { connect, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

/**
 * The type round trip of every direction among DuckDB, PostgreSQL and
 * MariaDB: a table of edge values on one engine, a federated model on
 * another selecting all of it, and the values read back equal.
 */
const fx = fixtureDir('fedtypes');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
const conns: Partial<Record<string, Connection>> = {};

type Engine = 'pg' | 'maria' | 'duck';
const ENGINES: Engine[] = ['pg', 'maria', 'duck'];

const DDL: Record<Engine, string> = {
  pg: `(id int, flag boolean, big bigint, amount numeric(38,9), ratio double precision, label text, day date, moment timestamp, moment_tz timestamptz, doc json)`,
  duck: `(id integer, flag boolean, big bigint, amount decimal(38,9), ratio double, label varchar, day date, moment timestamp, moment_tz timestamptz, doc json)`,
  maria: `(id int, flag boolean, big bigint, amount decimal(38,9), ratio double, label text, day date, moment datetime(6), moment_tz timestamp(6) null, doc json)`,
};

const LABELS = ['Zoë 日本語 🎉', '', 'a "quoted", comma\nnew line\r\n\ttab \\ backslash', 'NULL', '\\N'];
const ROWS: string[][] = [
  ['1', 'null', 'null', 'null', 'null', 'null', 'null', 'null', 'null', 'null'],
  ['2', 'true', '9223372036854775807', "'12345678901234567890123456789.123456789'", '0.1', 'L0', "'2024-02-29'", "'2024-02-29 23:59:59.123456'", "'2024-02-29 23:59:59.123456+00'", `'{"a": [1, 2, {"b": null}], "s": "é"}'`],
  ['3', 'false', '-9223372036854775808', "'-99999999999999999999999999999.999999999'", '-1.5e300', 'L1', "'1970-01-01'", "'1999-12-31 00:00:00'", "'2038-01-01 00:00:00.5+00'", `'[]'`],
  ['4', 'true', '0', "'0.000000001'", '0', 'L2', "'9999-12-31'", "'2000-01-01 12:34:56.000001'", "'1999-06-30 10:00:00+00'", `'"text"'`],
  ['5', 'false', '-1', "'0'", '3.141592653589793', 'L3', "'0001-01-01'", "'1000-01-01 00:00:00'", "'2001-01-01 00:00:01+00'", `'{}'`],
  ['6', 'true', '1', "'1'", '2.5', 'L4', "'2000-01-01'", "'2000-01-01 00:00:00'", "'2001-01-01 00:00:01+00'", `'null'`],
];

function literal(engine: Engine, value: string): string {
  const m = /^L(\d)$/.exec(value);
  // MariaDB's TIMESTAMP takes no offset: its session runs in UTC.
  if (!m) return engine === 'maria' ? value.replace(/\+00'$/, "'") : value;
  const text = LABELS[Number(m[1])]!;
  // Standard SQL quoting; MariaDB also needs backslashes doubled (its default escapes).
  return engine === 'maria' ? `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}'` : `'${text.replace(/'/g, "''")}'`;
}

const configs = () => ({
  pg: { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag },
  maria: { server: '127.0.0.1', username: 'root', schema: fx.tag },
  duck: { path: join(fx.dir, 'sources.duckdb'), schema: 'main' },
  duck_target: { path: join(fx.dir, 'warehouse.duckdb'), schema: 'main' },
});

const sourceSchema = (engine: Engine) => (engine === 'duck' ? 'main' : fx.tag);
const targetName = (engine: Engine) => (engine === 'duck' ? 'duck_target' : engine);
const relationOn = (engine: Engine, table: string) => (engine === 'duck' ? `main.${table}` : `${fx.tag}.${table}`);

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  const c = configs();
  const models: Record<string, string> = {};
  for (const from of ENGINES) {
    for (const to of ENGINES) {
      if (from === to) continue;
      models[`models/rt_${from}_to_${to}.sql`] = `{{ config(materialized='table', target='${targetName(to)}') }}\nselect * from {{ source('${from}_src', 'types') }}`;
    }
  }
  // An unconstrained numeric, through the cache (a MariaDB target) and staged on the DuckDB target.
  models['models/loose_pg_to_maria.sql'] = `{{ config(materialized='table', target='maria') }}\nselect * from {{ source('pg_src', 'loose') }}`;
  models['models/loose_pg_to_duck.sql'] = `{{ config(materialized='table', target='duck_target') }}\nselect * from {{ source('pg_src', 'loose') }}`;
  models['models/bulk_pg_to_maria.sql'] = `{{ config(materialized='table', target='maria') }}\nselect * from {{ source('pg_src', 'bulk') }}`;
  models['models/bulk_maria_to_duck.sql'] = `{{ config(materialized='table', target='duck_target') }}\nselect * from {{ ref('bulk_pg_to_maria') }}`;
  models['models/bulk_duck_to_pg.sql'] = `{{ config(materialized='table', target='pg') }}\nselect * from {{ ref('bulk_maria_to_duck') }}`;
  fx.write({
    'dbt_project.yml': 'name: fedtypes\nprofile: fedtypes\nconfig-version: 2\n',
    'profiles.yml': `fedtypes:
  target: duck_target
  outputs:
    duck_target: { type: duckdb, path: ${c.duck_target.path}, schema: main }
    duck: { type: duckdb, path: ${c.duck.path}, schema: main }
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag} }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: ${fx.tag} }
`,
    'models/sources.yml': `version: 2\nsources:\n${ENGINES.map((e) => `  - name: ${e}_src\n    connection: ${e}\n    schema: ${sourceSchema(e)}\n    tables: [{ name: types }, { name: bulk }, { name: loose }, { name: wide }]\n`).join('')}`,
    ...models,
  });
  conns.pg = await connect(adapters.postgres, c.pg, fx.dir);
  conns.maria = await connect(adapters.mariadb, { ...c.maria, schema: 'test' }, fx.dir);
  await conns.pg.query(`create schema ${fx.tag}`);
  await conns.maria.query(`create database ${fx.tag} character set utf8mb4`);
  conns.duck = await connect(adapters.duckdb, c.duck, fx.dir);
  for (const engine of ENGINES) {
    const conn = conns[engine]!;
    await conn.query(`create table ${relationOn(engine, 'types')} ${DDL[engine]}`);
    const values = ROWS.map((row) => `(${row.map((v) => literal(engine, v)).join(', ')})`).join(', ');
    await conn.query(`insert into ${relationOn(engine, 'types')} values ${values}`);
  }
  await conns.pg.query(`create table ${fx.tag}.loose (id int, x numeric)`);
  await conns.pg.query(`insert into ${fx.tag}.loose values (1, 1::numeric / 3), (2, -12345678901234567.125), (3, null), (4, 1.5), (5, 100)`);
  await conns.pg.query(`create table ${fx.tag}.wide (id int, x numeric)`);
  await conns.pg.query(`insert into ${fx.tag}.wide values (1, 1234567890123456789012345678901.5), (2, 0.000000000001)`);
  await conns.pg.query(`create table ${fx.tag}.bulk as select g as id, md5(g::text) || case when g % 7 = 0 then ' ,"x"' else '' end as s, (g * 1.25)::numeric(14,2) as amount from generate_series(1, 50000) g`);
  await conns.duck.close();
  delete conns.duck;
}, 120_000);

afterAll(async () => {
  if (conns.pg) {
    await conns.pg.query(`drop schema if exists ${fx.tag} cascade`);
    await conns.pg.close();
  }
  if (conns.maria) {
    await conns.maria.query(`drop database if exists ${fx.tag}`);
    await conns.maria.close();
  }
  fx.cleanup();
});

/** Values compared as what they mean: JSON by structure, numbers by value. */
function comparable(column: string, value: Value): unknown {
  if (value === null) return null;
  if (column === 'doc') return JSON.parse(String(value));
  if (column === 'ratio') return Number(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

async function rows(engine: Engine | 'duck_target', table: string): Promise<Record<string, unknown>[]> {
  const c = configs();
  const own = engine === 'duck' || engine === 'duck_target' ? await connect(adapters.duckdb, engine === 'duck' ? c.duck : c.duck_target, fx.dir) : undefined;
  const conn = own ?? conns[engine]!;
  try {
    const result = await conn.query(`select * from ${engine === 'duck_target' ? `main.${table}` : relationOn(engine, table)} order by id`);
    return result.rows.map((row) => Object.fromEntries(result.columns.map((col, i) => [col.name, comparable(col.name, row[i]!)])));
  } finally {
    await own?.close();
  }
}

describe('type round trips between every pair of DuckDB, PostgreSQL and MariaDB', () => {
  let outcome: Awaited<ReturnType<typeof runProject>>;
  beforeAll(async () => {
    if (!skip) outcome = await runProject(adapters, fx.dir, { threads: 2 });
  }, 300_000);

  it('builds every direction', (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(failures(outcome)).toEqual([]);
  });

  for (const from of ENGINES) {
    for (const to of ENGINES) {
      if (from === to) continue;
      it(`${from} -> ${to}: nulls, unicode, 38-digit decimals, bigint extremes, timestamps, dates, booleans, JSON`, async (ctx) => {
        if (skip) return ctx.skip(skip);
        const expected = await rows(from, 'types');
        expect(expected).toHaveLength(ROWS.length);
        expect(expected.map((r) => r.label)).toContain(LABELS[0]);
        const actual = await rows(to === 'duck' ? 'duck_target' : to, `rt_${from}_to_${to}`);
        expect(actual).toEqual(expected);
      });
    }
  }

  it('an unconstrained numeric keeps every digit in DuckDB: the column takes the narrowest decimal that holds its values', async (ctx) => {
    if (skip) return ctx.skip(skip);
    // Decimals compare as written without trailing zeros (MariaDB pads to the column's scale).
    const plain = (v: unknown) => (v === null ? null : String(v).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, ''));
    const expected = [[1, '0.33333333333333333333'], [2, '-12345678901234567.125'], [3, null], [4, '1.5'], [5, '100']];
    expect((await conns.pg!.query(`select id, x from ${fx.tag}.loose order by id`)).rows.map(([id, x]) => [Number(id), plain(x)])).toEqual(expected);
    for (const [engine, table] of [['maria', 'loose_pg_to_maria'], ['duck_target', 'loose_pg_to_duck']] as const) {
      const got = await rows(engine, table);
      expect(got.map((r) => [Number(r.id), plain(r.x)]), table).toEqual(expected);
    }
  });

  it('an unconstrained numeric no DuckDB decimal holds fails its move, naming the column', async (ctx) => {
    if (skip) return ctx.skip(skip);
    fx.write({ 'models/wide_pg_to_duck.sql': `{{ config(materialized='table', target='duck_target') }}\nselect * from {{ source('pg_src', 'wide') }}` });
    const wide = await runProject(adapters, fx.dir, { select: ['wide_pg_to_duck'] });
    expect(failures(wide).join('\n')).toMatch(/column x \(an unconstrained numeric\) has values needing 31 digits before the point and 12 after, more than the 38/);
  });

  it('a 50,000-row chain pg -> maria -> duck -> pg keeps count and checksum', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const checksum = `select count(*), sum(id), sum(amount), sum(length(s)), md5(string_agg(s, '|' order by id)) from`;
    const source = (await conns.pg!.query(`${checksum} ${fx.tag}.bulk`)).rows;
    const back = (await conns.pg!.query(`${checksum} ${fx.tag}.bulk_duck_to_pg`)).rows;
    expect(source[0]![0]).toBe(50000n);
    expect(back).toEqual(source);
    const onMaria = (await conns.maria!.query(`select count(*), sum(id), sum(amount) from ${fx.tag}.bulk_pg_to_maria`)).rows;
    expect(onMaria.map((r) => r.map(String))).toEqual([source[0]!.slice(0, 3).map(String)]);
  });
});
