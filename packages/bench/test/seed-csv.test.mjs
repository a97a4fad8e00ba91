import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { readCsvBatches } from '@dvt/core';
import { afterAll, describe, expect, it } from 'vitest';
import { idleShare } from '../src/fixtures/idle-cpu.mjs';
import { SEED_COLUMNS, writeSeedCsv } from '../src/fixtures/seed-csv.mjs';

const dir = mkdtempSync(join(tmpdir(), 'dvt-bench-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function records(file) {
  const all = [];
  for await (const batch of readCsvBatches(createReadStream(file), { delimiter: ',', nullString: '' })) all.push(...batch);
  return all;
}

describe('the seed benchmarks\' CSV', () => {
  it('is the same bytes every time, and a valid CSV of the promised shape', async () => {
    const a = join(dir, 'a.csv');
    const b = join(dir, 'b.csv');
    const bytes = await writeSeedCsv(a, 5000);
    await writeSeedCsv(b, 5000);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(readFileSync(a).length).toBe(bytes);

    const [header, ...rows] = await records(a);
    expect(header).toEqual(SEED_COLUMNS);
    expect(rows).toHaveLength(5000);
    expect(rows.every((r) => r.length === 6)).toBe(true);
    expect(rows.map((r) => Number(r[0]))).toEqual(rows.map((_, i) => 4_000_000_001 + i));
    expect(rows.every((r) => r[2] === null || /^\d+\.\d\d$/.test(r[2]))).toBe(true);
    expect(rows.some((r) => r[2] === null)).toBe(true);
    expect(rows.every((r) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(r[4]))).toBe(true);
    const notes = rows.map((r) => r[5]).filter((n) => n !== null);
    for (const feature of ['"', ',', '\n', '\r\n', 'é', '😀']) expect(notes.some((n) => n.includes(feature)), feature).toBe(true);
    expect(rows.some((r) => r[5] === null)).toBe(true);
  });

  it('measures the idle share of the CPUs as a fraction', async () => {
    const share = await idleShare(50);
    expect(share).toBeGreaterThanOrEqual(0);
    expect(share).toBeLessThanOrEqual(1);
  });
});
