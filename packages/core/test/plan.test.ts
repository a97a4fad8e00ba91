import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { describePlan, planFederation, testTargets, type FederationPlan } from '../src/plan/index.js';
import { loadProject } from '../src/project/index.js';
import type { Project } from '../src/project/types.js';
import { Compiler } from '../src/compile/index.js';

const adapterPath = (name: string) => join(import.meta.dirname, `../../../adapters/${name}/dist/index.js`);
const adapters: Record<string, AdapterDefinition> = {};

const FILES: Record<string, string> = {
  'dbt_project.yml': 'name: fed\nprofile: fed\nconfig-version: 2\n',
  'profiles.yml': `fed:
  target: duck
  outputs:
    duck: { type: duckdb, path: a.duckdb, schema: main }
    duck_other: { type: duckdb, path: b.duckdb, schema: main }
    pg: { type: postgres, host: 127.0.0.1, port: 5432, user: postgres, dbname: test, schema: public }
    pg_same: { type: postgres, host: localhost, user: root, dbname: test, schema: raw }
    pg_elsewhere: { type: postgres, host: 127.0.0.1, user: postgres, dbname: postgres, schema: public }
`,
  'models/sources.yml': `version: 2
sources:
  - name: raw
    tables: [{ name: orders }]
  - name: crm
    connection: pg_same
    tables: [{ name: customers }]
  - name: legacy
    connection: pg_elsewhere
    tables: [{ name: invoices }]
  - name: files
    connection: duck_other
    tables: [{ name: events }]
`,
  'models/schema.yml': 'version: 2\nmodels:\n  - name: pg_customers\n    columns: [{ name: id, data_tests: [not_null] }]\n  - name: local_orders\n    columns: [{ name: id, data_tests: [not_null] }]\n',
  'models/local_orders.sql': "select * from {{ source('raw', 'orders') }}",
  'models/pg_customers.sql': "{{ config(target='pg', materialized='table') }} select * from {{ source('crm', 'customers') }}",
  'models/pg_orders.sql': "{{ config(target='pg', materialized='table') }} select * from {{ source('raw', 'orders') }}",
  'models/joined.sql':
    "{{ config(materialized='table') }} select * from {{ source('raw', 'orders') }} o join {{ source('crm', 'customers') }} c using (id) join {{ source('files', 'events') }} e using (id)",
  'models/legacy_view.sql': "{{ config(materialized='view', target='pg') }} select * from {{ source('legacy', 'invoices') }}",
  'models/joined_in_cache.sql':
    "{{ config(materialized='table', federation='duckdb') }} select * from {{ source('raw', 'orders') }} o join {{ source('files', 'events') }} e using (id)",
  'models/eph.sql': "{{ config(materialized='ephemeral') }} select * from {{ source('files', 'events') }}",
  'models/via_eph.sql': "{{ config(materialized='table') }} select * from {{ ref('eph') }}",
  'models/chain.sql': "{{ config(target='pg', materialized='table') }} select * from {{ ref('local_orders') }} join {{ ref('pg_customers') }} using (id)",
  'models/on_target.sql': "{{ config(target='pg', materialized='table', federation='target') }} select * from {{ ref('pg_customers') }} join {{ source('legacy', 'invoices') }} using (id)",
};

let dir: string;
const load = async (target?: string): Promise<Project> => {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, target });
  const compiler = await Compiler.create({ project, adapters, env: {}, writeCompiled: false });
  compiler.parseProject();
  return project;
};
const plan = (project: Project): FederationPlan => planFederation(project, { adapterOf: (type) => adapters[type] });
const pathOf = (p: FederationPlan, name: string) => p.nodes.get(`model.fed.${name}`)!;

