import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, ColumnMeta, Connection } from '../src/adapter/contract.js';
import { commonTerms, pushableTerms, renderPushedTerms } from '../src/federate/filters.js';
import { connect, loadAdapters } from './federate-support.js';

let duckdb: AdapterDefinition;
let postgres: AdapterDefinition;
let conn: Connection;
let skip: string | undefined;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  ({ duckdb, postgres } = loaded);
  conn = await connect(duckdb, { path: ':memory:' }, '.');
});
afterAll(async () => conn?.close());

async function terms(sql: string, table = 'src__orders') {
  const serialized = (await conn.query(`select json_serialize_sql(${duckdb.dialect.quoteLiteral(sql)})`)).rows[0]![0];
  return pushableTerms(String(serialized), table);
}
const T = 'from "main"."src__orders"';

describe('filters pushed into extraction (DuckDB parse tree)', () => {
  it('takes AND-ed column-constant terms of a single-table WHERE, mirrored when the constant comes first', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(await terms(`select id ${T} o where o.status = 'paid' and 10 < id and note is not null and amount is null`)).toEqual([
      { column: 'status', op: '=', value: 'paid' },
      { column: 'id', op: '>', value: 10 },
      { column: 'note', op: 'is not null' },
      { column: 'amount', op: 'is null' },
    ]);
  });

  it('still takes the WHERE under GROUP BY, DISTINCT, windows and LIMIT (it applies first), but never the LIMIT', async (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const sql of [
      `select status, count(*) ${T} where id > 5 group by status`,
      `select distinct status ${T} where id > 5`,
      `select id, row_number() over (order by id) ${T} where id > 5`,
      `select id ${T} where id > 5 order by id limit 3`,
    ]) {
      expect(await terms(sql), sql).toEqual([{ column: 'id', op: '>', value: 5 }]);
    }
  });

  it('pushes nothing from joins (outer or not), CTEs, subqueries, samples or other tables', async (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const sql of [
      `select o.id ${T} o left join main.other c on c.id = o.id where o.id = 1`,
      `select o.id ${T} o join main.other c on c.id = o.id where o.id = 1`,
      `with x as (select * ${T} where id = 1) select * from x where id = 1`,
      `select * from (select * ${T} where id = 1) s where id = 1`,
      `select * ${T} using sample 10% where id = 1`,
      `select * from main.other where id = 1`,
    ]) {
      expect(await terms(sql), sql).toEqual([]);
    }
  });

  it('leaves out ORs, string comparisons other than =, select-list aliases, unsafe integers and expressions', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(await terms(`select id ${T} where id = 1 or id = 2`)).toEqual([]);
    expect(await terms(`select id ${T} where status <> 'x' and status > 'a'`)).toEqual([]);
    expect(await terms(`select amount * 2 as doubled ${T} where doubled > 4`)).toEqual([]);
    expect(await terms(`select id ${T} where id > 9007199254740993`)).toEqual([]);
    expect(await terms(`select id ${T} where id + 1 > 3 and lower(status) = 'x' and amount > 1.5`)).toEqual([]);
  });

  it('keeps only terms both compilations agree on', () => {
    expect(commonTerms([{ column: 'a', op: '=', value: 1 }, { column: 'b', op: 'is null' }], [{ column: 'B', op: 'is null' }])).toEqual([{ column: 'b', op: 'is null' }]);
  });

  it("renders in the source's dialect only for integer and text columns that exist there", (ctx) => {
    if (skip) return ctx.skip(skip);
    const cols: ColumnMeta[] = [
      { name: 'id', nativeType: 'integer', type: { kind: 'integer' } },
      { name: 'Status', nativeType: 'text', type: { kind: 'text' } },
      { name: 'created', nativeType: 'date', type: { kind: 'date' } },
      { name: 'code', nativeType: 'text', type: { kind: 'text' } },
    ];
    const where = renderPushedTerms(
      [
        { column: 'id', op: '>=', value: 3 },
        { column: 'status', op: '=', value: "it's" },
        { column: 'created', op: 'is null' },
        { column: 'code', op: '>', value: 5 },
        { column: 'missing', op: 'is null' },
      ],
      cols,
      postgres.dialect,
    );
    expect(where).toBe(`"id" >= 3 and "Status" = 'it''s'`);
    expect(renderPushedTerms([{ column: 'created', op: 'is null' }], cols, postgres.dialect)).toBeUndefined();
  });
});
