import { describe, expect, it } from 'vitest';
import { movementRow, MOVEMENT_COLUMNS } from '../src/suites/data-movement.js';
import { assertSameValues, numbersSql, sameValue, TYPE_SAMPLES } from '../src/samples.js';

describe('sameValue', () => {
  it('is strict about representation: a number is not a bigint, a Date string is not a timestamp', () => {
    expect(sameValue({ kind: 'bigint' }, 1n, 1)).toBe(false);
    expect(sameValue({ kind: 'bigint' }, 1n, 1n)).toBe(true);
    expect(sameValue({ kind: 'timestamp' }, '2024-01-01 00:00:00', '2024-01-01T00:00:00.000Z')).toBe(false);
    expect(sameValue({ kind: 'text' }, '', null)).toBe(false);
    expect(sameValue({ kind: 'decimal' }, '1.5', 1.5)).toBe(false);
  });

  it('is lenient only where the contract is', () => {
    expect(sameValue({ kind: 'decimal', precision: 10, scale: 4 }, '1.5', '1.5000')).toBe(true);
    expect(sameValue({ kind: 'decimal' }, '-0.0000', '0')).toBe(true);
    expect(sameValue({ kind: 'decimal' }, '1.5', '1.05')).toBe(false);
    expect(sameValue({ kind: 'json' }, '{"a": 1, "b": [2]}', '{"b":[2],"a":1}')).toBe(true);
    expect(sameValue({ kind: 'real' }, 1.1, Math.fround(1.1))).toBe(true);
    expect(sameValue({ kind: 'binary' }, new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(sameValue({ kind: 'binary' }, new Uint8Array([1, 2]), new Uint8Array([2, 1]))).toBe(false);
  });

  it('reports every mismatch at once', () => {
    expect(() => assertSameValues('t', { kind: 'integer' }, [1, 2, 3], [1, 5, 6])).toThrow(/#1: expected 2, got 5.*#2: expected 3, got 6/);
  });
});

describe('generated data', () => {
  it('samples cover every canonical kind but unknown', () => {
    expect(new Set(TYPE_SAMPLES.map((s) => s.type.kind)).size).toBe(16);
  });

  it('movement rows are deterministic, one value per column, with nulls and extremes', () => {
    const rows = Array.from({ length: 40 }, (_, i) => movementRow(i));
    expect(rows.every((r) => r.length === MOVEMENT_COLUMNS.length)).toBe(true);
    expect(movementRow(7)).toEqual(movementRow(7));
    expect(rows[0][0]).toBe(9223372036854775807n);
    expect(rows.some((r) => r.includes(null))).toBe(true);
    expect(new Set(rows.map((r) => String(r[0]))).size).toBe(40);
  });

  it('numbersSql counts in portable SQL', () => {
    const sql = numbersSql(2);
    expect(sql).not.toMatch(/generate_series|values|range\(/i);
    expect(sql.match(/union all/g)).toHaveLength(18);
  });
});
