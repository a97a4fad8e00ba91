import { describe, expect, it } from 'vitest';
import { injectCtes, mergeCtes } from '../src/compile/ctes.js';

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
