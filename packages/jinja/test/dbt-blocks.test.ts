import { describe, expect, test } from 'vitest';
import { Environment, TemplateSyntaxError, bindMacro } from '../src/index.js';

const env = new Environment({ dbtBlocks: true });

describe('dbt block tags', () => {
  test('materialization blocks become macros named materialization_<name>_<adapter>', () => {
    const t = env.parse(
      [
        '{% materialization table, default %}default table{% endmaterialization %}',
        "{% materialization view, adapter='postgres' %}pg view {{ 1 + 1 }}{% endmaterialization %}",
        "{% materialization incremental, adapter='duckdb', supported_languages=['sql', 'python'] %}inc{% endmaterialization %}",
      ].join('\n'),
      'macros/materializations.sql',
    );
    expect([...t.macros.keys()]).toEqual(['materialization_table_default', 'materialization_view_postgres', 'materialization_incremental_duckdb']);
    expect(t.macros.get('materialization_view_postgres')).toMatchObject({ line: 2, args: [] });
    expect(bindMacro(t, 'materialization_view_postgres', {})()).toBe('pg view 2');
  });

  test('test blocks become test_<name> macros with their arguments', () => {
    const t = env.parse("{% test not_null(model, column_name) %}select * from {{ model }} where {{ column_name }} is null{% endtest %}", 'tests.sql');
    expect(t.macros.get('test_not_null')).toMatchObject({ args: ['model', 'column_name'] });
    expect(bindMacro(t, 'test_not_null', {})('orders', 'id')).toBe('select * from orders where id is null');
  });

  test('docs blocks keep their raw contents and render nothing', () => {
    const t = env.parse('before{% docs orders %}\n# Orders {{ not_rendered }}\n{% enddocs %}after', 'docs.md');
    expect(t.blocks).toHaveLength(1);
    expect(t.blocks[0]).toMatchObject({ kind: 'docs', name: 'orders', line: 1, contents: '\n# Orders {{ not_rendered }}\n' });
    expect(t.render({})).toBe('beforeafter');
  });

  test('snapshot blocks render like a model through their template', () => {
    const t = env.parse(
      "{% macro helper() %}h{% endmacro %}\n{% snapshot orders_snap %}\n{{ config(strategy='check') }}select {{ helper() }} from {{ ref('o') }}\n{% endsnapshot %}",
      'snapshots/s.sql',
    );
    const snap = t.blocks.find((b) => b.kind === 'snapshot')!;
    expect(snap).toMatchObject({ name: 'orders_snap', line: 2 });
    const out = snap.template.render({ config: () => '', ref: (n: string) => `"${n}"` });
    expect(out).toBe('\nselect h from "o"\n');
    expect(snap.template.staticAnalysis().refs).toEqual([{ name: 'o' }]);
  });

  test('template.macros describes each top-level macro', () => {
    const t = env.parse("\n{% macro m(a, b='x', c=[1, 2]) %}{{ varargs }}{{ kwargs }}{{ caller() }}{% endmacro %}", 'm.sql');
    expect(t.macros.get('m')).toEqual({
      name: 'm',
      line: 2,
      args: ['a', 'b', 'c'],
      defaults: ["'x'", '[1, 2]'],
      catchesVarargs: true,
      catchesKwargs: true,
      callsCaller: true,
    });
  });

  test('block tags are plain unknown tags without dbtBlocks', () => {
    expect(() => new Environment().parse('{% docs x %}{% enddocs %}')).toThrow(TemplateSyntaxError);
  });

  test('a missing end tag is a syntax error with its line', () => {
    try {
      env.parse('{% test t(model) %}\nselect 1\n', 'tests.sql');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateSyntaxError);
      expect((e as TemplateSyntaxError).message).toContain("'endtest'");
    }
  });
});
