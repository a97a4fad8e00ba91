import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { DatabaseBridge, templatesReadDatabase } from '../src/bridge/index.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import type { RunOutcome } from '../src/run/index.js';
import { loadDuckdb } from './run-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const duckdbModule = pathToFileURL(join(here, '../../../adapters/duckdb/dist/index.js')).href;
const postgresModule = pathToFileURL(join(here, '../../../adapters/postgres/dist/index.js')).href;
const testkitModule = pathToFileURL(join(here, '../../adapter-testkit/dist/index.js')).href;

const duckdb = await loadDuckdb();
const quiet = { debug() {}, info() {}, warn() {} };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dvt-bridge-'));
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Models that read the database while compiling, in every form templates use. */
const MODELS: Record<string, string> = {
  'dbt_project.yml': 'name: bridged\nversion: "1.0"\nconfig-version: 2\nprofile: bridged\nmodels:\n  bridged:\n    +materialized: table\n',
  'models/colors.sql': "select * from (values ('red', 1), ('blue', 2), ('green', 3), ('red', 4)) as t(color, n)",
  // dbt_utils' get_column_values style: the model's columns come from a query.
  ...Object.fromEntries(
    [1, 2, 3, 4].map((i) => [
      `models/pivot_${i}.sql`,
      `{% set colors = run_query("select distinct color from " ~ ref('colors') ~ " order by color") %}
select
{%- if execute %}
{%- for c in colors.columns[0].values() %}
  sum(case when color = '{{ c }}' then n * ${i} else 0 end) as {{ c }}_total{{ ',' if not loop.last }}
{%- endfor %}
{%- else %} 1 as placeholder{% endif %}
from {{ ref('colors') }}`,
    ]),
  ),
  'models/introspect.sql': `{% set rel = adapter.get_relation(database=this.database, schema=this.schema, identifier='colors') %}
{% set missing = adapter.get_relation(database=this.database, schema=this.schema, identifier='no_such_table') %}
{% set cols = adapter.get_columns_in_relation(rel) if rel else [] %}
{% call statement('counted', fetch_result=True) %}select count(*) as c, max(n) as top from {{ ref('colors') }}{% endcall %}
{% set counted = load_result('counted') %}
select
  '{{ cols | map(attribute="name") | join(",") }}' as column_list,
  {{ counted.table.columns['c'].values()[0] if execute else 0 }} as row_count,
  {{ counted.data[0][1] if execute else 0 }} as top_n,
  '{{ "found" if rel is not none else "absent" }}' as colors_relation,
  '{{ "found" if missing is not none else "absent" }}' as missing_relation,
  '{% if execute %}{% for name, column in counted.table.columns.items() %}{{ name }}={{ column.values() | join("/") }};{% endfor %}{% for row in counted.table %}{{ row['c'] }}{% endfor %}{% endif %}' as by_items
from {{ ref('colors') }}
limit 1`,
};

const MANAGE_MACRO = `{% macro manage(schema_name) %}
  {% set s = api.Relation.create(database=target.database, schema=schema_name) %}
  {% do adapter.create_schema(s) %}
  {% do run_query('create table ' ~ schema_name ~ '.a as select 1 as x union all select 2') %}
  {% set a = api.Relation.create(database=target.database, schema=schema_name, identifier='a', type='table') %}
  {% set b = api.Relation.create(database=target.database, schema=schema_name, identifier='b', type='table') %}
  {% do adapter.rename_relation(a, b) %}
  {% set names = adapter.list_relations_without_caching(s) | map(attribute='identifier') | list %}
  {% do adapter.truncate_relation(b) %}
  {% set n = run_query('select count(*) from ' ~ b).columns[0].values()[0] %}
  {% do adapter.drop_relation(b) %}
  {% set after = adapter.list_relations_without_caching(s) | length %}
  {% do run_query('create table ' ~ schema_name ~ '.c as select 1 as x') %}
  {% do adapter.drop_schema(s) %}
  {% set schemas = run_query("select schema_name from information_schema.schemata where schema_name = '" ~ schema_name ~ "'") %}
  {{ return([names, n + 0, after, schemas.rows | length]) }}
{% endmacro %}`;

