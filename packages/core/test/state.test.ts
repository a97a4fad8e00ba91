import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildManifest, writeManifest } from '../src/artifacts/index.js';
import { Compiler } from '../src/compile/index.js';
import { buildGraph } from '../src/graph/index.js';
import { loadProject } from '../src/project/index.js';
import { Selector } from '../src/select/index.js';
import { compareWithState, matchesState, readStateManifest, type ManifestEntry } from '../src/state/index.js';
import { testAdapter } from './compile-support.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const BASE: Record<string, string> = {
  'dbt_project.yml': 'name: st\nversion: "1.0"\nconfig-version: 2\nprofile: st\nmodels:\n  st:\n    +materialized: view\n',
  'profiles.yml': 'st:\n  target: dev\n  outputs:\n    dev:\n      type: testdb\n      database: wh\n      schema: main\n',
  'models/stg_orders.sql': 'select 1 as id',
  'models/orders.sql': "select * from {{ ref('stg_orders') }}",
  'models/customers.sql': 'select 2 as id',
  'models/payments.sql': 'select 3 as id',
  'models/untouched.sql': 'select 4 as id',
  'models/report.sql': "select * from {{ ref('customers') }}",
  'models/priced.sql': "select {{ cents('250') }} as price",
  'macros/cents.sql': '{% macro cents(x) %}{{ x }} / 100{% endmacro %}',
  'models/schema.yml': 'version: 2\nmodels:\n  - name: orders\n    columns:\n      - name: id\n        data_tests: [unique]\n',
};

function write(dir: string, files: Record<string, string>) {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

async function parsed(dir: string) {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  const compiler = await Compiler.create({ project, adapters: { testdb: testAdapter }, env: {}, writeCompiled: false });
  compiler.parseProject();
  return project;
}

describe('state comparison', () => {
  it('finds new, body, config and relation changes against a previous manifest, and selects them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvt-state-'));
    const stateDir = mkdtempSync(join(tmpdir(), 'dvt-state-prev-'));
    dirs.push(dir, stateDir);
    write(dir, BASE);
    writeManifest(stateDir, await parsed(dir), { invocationId: 'before' });

    write(dir, {
      'models/stg_orders.sql': 'select 1 as id, 2 as extra',
      'models/customers.sql': "{{ config(materialized='table') }} select 2 as id",
      'models/payments.sql': "{{ config(alias='payments_v2') }} select 3 as id",
      'models/brand_new.sql': 'select 5 as id',
      'macros/cents.sql': '{% macro cents(x) %}cast({{ x }} as decimal) / 100{% endmacro %}',
    });
    const project = await parsed(dir);
    const current = buildManifest(project, { invocationId: 'now' }) as { nodes: Record<string, ManifestEntry>; sources: Record<string, ManifestEntry> };
    const changes = compareWithState(current, readStateManifest(stateDir));
    const kinds = Object.fromEntries([...changes].map(([id, set]) => [id, [...set].sort()]));
    expect(kinds).toEqual({
      'model.st.stg_orders': ['body'],
      'model.st.customers': ['body', 'configs'],
      'model.st.payments': ['body', 'relation'],
      'model.st.brand_new': ['new'],
      'model.st.priced': ['macros'],
    });

    const selector = new Selector(project, buildGraph(project), { state: changes });
    const pick = (...select: string[]) => selector.select({ select }).filter((id) => id.startsWith('model.'));
    expect(pick('state:new')).toEqual(['model.st.brand_new']);
    expect(pick('state:modified')).toEqual(['model.st.brand_new', 'model.st.customers', 'model.st.payments', 'model.st.priced', 'model.st.stg_orders']);
    expect(pick('state:modified.macros')).toEqual(['model.st.priced']);
    expect(pick('state:modified.configs')).toEqual(['model.st.customers']);
    expect(pick('state:modified.relation')).toEqual(['model.st.payments']);
    expect(pick('state:modified+')).toEqual(['model.st.brand_new', 'model.st.customers', 'model.st.orders', 'model.st.payments', 'model.st.priced', 'model.st.report', 'model.st.stg_orders']);
    // Tests of modified models join indirectly, as with any selection.
    expect(selector.select({ select: ['state:modified+'] }).some((id) => id.startsWith('test.st.unique_orders_id'))).toBe(true);
  });

  it('needs --state for state: selectors and names the supported ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dvt-state-'));
    dirs.push(dir);
    write(dir, BASE);
    const project = await parsed(dir);
    expect(() => new Selector(project, buildGraph(project)).select({ select: ['state:modified'] })).toThrow(/needs --state DIR/);
    expect(() => matchesState(new Set(['body']), 'modified', ['contract'])).toThrow(/state:modified.contract is not supported/);
    expect(() => matchesState(undefined, 'old', [])).toThrow(/state:new or state:modified/);
    expect(() => readStateManifest(dir)).toThrow(/there is no manifest.json there/);
  });
});
