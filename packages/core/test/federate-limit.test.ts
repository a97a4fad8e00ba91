import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { limitTravels } from '../src/federate/limit.js';
import { connect, loadAdapters } from './federate-support.js';

let duckdb: AdapterDefinition;
let conn: Connection;
let skip: string | undefined;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  ({ duckdb } = loaded);
  conn = await connect(duckdb, { path: ':memory:' }, '.');
});
afterAll(async () => conn?.close());

async function travels(sql: string, table = 'src__orders') {
  const serialized = (await conn.query(`select json_serialize_sql(${duckdb.dialect.quoteLiteral(sql)})`)).rows[0]![0];
  return limitTravels(String(serialized), table);
}
const T = 'from "main"."src__orders"';

describe('a preview limit pushed into extraction (DuckDB parse tree)', () => {
  it('travels when every input row is one output row: columns, *, constants, casts', async (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const sql of [`select * ${T}`, `select id, status as s, 1 as one, cast(id as varchar) ${T} o`, `select * exclude (note) ${T}`, 'select id from src__orders']) {
      expect(await travels(sql), sql).toBe(true);
    }
  });

  it('never travels past a WHERE, aggregate, GROUP BY, DISTINCT, ORDER BY, LIMIT, window, join, CTE, subquery, sample or set operation', async (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const sql of [
      `select * ${T} where id > 5`,
      `select count(*) ${T}`,
      `select status ${T} group by status`,
      `select distinct status ${T}`,
      `select * ${T} order by id`,
      `select * ${T} limit 3`,
      `select id, row_number() over () ${T}`,
      `select lower(status) ${T}`,
      `select * replace (1 as id) ${T}`,
      `select o.id ${T} o join main.other c on c.id = o.id`,
      `with x as (select * ${T}) select * from x`,
      `select * from (select * ${T}) s`,
      `select * ${T} using sample 10%`,
      `select id ${T} union all select id ${T}`,
      `select * from main.other`,
      'select * from other_db.main.src__orders',
      'not sql at all',
    ]) {
      expect(await travels(sql), sql).toBe(false);
    }
  });
});