/** Calls the MANAGE_MACRO through a bridged compiler, as run-operation does. */
async function manageThroughBridge(dir: string, engine: Engine, schema: string): Promise<unknown> {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  const bridge = new DatabaseBridge({ projectDir: dir, outputs: project.profile.outputs, modules: { [engine.definition.type]: engine.module } });
  try {
    const compiler = await Compiler.create({ project, adapters: { [engine.definition.type]: engine.definition }, env: {}, database: bridge.templateDatabase, writeCompiled: false });
    compiler.parseProject();
    return compiler.callMacro('manage', [schema], {}, { adapterType: engine.definition.type });
  } finally {
    await bridge.close();
  }
}

interface Engine {
  definition: AdapterDefinition;
  module: string;
}

async function runBridged(dir: string, engine: Engine, threads: number, options: { command?: 'run' | 'build'; lockWaitGuardMs?: number } = {}): Promise<RunOutcome> {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
  const bridge = new DatabaseBridge({
    projectDir: dir,
    outputs: project.profile.outputs,
    modules: { [engine.definition.type]: engine.module },
    lockWaitGuardMs: options.lockWaitGuardMs,
  });
  try {
    const compiler = await Compiler.create({
      project,
      adapters: { [engine.definition.type]: engine.definition },
      env: {},
      database: bridge.templateDatabase,
      writeCompiled: false,
    });
    compiler.parseProject();
    return await runCommand({
      command: options.command ?? 'run',
      project,
      compiler,
      selection: [...project.nodes.keys()],
      threads,
      targetPath: join(dir, 'target'),
      resolveAdapter: async () => bridge.adapter(engine.definition),
    });
  } finally {
    await bridge.close();
  }
}

function expectBridgedResults(outcome: RunOutcome, rows: { pivot: unknown[][]; introspect: unknown[][] }): void {
  expect(outcome.results.map((r) => [r.unique_id, r.status, r.message])).toEqual(
    outcome.results.map((r) => [r.unique_id, 'success', r.message]),
  );
  expect(rows.pivot).toEqual([[2, 3, 5], [4, 6, 10], [6, 9, 15], [8, 12, 20]]);
  expect(rows.introspect).toEqual([['color,n', 4, 4, 'found', 'absent', 'c=4;top=4;4']]);
}

