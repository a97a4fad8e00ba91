import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import type { RunCommandName } from '../src/run/index.js';
import { loadDuckdb } from './run-support.js';

const here = dirname(fileURLToPath(import.meta.url));
const duckdb = await loadDuckdb();
const quiet = { debug() {}, info() {}, warn() {} };

// Three states of the source: run 2 updates id 1 and deletes id 3; run 3 updates id 2 and brings id 3 back.
const SOURCE = `{% set phase = var('phase') %}
select * from (values
{%- if phase == 1 %}
  (1, 'a', cast('2024-01-01 00:00:00' as timestamp)), (2, 'b', cast('2024-01-01 00:00:00' as timestamp)), (3, 'c', cast('2024-01-01 00:00:00' as timestamp))
{%- elif phase == 2 %}
  (1, 'a2', cast('2024-01-02 00:00:00' as timestamp)), (2, 'b', cast('2024-01-01 00:00:00' as timestamp))
{%- else %}
  (1, 'a2', cast('2024-01-02 00:00:00' as timestamp)), (2, 'b3', cast('2024-01-03 00:00:00' as timestamp)), (3, 'c3', cast('2024-01-03 00:00:00' as timestamp))
{%- endif %}
) as t(id, name, updated_at)`;

const FILES: Record<string, string> = {
  'dbt_project.yml': 'name: snaps\nversion: "1.0"\nconfig-version: 2\nprofile: snaps\nmodels:\n  snaps:\n    +materialized: table\n',
  'models/src.sql': SOURCE,
  'snapshots/legacy.sql': `{% snapshot snap_ts %}
{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='new_record',
    pre_hook=["create table if not exists {{ target.schema }}.hook_log (phase int, hook varchar(10), n int)",
              "insert into {{ target.schema }}.hook_log values ({{ var('phase') }}, 'pre', null)"],
    post_hook="insert into {{ target.schema }}.hook_log select {{ var('phase') }}, 'post', count(*) from {{ this }}") }}
select * from {{ ref('src') }}
{% endsnapshot %}

{% snapshot snap_check %}
{{ config(unique_key='id', strategy='check', check_cols=['name'], invalidate_hard_deletes=True) }}
select id, name from {{ ref('src') }}
{% endsnapshot %}`,
  'snapshots/snaps.yml': `version: 2
snapshots:
  - name: snap_yaml
    relation: ref('src')
    config:
      unique_key: id
      strategy: check
      check_cols: all
      dbt_valid_to_current: "cast('9999-12-31' as timestamp)"
      snapshot_meta_column_names:
        dbt_valid_from: valid_from
        dbt_valid_to: valid_to
        dbt_scd_id: scd_id
        dbt_updated_at: modified
`,
};

function writeProject(dir: string, profile: string): void {
  for (const [path, text] of Object.entries({ ...FILES, 'profiles.yml': profile })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

async function run(dir: string, adapter: AdapterDefinition, command: RunCommandName, phase: number) {
  const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, vars: { phase } });
  const compiler = await Compiler.create({ project, adapters: { [adapter.type]: adapter }, env: {}, writeCompiled: false });
  compiler.parseProject();
  const selection = [...project.nodes.values()].filter((n) => command !== 'snapshot' || n.resource_type === 'snapshot').map((n) => n.unique_id);
  return runCommand({ command, project, compiler, selection, targetPath: join(dir, 'target'), resolveAdapter: async () => adapter });
}

const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
const truthy = (v: unknown) => v === true || v === 1 || v === 't';

