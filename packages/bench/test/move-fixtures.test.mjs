import { describe, expect, it } from 'vitest';
import { startEngineProcess } from '../src/fixtures/engine-process.mjs';
import { memoryLine } from '../src/fixtures/move-bench.mjs';
import { duckdbEmptyOrdersSql, duckdbOrdersSql, duckdbReadOrdersCsv } from '../src/fixtures/orders.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('movement benchmark fixtures', () => {
  it('an engine process runs DuckDB queries and moveRows, and reports its peak RSS', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvt-bench-engine-'));
    const engine = startEngineProcess();
    try {
      await engine.open('a', { type: 'duckdb', path: join(dir, 'a.duckdb') });
      await engine.open('b', { type: 'duckdb', path: join(dir, 'b.duckdb') });
      await engine.query('a', duckdbOrdersSql('main.orders', 3000));
      await engine.query('b', duckdbEmptyOrdersSql('main.orders'));
      const { ORDER_COLUMNS } = await import('../src/fixtures/orders.mjs');
      const stats = await engine.move({ from: 'a', to: 'b', sql: 'select * from main.orders', relation: { schema: 'main', identifier: 'orders' }, columns: ORDER_COLUMNS });
      expect(stats.rows).toBe(3000);
      // The CSV reader the baselines use reads back what DuckDB writes, edge cases included.
      const csv = join(dir, 'orders.csv');
      await engine.query('a', `copy main.orders to '${csv}' (format csv, header true)`);
      const [[differing]] = await engine.query('a', `select count(*) from (select * from main.orders except all select * from ${duckdbReadOrdersCsv(csv)})`);
      expect(Number(differing)).toBe(0);
      const [[empty, newline]] = await engine.query('b', "select count(*) filter (where note = ''), count(*) filter (where note like '%' || chr(10) || '%') from main.orders");
      expect([Number(empty), Number(newline)]).toEqual([1000, 286]);
      expect(await engine.peakRss()).toBeGreaterThan(10 * 1024 * 1024);
      await expect(engine.query('nope', 'select 1')).rejects.toThrow(/no connection named nope/);
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('memory line judges dvt\'s process against the 1 GiB goal and shows the baseline\'s for scale', () => {
    expect(memoryLine([{ label: 'a', bytes: 300 * 1024 ** 2 }, { label: 'b', bytes: 900 * 1024 ** 2 }])).toMatch(/a 300 MiB, under the 1 GiB goal; b 900 MiB$/);
    expect(memoryLine([{ label: 'a', bytes: 1024 ** 3 }])).toMatch(/a 1024 MiB, OVER the 1 GiB goal$/);
  });
});
