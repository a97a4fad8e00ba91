import { describe, expect, test } from 'vitest';
import { JinjaError, renderString } from '../src/index.js';

class Relation {
  secret = 'hidden';
  constructor(readonly name: string) {}
  get quoted(): string {
    return `"${this.name}"`;
  }
  render(): string {
    return this.name;
  }
  _internal(): string {
    return 'internal';
  }
}

const ctx = () => ({ rel: new Relation('orders'), f: () => 'f', obj: { a: 1 }, list: [1] });

function renders(t: string): string {
  try {
    return renderString(t, ctx());
  } catch (e) {
    if (e instanceof JinjaError) return `error: ${e.rawMessage}`;
    throw e;
  }
}

describe('sandbox', () => {
  test('host instances expose own properties, getters and prototype methods', () => {
    expect(renders('{{ rel.name }} {{ rel.quoted }} {{ rel.render() }} {{ rel.secret }}')).toBe('orders "orders" orders hidden');
  });

  test.each([
    '{{ rel.constructor }}',
    '{{ rel.__proto__ }}',
    '{{ rel._internal }}',
    '{{ f.constructor }}',
    '{{ f.call }}',
    '{{ f.apply }}',
    '{{ f.bind }}',
    '{{ f.prototype }}',
    '{{ obj.constructor }}',
    '{{ obj.__proto__ }}',
    '{{ obj.hasOwnProperty }}',
    '{{ obj.toString }}',
    '{{ list.constructor }}',
    '{{ list.map }}',
    '{{ "".constructor }}',
    '{{ "".__class__ }}',
    '{{ rel.render.call }}',
    '{{ (1).constructor }}',
    '{{ rel["constructor"] }}',
    '{{ obj["__proto__"] }}',
    '{{ list["constructor"] }}',
  ])('%s prints nothing', (t) => {
    expect(renders(t)).toBe('');
  });

  test.each([
    "{{ f.constructor('return process')() }}",
    "{{ rel.constructor.constructor('return process')() }}",
    "{{ ''.__class__.__mro__ }}",
    '{{ obj.__proto__.polluted }}',
    "{{ list.constructor.constructor('return 1')() }}",
    '{{ rel._internal() }}',
  ])('%s fails', (t) => {
    expect(renders(t)).toMatch(/^error: /);
  });

  test('prototype pollution through set is impossible', () => {
    renders("{% set o = {} %}{% do o.update({'__proto__': {'polluted': 1}}) %}");
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const obj: Record<string, unknown> = {};
    renderString("{% do o.update({'__proto__': 1}) %}{% do o.setdefault('constructor', 2) %}", { o: obj });
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
  });

  test('names that are JS prototype members are plain undefined names', () => {
    expect(renders('{{ constructor is defined }}{{ toString is defined }}{{ __proto__ is defined }}{{ hasOwnProperty is defined }}')).toBe('FalseFalseFalseFalse');
  });

  test('a __proto__ key or keyword argument is data, never a prototype', () => {
    const obj: Record<string, unknown> = {};
    let kwargs: Record<string, unknown> = {};
    renderString("{% do o.update({'__proto__': {'polluted': 1}}) %}{% do f(__proto__={'polluted': 1}) %}", {
      o: obj,
      f: (k: { values: Record<string, unknown> }) => (kwargs = k.values),
    });
    expect(Object.getPrototypeOf(obj)).toBe(Object.prototype);
    expect(Object.keys(obj)).toEqual(['__proto__']);
    expect((obj as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(kwargs)).toBe(Object.prototype);
    expect(Object.keys(kwargs)).toEqual(['__proto__']);
  });

  test('range is bounded', () => {
    expect(renders('{{ range(1000000) | length }}')).toMatch(/^error: Range too big/);
  });
});