beforeAll(async () => {
  for (const name of ['duckdb', 'postgres']) {
    const mod = (await import(pathToFileURL(adapterPath(name)).href)) as { default: AdapterDefinition };
    adapters[mod.default.type] = mod.default;
  }
  dir = mkdtempSync(join(tmpdir(), 'dvt-plan-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('planFederation', () => {
  it('pushes down a model whose inputs all live on its own target', async () => {
    const p = plan(await load());
    expect(pathOf(p, 'local_orders')).toMatchObject({ path: 'pushdown', engine: 'duckdb', target: 'duck' });
    expect(pathOf(p, 'local_orders').inputs).toEqual([{ unique_id: 'source.fed.raw.orders', kind: 'source', connection: 'duck', moves: false }]);
  });

  it("asks the adapter: another output on the same PostgreSQL server and database is visible", async () => {
    expect(pathOf(plan(await load()), 'pg_customers').path).toBe('pushdown');
  });

  it("places a source without connection: on the profile's default target, not on the model's", async () => {
    const p = pathOf(plan(await load()), 'pg_orders');
    expect(p.path).toBe('federate-duckdb');
    expect(describePlan(p)).toMatchObject({
      path: 'federate-duckdb',
      engine: 'duckdb',
      target: 'pg',
      moves: [{ input: 'source.fed.raw.orders', from: 'duck', to: 'cache', table: 'raw__orders' }],
    });
  });

  it('federates on DuckDB when inputs live on engines that cannot see each other, moving every input', async () => {
    const p = pathOf(plan(await load('pg')), 'joined');
    expect(p.path).toBe('federate-duckdb');
    expect(p.inputs.map((i) => [i.unique_id, i.connection, i.moves, i.cacheTable])).toEqual([
      ['source.fed.crm.customers', 'pg_same', true, 'crm__customers'],
      ['source.fed.files.events', 'duck_other', true, 'files__events'],
      ['source.fed.raw.orders', 'pg', true, 'raw__orders'],
    ]);
    expect(p.reason).toContain("source.fed.files.events on 'duck_other'");
  });

  it('federates a model whose target is DuckDB on that target, staging only its remote inputs there', async () => {
    const p = pathOf(plan(await load()), 'joined');
    expect(p.path).toBe('federate-target');
    expect(p.engine).toBe('duckdb');
    expect(p.inputs.map((i) => [i.unique_id, i.moves, i.to])).toEqual([
      ['source.fed.crm.customers', true, 'duck'],
      ['source.fed.files.events', true, 'duck'],
      ['source.fed.raw.orders', false, undefined],
    ]);
    expect(p.reason).toContain("'duck' is itself DuckDB, so its remote inputs are staged there rather than in the cache");
  });

  it("still goes through the cache for a DuckDB target when federation='duckdb' says so", async () => {
    const p = pathOf(plan(await load()), 'joined_in_cache');
    expect(p.path).toBe('federate-duckdb');
    expect(p.inputs.map((i) => [i.unique_id, i.moves, i.to])).toEqual([
      ['source.fed.files.events', true, 'cache'],
      ['source.fed.raw.orders', true, 'cache'],
    ]);
    expect(p.reason).not.toContain('itself DuckDB');
  });

  it('treats a different PostgreSQL database as remote, and warns that a federated view becomes a table', async () => {
    const p = pathOf(plan(await load()), 'legacy_view');
    expect(p.path).toBe('federate-duckdb');
    expect(p.warning).toMatch(/materialized as 'view'.*built as a table on 'pg'/);
  });

  it('looks through ephemeral models to what they read', async () => {
    const p = pathOf(plan(await load()), 'via_eph');
    expect(p.path).toBe('federate-target');
    expect(p.inputs.map((i) => i.unique_id)).toEqual(['source.fed.files.events']);
  });

  it('treats a ref to a model on another connection as a remote input with a __model__ cache table', async () => {
    const p = pathOf(plan(await load()), 'chain');
    expect(p.path).toBe('federate-duckdb');
    expect(p.inputs.map((i) => [i.unique_id, i.kind, i.connection, i.cacheTable])).toEqual([
      ['model.fed.local_orders', 'model', 'duck', '__model__local_orders'],
      ['model.fed.pg_customers', 'model', 'pg', '__model__pg_customers'],
    ]);
  });

  it("federation='target' moves only the inputs the target cannot see, into the target", async () => {
    const p = pathOf(plan(await load()), 'on_target');
    expect(p).toMatchObject({ path: 'federate-target', engine: 'postgres' });
    expect(describePlan(p).moves).toEqual([{ input: 'source.fed.legacy.invoices', from: 'pg_elsewhere', to: 'pg' }]);
  });

  it('--target moves the default connection: sources without connection: follow it', async () => {
    const p = plan(await load('pg'));
    expect(pathOf(p, 'pg_orders').path).toBe('pushdown');
    expect(pathOf(p, 'local_orders')).toMatchObject({ path: 'pushdown', engine: 'postgres', target: 'pg' });
    expect(pathOf(p, 'joined').inputs.find((i) => i.unique_id === 'source.fed.raw.orders')?.connection).toBe('pg');
  });

  it('places a data test on the connection of what it tests, when that is one other connection', async () => {
    const targets = testTargets(await load());
    expect([...targets.values()]).toEqual(['pg']);
    const [testId] = [...targets.keys()];
    expect(testId).toMatch(/^test\.fed\.not_null_pg_customers_id/);
    expect(plan(await load()).nodes.get(testId!)).toMatchObject({ path: 'pushdown', target: 'pg', engine: 'postgres' });
  });

  it('refuses an unknown federation mode, naming the file', async () => {
    const project = await load();
    project.nodes.get('model.fed.joined')!.config.federation = 'spark';
    expect(() => plan(project)).toThrow(/federation must be one of duckdb, target, auto \(got 'spark'\)/);
  });
});
