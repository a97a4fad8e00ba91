import { join } from 'node:path';
import { expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

it("dvt show --output json prints dbt's {node, show} object; --limit -1 prints every row", () => {
  const cwd = tempDir();
  expect(dvt(['init', 'shop'], { cwd }).code).toBe(0);
  const dir = join(cwd, 'shop');
  expect(dvt(['build', '-q'], { cwd: dir }).code).toBe(0);
  const r = dvt(['show', '-s', 'rider_summary', '--limit', '2', '--output', 'json', '-q'], { cwd: dir });
  expect(r.code, r.output).toBe(0);
  const shown = JSON.parse(r.stdout) as { node: string; show: Record<string, unknown>[] };
  expect(shown.node).toBe('rider_summary');
  expect(shown.show).toHaveLength(2);
  expect(Object.keys(shown.show[0]!)).toContain('rider_id');
  const all = dvt(['show', '--inline', "select * from {{ ref('stg_trips') }}", '--limit', '-1', '--output', 'json', '-q'], { cwd: dir });
  expect(all.code, all.output).toBe(0);
  const count = dvt(['show', '--inline', "select count(*) as n from {{ ref('stg_trips') }}", '--output', 'json', '-q'], { cwd: dir });
  expect((JSON.parse(all.stdout) as { show: unknown[] }).show).toHaveLength(Number((JSON.parse(count.stdout) as { show: { n: string }[] }).show[0]!.n));
  expect((JSON.parse(all.stdout) as { show: unknown[] }).show.length).toBeGreaterThan(5);
  expect(dvt(['show', '-s', 'rider_summary', '--output', 'name'], { cwd: dir }).output).toMatch(/dvt show --output takes json/);
});
