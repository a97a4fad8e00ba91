import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { chooseAutoPath, fitIdentifier, stagedRelation, stagedTableName } from '../src/federate/on-target.js';
import { describePlan, planFederation } from '../src/plan/index.js';
import { loadProject } from '../src/project/index.js';
import type { Project } from '../src/project/types.js';
import { fixtureDir, loadAdapters, type EngineType } from './federate-support.js';

/** Planning `federation='target'` and `'auto'`, and the pure decisions behind them: no server needed. */
const fx = fixtureDir('fedtplan');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  fx.write({
    'dbt_project.yml': 'name: fed\nprofile: fed\nconfig-version: 2\n',
    'profiles.yml': `fed:
  target: pg
  outputs:
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: analytics }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: shop }
    files: { type: duckdb, path: ${join(fx.dir, 'files.duckdb')}, schema: main }
`,
    'models/sources.yml': `version: 2
sources:
  - name: crm
    tables: [{ name: customers }]
  - name: shop
    connection: maria
    tables: [{ name: orders }]
`,
    'models/on_target.sql': "{{ config(materialized='view', federation='target') }} select * from {{ source('shop', 'orders') }} join {{ source('crm', 'customers') }} using (id)",
    'models/on_auto.sql': "{{ config(materialized='table', federation='auto', federation_auto_rows=5000) }} select * from {{ source('shop', 'orders') }} join {{ source('crm', 'customers') }} using (id)",
  });
});
afterAll(() => fx.cleanup());

async function load(): Promise<Project> {
  const project = loadProject({ projectDir: fx.dir, profilesDir: fx.dir, env: {} });
  const compiler = await Compiler.create({ project, adapters, env: {}, writeCompiled: false });
  compiler.parseProject();
  return project;
}
const plan = (project: Project) => planFederation(project, { adapterOf: (type) => adapters[type as EngineType] });

describe('planning federation on the target', () => {
  it("federation='target' moves only the remote inputs, to the target, and builds a view as a table", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const p = plan(await load()).nodes.get('model.fed.on_target')!;
    expect(describePlan(p)).toMatchObject({
      path: 'federate-target',
      engine: 'postgres',
      target: 'pg',
      moves: [{ input: 'source.fed.shop.orders', from: 'maria', to: 'pg' }],
    });
    expect(p.warning).toBe(
      "model.fed.on_target is materialized as 'view' but reads source.fed.shop.orders on 'maria', which 'pg' cannot see: it is built as a table on 'pg' from its inputs staged there",
    );
  });

  it("federation='auto' shows both engines, where each input would go, and the threshold; it carries both concrete plans", async (ctx) => {
    if (skip) return ctx.skip(skip);
    const p = plan(await load()).nodes.get('model.fed.on_auto')!;
    expect(describePlan(p)).toEqual({
      path: 'federate-auto',
      engine: 'duckdb or postgres',
      target: 'pg',
      moves: [{ input: 'source.fed.shop.orders', from: 'maria', to: 'cache or pg' }],
      auto_threshold_rows: 5000,
      reason: "reads source.fed.shop.orders on 'maria', which 'pg' cannot see",
    });
    expect(p.auto!.duckdb.path).toBe('federate-duckdb');
    expect(p.auto!.duckdb.inputs.map((i) => [i.unique_id, i.to, i.cacheTable])).toEqual([
      ['source.fed.crm.customers', 'cache', 'crm__customers'],
      ['source.fed.shop.orders', 'cache', 'shop__orders'],
    ]);
    expect(p.auto!.target.path).toBe('federate-target');
    expect(p.auto!.target.inputs.filter((i) => i.moves).map((i) => i.unique_id)).toEqual(['source.fed.shop.orders']);
  });

  it('refuses a federation_auto_rows that is not a number of rows, naming the file', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const project = await load();
    project.nodes.get('model.fed.on_auto')!.config.federation_auto_rows = 'lots';
    expect(() => plan(project)).toThrow(/model\.fed\.on_auto: federation_auto_rows must be a number of rows \(got "lots"\)/);
  });

  it('names staged copies like cache copies, in <target schema>__dvt_staging, within the identifier limit', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const project = await load();
    expect(stagedTableName(project, 'source.fed.shop.orders')).toBe('shop__orders');
    expect(stagedTableName(project, 'model.fed.on_auto')).toBe('__model__on_auto');
    expect(stagedTableName(project, 'source.fed.shop.orders', 'on_target')).toBe('shop__orders__for__on_target');
    const pgOut = project.profile.outputs.pg!;
    expect(stagedRelation(adapters.postgres, pgOut, 'shop__orders').render()).toBe('"test"."analytics__dvt_staging"."shop__orders"');
    expect(stagedRelation(adapters.mariadb, project.profile.outputs.maria!, 'crm__customers').render()).toBe('`shop__dvt_staging`.`crm__customers`');
    const long = stagedRelation(adapters.postgres, pgOut, `${'x'.repeat(60)}__for__a_model`).identifier!;
    expect(long).toHaveLength(63);
    expect(long).not.toBe(stagedRelation(adapters.postgres, pgOut, `${'x'.repeat(60)}__for__b_model`).identifier);
  });
});

describe('chooseAutoPath', () => {
  const input = (unique_id: string, moves: boolean, rows: number | undefined) => ({ unique_id, moves, rows });

  it('runs on the target when its largest input already lives there', () => {
    const choice = chooseAutoPath([input('source.a.remote', true, 1000), input('source.a.local', false, 50_000)], 1_000_000, 'pg');
    expect(choice).toEqual({ path: 'federate-target', why: "its largest input, source.a.local (~50000 rows), is on 'pg'" });
  });

  it('runs on the target when the remote inputs together pass the threshold', () => {
    expect(chooseAutoPath([input('r1', true, 600), input('r2', true, 500), input('l', false, 10)], 1000, 'pg')).toEqual({
      path: 'federate-target',
      why: 'its remote inputs hold ~1100 rows, above federation_auto_rows (1000)',
    });
  });

  it('runs in DuckDB otherwise, and says which inputs had no estimate', () => {
    expect(chooseAutoPath([input('r1', true, 600), input('view', false, undefined)], 1000, 'pg')).toEqual({
      path: 'federate-duckdb',
      why: "its remote inputs hold ~600 rows, within federation_auto_rows (1000), and no input on 'pg' is larger (no estimate for view: counted as 0 rows)",
    });
  });

  it('does not count a tie as the target holding the largest input', () => {
    expect(chooseAutoPath([input('r', true, 10), input('l', false, 10)], 1000, 'pg').path).toBe('federate-duckdb');
  });

  it('keeps a cut name unique with a hash of the whole', () => {
    expect(fitIdentifier('short', 63)).toBe('short');
    const cut = fitIdentifier('a'.repeat(70), 63);
    expect(cut).toMatch(/^a{54}_[0-9a-f]{8}$/);
  });
});
