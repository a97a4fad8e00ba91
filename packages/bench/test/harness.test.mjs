import { describe, expect, test } from 'vitest';
import { formatReport, loadBenchmarks, measure, median } from '../src/harness.mjs';

describe('harness', () => {
  test('median of odd and even counts', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  test('measure runs warm-up plus timed rounds, rotating the order, with setup per round', async () => {
    const calls = [];
    const entry = (label) => ({
      label,
      setup: (round) => round,
      run: (round) => calls.push(`${label}${round}`),
    });
    const medians = await measure([entry('a'), entry('b')], { runs: 3, warmup: 1 });
    expect(medians).toHaveLength(2);
    expect(medians.every((s) => typeof s === 'number' && s >= 0)).toBe(true);
    expect(calls).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2', 'b3', 'a3']);
  });

  test('report shows seconds and the ratio to each baseline', () => {
    const report = formatReport({ label: 'ours' }, [{ label: 'theirs' }, { label: 'slow', note: 'n' }], [0.5, 1, 0.25], { runs: 5 });
    expect(report).toContain('ours    0.500 s   (median of 5)');
    expect(report).toContain('theirs  1.000 s   ratio 0.500 -> ours is 2.00x faster');
    expect(report).toContain('slow    0.250 s   ratio 2.000 -> ours is 2.00x slower   [n]');
  });

  test('every benchmark module has a name, description and prepare', async () => {
    const benches = await loadBenchmarks(new URL('../src/benches/', import.meta.url));
    expect(benches.map((b) => b.name)).toContain('jinja');
    for (const b of benches) expect(typeof b.prepare).toBe('function');
  });
});
