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
    expect(medians.every((m) => m.wall >= 0 && m.cpu >= 0)).toBe(true);
    expect(calls).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2', 'b3', 'a3']);
  });

  test('report shows wall and cpu seconds and the ratio to each baseline', () => {
    const report = formatReport(
      { label: 'ours' },
      [{ label: 'theirs' }, { label: 'slow', note: 'n' }],
      [{ wall: 0.5, cpu: 0.4 }, { wall: 1, cpu: 1.6 }, { wall: 0.25, cpu: 0.2 }],
      { runs: 5 },
    );
    const lines = report.split('\n');
    expect(lines[0]).toBe('  ours    wall   0.500 s  cpu   0.400 s   (medians of 5 runs)');
    expect(lines[1]).toBe('  theirs  wall   1.000 s  cpu   1.600 s   ratio 0.500 (cpu 0.250) -> ours is 2.00x faster');
    expect(lines[2]).toBe('  slow    wall   0.250 s  cpu   0.200 s   ratio 2.000 (cpu 2.000) -> ours is 2.00x slower   [n]');
  });

  test('every benchmark module has a name, description and prepare', async () => {
    const benches = await loadBenchmarks(new URL('../src/benches/', import.meta.url));
    expect(benches.map((b) => b.name)).toContain('jinja');
    for (const b of benches) expect(typeof b.prepare).toBe('function');
  });
});
