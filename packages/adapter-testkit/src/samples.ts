import type { CanonicalType, Value } from '@dvt/core';

/** Values of one canonical type that every engine must carry exactly (`null` included). */
export interface TypeSample {
  /** Case id suffix. */
  name: string;
  type: CanonicalType;
  values: Value[];
}

const bytes = (...b: number[]) => new Uint8Array(b);

export const TYPE_SAMPLES: TypeSample[] = [
  { name: 'boolean', type: { kind: 'boolean' }, values: [true, false, null] },
  { name: 'smallint', type: { kind: 'smallint' }, values: [-32768, 32767, 0, null] },
  { name: 'integer', type: { kind: 'integer' }, values: [-2147483648, 2147483647, 0, null] },
  { name: 'bigint', type: { kind: 'bigint' }, values: [-9223372036854775808n, 9223372036854775807n, 0n, null] },
  {
    name: 'decimal',
    type: { kind: 'decimal', precision: 38, scale: 10 },
    values: ['1234567890123456789012345678.0123456789', '-9999999999999999999999999999.9999999999', '-0.0000000001', '0', null],
  },
  { name: 'real', type: { kind: 'real' }, values: [1.5, -0.25, 0, null] },
  { name: 'double', type: { kind: 'double' }, values: [1.0000000000000002, -1.5e300, 2.5e-300, null] },
  {
    name: 'text',
    type: { kind: 'text' },
    values: ['', 'plain', `it's "quoted"`, 'back\\slash \\N', 'line\nbreak\r\ncrlf\ttab', 'ünïcødé 😀 中文', 'NULL', ',', null],
  },
  { name: 'date', type: { kind: 'date' }, values: ['2024-02-29', '1999-12-31', '1970-01-01', null] },
  { name: 'time', type: { kind: 'time' }, values: ['00:00:00', '23:59:59.999999', '12:34:56.5', null] },
  {
    name: 'timestamp',
    type: { kind: 'timestamp' },
    values: ['2024-02-29 23:59:59.123456', '1999-12-31 00:00:00', '2000-01-01 12:00:00.5', null],
  },
  {
    name: 'timestamptz',
    type: { kind: 'timestamptz' },
    values: ['2024-02-29 23:59:59.123456+00', '2001-09-09 01:46:40+00', '2030-01-01 00:00:00.5+00', null],
  },
  { name: 'interval', type: { kind: 'interval' }, values: ['1 day 02:03:04', null] },
  { name: 'json', type: { kind: 'json' }, values: ['{"a": [1, 2, {"b": null}], "c": "é"}', '[]', null] },
  { name: 'uuid', type: { kind: 'uuid' }, values: ['6ba7b810-9dad-11d1-80b4-00c04fd430c8', '00000000-0000-0000-0000-000000000000', null] },
  { name: 'binary', type: { kind: 'binary' }, values: [bytes(0, 1, 2, 39, 92, 255), bytes(), bytes(10, 13, 34, 44), null] },
];

function trimDecimal(text: string): string {
  let t = text.trim();
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  return t === '-0' ? '0' : t;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Whether `actual` is `expected` in the representation the contract
 * documents for `type`. Lenient only where the contract is: decimal scale
 * padding, JSON whitespace and key order, interval spacing.
 */
export function sameValue(type: CanonicalType, expected: Value, actual: Value): boolean {
  if (expected === null || actual === null) return expected === actual;
  switch (type.kind) {
    case 'decimal':
      return typeof actual === 'string' && trimDecimal(actual) === trimDecimal(String(expected));
    case 'real':
      return typeof actual === 'number' && Math.fround(actual) === Math.fround(expected as number);
    case 'json':
      return typeof actual === 'string' && JSON.stringify(sortKeys(JSON.parse(actual))) === JSON.stringify(sortKeys(JSON.parse(expected as string)));
    case 'binary':
      return actual instanceof Uint8Array && sameBytes(actual, expected as Uint8Array);
    case 'interval':
      return typeof actual === 'string' && actual.replace(/\s+/g, ' ') === String(expected).replace(/\s+/g, ' ');
    default:
      return typeof actual === typeof expected && actual === expected;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)).map(([k, x]) => [k, sortKeys(x)]));
  return v;
}

/** A readable rendering of a value for assertion messages. */
export function show(value: Value | undefined): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (typeof value === 'bigint') return `${value}n`;
  if (value instanceof Uint8Array) return `bytes[${[...value].join(',')}]`;
  return JSON.stringify(value);
}

/** Fails with every mismatch listed, not just the first. */
export function assertSameValues(what: string, type: CanonicalType, expected: Value[], actual: Value[]): void {
  const problems: string[] = [];
  if (actual.length !== expected.length) problems.push(`expected ${expected.length} values, got ${actual.length}`);
  expected.forEach((e, i) => {
    if (i < actual.length && !sameValue(type, e, actual[i])) problems.push(`#${i}: expected ${show(e)}, got ${show(actual[i])} (${typeof actual[i]})`);
  });
  if (problems.length > 0) throw new Error(`${what}: ${problems.join('; ')}`);
}

/** A derived table of the digits 0-9 in portable SQL (no VALUES, no generate_series). */
export function digitsSql(alias: string): string {
  return `(${Array.from({ length: 10 }, (_, i) => `select ${i} as d`).join(' union all ')}) ${alias}`;
}

/** `select n from ...` yielding 0 .. 10^digits - 1, ordered. */
export function numbersSql(digits: number, column = 'n'): string {
  const aliases = Array.from({ length: digits }, (_, i) => `d${i}`);
  const expr = aliases.map((a, i) => `${a}.d * ${10 ** (digits - 1 - i)}`).join(' + ');
  return `select ${expr} as ${column} from ${aliases.map(digitsSql).join(' cross join ')} order by 1`;
}
