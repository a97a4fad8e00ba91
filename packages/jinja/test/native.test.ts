import { describe, expect, test } from 'vitest';
import { Environment, PyDict, PyFloat, PyTuple, toJS } from '../src/index.js';

const env = new Environment();
const native = (src: string, ctx: Record<string, unknown> = {}) => env.parse(src).renderNative(ctx);

describe('renderNative (jinja2.nativetypes)', () => {
  test('a single expression keeps its type', () => {
    expect(native('{{ 7 }}')).toBe(7);
    expect(native('{{ [1, 2] }}')).toEqual([1, 2]);
    expect(native('{{ x }}', { x: { a: 1 } })).toEqual({ a: 1 });
    expect(native('{{ none }}')).toBeNull();
    expect(native('{{ true }}')).toBe(true);
  });

  test('strings that look like literals are read back', () => {
    expect(native("{{ '42' }}")).toBe(42);
    expect(native('{{ 1 }}{{ 2 }}')).toBe(12);
    expect(native('[{{ 1 }}, {{ 2 }}]')).toEqual([1, 2]);
    expect(native("{'a': {{ 1 }}}")).toBeInstanceOf(PyDict);
    expect(native('(1, 2)')).toBeInstanceOf(PyTuple);
    expect(native('3.0')).toEqual(new PyFloat(3));
    expect(toJS(native("{'a': [1, 'x', None, True]}"))).toEqual({ a: [1, 'x', null, true] });
  });

  test('text that is not a literal stays text', () => {
    expect(native('hello {{ 1 }}')).toBe('hello 1');
    expect(native(' 1')).toBe(' 1');
    expect(native('true')).toBe('true');
    expect(native('')).toBeNull();
  });

  test('if blocks pass values through', () => {
    expect(native('{% if x %}{{ x }}{% else %}{{ 0 }}{% endif %}', { x: [3] })).toEqual([3]);
  });
});