async function checkThreeRuns(dir: string, adapter: AdapterDefinition, connect: () => Promise<Connection>, qualify: (name: string) => string): Promise<void> {
  for (const phase of [1, 2, 3]) {
    // Run 1 by `build` (model then snapshots in order), the others by `snapshot` after the model is rebuilt.
    if (phase === 1) {
      const outcome = await run(dir, adapter, 'build', phase);
      expect(outcome.results.map((r) => [r.unique_id, r.status, r.status === 'success' ? '' : r.message])).toEqual(outcome.results.map((r) => [r.unique_id, 'success', '']));
    } else {
      expect((await run(dir, adapter, 'run', phase)).success).toBe(true);
      const outcome = await run(dir, adapter, 'snapshot', phase);
      expect(outcome.results.map((r) => [r.unique_id, r.status, r.status === 'success' ? '' : r.message])).toEqual([
        ['snapshot.snaps.snap_check', 'success', ''],
        ['snapshot.snaps.snap_ts', 'success', ''],
        ['snapshot.snaps.snap_yaml', 'success', ''],
      ]);
    }
  }
  const conn = await connect();
  try {
    const rows = async (sql: string) => (await conn.query(sql)).rows.map((r) => r.map(num));
    // timestamp + new_record: id 3's deletion is a row of its own, closed when id 3 returns.
    const ts = await rows(`select id, name, dbt_valid_to is null, dbt_is_deleted from ${qualify('snap_ts')} order by id, dbt_valid_from, dbt_is_deleted`);
    expect(ts.map((r) => [r[0], r[1], truthy(r[2]), r[3]])).toEqual([
      [1, 'a', false, 'False'],
      [1, 'a2', true, 'False'],
      [2, 'b', false, 'False'],
      [2, 'b3', true, 'False'],
      [3, 'c', false, 'False'],
      [3, 'c', false, 'True'],
      [3, 'c3', true, 'False'],
    ]);
    // A version closes when the next begins; the updated row's times are its updated_at.
    const chain = await rows(`select count(*) from ${qualify('snap_ts')} a join ${qualify('snap_ts')} b on a.id = b.id and a.dbt_valid_to = b.dbt_valid_from`);
    expect(chain).toEqual([[4]]);
    const updated = await rows(`select cast(dbt_valid_from as varchar(30)), cast(dbt_updated_at as varchar(30)) from ${qualify('snap_ts')} where name = 'a2'`);
    expect(String(updated[0][0])).toMatch(/^2024-01-02 00:00:00/);
    expect(await rows(`select count(distinct dbt_scd_id), count(*) from ${qualify('snap_ts')}`)).toEqual([[7, 7]]);

    // check on one column + invalidate: id 3 closed when deleted, a new version when back.
    const check = await rows(`select id, name, dbt_valid_to is null from ${qualify('snap_check')} order by id, dbt_valid_from`);
    expect(check.map((r) => [r[0], r[1], truthy(r[2])])).toEqual([
      [1, 'a', false],
      [1, 'a2', true],
      [2, 'b', false],
      [2, 'b3', true],
      [3, 'c', false],
      [3, 'c3', true],
    ]);
    expect((await conn.query(`select * from ${qualify('snap_check')} where 1 = 0`)).columns.map((c) => c.name)).toEqual([
      'id', 'name', 'dbt_scd_id', 'dbt_updated_at', 'dbt_valid_from', 'dbt_valid_to',
    ]);

    // The hooks ran on every run, in order: the post-hook after the versions were written.
    expect(await rows(`select phase, hook, n from ${qualify('hook_log')} order by phase, hook desc`)).toEqual([
      [1, 'pre', null],
      [1, 'post', 3],
      [2, 'pre', null],
      [2, 'post', 5],
      [3, 'pre', null],
      [3, 'post', 7],
    ]);

    // YAML-defined, check_cols all, deletes ignored, renamed meta columns, dbt_valid_to_current.
    const yaml = await rows(`select id, name, cast(valid_to as varchar(30)) from ${qualify('snap_yaml')} order by id, valid_from`);
    expect(yaml.map((r) => [r[0], r[1], String(r[2]).startsWith('9999-12-31')])).toEqual([
      [1, 'a', false],
      [1, 'a2', true],
      [2, 'b', false],
      [2, 'b3', true],
      [3, 'c', false],
      [3, 'c3', true],
    ]);
    expect((await conn.query(`select * from ${qualify('snap_yaml')} where 1 = 0`)).columns.map((c) => c.name)).toEqual([
      'id', 'name', 'updated_at', 'scd_id', 'modified', 'valid_from', 'valid_to',
    ]);
  } finally {
    await conn.close();
  }
}

