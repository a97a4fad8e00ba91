import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { columnsUsed, pickColumns, unionNeeds, type ColumnNeed } from '../src/federate/columns.js';
import { connect, loadAdapters } from './federate-support.js';

let duckdb: AdapterDefinition;
let conn: Connection;
let skip: string | undefined;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  duckdb = loaded.duckdb;
  conn = await connect(duckdb, { path: ':memory:' }, '.');
});
afterAll(async () => conn?.close());

/** DuckDB's own parse of `sql`, then the columns it reads. */
async function need(sql: string): Promise<ColumnNeed> {
  const serialized = (await conn.query(`select json_serialize_sql(${duckdb.dialect.quoteLiteral(sql)})`)).rows[0]![0];
  return columnsUsed(String(serialized));
}
const names = (n: ColumnNeed) => (n.all ? 'all' : [...n.names].sort());

describe('columns a federated query reads (DuckDB parse tree)', () => {
  it('collects every column reference, qualified or not, in select, where, join and group by', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const n = await need(
      'with o as (select customer_id, sum(amount) as total from main.orders where status = \'paid\' group by customer_id) select c."Name", o.total from main.customers c join o on o.customer_id = c.id',
    );
    expect(names(n)).toEqual(['amount', 'c', 'customer_id', 'id', 'name', 'o', 'status', 'total']);
  });

  it('keeps USING columns', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(names(await need('select a from t join u using (k)'))).toEqual(['a', 'k']);
  });

  it('reads all columns for *, COLUMNS(), NATURAL joins and positional table aliases', async (ctx) => {
    if (skip) return ctx.skip(skip);
    for (const sql of ['select * from t', 'select t.* from t', 'select count(*) from (select * from t)', "select columns('a.*') from t", 'select a from t natural join u', 'select x from t as t2(x, y)']) {
      expect(names(await need(sql)), sql).toBe('all');
    }
  });

  it('reads all columns when the SQL does not parse', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(names(await need('select from where'))).toBe('all');
  });

  it('picks columns in table order, case-insensitively, and at least one for count(*)', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const columns = [{ name: 'ID' }, { name: 'label' }, { name: 'Amount' }];
    expect(pickColumns(columns, await need('select amount, id from t'))).toEqual([{ name: 'ID' }, { name: 'Amount' }]);
    expect(pickColumns(columns, await need('select count(1) from t'))).toEqual([{ name: 'ID' }]);
    expect(pickColumns(columns, unionNeeds(await need('select id from t'), await need('select * from t')))).toEqual(columns);
  });
});
