import { describe, expect, test } from 'vitest';
import {
  Environment,
  Kwargs,
  MacroReturn,
  PY_OPERATORS,
  PyDict,
  PyTuple,
  type PyOperator,
  pySet,
  bindMacro,
  callJinja,
  isKwargs,
  renderString,
  toJS,
  type ContextLookup,
} from '../src/index.js';

function describeCall(...args: unknown[]): string {
  const last = args[args.length - 1];
  if (isKwargs(last)) return `pos=${JSON.stringify(args.slice(0, -1))} kw=${JSON.stringify(last.values)}`;
  return `pos=${JSON.stringify(toJS(args))} kw=none`;
}

const dbtReturn = (value: unknown) => {
  throw new MacroReturn(value);
};

describe('host calling convention', () => {
  test('keyword arguments arrive as one trailing Kwargs, distinct from a dict argument', () => {
    expect(renderString('{{ f(1, a=2) }}', { f: describeCall })).toBe('pos=[1] kw={"a":2}');
    expect(renderString("{{ f({'a': 2}) }}", { f: describeCall })).toBe('pos=[{"a":2}] kw=none');
    expect(renderString('{{ f() }}', { f: describeCall })).toBe('pos=[] kw=none');
  });

  test('**kwargs and *args spread into the call', () => {
    expect(renderString("{{ f(*[1, 2], **{'k': 'v'}) }}", { f: describeCall })).toBe('pos=[1,2] kw={"k":"v"}');
  });

  test('Kwargs.get reads one keyword argument', () => {
    const k = new Kwargs({ a: 1 });
    expect(k.get('a')).toBe(1);
    expect(k.get('b')).toBeUndefined();
  });

  test('a host function may return a callable, and methods of host class instances are callable', () => {
    class Adapter {
      constructor(private readonly quoteChar: string) {}
      quote(name: string): string {
        return this.quoteChar + name + this.quoteChar;
      }
    }
    const ctx = { adapter: new Adapter('"'), make: (n: number) => (x: number) => x + n };
    expect(renderString("{{ adapter.quote('x') }}|{{ make(2)(3) }}", ctx)).toBe('"x"|5');
  });

  test('a host exception keeps its message and becomes the cause', () => {
    const boom = () => {
      throw new Error('disk on fire');
    };
    let caught: unknown;
    try {
      new Environment().renderString('ok\n{{ boom() }}', { boom }, 'models/m.sql');
    } catch (e) {
      caught = e;
    }
    const err = caught as Error & { lineno: number; filename: string; cause: unknown };
    expect(err.message).toContain('disk on fire');
    expect(err.message).toContain('models/m.sql:2');
    expect(err.lineno).toBe(2);
    expect((err.cause as Error).message).toBe('disk on fire');
  });
});

describe('return()', () => {
  test('hands the value back to the caller with its type', () => {
    const t = `{% macro cols() %}ignored{{ return(['a', 'b']) }}{% endmacro %}{% macro d() %}{{ return({'k': 1}) }}{% endmacro %}{% macro n() %}{% do return(none) %}{% endmacro %}{% set c = cols() %}{{ c | length }} {{ c[1] }} {{ d().k }} {{ n() is none }}`;
    expect(renderString(t, { return: dbtReturn })).toBe('2 b 1 True');
  });

  test('is caught by the innermost macro call only', () => {
    const t = `{% macro inner() %}{{ return(41) }}{% endmacro %}{% macro outer() %}{{ inner() + 1 }}{% endmacro %}{{ outer() }}`;
    expect(renderString(t, { return: dbtReturn })).toBe('42');
  });

  test('a macro that never returns yields its text', () => {
    expect(renderString('{% macro m() %} x {% endmacro %}[{{ m() }}]', {})).toBe('[ x ]');
  });

  test('a macro called from JS returns the value unchanged', () => {
    const env = new Environment();
    const t = env.parse("{% macro m(a, b=2) %}{{ return([a, b, kwargs]) }}{% endmacro %}", 'macros.sql');
    const m = bindMacro(t, 'm', { return: dbtReturn });
    const result = callJinja(m, [1], { c: 3 }) as unknown[];
    expect(result[0]).toBe(1);
    expect(result[1]).toBe(2);
    expect(result[2]).toBeInstanceOf(PyDict);
    expect(toJS(result[2])).toEqual({ c: 3 });
    // the same function called directly with a trailing Kwargs
    expect((m(5, new Kwargs({ b: 6 })) as unknown[]).slice(0, 2)).toEqual([5, 6]);
  });
});

