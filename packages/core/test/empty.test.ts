import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler, Relation } from '../src/compile/index.js';
import { yieldToModelAliases } from '../src/compile/empty-inputs.js';
import { loadProject } from '../src/project/index.js';
import { runCommand, type RunCommandName } from '../src/run/index.js';
import { loadDuckdb, projectCopy, query, type TestProject } from './run-support.js';

describe('--empty rendering', () => {
  it('renders a limited relation as an aliased zero-row subquery', async () => {
    const db = await loadDuckdb();
    if (typeof db === 'string') return;
    const orders = new Relation(db.dialect, 'duckdb', { database: 'wh', schema: 'main', identifier: 'orders' });
    expect(orders.limited(0).render()).toBe('(select * from "wh"."main"."orders" where false limit 0) _dbt_limit_subq_orders');
    expect(orders.render()).toBe('"wh"."main"."orders"');
    // Copies keep the limit, as dbt's relations do.
    expect(orders.limited(0).include({ database: false }).render()).toBe('(select * from "main"."orders" where false limit 0) _dbt_limit_subq_orders');
  });

  it("drops its own alias where the model aliases the input, and only there", () => {
    const q = (alias: string) => `(select * from x where false limit 0) _dbt_limit_subq_x${alias}`;
    expect(yieldToModelAliases(`select * from ${q(' o')} join y on o.id = y.id`)).toBe('select * from (select * from x where false limit 0) o join y on o.id = y.id');
    expect(yieldToModelAliases(`select * from ${q(' AS "O"')}`)).toBe('select * from (select * from x where false limit 0) AS "O"');
    expect(yieldToModelAliases(`select * from ${q('\nwhere a = 1')}`)).toBe(`select * from ${q('\nwhere a = 1')}`);
    expect(yieldToModelAliases(`select * from ${q(' left join')} z`)).toBe(`select * from ${q(' left join')} z`);
    expect(yieldToModelAliases(`select * from ${q('')}`)).toBe(`select * from ${q('')}`);
    expect(yieldToModelAliases(`select * from ${q(', y')}`)).toBe(`select * from ${q(', y')}`);
  });
});

let duckdb: AdapterDefinition | undefined;
let skipReason: string | undefined;
beforeAll(async () => {
  const loaded = await loadDuckdb();
  if (typeof loaded === 'string') skipReason = loaded;
  else duckdb = loaded;
});
const projects: TestProject[] = [];
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

async function run(db: AdapterDefinition, p: TestProject, command: RunCommandName, empty: boolean) {
  const loaded = loadProject({ projectDir: p.dir, profilesDir: p.dir, env: {} });
  const compiler = await Compiler.create({ project: loaded, adapters: { duckdb: db }, env: {}, flags: { EMPTY: empty, WHICH: command } });
  compiler.parseProject();
  return runCommand({
    command,
    project: loaded,
    compiler,
    selection: [...loaded.nodes.values()].filter((n) => n.resource_type !== 'test').map((n) => n.unique_id),
    targetPath: join(p.dir, 'target'),
    resolveAdapter: async () => db,
  });
}

describe('dvt run --empty on DuckDB', () => {
  it('builds every model with its columns and no rows, aliased inputs included; a plain run fills them', async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const p = projectCopy('run-shop');
    projects.push(p);
    expect((await run(db, p, 'seed', false)).success).toBe(true);

    const empty = await run(db, p, 'run', true);
    expect(empty.results.map((r) => [r.unique_id, r.status, r.message])).toEqual([
      ['model.run_shop.stg_customers', 'success', expect.anything()],
      ['model.run_shop.customer_payments', 'success', expect.anything()],
    ]);
    const compiled = empty.results.find((r) => r.unique_id.endsWith('customer_payments'))!.compiled_code!;
    // The model aliases both inputs (`c`, `p`): ours gives way.
    expect(compiled).toMatch(/from \(select \* from "[^"]+"\."main"\."stg_customers" where false limit 0\) c\n/);
    expect(compiled).toMatch(/left join \(select \* from "[^"]+"\."main"\."raw_payments" where false limit 0\) p on/);
    expect(await query(db, p, 'select count(*) from customer_payments')).toEqual([[0n]]);
    expect((await query(db, p, "select column_name from information_schema.columns where table_name = 'customer_payments' order by ordinal_position")).flat()).toEqual([
      'customer_id',
      'name',
      'total_paid',
      'payments',
    ]);

    const full = await run(db, p, 'run', false);
    expect(full.success).toBe(true);
    expect(full.results[1]!.compiled_code).not.toMatch(/limit 0/);
    expect(Number((await query(db, p, 'select count(*) from customer_payments'))[0]![0])).toBeGreaterThan(0);
  });
});