describe.skipIf(typeof duckdb === 'string')('database bridge on DuckDB', () => {
  const definition = duckdb as AdapterDefinition;

  it('serves template calls and the runner from one worker-owned instance', async () => {
    const dir = tempDir();
    const path = join(dir, 'warehouse.duckdb');
    const bridge = new DatabaseBridge({ projectDir: dir, outputs: { dev: { type: 'duckdb', config: { path } } }, modules: { duckdb: duckdbModule } });
    try {
      const connection = await bridge.adapter(definition).connect({ path }, { projectDir: dir, logger: quiet });
      await connection.query('create table t as select 1 as a');
      // Written through the runner's proxy, read synchronously by a template: same instance, no stale pages.
      await connection.query('insert into t values (2)');
      const read = bridge.templateDatabase.execute('select a from t order by a', 'dev', true);
      expect(read).toMatchObject({ columns: [{ name: 'a' }], rows: [[1], [2]] });
      expect(bridge.templateDatabase.execute('select a from t', 'dev', false).rows).toEqual([]);
      expect(bridge.templateDatabase.getRelation({ schema: 'main', identifier: 'T' }, 'dev')).toMatchObject({ identifier: 't', kind: 'table' });
      expect(bridge.templateDatabase.getRelation({ schema: 'main', identifier: 'nope' }, 'dev')).toBeUndefined();
      expect(bridge.templateDatabase.describe({ schema: 'main', identifier: 't' }, 'dev')?.map((c) => c.name)).toEqual(['a']);
      expect(() => bridge.templateDatabase.execute('select * from missing_table', 'dev', true)).toThrow(/missing_table/);
      expect(() => bridge.templateDatabase.execute('select 1', 'nope', true)).toThrow(/no profile output named 'nope'/);
      const batches = [];
      for await (const batch of connection.stream('select range as i from range(5)', [], { batchSize: 2 })) batches.push(...batch.rows);
      expect(batches.map((r) => Number(r[0]))).toEqual([0, 1, 2, 3, 4]);
      await connection.close();
    } finally {
      await bridge.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a template call instead of hanging when the worker exits or goes silent', async () => {
    const dir = tempDir();
    // DuckDB behind an adapter whose query can end the worker thread or block its event loop.
    const fragile = join(dir, 'fragile.mjs');
    writeFileSync(
      fragile,
      `import duckdb from ${JSON.stringify(duckdbModule)};
const wrap = (c) => new Proxy(c, { get(t, p) {
  if (p === 'query') return (sql, ...rest) => {
    if (sql === 'exit') process.exit(3);
    if (sql.startsWith('block ')) { const until = Date.now() + Number(sql.slice(6)); while (Date.now() < until); return c.query('select 1'); }
    return c.query(sql, ...rest);
  };
  const v = Reflect.get(t, p, t);
  return typeof v === 'function' ? v.bind(t) : v;
} });
export default { ...duckdb, type: 'fragile', connect: async (config, ctx) => wrap(await duckdb.connect(config, ctx)) };
`,
    );
    const open = (workerSilenceMs?: number) =>
      new DatabaseBridge({ projectDir: dir, outputs: { dev: { type: 'fragile', config: { path: ':memory:' } } }, modules: { fragile: pathToFileURL(fragile).href }, workerSilenceMs });
    const exiting = open();
    const silent = open(1000);
    try {
      expect(exiting.templateDatabase.execute('select 42', 'dev', true).rows).toEqual([[42]]);
      expect(() => exiting.templateDatabase.execute('exit', 'dev', true)).toThrow(/the database bridge worker failed/);
      expect(() => exiting.templateDatabase.execute('select 1', 'dev', true)).toThrow(/the database bridge worker failed/);

      // A loop busy for less than the silence limit is waited for; longer, the worker is given up.
      expect(silent.templateDatabase.execute('block 300', 'dev', true).rows).toEqual([[1]]);
      const started = Date.now();
      expect(() => silent.templateDatabase.execute('block 4000', 'dev', true)).toThrow(/stopped answering \(no sign of life for 1000 ms/);
      expect(Date.now() - started).toBeLessThan(3500);
    } finally {
      await exiting.close();
      await silent.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs models that build their SQL from run_query, statement and adapter introspection, on 4 threads', async () => {
    const dir = tempDir();
    const path = join(dir, 'warehouse.duckdb');
    writeFiles(dir, { ...MODELS, 'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path}\n      schema: main\n` });
    try {
      const outcome = await runBridged(dir, { definition, module: duckdbModule}, 4);
      const conn = await definition.connect({ path }, { projectDir: dir, logger: quiet });
      try {
        const pivot = [];
        for (const i of [1, 2, 3, 4]) pivot.push(...(await conn.query(`select * from pivot_${i}`)).rows.map((r) => r.map(Number)));
        const introspect = (await conn.query('select * from introspect')).rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));
        expectBridgedResults(outcome, { pivot, introspect });
        // The columns came from the data: blue, green, red in order.
        expect((await conn.query('select * from pivot_1')).columns.map((c) => c.name)).toEqual(['blue_total', 'green_total', 'red_total']);
      } finally {
        await conn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('creates, renames, lists, truncates and drops relations from a macro', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...MODELS, 'macros/manage.sql': MANAGE_MACRO, 'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'w.duckdb')}\n` });
    try {
      expect(await manageThroughBridge(dir, { definition, module: duckdbModule }, 'ops')).toEqual([['b'], 0, 0, 0]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tells whether any template may call the database', () => {
    const dir = tempDir();
    const profile = `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'w.duckdb')}\n`;
    try {
      writeFiles(dir, { 'dbt_project.yml': MODELS['dbt_project.yml']!, 'models/colors.sql': MODELS['models/colors.sql']!, 'profiles.yml': profile });
      expect(templatesReadDatabase(loadProject({ projectDir: dir, profilesDir: dir, env: {} }))).toBe(false);
      writeFiles(dir, { 'macros/m.sql': "{% macro m() %}{{ return(run_query('select 1')) }}{% endmacro %}" });
      expect(templatesReadDatabase(loadProject({ projectDir: dir, profilesDir: dir, env: {} }))).toBe(true);
      rmSync(join(dir, 'macros/m.sql'));
      // A builtin that counts periods on the database, called by name from a model.
      writeFiles(dir, { 'models/spine.sql': "{{ dbt.date_spine('day', \"date '2024-01-01'\", \"date '2024-02-01'\") }}" });
      expect(templatesReadDatabase(loadProject({ projectDir: dir, profilesDir: dir, env: {} }))).toBe(true);
      rmSync(join(dir, 'models/spine.sql'));
      writeFiles(dir, { 'models/hooked.sql': "{{ config(post_hook=\"{% do adapter.execute('select 1') %}\") }} select 1 as x" });
      expect(templatesReadDatabase(loadProject({ projectDir: dir, profilesDir: dir, env: {} }))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a {% materialization %} block, its statements and hooks through the bridge', async () => {
    const dir = tempDir();
    const path = join(dir, 'w.duckdb');
    writeFiles(dir, {
      'dbt_project.yml': MODELS['dbt_project.yml']!,
      'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path}\n      schema: main\n`,
      'macros/insert_only.sql': `{% materialization insert_only, default %}
  {%- set target_relation = this.incorporate(type='table') -%}
  {%- set existing = load_relation(this) -%}
  {% call statement('main') -%}
    {% if existing is none %}create table {{ target_relation }} as {{ sql }}{% else %}insert into {{ target_relation }} {{ sql }}{% endif %}
  {%- endcall %}
  {{ run_hooks(post_hooks, inside_transaction=True) }}
  {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}`,
      'models/appended.sql': "{{ config(materialized='insert_only', post_hook='create table if not exists hook_marker as select 7 as x') }} select 1 as n",
    });
    try {
      for (let i = 0; i < 2; i++) {
        const outcome = await runBridged(dir, { definition, module: duckdbModule }, 1);
        expect(outcome.results.map((r) => [r.status, r.message, r.relation_name])).toEqual([['success', 'INSERT_ONLY', '"w"."main"."appended"']]);
      }
      const conn = await definition.connect({ path }, { projectDir: dir, logger: quiet });
      try {
        expect((await conn.query('select count(*) from appended')).rows.map((r) => r.map(Number))).toEqual([[2]]);
        expect((await conn.query('select x from hook_marker')).rows.map((r) => r.map(Number))).toEqual([[7]]);
      } finally {
        await conn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers as dbt at parse time without touching the database', async () => {
    const dir = tempDir();
    writeFiles(dir, { ...MODELS, 'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'w.duckdb')}\n` });
    try {
      const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
      const calls: string[] = [];
      const compiler = await Compiler.create({
        project,
        adapters: { duckdb: definition },
        env: {},
        writeCompiled: false,
        database: {
          execute: (sql) => (calls.push(sql), { columns: [], rows: [] }),
          getRelation: () => (calls.push('getRelation'), undefined),
          describe: () => (calls.push('describe'), undefined),
        },
      });
      compiler.parseProject();
      expect(calls).toEqual([]);
      expect(project.nodes.get('model.bridged.pivot_1')?.depends_on.nodes).toEqual(['model.bridged.colors']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const pgSkip = await (async () => {
  const { POSTGRES, serviceSkipReason } = (await import(testkitModule)) as { POSTGRES: unknown; serviceSkipReason(spec: unknown): Promise<string | undefined> };
  return serviceSkipReason(POSTGRES);
})().catch((e: Error) => (process.env.DVT_TEST_REQUIRE_SERVICES === '1' ? Promise.reject(e) : e.message));

describe.skipIf(pgSkip !== undefined)('database bridge on PostgreSQL', () => {
  let definition: AdapterDefinition;
  const schema = `dvt_bridge_${process.pid}_${Date.now()}`;
  const config = { host: '127.0.0.1', port: 5432, user: 'postgres', dbname: 'test', schema };

  beforeAll(async () => {
    definition = ((await import(postgresModule)) as { default: AdapterDefinition }).default;
  });

  afterAll(async () => {
    if (!definition) return;
    const conn = await definition.connect(config, { projectDir: tmpdir(), logger: quiet });
    await conn.query(`drop schema if exists "${schema}" cascade`);
    await conn.close();
  });

  it('creates, renames, lists, truncates and drops relations from a macro', async () => {
    const dir = tempDir();
    const ops = `${schema}_ops`;
    writeFiles(dir, {
      ...MODELS,
      'macros/manage.sql': MANAGE_MACRO,
      'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      user: postgres\n      dbname: test\n      schema: ${schema}\n`,
    });
    try {
      expect(await manageThroughBridge(dir, { definition, module: postgresModule }, ops)).toEqual([['b'], 0, 0, 0]);
    } finally {
      const conn = await definition.connect(config, { projectDir: dir, logger: quiet });
      await conn.query(`drop schema if exists "${ops}" cascade`);
      await conn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails a template call stuck behind a transaction the blocked render thread holds, instead of hanging', async () => {
    const dir = tempDir();
    const bridge = new DatabaseBridge({ projectDir: dir, outputs: { dev: { type: 'postgres', config } }, modules: { postgres: postgresModule }, lockWaitGuardMs: 500 });
    try {
      const conn = await bridge.adapter(definition).connect(config, { projectDir: dir, logger: quiet });
      await conn.query(`create schema if not exists "${schema}"`);
      await conn.query(`create table "${schema}".locked as select 1 as x`);
      await conn.query('begin');
      await conn.query(`lock table "${schema}".locked in access exclusive mode`);
      const started = Date.now();
      expect(() => bridge.templateDatabase.execute(`select * from "${schema}".locked`, 'dev', true)).toThrow(/while another node's transaction was open; it was cancelled/);
      expect(Date.now() - started).toBeLessThan(5000);
      await conn.query('commit');
      expect(bridge.templateDatabase.execute(`select * from "${schema}".locked`, 'dev', true).rows).toEqual([[1]]);
      await conn.close();
    } finally {
      await bridge.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("runs a node's template calls on its own connection, inside its transaction (hooks reading or dropping this)", async () => {
    const dir = tempDir();
    const own = `${schema}_own`;
    writeFiles(dir, {
      'dbt_project.yml': `name: bridged
version: "1.0"
config-version: 2
profile: bridged
models:
  bridged:
    counted:
      +materialized: table
      +post-hook: "{% do run_query('select count(*) from ' ~ this) %}"
seeds:
  bridged:
    dropped:
      +post-hook: "{% do adapter.drop_relation(this.incorporate(type='table')) %}"
`,
      'models/counted.sql': 'select 1 as x',
      'seeds/dropped.csv': 'a\n1\n2\n',
      'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      user: postgres\n      dbname: test\n      schema: ${own}\n`,
    });
    try {
      // The second build replaces `counted` in a transaction that locks it: from another session its
      // post-hook would wait on that lock, and the guard would cancel it after 1 s.
      for (let i = 0; i < 2; i++) {
        const outcome = await runBridged(dir, { definition, module: postgresModule }, 2, { command: 'build', lockWaitGuardMs: 1000 });
        expect(outcome.results.map((r) => [r.unique_id, r.status, r.status === 'success' ? '' : r.message]).sort()).toEqual([
          ['model.bridged.counted', 'success', ''],
          ['seed.bridged.dropped', 'success', ''],
        ]);
      }
    } finally {
      const conn = await definition.connect(config, { projectDir: dir, logger: quiet });
      await conn.query(`drop schema if exists "${own}" cascade`);
      await conn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs models that build their SQL from the database, on 4 threads', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      ...MODELS,
      'profiles.yml': `bridged:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      port: 5432\n      user: postgres\n      dbname: test\n      schema: ${schema}\n      threads: 4\n`,
    });
    try {
      const outcome = await runBridged(dir, { definition, module: postgresModule}, 4);
      const conn = await definition.connect(config, { projectDir: dir, logger: quiet });
      try {
        const pivot = [];
        for (const i of [1, 2, 3, 4]) pivot.push(...(await conn.query(`select * from "${schema}".pivot_${i}`)).rows.map((r) => r.map(Number)));
        const introspect = (await conn.query(`select * from "${schema}".introspect`)).rows.map((r) => r.map((v) => (typeof v === 'bigint' || (typeof v === 'string' && /^\d+$/.test(v)) ? Number(v) : v)));
        expectBridgedResults(outcome, { pivot, introspect });
      } finally {
        await conn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
