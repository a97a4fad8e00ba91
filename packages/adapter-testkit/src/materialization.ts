import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { AdapterDefinition, RunOutcome, Value } from '@dvt/core';
import { runProject } from './project.js';
import type { ConformanceContext, ConformanceSuite } from './context.js';

/**
 * The dvt runner on the adapter under test: a small project (seeds, a view, a
 * table, one incremental model per declared strategy, data tests) built into
 * the kit's scratch schema. The project names that schema through its own
 * `generate_schema_name`, so no adapter-specific profile key is involved.
 */

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

interface KitProject {
  dir: string;
  write(files: Record<string, string>): void;
  run(command: 'seed' | 'run' | 'test' | 'build' | 'snapshot', options?: { fullRefresh?: boolean }): Promise<RunOutcome>;
  cleanup(): void;
}

function kitProject(ctx: ConformanceContext, config: Record<string, unknown>, files: Record<string, string>): KitProject {
  const dir = mkdtempSync(join(tmpdir(), 'dvt-kit-project-'));
  const adapter = ctx.adapter as AdapterDefinition;
  const write = (more: Record<string, string>) => {
    for (const [path, text] of Object.entries(more)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
  };
  write({
    'dbt_project.yml': 'name: dvt_kit\nversion: "1.0"\nconfig-version: 2\nprofile: dvt_kit\n',
    // The real output (which may hold secrets) never touches the disk: it replaces this one after loading.
    'profiles.yml': `dvt_kit:\n  target: kit\n  outputs:\n    kit:\n      type: ${adapter.type}\n`,
    'macros/kit_schema.sql': "{% macro generate_schema_name(custom_schema_name, node) -%}{{ var('kit_schema') }}{%- endmacro %}\n",
    ...files,
  });
  return {
    dir,
    write,
    run: (command, options = {}) =>
      runProject(adapter, dir, command, {
        vars: { kit_schema: ctx.schema },
        outputs: { kit: { name: 'kit', type: adapter.type, threads: 1, config } },
        fullRefresh: options.fullRefresh,
      }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function expectStatuses(outcome: RunOutcome, expected: Record<string, string>): void {
  for (const [name, status] of Object.entries(expected)) {
    const result = outcome.results.find((r) => r.unique_id.split('.').includes(name));
    assert(result, `no result for ${name}`);
    assert(result.status === status, `${name}: expected ${status}, got ${result.status}${result.message ? `: ${result.message}` : ''}`);
  }
}

function plain(value: Value): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'string' && /^-?\d+(\.0+)?$/.test(value)) return Number(value);
  return value;
}

async function select(ctx: ConformanceContext, identifier: string, columns: string, orderBy: string): Promise<unknown[][]> {
  const relation = ctx.dialect.renderRelation(ctx.relation(identifier));
  const r = await ctx.connection.query(`select ${columns} from ${relation} order by ${orderBy}`);
  return r.rows.map((row) => row.map(plain));
}

function same(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  assert(a === e, `${what}: expected ${e}, got ${a}`);
}

/** Runs `body` on a fresh kit project and removes it afterwards. */
async function withProject(
  ctx: ConformanceContext,
  config: Record<string, unknown>,
  files: Record<string, string>,
  body: (p: KitProject) => Promise<void>,
): Promise<void> {
  const p = kitProject(ctx, config, files);
  try {
    await body(p);
  } finally {
    p.cleanup();
  }
}

const STRATEGIES = ['append', 'delete+insert', 'merge'] as const;

export const materializationSuite: ConformanceSuite = {
  id: 'materialization',
  title: 'the dvt runner builds a project',
  needsConnection: true,
  define(defineCase, options) {
    const config = options.config as Record<string, unknown>;

    defineCase('materialization.seed', 'a seed loads with inferred types, NULLs for empty fields', async (ctx) => {
      const seed = ctx.uniqueName('kit_seed');
      await withProject(ctx, config, { [`seeds/${seed}.csv`]: 'id,name,amount,day,flag\n1,ann,1.50,2024-01-02,true\n2,,2.25,2024-01-03,false\n3,cy,,,\n' }, async (p) => {
        expectStatuses(await p.run('seed'), { [seed]: 'success' });
        same(await select(ctx, seed, 'id, name', 'id'), [[1, 'ann'], [2, null], [3, 'cy']], 'seed rows');
        // a second load replaces the rows rather than appending
        p.write({ [`seeds/${seed}.csv`]: 'id,name,amount,day,flag\n9,zed,0.5,2024-02-01,true\n' });
        expectStatuses(await p.run('seed'), { [seed]: 'success' });
        same(await select(ctx, seed, 'id, name', 'id'), [[9, 'zed']], 'rows after re-seed');
      });
    });

    defineCase('materialization.view-table', 'a view and a table over a seed build, rebuild, and change columns', async (ctx) => {
      const seed = ctx.uniqueName('kit_src');
      const view = ctx.uniqueName('kit_view');
      const table = ctx.uniqueName('kit_table');
      await withProject(
        ctx,
        config,
        {
          [`seeds/${seed}.csv`]: 'id,v\n1,10\n2,20\n',
          [`models/${view}.sql`]: `{{ config(materialized='view') }}\nselect id, v from {{ ref('${seed}') }}\n`,
          [`models/${table}.sql`]: `{{ config(materialized='table') }}\nselect id, v * 2 as v2 from {{ ref('${view}') }}\n`,
        },
        async (p) => {
          expectStatuses(await p.run('build'), { [seed]: 'success', [view]: 'success', [table]: 'success' });
          same(await select(ctx, table, 'id, v2', 'id'), [[1, 20], [2, 40]], 'table rows');
          expectStatuses(await p.run('run'), { [view]: 'success', [table]: 'success' });
          same(await select(ctx, table, 'id, v2', 'id'), [[1, 20], [2, 40]], 'table rows after rebuild');
          // a view may change its columns between runs
          p.write({
            [`models/${view}.sql`]: `{{ config(materialized='view') }}\nselect id, v, 'x' as tag from {{ ref('${seed}') }}\n`,
            [`models/${table}.sql`]: `{{ config(materialized='table') }}\nselect id, tag from {{ ref('${view}') }}\n`,
          });
          expectStatuses(await p.run('run'), { [view]: 'success', [table]: 'success' });
          same(await select(ctx, table, 'id, tag', 'id'), [[1, 'x'], [2, 'x']], 'rows after the columns changed');
        },
      );
    });

    defineCase('materialization.failed-build-keeps-table', 'a failing rebuild leaves the old table and its rows', async (ctx) => {
      const table = ctx.uniqueName('kit_keep');
      await withProject(ctx, config, { [`models/${table}.sql`]: "{{ config(materialized='table') }}\nselect 1 as id union all select 2 as id\n" }, async (p) => {
        expectStatuses(await p.run('run'), { [table]: 'success' });
        p.write({ [`models/${table}.sql`]: "{{ config(materialized='table') }}\nselect no_such_column from {{ this }}\n" });
        expectStatuses(await p.run('run'), { [table]: 'error' });
        same(await select(ctx, table, 'id', 'id'), [[1], [2]], 'rows of the old table');
      });
    });

    for (const strategy of STRATEGIES) {
      defineCase(`materialization.incremental.${strategy}`, `incremental strategy ${strategy}`, async (ctx) => {
        if (!ctx.dialect.capabilities.incrementalStrategies.includes(strategy)) return `strategy ${strategy} not declared`;
        const seed = ctx.uniqueName('kit_events');
        const model = ctx.uniqueName('kit_incr');
        const keyed = strategy !== 'append';
        const modelSql =
          `{{ config(materialized='incremental', incremental_strategy='${strategy}'${keyed ? ", unique_key=['id', 'k']" : ''}) }}\n` +
          `select id, k, v from {{ ref('${seed}') }}\n`;
        await withProject(ctx, config, { [`seeds/${seed}.csv`]: 'id,k,v\n1,a,10\n2,b,20\n3,,30\n', [`models/${model}.sql`]: modelSql }, async (p) => {
          expectStatuses(await p.run('build'), { [model]: 'success' });
          p.write({ [`seeds/${seed}.csv`]: 'id,k,v\n2,b,200\n3,,300\n4,d,40\n' });
          expectStatuses(await p.run('build'), { [model]: 'success' });
          const rows = await select(ctx, model, 'id, v', 'id, v');
          const expected = keyed
            ? [[1, 10], [2, 200], [3, 300], [4, 40]]
            : [[1, 10], [2, 20], [2, 200], [3, 30], [3, 300], [4, 40]];
          same(rows, expected, `${strategy} rows`);
        });
      }, { timeout: 60_000 });
    }

    defineCase('materialization.incremental.microbatch', 'incremental strategy microbatch (daily windows, lookback)', async (ctx) => {
      if (!ctx.dialect.capabilities.incrementalStrategies.includes('microbatch')) return 'strategy microbatch not declared';
      const seed = ctx.uniqueName('kit_mb_events');
      const model = ctx.uniqueName('kit_mb');
      const dayStart = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
      const day = (offset: number) => new Date(dayStart + offset * 86_400_000 + 6 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
      const begin = new Date(dayStart - 2 * 86_400_000).toISOString().slice(0, 10);
      const modelSql =
        `{{ config(materialized='incremental', incremental_strategy='microbatch', event_time='happened_at', batch_size='day', begin='${begin}') }}\n` +
        `select id, happened_at, v from {{ ref('${seed}') }}\n`;
      await withProject(ctx, config, { [`seeds/${seed}.csv`]: `id,happened_at,v\n1,${day(-2)},1\n2,${day(-1)},2\n3,${day(0)},3\n`, [`models/${model}.sql`]: modelSql }, async (p) => {
        expectStatuses(await p.run('build'), { [model]: 'success' });
        // outside the lookback (2 days ago) a change is not picked up; yesterday and today are rebuilt
        p.write({ [`seeds/${seed}.csv`]: `id,happened_at,v\n1,${day(-2)},10\n2,${day(-1)},20\n3,${day(0)},30\n4,${day(0)},40\n` });
        expectStatuses(await p.run('build'), { [model]: 'success' });
        same(await select(ctx, model, 'id, v', 'id'), [[1, 1], [2, 20], [3, 30], [4, 40]], 'microbatch rows');
      });
    }, { timeout: 60_000 });

    defineCase('materialization.snapshot', 'a snapshot keeps history (timestamp strategy, hard deletes invalidated) and runs its hooks', async (ctx) => {
      const seed = ctx.uniqueName('kit_snap_src');
      const snapshot = ctx.uniqueName('kit_snap');
      const log = ctx.uniqueName('kit_snap_log');
      const snapshotSql =
        `{% snapshot ${snapshot} %}\n` +
        `{{ config(unique_key='id', strategy='timestamp', updated_at='updated_at', hard_deletes='invalidate',\n` +
        `    pre_hook="create table if not exists {{ this.schema }}.${log} (n int)",\n` +
        `    post_hook="insert into {{ this.schema }}.${log} select count(*) from {{ this }}") }}\n` +
        `select id, name, updated_at from {{ ref('${seed}') }}\n{% endsnapshot %}\n`;
      const state = (csv: string) => ({ [`seeds/${seed}.csv`]: `id,name,updated_at\n${csv}` });
      await withProject(ctx, config, { ...state('1,a,2024-01-01 00:00:00\n2,b,2024-01-01 00:00:00\n'), [`snapshots/${snapshot}.sql`]: snapshotSql }, async (p) => {
        expectStatuses(await p.run('seed'), { [seed]: 'success' });
        expectStatuses(await p.run('snapshot'), { [snapshot]: 'success' });
        // id 1 changes, id 2 disappears, id 3 arrives
        p.write(state('1,a2,2024-01-02 00:00:00\n3,c,2024-01-02 00:00:00\n'));
        expectStatuses(await p.run('seed'), { [seed]: 'success' });
        expectStatuses(await p.run('snapshot'), { [snapshot]: 'success' });
        const current = 'case when dbt_valid_to is null then 1 else 0 end';
        same(await select(ctx, snapshot, `id, name, ${current}`, 'id, dbt_valid_from'), [[1, 'a', 0], [1, 'a2', 1], [2, 'b', 0], [3, 'c', 1]], 'snapshot rows');
        same(await select(ctx, log, 'n', 'n'), [[2], [4]], 'rows the post-hook counted after each run');
      });
    }, { timeout: 60_000 });

    defineCase('materialization.tests', 'data tests pass, fail and warn as configured', async (ctx) => {
      const model = ctx.uniqueName('kit_tested');
      await withProject(
        ctx,
        config,
        {
          [`models/${model}.sql`]: "{{ config(materialized='table') }}\nselect 1 as id union all select 2 as id\n",
          'models/schema.yml': `version: 2\nmodels:\n  - name: ${model}\n    columns:\n      - name: id\n        data_tests: [not_null, unique]\n`,
          'tests/kit_fails.sql': `select * from {{ ref('${model}') }} where id > 0\n`,
          'tests/kit_warns.sql': `{{ config(severity='warn') }}\nselect * from {{ ref('${model}') }} where id = 1\n`,
        },
        async (p) => {
          const out = await p.run('build');
          expectStatuses(out, { [model]: 'success', kit_fails: 'fail', kit_warns: 'warn' });
          const generic = out.results.filter((r) => /^test\.dvt_kit\.(not_null|unique)_/.test(r.unique_id));
          assert(generic.length === 2 && generic.every((r) => r.status === 'pass'), `generic tests: ${generic.map((r) => `${r.unique_id}=${r.status}`).join(', ')}`);
          const failed = out.results.find((r) => r.unique_id.includes('kit_fails'))!;
          assert(failed.failures === 2, `kit_fails failures: ${failed.failures}`);
        },
      );
    });
  },
};
