import { describe, expect, test } from 'vitest';
import { Environment, Kwargs, isKwargs, renderString } from '../src/index.js';

describe('Environment options', () => {
  test('host filters and tests use the host calling convention', () => {
    const seen: unknown[][] = [];
    const env = new Environment({
      filters: {
        wrap: (value, ...args) => {
          seen.push(args);
          const last = args[args.length - 1];
          const left = isKwargs(last) ? (last.values.left as string) : '<';
          return `${left}${String(value)}>`;
        },
      },
      tests: { short: (value, max) => String(value).length <= (max as number) },
    });
    expect(env.renderString("{{ 'x' | wrap }}{{ 'y' | wrap(left='[') }}|{{ 'abc' is short(3) }}{{ 'abcd' is short(3) }}")).toBe('<x>[y>|TrueFalse');
    expect(seen[1][0]).toBeInstanceOf(Kwargs);
  });

  test('globals are visible to every template and to bound macros, below the context', () => {
    const env = new Environment({ globals: { project: 'shop', who: 'global' } });
    expect(env.renderString('{{ project }} {{ who }}', { who: 'context' })).toBe('shop context');
  });

  test('the loader serves include/import/extends, and each file is parsed once', () => {
    const loads: string[] = [];
    const files: Record<string, string> = {
      'base.sql': 'select {% block cols %}*{% endblock %} from t',
      'macros.sql': '{% macro q(x) %}"{{ x }}"{% endmacro %}',
    };
    const env = new Environment({
      loader: (name) => {
        loads.push(name);
        return name in files ? { source: files[name], filename: name } : undefined;
      },
    });
    const child = "{% extends 'base.sql' %}{% block cols %}{% from 'macros.sql' import q %}{{ q('a') }}, {{ super() }}{% endblock %}";
    expect(env.renderString(child)).toBe('select "a", * from t');
    expect(env.renderString(child)).toBe('select "a", * from t');
    expect(loads).toEqual(['base.sql', 'macros.sql']);
  });

  test('a missing template is a TemplateNotFound naming it', () => {
    const env = new Environment({ loader: () => undefined });
    expect(() => env.renderString("{% include 'nope.sql' %}")).toThrow(/nope\.sql/);
    expect(env.renderString("{% include 'nope.sql' ignore missing %}ok")).toBe('ok');
  });

  test('renderString keeps working for plain use and drops one trailing newline', () => {
    expect(renderString('{{ 1 + 1 }}', {})).toBe('2');
    expect(renderString('a\n\n', {})).toBe('a\n');
    expect(renderString('{{ x }}\r\n{{ y }}', { x: 1, y: 2 })).toBe('1\n2');
  });
});
