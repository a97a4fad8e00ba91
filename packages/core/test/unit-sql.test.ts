import { describe, expect, it } from 'vitest';
import type { CanonicalType, Dialect } from '../src/adapter/contract.js';
import { csvRows, parseInputCall } from '../src/project/unit-tests.js';
import { compareSql, inferColumns, renderDiff, rowsSql } from '../src/unit/index.js';

/** Enough of a dialect for SQL text: DuckDB's quoting and names of the types inference yields. */
const TYPE_NAMES: Record<string, string> = { integer: 'INTEGER', bigint: 'BIGINT', double: 'DOUBLE', date: 'DATE', timestamp: 'TIMESTAMP', boolean: 'BOOLEAN', text: 'VARCHAR' };
const dialect = {
  quoteIdentifier: (id: string) => `"${id.replace(/"/g, '""')}"`,
  quoteLiteral: (v: unknown) => `'${String(v).replace(/'/g, "''")}'`,
  fromCanonicalType: (t: CanonicalType) => TYPE_NAMES[t.kind]!,
} as unknown as Dialect;

describe('unit test inputs and rows', () => {
  it('reads the inputs dbt accepts, and nothing else', () => {
    expect(parseInputCall("ref('orders')")).toEqual({ kind: 'ref', ref: { name: 'orders' } });
    expect(parseInputCall(' ref("pkg", "orders", v=2) ')).toEqual({ kind: 'ref', ref: { package: 'pkg', name: 'orders', version: 2 } });
    expect(parseInputCall("source('crm','customers')")).toEqual({ kind: 'source', source: 'crm', table: 'customers' });
    expect(parseInputCall('this')).toEqual({ kind: 'this' });
    expect(parseInputCall("ref('a') ~ 'b'")).toBeUndefined();
  });

  it('reads csv rows as dbt does: empty fields are null, values stay text', () => {
    expect(csvRows('id,name,note\n1,"Dee, Jr.",\n2,,x\n')).toEqual([
      { id: '1', name: 'Dee, Jr.', note: null },
      { id: '2', name: null, note: 'x' },
    ]);
  });

  it('casts each value to its column type, fills left-out columns with typed nulls and refuses unknown columns', () => {
    const columns = [{ name: 'id', type: 'INTEGER' }, { name: 'Label', type: 'VARCHAR' }];
    expect(rowsSql([{ ID: 1 }, { id: 2, label: "it's" }], columns, dialect, "'x'")).toBe(
      `select cast(1 as INTEGER) as "id", cast(null as VARCHAR) as "Label"\nunion all\nselect cast(2 as INTEGER) as "id", cast('it''s' as VARCHAR) as "Label"`,
    );
    expect(rowsSql([], columns, dialect, "'x'")).toBe('select cast(null as INTEGER) as "id", cast(null as VARCHAR) as "Label"\nlimit 0');
    expect(() => rowsSql([{ nope: 1 }], columns, dialect, "'x'")).toThrow("Invalid column name: 'nope' in unit test fixture for 'x'. Accepted columns for 'x' are: id, Label");
  });

  it('types columns from the given values when nothing else says', () => {
    expect(inferColumns([{ a: 1, b: '2024-01-02', c: null }, { a: 2.5, d: true, e: 'x' }], dialect)).toEqual([
      { name: 'a', type: 'DOUBLE' },
      { name: 'b', type: 'DATE' },
      { name: 'c', type: '' },
      { name: 'd', type: 'BOOLEAN' },
      { name: 'e', type: 'VARCHAR' },
    ]);
    // A seed's header with no rows still names its columns.
    expect(inferColumns([], dialect, ['id', 'name'])).toEqual([{ name: 'id', type: '' }, { name: 'name', type: '' }]);
  });

  it('compares with except all both ways and prints the difference in daff notation', () => {
    const sql = compareSql('select 1 as id', 'select 2 as id', ['id'], dialect);
    expect(sql).toContain('select * from dbt_internal_unit_test_actual\n  except all\n  select * from dbt_internal_unit_test_expected');
    expect(sql).toContain('select * from dbt_internal_unit_test_expected\n  except all\n  select * from dbt_internal_unit_test_actual');
    expect(renderDiff(['id', 'name'], [{ side: 'expected', values: [2, null] }, { side: 'actual', values: [10n, 'b'] }])).toBe(
      'actual differs from expected:\n\n@@  | id | name\n+++ | 10 | b\n--- | 2  | null',
    );
  });
});
