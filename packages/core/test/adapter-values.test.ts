import { describe, expect, it } from 'vitest';
import {
  binaryToHex,
  hexToBinary,
  normalizeBigint,
  normalizeDate,
  normalizeDecimal,
  normalizeTime,
  normalizeTimestamp,
  normalizeTimestampTz,
  textToValue,
  valueToText,
} from '../src/adapter/values.js';
import { formatCanonicalType, parseSqlType, sameCanonicalType } from '../src/adapter/types.js';

describe('temporal normalisers', () => {
  it('writes timestamps without trailing zeros in the fraction', () => {
    expect(normalizeTimestamp('2024-01-02T03:04:05.120000')).toBe('2024-01-02 03:04:05.12');
    expect(normalizeTimestamp('2024-01-02 03:04:05.000000')).toBe('2024-01-02 03:04:05');
    expect(normalizeTimestamp('2024-01-02 03:04:05.123456789')).toBe('2024-01-02 03:04:05.123456');
    expect(normalizeTimestamp('infinity')).toBe('infinity');
  });

  it('moves timestamps with an offset to UTC, keeping microseconds', () => {
    expect(normalizeTimestampTz('2024-01-01 01:30:00.000001+02')).toBe('2023-12-31 23:30:00.000001+00');
    expect(normalizeTimestampTz('2024-06-30 20:00:00-05:30')).toBe('2024-07-01 01:30:00+00');
    expect(normalizeTimestampTz('2024-06-30T20:00:00Z')).toBe('2024-06-30 20:00:00+00');
    expect(normalizeTimestampTz('0001-01-01 00:30:00+01')).toBe('0000-12-31 23:30:00+00');
    expect(normalizeTimestampTz(new Date(Date.UTC(2020, 1, 29, 12, 0, 0, 250)))).toBe('2020-02-29 12:00:00.25+00');
  });

  it('dates and times', () => {
    expect(normalizeDate('2024-02-29 00:00:00')).toBe('2024-02-29');
    expect(normalizeDate(new Date(Date.UTC(1999, 11, 31)))).toBe('1999-12-31');
    expect(normalizeTime('23:59:59.500000')).toBe('23:59:59.5');
  });
});

describe('numeric normalisers', () => {
  it('keeps bigints exact and refuses inexact numbers', () => {
    expect(normalizeBigint('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(normalizeBigint(42)).toBe(42n);
    expect(() => normalizeBigint(2 ** 60)).toThrow(/not an exact integer/);
  });

  it('keeps decimal text exact and expands exponents', () => {
    expect(normalizeDecimal('-12.50')).toBe('-12.50');
    expect(normalizeDecimal('+1')).toBe('1');
    expect(normalizeDecimal('1.5e3')).toBe('1500');
    expect(normalizeDecimal('12e-4')).toBe('0.0012');
    expect(normalizeDecimal(123n)).toBe('123');
  });
});

describe('text <-> value', () => {
  it('binary travels as PostgreSQL hex', () => {
    expect(binaryToHex(new Uint8Array([0, 255, 16]))).toBe('\\x00ff10');
    expect([...hexToBinary('\\x00ff10')]).toEqual([0, 255, 16]);
    expect(() => hexToBinary('\\xabc')).toThrow(/hex/);
  });

  it('converts CSV text to bindable values by kind', () => {
    expect(textToValue('t', { kind: 'boolean' })).toBe(true);
    expect(textToValue('false', { kind: 'boolean' })).toBe(false);
    expect(() => textToValue('maybe', { kind: 'boolean' })).toThrow(/boolean/);
    expect(textToValue('9223372036854775807', { kind: 'bigint' })).toBe(9223372036854775807n);
    expect(textToValue('12.50', { kind: 'decimal', precision: 10, scale: 2 })).toBe('12.50');
    expect(textToValue('7', { kind: 'integer' })).toBe(7);
    expect(textToValue('-1.5e3', { kind: 'double' })).toBe(-1500);
    expect(textToValue('Infinity', { kind: 'double' })).toBe(Infinity);
    expect(textToValue('NaN', { kind: 'real' })).toBeNaN();
  });

  it('refuses numeric text that is empty or malformed instead of loading 0 or NaN', () => {
    expect(() => textToValue('', { kind: 'integer' })).toThrow(/not an integer: ""/);
    expect(() => textToValue('1.5', { kind: 'smallint' })).toThrow(/not an integer/);
    expect(() => textToValue('12abc', { kind: 'bigint' })).toThrow(/not an integer/);
    expect(() => textToValue(' ', { kind: 'double' })).toThrow(/not a number/);
    expect(() => textToValue('abc', { kind: 'real' })).toThrow(/not a number/);
  });

  it('writes values as text', () => {
    expect(valueToText(true)).toBe('true');
    expect(valueToText(12n)).toBe('12');
    expect(valueToText(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
    expect(valueToText(new Uint8Array([1]))).toBe('\\x01');
  });
});

describe('SQL type text', () => {
  it('splits base, arguments and suffix', () => {
    expect(parseSqlType('NUMERIC(38, 10)')).toEqual({ base: 'numeric', args: [38, 10], array: false, suffix: '' });
    expect(parseSqlType('timestamp(6)  with time zone')).toEqual({ base: 'timestamp', args: [6], array: false, suffix: 'with time zone' });
    expect(parseSqlType('int(11) unsigned')).toEqual({ base: 'int', args: [11], array: false, suffix: 'unsigned' });
    expect(parseSqlType('character varying(20)[]')).toEqual({ base: 'character varying', args: [20], array: true, suffix: '' });
    expect(parseSqlType("enum('a,b','c')").base).toBe('enum');
    expect(parseSqlType('Double Precision').base).toBe('double precision');
  });

  it('formats canonical types', () => {
    expect(formatCanonicalType({ kind: 'decimal', precision: 38, scale: 10 })).toBe('decimal(38,10)');
    expect(formatCanonicalType({ kind: 'text' })).toBe('text');
    expect(formatCanonicalType({ kind: 'unknown', native: 'STRUCT(a INTEGER)' })).toBe('unknown(STRUCT(a INTEGER))');
    expect(sameCanonicalType({ kind: 'decimal' }, { kind: 'decimal', precision: 18, scale: 3 })).toBe(false);
  });
});
