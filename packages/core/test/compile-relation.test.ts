import { renderString } from '@dvt/jinja';
import { describe, expect, it } from 'vitest';
import { Relation } from '../src/compile/relation.js';
import { testDialect } from './compile-support.js';

const orders = new Relation(testDialect, 'duckdb', { database: 'wh', schema: 'main', identifier: 'orders', type: 'table' });

describe('Relation', () => {
  it('renders quoted per part and prints as its SQL name', () => {
    expect(orders.render()).toBe('"wh"."main"."orders"');
    expect(String(orders)).toBe('"wh"."main"."orders"');
  });

  it('include() and quote() drop parts or quoting without changing the original', () => {
    expect(orders.include({ database: false }).render()).toBe('"main"."orders"');
    expect(orders.quote({ identifier: false }).render()).toBe('"wh"."main".orders');
    expect(orders.render()).toBe('"wh"."main"."orders"');
  });

  it('leaves the database out where the dialect has none above schemas', () => {
    const mysqlLike = new Relation({ ...testDialect, omitsDatabase: true }, 'mysql', { database: 'analytics', schema: 'staging', identifier: 'orders' });
    expect(mysqlLike.render()).toBe('"staging"."orders"');
    expect(mysqlLike.database).toBe('analytics');
  });

  it('incorporate() replaces path parts and type', () => {
    const tmp = orders.incorporate({ path: { identifier: 'orders__dbt_tmp' }, type: 'view' });
    expect(tmp.render()).toBe('"wh"."main"."orders__dbt_tmp"');
    expect(tmp.is_view).toBe(true);
    expect(tmp.is_table).toBe(false);
    expect(tmp.name).toBe('orders__dbt_tmp');
  });

  it('answers metadata the way dbt_utils checks for relations', () => {
    expect((orders.get('metadata') as { type: string }).type).toBe('DuckdbRelation');
    expect(orders.get('nope', 'fallback')).toBe('fallback');
  });

  it('ephemeral relations are bare CTE names', () => {
    const cte = Relation.ephemeral(testDialect, 'duckdb', 'stg');
    expect(cte.render()).toBe('__dbt__cte__stg');
    expect(cte.is_cte).toBe(true);
  });

  it("information_schema(view) names the database's information schema, as dbt-audit-helper reads columns", () => {
    const rendered = renderString("{{ r.information_schema('columns') }}|{{ r.information_schema(view_name='tables') }}|{{ r.information_schema() }}", { r: orders });
    expect(rendered).toBe('"wh".INFORMATION_SCHEMA.columns|"wh".INFORMATION_SCHEMA.tables|"wh".INFORMATION_SCHEMA');
    const mysqlLike = new Relation({ ...testDialect, omitsDatabase: true }, 'mysql', { database: 'analytics', schema: 'staging', identifier: 'orders' });
    expect(mysqlLike.information_schema('columns').render()).toBe('INFORMATION_SCHEMA.columns');
  });
});
