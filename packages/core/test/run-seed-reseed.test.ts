import { afterAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, RelationRef } from '../src/adapter/contract.js';
import { loadDuckdb, projectCopy, query, runDvt, type TestProject } from './run-support.js';

const duckdb = await loadDuckdb();
const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

/** The DuckDB adapter with its catalog's describe() counted. */
function counting(base: AdapterDefinition): { adapter: AdapterDefinition; describes: () => number; reset: () => void } {
  let describes = 0;
  const adapter: AdapterDefinition = {
    ...base,
    async connect(config, ctx) {
      const conn = await base.connect(config, ctx);
      const catalog = conn.catalog;
      if (!catalog) throw new Error('the DuckDB adapter has a catalog');
      const describe = catalog.describe.bind(catalog);
      catalog.describe = (ref: RelationRef) => {
        describes++;
        return describe(ref);
      };
      return conn;
    },
  };
  return { adapter, describes: () => describes, reset: () => (describes = 0) };
}

describe.skipIf(typeof duckdb === 'string')(`re-seeding${typeof duckdb === 'string' ? ` (skipped: ${duckdb})` : ''}`, () => {
  it('reads the existing table once (column names, types, load) and refills it in place', async () => {
    const db = counting(duckdb as AdapterDefinition);
    const p = projectCopy('run-shop', { 'models/schema.yml': 'version: 2\n', 'seeds/small.csv': 'id,name\n1,a\n2,b\n' });
    projects.push(p);
    const first = await runDvt(db.adapter, p, 'seed', { select: ['small'] });
    expect(first.results[0]).toMatchObject({ status: 'success' });
    p.write({ 'seeds/small.csv': 'id,name\n1,a\n2,b\n3,c\n' });
    db.reset();
    const again = await runDvt(db.adapter, p, 'seed', { select: ['small'] });
    expect(again.results[0]).toMatchObject({ status: 'success', adapter_response: { rows_affected: 3 } });
    expect(db.describes()).toBe(1);
    expect(await query(duckdb as AdapterDefinition, p, 'select count(*) from main.small')).toEqual([[3n]]);
  });
});
