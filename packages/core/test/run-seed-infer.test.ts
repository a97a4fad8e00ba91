import { describe, expect, it } from 'vitest';
import { ColumnInference, SeedInference, normaliseSeedValue, type SeedKind } from '../src/run/seed/infer.js';

/** A column's verdict; the values read as text, and read as file bytes (as the scanner gives unquoted fields) must agree. */
function infer(values: (string | null)[]): { kind: SeedKind; normalise: boolean } {
  const c = new ColumnInference();
  for (const v of values) c.observe(v);
  const fromBytes = viaBytes(values);
  expect(verdict(fromBytes), `bytes of ${JSON.stringify(values)}`).toEqual(verdict(c));
  return { kind: c.result(), normalise: c.needsNormalising };
}

function viaBytes(values: (string | null)[]): ColumnInference {
  const c = new ColumnInference();
  for (const v of values) {
    if (v === null || v === '') c.observe(v); // empty fields reach the sink as values, never as bytes
    else {
      // Padded on both sides so a reader past the field's end would see digits.
      const buf = Buffer.from(`99${v}99`, 'utf8');
      c.observeBytes(buf, 2, buf.length - 2);
    }
  }
  return c;
}

function verdict(c: ColumnInference): { kind: SeedKind; normalise: boolean; nonNull: number } {
  return { kind: c.result(), normalise: c.needsNormalising, nonNull: c.nonNullCount };
}

describe('seed type inference (dbt rules)', () => {
  it('integers, floats and written precision', () => {
    expect(infer(['1', '-2', '30']).kind).toBe('integer');
    expect(infer(['1', '2.5']).kind).toBe('float');
    expect(infer(['1.0', '2']).kind).toBe('float');
    expect(infer(['.5']).kind).toBe('float');
    expect(infer(['1e3']).kind).toBe('float');
    expect(infer(['2147483648']).kind).toBe('bigint');
    expect(infer(['-2147483649', '1']).kind).toBe('bigint');
    expect(infer(['2147483647']).kind).toBe('integer');
  });

  it('grouped and currency numbers are numbers that need rewriting', () => {
    expect(infer(['1,000', '2'])).toEqual({ kind: 'integer', normalise: true });
    expect(infer(['$5.25'])).toEqual({ kind: 'float', normalise: true });
    expect(normaliseSeedValue('1,000', 'integer')).toBe('1000');
    expect(normaliseSeedValue(' $5.25 ', 'float')).toBe('5.25');
  });

  it('dates, datetimes and ISO datetimes', () => {
    expect(infer(['2024-01-31', '2024-02-29']).kind).toBe('date');
    expect(infer(['2023-02-29']).kind).toBe('text');
    expect(infer(['2024-01-31 10:00:00', '2024-02-01 23:59:59']).kind).toBe('timestamp');
    expect(infer(['2024-01-31T10:00:00Z', '2024-01-31T10:00:00.123+02:00']).kind).toBe('timestamp');
    // agate's datetime kinds reject a bare date, so a mix of both is text, as in dbt
    expect(infer(['2024-01-31', '2024-01-31 10:00:00']).kind).toBe('text');
    expect(infer(['2024-01-31 25:00:00']).kind).toBe('text');
    // a number wins over a date-looking integer, as agate tests numbers first
    expect(infer(['20240131']).kind).toBe('integer');
  });

  it('booleans are true/false in any case; 1/0 and yes/no are not', () => {
    expect(infer(['true', 'false'])).toEqual({ kind: 'boolean', normalise: false });
    expect(infer(['True', 'FALSE'])).toEqual({ kind: 'boolean', normalise: true });
    expect(infer(['yes', 'no']).kind).toBe('text');
    expect(infer(['1', '0']).kind).toBe('integer');
  });

  it('empty and null are NULL for every kind; an all-null column is an integer', () => {
    expect(infer([null, '3'])).toEqual({ kind: 'integer', normalise: false });
    // a quoted empty field: NULL for dbt, so it must be rewritten for the engine
    expect(infer(['', '3'])).toEqual({ kind: 'integer', normalise: true });
    expect(infer(['null', 'NULL', '']).kind).toBe('integer');
    expect(infer(['null', 'x'])).toEqual({ kind: 'text', normalise: true });
    expect(infer([null, 'x'])).toEqual({ kind: 'text', normalise: false });
    expect(normaliseSeedValue('Null', 'text')).toBeNull();
    expect(normaliseSeedValue('', 'integer')).toBeNull();
  });

  it('mixed values fall back to text, keeping the text as written', () => {
    expect(infer(['1', 'a']).kind).toBe('text');
    expect(infer(['2024-01-01', 'soon']).kind).toBe('text');
    expect(normaliseSeedValue(' padded ', 'text')).toBe(' padded ');
  });

  it('SeedInference tracks every column of a row', () => {
    const s = new SeedInference(['id', 'name', 'paid', 'at']);
    s.observeRecord(['1', 'Ann', 'true', '2024-01-01']);
    s.observeRecord(['2', null, 'false', null]);
    s.observeRecord(['3', 'Bo']);
    expect(s.rows).toBe(3);
    expect(s.result()).toEqual([
      { name: 'id', kind: 'integer' },
      { name: 'name', kind: 'text' },
      { name: 'paid', kind: 'boolean' },
      { name: 'at', kind: 'date' },
    ]);
    expect(s.needsNormalising).toBe(false);
  });

  it('values judged on their bytes agree with the same values read as text, in any order', () => {
    const values = [
      '0', '7', '-12', '+5', '007', '123456789', '2147483647', '2147483648', '-2147483649', '99999999999999999999',
      '5.', '-5.', '3.25', '0.0', '1.50', '.5', '1e3', '12345678901.5', '1,000', '$5', ' 5', '5 ',
      '2024-01-31', '2024-02-29', '2023-02-29', '2024-13-01', '2024-00-10', '2024-1-5', '0000-01-01',
      '2024-01-31 23:59:59', '2024-01-31 24:00:00', '2024-01-31 12:60:00', '2024-02-30 10:00:00', '2024-01-31 1:2:3',
      '2024-01-31T10:00:00', '2024-01-31T10:00:00Z', '-2024-01-31', '+202-01-31', '2024-01-31x', '2024-01-31 10:00:0',
      'true', 'False', 'null', 'NULL', 'abc', 'café', '\ufeff1',
    ];
    for (const a of values) {
      for (const b of values) {
        for (const seq of [[a, b], [a, null, b], [b, a, a]]) {
          const c = new ColumnInference();
          for (const v of seq) c.observe(v);
          expect(verdict(viaBytes(seq)), JSON.stringify(seq)).toEqual(verdict(c));
        }
      }
    }
  });
});