describe.skipIf(typeof duckdb === 'string')('snapshots on DuckDB', () => {
  it('keeps SCD2 history across three runs with updates, deletes and re-inserts', async () => {
    const adapter = duckdb as AdapterDefinition;
    const dir = mkdtempSync(join(tmpdir(), 'dvt-snap-'));
    const path = join(dir, 'w.duckdb');
    writeProject(dir, `snaps:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path}\n      schema: main\n`);
    try {
      await checkThreeRuns(dir, adapter, () => adapter.connect({ path }, { projectDir: dir, logger: quiet }), (n) => n);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adds columns that appear in the select, older versions holding NULL', async () => {
    const adapter = duckdb as AdapterDefinition;
    const dir = mkdtempSync(join(tmpdir(), 'dvt-snap-'));
    const path = join(dir, 'w.duckdb');
    writeProject(dir, `snaps:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path}\n`);
    rmSync(join(dir, 'snapshots/snaps.yml'));
    writeFileSync(
      join(dir, 'snapshots/legacy.sql'),
      "{% snapshot grows %}\n{{ config(unique_key='id', strategy='check', check_cols='all') }}\nselect 1 as id, 'a' as name{% if var('phase') == 2 %}, 'gold' as tier{% endif %}\n{% endsnapshot %}\n",
    );
    try {
      expect((await run(dir, adapter, 'snapshot', 1)).success).toBe(true);
      expect((await run(dir, adapter, 'snapshot', 2)).success).toBe(true);
      const conn = await adapter.connect({ path }, { projectDir: dir, logger: quiet });
      try {
        const rows = (await conn.query('select name, tier, dbt_valid_to is null from grows order by dbt_valid_from')).rows;
        expect(rows).toEqual([
          ['a', null, false],
          ['a', 'gold', true],
        ]);
      } finally {
        await conn.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names a bad config with the file', async () => {
    const adapter = duckdb as AdapterDefinition;
    const dir = mkdtempSync(join(tmpdir(), 'dvt-snap-'));
    writeProject(dir, `snaps:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'w.duckdb')}\n`);
    writeFileSync(join(dir, 'snapshots/legacy.sql'), "{% snapshot snap_bad %}\n{{ config(unique_key='nope', strategy='timestamp', updated_at='updated_at') }}\nselect 1 as id, current_timestamp as updated_at\n{% endsnapshot %}\n");
    rmSync(join(dir, 'snapshots/snaps.yml'));
    try {
      const outcome = await run(dir, adapter, 'snapshot', 1);
      expect(outcome.results[0].status).toBe('error');
      expect(outcome.results[0].message).toMatch(/snap_bad: unique_key 'nope' is not a column of its select \(id, updated_at\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const testkitModule = pathToFileURL(join(here, '../../adapter-testkit/dist/index.js')).href;
const postgresModule = pathToFileURL(join(here, '../../../adapters/postgres/dist/index.js')).href;
const pgSkip = await (async () => {
  const { POSTGRES, serviceSkipReason } = (await import(testkitModule)) as { POSTGRES: unknown; serviceSkipReason(spec: unknown): Promise<string | undefined> };
  return serviceSkipReason(POSTGRES);
})().catch((e: Error) => (process.env.DVT_TEST_REQUIRE_SERVICES === '1' ? Promise.reject(e) : e.message));

describe.skipIf(pgSkip !== undefined)('snapshots on PostgreSQL', () => {
  it('keeps SCD2 history across three runs with updates, deletes and re-inserts', async () => {
    const adapter = ((await import(postgresModule)) as { default: AdapterDefinition }).default;
    const schema = `dvt_snap_${process.pid}_${Date.now()}`;
    const config = { host: '127.0.0.1', port: 5432, user: 'postgres', dbname: 'test', schema };
    const dir = mkdtempSync(join(tmpdir(), 'dvt-snap-'));
    writeProject(dir, `snaps:\n  target: dev\n  outputs:\n    dev:\n      type: postgres\n      host: 127.0.0.1\n      user: postgres\n      dbname: test\n      schema: ${schema}\n`);
    const connect = () => adapter.connect(config, { projectDir: dir, logger: quiet });
    try {
      await checkThreeRuns(dir, adapter, connect, (n) => `"${schema}".${n}`);
    } finally {
      const conn = await connect();
      await conn.query(`drop schema if exists "${schema}" cascade`);
      await conn.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
