import { describe, expect, it } from 'vitest';
import { injectCtes, inlineAsSubqueries, mergeCtes } from '../src/compile/ctes.js';
import { compilerFor, projectCopy, testAdapter, testDialect } from './compile-support.js';

const a = { id: '__dbt__cte__a', sql: 'select 1 as x' };
const b = { id: '__dbt__cte__b', sql: 'select * from __dbt__cte__a' };

describe('injectCtes', () => {
  it('returns the SQL unchanged without CTEs', () => {
    expect(injectCtes('select 1', [])).toBe('select 1');
  });

  it('adds a with clause in front of a plain select, keeping leading whitespace', () => {
    expect(injectCtes('\n  select * from __dbt__cte__a', [a])).toBe('\n  with __dbt__cte__a as (\nselect 1 as x\n)\nselect * from __dbt__cte__a');
  });

  it("merges into the query's own with clause", () => {
    const sql = 'with y as (select 2)\nselect * from y, __dbt__cte__b';
    expect(injectCtes(sql, [a, b])).toBe(
      'with __dbt__cte__a as (\nselect 1 as x\n), __dbt__cte__b as (\nselect * from __dbt__cte__a\n), y as (select 2)\nselect * from y, __dbt__cte__b',
    );
  });

  it('keeps `with recursive` in front', () => {
    expect(injectCtes('WITH RECURSIVE t(n) as (select 1) select * from t', [a])).toBe(
      'WITH RECURSIVE __dbt__cte__a as (\nselect 1 as x\n), t(n) as (select 1) select * from t',
    );
  });

  it('ignores `with` in comments, strings and subqueries', () => {
    const sql = "-- with a comment\n/* with */ select 'with' as w, (with z as (select 1) select * from z) as n";
    expect(injectCtes(sql, [a]).startsWith('with __dbt__cte__a as (')).toBe(true);
    expect(injectCtes(sql, [a]).endsWith(sql)).toBe(true);
  });

  it('does not take a word containing with for the keyword', () => {
    expect(injectCtes('select withdrawn from t', [a]).startsWith('with __dbt__cte__a')).toBe(true);
  });
});

describe('mergeCtes', () => {
  it('keeps the first occurrence of each id, in order', () => {
    expect(mergeCtes([a, b], [a], [b, { id: 'c', sql: '' }]).map((c) => c.id)).toEqual(['__dbt__cte__a', '__dbt__cte__b', 'c']);
  });
});

describe('inlineAsSubqueries', () => {
  it('turns each reference into a derived table named like the CTE, nested ephemerals first', () => {
    expect(inlineAsSubqueries('select * from __dbt__cte__b', [a, b])).toBe('select * from (\nselect * from (\nselect 1 as x\n) as __dbt__cte__a\n) as __dbt__cte__b');
  });

  it('keeps an alias the reference already has, and column qualifiers', () => {
    const sql = 'select t.x, __dbt__cte__a.x from __dbt__cte__a t join __dbt__cte__a as u on u.x = t.x join __dbt__cte__a where 1 = 1';
    expect(inlineAsSubqueries(sql, [a])).toBe(
      'select t.x, __dbt__cte__a.x from (\nselect 1 as x\n) t join (\nselect 1 as x\n) as u on u.x = t.x join (\nselect 1 as x\n) as __dbt__cte__a where 1 = 1',
    );
  });

  it('leaves strings, comments and longer names alone', () => {
    const sql = "select '__dbt__cte__a' -- __dbt__cte__a\nfrom __dbt__cte__ab";
    expect(inlineAsSubqueries(sql, [a])).toBe(sql);
  });
});

describe('compileNode on an engine without CTEs', () => {
  it('inlines ephemeral models as derived tables', async () => {
    const { dir, cleanup } = projectCopy('compile-shop');
    try {
      const dialect = { ...testDialect, capabilities: { ...testDialect.capabilities, cte: false } };
      const compiler = await compilerFor(dir, { adapters: { testdb: { ...testAdapter, dialect } } });
      compiler.parseProject();
      const out = compiler.compileNode('model.compile_shop.payment_check');
      // No CTE is added (the model's own `with totals` stays: MySQL 5 refuses it at run time).
      expect(out.compiled_code).not.toMatch(/__dbt__cte__\w+ as \(/);
      expect(out.compiled_code).toContain(') as __dbt__cte__stg_payments\n    group by order_id');
      expect(out.compiled_code).toMatch(/from \(\n[\s\S]*\) t\njoin \(\n[\s\S]*\) p on p\.order_id = t\.order_id\s*$/);
      expect(out.extra_ctes.map((c) => c.id)).toEqual(['__dbt__cte__stg_payments', '__dbt__cte__int_payments']);
    } finally {
      cleanup();
    }
  });
});
