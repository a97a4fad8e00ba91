import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, ColumnMeta, Connection } from '../src/adapter/contract.js';
import { pushableTerms, renderPushedTerms, type TermValue } from '../src/federate/filters.js';
import { configuredTerm, watermarkColumn } from '../src/federate/incremental.js';
import { readingsOfThis, summarySelect } from '../src/federate/watermark.js';
import type { ExecutableNode } from '../src/project/types.js';
import { connect, loadAdapters } from './federate-support.js';

let duckdb: AdapterDefinition;
let postgres: AdapterDefinition;
let mariadb: AdapterDefinition;
let conn: Connection;
let skip: string | undefined;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  ({ duckdb, postgres, mariadb } = loaded);
  conn = await connect(duckdb, { path: ':memory:' }, '.');
});
afterAll(async () => conn?.close());

async function tree(sql: string): Promise<string> {
  return String((await conn.query(`select json_serialize_sql(${duckdb.dialect.quoteLiteral(sql)})`)).rows[0]![0]);
}
const SRC = 'from "main"."shop__orders"';
const THIS = '"main"."__this__orders_inc"';

describe('watermark subqueries on {{ this }} (DuckDB parse tree)', () => {
  it('finds max/min subqueries reading only {{ this }}, with COALESCE, casts and interval arithmetic around them', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const readings = readingsOfThis(
      await tree(
        `select * ${SRC} where updated_at > (select max(updated_at) from ${THIS}) and id > (select coalesce(max(t.id), 0) from ${THIS} t)` +
          ` and day >= (select max(day) - interval 1 day from ${THIS}) and day <= (select cast(min(day) as date) from ${THIS})`,
      ),
      '__this__orders_inc',
    );
    expect(readings.onlyWatermarks).toBe(true);
    expect(readings.subqueries.map((s) => s.aggregates)).toEqual([
      [{ fn: 'max', column: 'updated_at' }],
      [{ fn: 'max', column: 'id' }],
      [{ fn: 'max', column: 'day' }],
      [{ fn: 'min', column: 'day' }],
    ]);
    // The statement reads back as the subquery's SQL.
    const sql = (await conn.query(`select json_deserialize_sql(${duckdb.dialect.quoteLiteral(readings.subqueries[1]!.statement)}::json)`)).rows[0]![0];
    expect(sql).toBe('SELECT COALESCE(max(t.id), 0) FROM main.__this__orders_inc AS t');
  });

  it('refuses subqueries that filter, group, count, read other tables or the outer query; any other read of {{ this }} needs the whole table', async (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const sub of [
      `select max(id) from ${THIS} where status = 'x'`,
      `select max(id) from ${THIS} group by status`,
      `select count(*) from ${THIS}`,
      `select sum(id) from ${THIS}`,
      `select max(o.id) from ${THIS} t`,
      `select id from ${THIS} order by id desc limit 1`,
      `select max(id) from ${THIS} t join main.other x on true`,
      `select max(id) from main.other`,
    ]) {
      const readings = readingsOfThis(await tree(`select * ${SRC} o where id > (${sub})`), '__this__orders_inc');
      expect(readings.subqueries, sub).toEqual([]);
    }
    const mixed = readingsOfThis(await tree(`select * ${SRC} where id > (select max(id) from ${THIS}) and id not in (select id from ${THIS})`), '__this__orders_inc');
    expect(mixed.subqueries).toHaveLength(1);
    expect(mixed.onlyWatermarks).toBe(false);
  });

  it('pushes a comparison with an evaluated watermark, under the ordinary pushdown rules', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const text = await tree(`select * ${SRC} where updated_at > (select max(updated_at) from ${THIS})`);
    const [sub] = readingsOfThis(text, '__this__orders_inc').subqueries;
    const value: TermValue = { temporal: 'timestamp', text: '2024-03-01 10:00:00.25' };
    expect(pushableTerms(text, 'shop__orders', new Map([[sub!.key, value]]))).toEqual([{ column: 'updated_at', op: '>', value }]);
    // Without the value, nothing travels.
    expect(pushableTerms(text, 'shop__orders')).toEqual([]);
    // Behind an outer join's null-extended side, in a CTE or under a subquery: the watermark stays in DuckDB.
    for (const sql of [
      `select o.* from main.customers c left join "main"."shop__orders" o on o.cid = c.id where o.updated_at > (select max(updated_at) from ${THIS})`,
      `with x as (select * ${SRC}) select * from x where updated_at > (select max(updated_at) from ${THIS})`,
      `select * from (select * ${SRC} limit 5) s where updated_at > (select max(updated_at) from ${THIS})`,
    ]) {
      const t = await tree(sql);
      const values = new Map(readingsOfThis(t, '__this__orders_inc').subqueries.map((s) => [s.key, value]));
      expect(values.size, sql).toBe(1);
      expect(pushableTerms(t, 'shop__orders', values), sql).toEqual([]);
    }
  });

  it('renders temporal terms only against a column of the same kind, as the typed literal the source engine reads', (ctx) => {
    if (skip) return ctx.skip(skip);
    const cols: ColumnMeta[] = [
      { name: 'day', nativeType: 'date', type: { kind: 'date' } },
      { name: 'at', nativeType: 'timestamp', type: { kind: 'timestamp' } },
      { name: 'atz', nativeType: 'timestamptz', type: { kind: 'timestamptz' } },
    ];
    const terms = [
      { column: 'day', op: '>' as const, value: { temporal: 'date' as const, text: '2024-03-01' } },
      { column: 'at', op: '>=' as const, value: { temporal: 'timestamp' as const, text: '2024-03-01 10:00:00.25' } },
      { column: 'atz', op: '>' as const, value: { temporal: 'timestamptz' as const, text: '2024-03-01 10:00:00+00' } },
      // Kinds that differ never travel: the engines would convert one side first.
      { column: 'at', op: '>' as const, value: { temporal: 'timestamptz' as const, text: '2024-03-01 10:00:00+00' } },
      { column: 'day', op: '>' as const, value: { temporal: 'timestamp' as const, text: '2024-03-01 00:00:00' } },
    ];
    expect(renderPushedTerms(terms, cols, postgres.dialect)).toBe(`"day" > '2024-03-01' and "at" >= '2024-03-01 10:00:00.25' and "atz" > '2024-03-01 10:00:00+00'`);
    // MariaDB drops an offset in a comparison: the timestamptz is written as its UTC wall-clock time (its sessions are UTC).
    expect(renderPushedTerms(terms.slice(0, 3), cols, mariadb.dialect)).toBe("`day` > '2024-03-01' and `at` >= '2024-03-01 10:00:00.25' and `atz` > '2024-03-01 10:00:00'");
  });

  it('summarises the target as one row of maxima, and one of minima when asked', (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(summarySelect(['id', 'at'], false, '"s"."t"', postgres.dialect)).toBe('select max("id") as "id", max("at") as "at" from "s"."t"');
    expect(summarySelect(['id'], true, '`s`.`t`', mariadb.dialect)).toBe('select max(`id`) as `id` from `s`.`t` union all select min(`id`) as `id` from `s`.`t`');
  });

  it('config(watermark=...) filters the one input holding the column, and says why when it cannot', () => {
    const node = { unique_id: 'model.p.m', original_file_path: 'models/m.sql', config: { watermark: 'wm' } } as unknown as ExecutableNode;
    const col = (name: string, kind: 'date' | 'timestamptz' | 'integer'): ColumnMeta => ({ name, nativeType: kind, type: { kind } });
    const value = { temporal: 'timestamptz' as const, text: '2024-01-01 10:00:00+00' };
    const inputs = new Map([
      ['source.p.s.orders', [col('id', 'integer'), col('WM', 'timestamptz')]],
      ['source.p.s.customers', [col('id', 'integer')]],
    ]);
    expect(configuredTerm(node, { column: 'wm', value }, inputs)).toEqual({ input: 'source.p.s.orders', term: { column: 'WM', op: '>', value } });
    expect(() => configuredTerm(node, { column: 'nope', value }, inputs)).toThrow(/watermark column 'nope' must be a column of exactly one input; none of its inputs has it/);
    const both = new Map([...inputs, ['source.p.s.customers', [col('wm', 'timestamptz')]]]);
    expect(() => configuredTerm(node, { column: 'wm', value }, both)).toThrow(/several inputs have it \(source.p.s.orders, source.p.s.customers\)/);
    const dated = new Map([['source.p.s.orders', [col('wm', 'date')]]]);
    expect(() => configuredTerm(node, { column: 'wm', value }, dated)).toThrow(/is timestamptz on the target but date in source.p.s.orders/);
    expect(() => watermarkColumn({ ...node, config: { watermark: ['a'] } } as unknown as ExecutableNode)).toThrow(/watermark must name one column/);
  });
});