describe('macros bound across templates', () => {
  test('a bound macro sees its own globals, not the caller\'s locals', () => {
    const env = new Environment();
    const lib = env.parse('{% macro who() %}{{ name }}{% endmacro %}', 'lib.sql');
    const who = bindMacro(lib, 'who', { name: 'lib-global' });
    const out = env.renderString('{% set name = "caller-local" %}{{ who() }}|{{ name }}', { who });
    expect(out).toBe('lib-global|caller-local');
  });

  test('namespaced macros: pkg.m() through a host mapping, and call blocks on them', () => {
    const env = new Environment();
    const scope = new Map<string, unknown>();
    const lookup: ContextLookup = { resolve: (n) => scope.get(n) };
    const lib = env.parse('{% macro star(rel) %}* from {{ rel }}{% endmacro %}{% macro wrap() %}({{ caller() }}){% endmacro %}', 'utils.sql');
    scope.set('dbt_utils', { star: bindMacro(lib, 'star', lookup), wrap: bindMacro(lib, 'wrap', lookup) });
    expect(env.renderString("select {{ dbt_utils.star('t') }} {% call dbt_utils.wrap() %}x{% endcall %}", lookup)).toBe('select * from t (x)');
  });

  test('a context lookup is asked lazily, and only for names it resolves', () => {
    const asked: string[] = [];
    const lookup: ContextLookup = {
      resolve: (n) => {
        asked.push(n);
        return n === 'x' ? 1 : undefined;
      },
    };
    expect(new Environment().renderString('{{ x }}{{ y is defined }}', lookup)).toBe('1False');
    expect(asked).toEqual(['x', 'y']);
  });

  test('{% call statement(...) %} with a host-provided macro that calls caller()', () => {
    const env = new Environment();
    const ran: string[] = [];
    const t = env.parse(
      "{% macro statement(name, fetch_result=False) %}{% do run(name, fetch_result, caller()) %}{% endmacro %}",
      'statement.sql',
    );
    const scope = { run: (n: string, f: boolean, sql: string) => ran.push(`${n}:${f}:${sql.trim()}`) };
    const statement = bindMacro(t, 'statement', scope);
    env.renderString("{% call statement('main', fetch_result=True) %}\n  select {{ 1 }}\n{% endcall %}", { statement });
    expect(ran).toEqual(['main:true:select 1']);
  });
});

describe('values', () => {
  test('tuples are PyTuple, dicts are PyDict, both convert with toJS', () => {
    let seen: unknown;
    renderString("{% do keep((1, 2)) %}{% do keep({'a': (1,)}) %}", { keep: (v: unknown) => (seen = v) });
    expect(seen).toBeInstanceOf(PyDict);
    expect((seen as PyDict).get('a')).toBeInstanceOf(PyTuple);
    expect(toJS(seen)).toEqual({ a: [1] });
  });

  test('host plain objects and Maps are mappings', () => {
    expect(renderString("{{ o.a }} {{ o['b'] }} {{ m.k }} {{ o | length }} {{ o.items() | list }}", { o: { a: 1, b: 2 }, m: new Map([['k', 'v']]) })).toBe(
      "1 2 v 2 [('a', 1), ('b', 2)]",
    );
  });
});

/** A host value with Python operators: a length in metres that adds to numbers and other lengths. */
class Metres {
  constructor(readonly value: number) {}
  [PY_OPERATORS](op: PyOperator, other: unknown, reflected: boolean): unknown {
    const n = other instanceof Metres ? other.value : typeof other === 'number' ? other : undefined;
    if (n === undefined) return undefined;
    switch (op) {
      case '+':
        return new Metres(this.value + n);
      case '-':
        return new Metres(reflected ? n - this.value : this.value - n);
      case '==':
        return other instanceof Metres && n === this.value;
      case 'cmp':
        return reflected ? n - this.value : this.value - n;
      default:
        return undefined;
    }
  }
  toString(): string {
    return `${this.value}m`;
  }
}

describe('host operators (PY_OPERATORS)', () => {
  const m = (v: number) => new Metres(v);

  test('arithmetic asks the left operand, then the right one reflected', () => {
    expect(renderString('{{ a + b }} {{ a - 1 }} {{ 10 - a }} {{ 1 + a }}', { a: m(3), b: m(4) })).toBe('7m 2m 7m 4m');
  });

  test('comparisons and equality, sort included', () => {
    expect(renderString('{{ a < b }} {{ b > a }} {{ 5 > a }} {{ a == c }} {{ a != b }} {{ a == 3 }}', { a: m(3), b: m(4), c: m(3) })).toBe('True True True True True False');
    expect(renderString('{{ xs | sort | join(",") }}', { xs: [m(3), m(1), m(2)] })).toBe('1m,2m,3m');
  });

  test('an operator neither side has is the usual TypeError', () => {
    expect(() => renderString('{{ a * 2 }}', { a: m(3) })).toThrow(/unsupported operand type\(s\) for \*/);
    expect(() => renderString('{{ a < "x" }}', { a: m(3) })).toThrow(/not supported between instances/);
  });
});

describe('sets (PySet, for hosts such as dbt\'s set())', () => {
  const ctx = { set: (items: unknown[]) => pySet(items) };
  const render = (t: string) => renderString(t, ctx);

  test('equality ignores order, as Python compares sets', () => {
    expect(render("{{ set(['a', 'b']) == set(['b', 'a']) }} {{ set(['a', 'b']) != set(['b', 'a']) }}")).toBe('True False');
    expect(render("{{ set(['a']) == set(['a', 'b']) }} {{ set(['a']) == ['a'] }} {{ set([1]) == set([1.0, True]) }}")).toBe('False False True');
  });

  test('duplicates are dropped; length, in and iteration work as on lists', () => {
    expect(render("{% set s = set(['x', 'y', 'x']) %}{{ s | length }} {{ 'y' in s }} {{ s | join(',') }} {{ s }} {{ set([]) }}")).toBe("2 True x,y {'x', 'y'} set()");
    expect(render("{{ set(['x']) is sequence }} {{ set(['x']) is iterable }}")).toBe('False True');
  });

  test('set methods answer sets, and add/discard mutate', () => {
    const t = "{% set a = set([1, 2, 3]) %}{{ a.difference([2]) }} {{ a.intersection([3, 4], [3]) }} {{ a.union([4]) }} {{ a.issubset([1, 2, 3, 4]) }} {{ a.issuperset([5]) }} {{ a.symmetric_difference([3, 4]) }}"
      + '{% do a.add(1) %}{% do a.add(9) %}{% do a.discard(2) %} {{ a }}';
    expect(render(t)).toBe('{1, 3} {3} {1, 2, 3, 4} True False {1, 2, 4} {1, 3, 9}');
  });
});
