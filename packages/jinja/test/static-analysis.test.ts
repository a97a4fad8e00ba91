import { describe, expect, test } from 'vitest';
import { Environment } from '../src/index.js';

const env = new Environment();
const analyze = (src: string) => env.parse(src).staticAnalysis();

describe('static analysis (dbt static parser)', () => {
  test('a simple model: literal ref/source/config only', () => {
    const a = analyze(
      "{{ config(materialized='table', tags=['a', 'b'], meta={'owner': 'x'}, enabled=true, n=-1) }}\n-- comment\n{# jinja comment #}\nselect * from {{ ref('orders') }} join {{ ref('pkg', 'customers', v=2) }} join {{ source('raw', 'events') }}",
    );
    expect(a.simple).toBe(true);
    expect(a.refs).toEqual([{ name: 'orders' }, { package: 'pkg', name: 'customers', version: 2 }]);
    expect(a.sources).toEqual([['raw', 'events']]);
    expect(a.configs).toEqual([{ materialized: 'table', tags: ['a', 'b'], meta: { owner: 'x' }, enabled: true, n: -1 }]);
  });

  test('any other Jinja makes the model not simple, but literal calls are still listed', () => {
    const a = analyze("{% if var('x') %}{{ ref('a') }}{% endif %}{{ ref(name) }}{{ source('s', 't') }}");
    expect(a.simple).toBe(false);
    expect(a.refs).toEqual([{ name: 'a' }]);
    expect(a.sources).toEqual([['s', 't']]);
  });

  test('non-literal arguments are not listed', () => {
    const a = analyze("{{ config(materialized=var('m')) }}{{ ref('a' ~ 'b') }}");
    expect(a).toEqual({ refs: [], sources: [], configs: [], simple: false });
  });

  test('plain SQL is simple with nothing found', () => {
    expect(analyze('select 1')).toEqual({ refs: [], sources: [], configs: [], simple: true });
  });

  test('a variable print or a set is not simple', () => {
    expect(analyze('{{ this }}').simple).toBe(false);
    expect(analyze("{% set x = ref('a') %}").simple).toBe(false);
  });
});
