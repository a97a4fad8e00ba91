import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { planFederation } from '../src/plan/index.js';
import { loadProject } from '../src/project/index.js';
import { cacheTablesOf, planRetraction } from '../src/retract/plan.js';
import { inlineNode } from '../src/run/inline.js';
import { previewInput, previewPlacement } from '../src/run/show-plan.js';

// Pure planning of `dvt show` (where a preview runs) and `dvt retract` (what goes, in which order): no connection is opened.
const adapters: Record<string, AdapterDefinition> = {};
let dir: string;

const FILES: Record<string, string> = {
  'dbt_project.yml': 'name: pv\nprofile: pv\n',
  'profiles.yml': `pv:
  target: duck
  outputs:
    duck: { type: duckdb, path: a.duckdb, schema: main }
    duck_other: { type: duckdb, path: b.duckdb, schema: main }
    pg: { type: postgres, host: 127.0.0.1, port: 5432, user: postgres, dbname: test, schema: shop }
`,
  'models/sources.yml': 'sources:\n  - name: raw\n    tables: [{ name: orders }]\n  - name: files\n    connection: duck_other\n    tables: [{ name: events }]\n  - name: crm\n    connection: pg\n    tables: [{ name: customers }]\n',
  'models/schema.yml': 'models:\n  - name: stg_orders\n    columns: [{ name: id, data_tests: [not_null] }]\n',
  'models/stg_orders.sql': "select * from {{ source('raw', 'orders') }}",
  'models/eph.sql': "{{ config(materialized='ephemeral') }} select * from {{ ref('stg_orders') }}",
  'models/pg_orders.sql': "{{ config(target='pg', materialized='table') }} select * from {{ ref('eph') }}",
  'models/pg_view.sql': "{{ config(target='pg') }} select * from {{ ref('pg_orders') }}",
  'models/on_target.sql': "{{ config(target='pg', materialized='table', federation='target') }} select * from {{ ref('stg_orders') }}",
  'models/constant_on_pg.sql': "{{ config(target='pg') }} select 1 as one",
  'seeds/codes.csv': 'code\na\n',
};

beforeAll(async () => {
  for (const name of ['duckdb', 'postgres']) {
    const mod = (await import(pathToFileURL(join(import.meta.dirname, `../../../adapters/${name}/dist/index.js`)).href)) as { default: AdapterDefinition };
    adapters[mod.default.type] = mod.default;
  }
  dir = mkdtempSync(join(tmpdir(), 'dvt-show-retract-'));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function load() {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  const compiler = await Compiler.create({ project, adapters, env: {}, writeCompiled: false });
  compiler.parseProject();
  return { project, compiler };
}

describe('previewPlacement', () => {
  it('runs in place only on a DuckDB output that sees every input, or for inline SQL reading nothing', async () => {
    const { project } = await load();
    const outputs = project.profile.outputs;
    const place = (own: string, inputs: string[], inline = false) =>
      previewPlacement(project, outputs[own]!, inputs.map((id) => previewInput(project, id)!), { inline, adapterOf: (t) => adapters[t] });
    expect(place('duck', ['source.pv.raw.orders'])).toEqual({ where: 'output', output: 'duck' });
    expect(place('duck', ['model.pv.stg_orders', 'source.pv.files.events'])).toEqual({ where: 'cache' });
    expect(place('duck', ['source.pv.crm.customers'])).toEqual({ where: 'cache' });
    // Every input on PostgreSQL itself: still DuckDB, as the issue asks (nothing is written, the engine is local).
    expect(place('pg', ['source.pv.crm.customers'])).toEqual({ where: 'cache' });
    expect(place('pg', [])).toEqual({ where: 'cache' });
    expect(place('pg', [], true)).toEqual({ where: 'output', output: 'pg' });
    expect(place('pg', ['source.pv.crm.customers'], true)).toEqual({ where: 'cache' });
    expect(inlineNode(project, 'select 1').config.target).toBeUndefined();
  });

  it('gives each input a private copy name, never a run\'s shared one', async () => {
    const { project } = await load();
    expect(previewInput(project, 'source.pv.files.events')).toEqual({ unique_id: 'source.pv.files.events', connection: 'duck_other', cacheTable: 'files__events__show' });
    expect(previewInput(project, 'model.pv.pg_orders')).toEqual({ unique_id: 'model.pv.pg_orders', connection: 'pg', cacheTable: '__model__pg_orders__show' });
    expect(previewInput(project, 'source.pv.nothing.here')).toBeUndefined();
  });
});

describe('planRetraction', () => {
  it('children before parents; models, seeds and snapshots only (no ephemeral, test or source)', async () => {
    const { project, compiler } = await load();
    const selection = [...project.nodes.keys(), ...project.sources.keys()];
    const steps = planRetraction(project, compiler, selection, planFederation(project, { adapterOf: (t) => adapters[t] }), (t) => adapters[t]!);
    const names = steps.map((s) => s.node.name);
    expect(names.sort()).toEqual(['codes', 'constant_on_pg', 'on_target', 'pg_orders', 'pg_view', 'stg_orders']);
    const order = steps.map((s) => s.node.name);
    expect(order.indexOf('pg_view')).toBeLessThan(order.indexOf('pg_orders'));
    expect(order.indexOf('pg_orders')).toBeLessThan(order.indexOf('stg_orders'));
    expect(order.indexOf('on_target')).toBeLessThan(order.indexOf('stg_orders'));
  });

  it('each node on its own output, with run leftovers and the copies staged for a federation=target reader', async () => {
    const { project, compiler } = await load();
    const steps = planRetraction(project, compiler, ['model.pv.stg_orders', 'model.pv.pg_orders'], planFederation(project, { adapterOf: (t) => adapters[t] }), (t) => adapters[t]!);
    const stg = steps.find((s) => s.node.name === 'stg_orders')!;
    expect(stg.main.output).toBe('duck');
    expect(stg.main.relation.render()).toBe('"a"."main"."stg_orders"');
    const extras = stg.extras.map((e) => `${e.output}:${e.relation.render()}`);
    expect(extras).toEqual([
      'duck:"a"."main"."stg_orders__dbt_tmp"',
      'duck:"a"."main"."stg_orders__dbt_backup"',
      'duck:"a"."main"."stg_orders__dvt_stage"',
      'pg:"test"."shop__dvt_staging"."__model__stg_orders"',
      'pg:"test"."shop__dvt_staging"."__model__stg_orders__for__on_target"',
    ]);
    expect(steps.find((s) => s.node.name === 'pg_orders')!.main).toMatchObject({ output: 'pg' });
  });

  it('cache tables of a node: its copy, filtered, half-loaded and preview copies, its scratch tables; never another node\'s', () => {
    const existing = ['__model__orders', '__model__orders__for__daily', '__model__orders__dvt_loading', '__model__orders__show', '__this__orders', '__dvt_result__orders', '__model__orders_v2', 'raw__orders', '__dvt_cache_meta'];
    expect(cacheTablesOf('orders', existing)).toEqual(existing.slice(0, 6));
  });
});
