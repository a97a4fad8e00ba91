import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import type { RunResult } from '../src/artifacts/types.js';
import { connect, dropFixture, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

/**
 * Incremental models across engines: the second run extracts from the
 * source only the rows past the watermark read from the target. Every
 * direction among DuckDB, PostgreSQL and MariaDB, with integer, date,
 * timestamp and timestamptz watermarks and each strategy the target has.
 */
const fx = fixtureDir('fedinc');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let maria: Connection;

type Engine = 'duck' | 'pg' | 'maria';
type Watermark = 'integer' | 'date' | 'timestamp' | 'timestamptz';
const DIRECTIONS: [Engine, Engine][] = [
  ['pg', 'duck'],
  ['maria', 'pg'],
  ['duck', 'maria'],
  ['pg', 'maria'],
  ['maria', 'duck'],
  ['duck', 'pg'],
];
const WATERMARKS: Watermark[] = ['integer', 'date', 'timestamp', 'timestamptz'];
const COLUMN_TYPE: Record<Watermark, Record<Engine, string>> = {
  integer: { duck: 'integer', pg: 'integer', maria: 'int' },
  date: { duck: 'date', pg: 'date', maria: 'date' },
  timestamp: { duck: 'timestamp', pg: 'timestamp(6)', maria: 'datetime(6)' },
  timestamptz: { duck: 'timestamptz', pg: 'timestamptz', maria: 'timestamp(6) null' },
};
const STRATEGIES: Record<Engine, string[]> = { duck: ['append', 'merge', 'delete+insert'], pg: ['append', 'merge', 'delete+insert'], maria: ['append', 'delete+insert'] };
const SOURCE_NAME: Record<Engine, string> = { duck: 'dsrc', pg: 'pgsrc', maria: 'msrc' };
const TARGET_OUTPUT: Record<Engine, string> = { duck: 'duck', pg: 'pg', maria: 'maria' };

/** The n-th watermark value of a kind, increasing with n; times carry microseconds (MariaDB's session zone is UTC and it refuses an offset). */
function mark(kind: Watermark, n: number, engine: Engine): string {
  const two = String(n).padStart(2, '0');
  if (kind === 'integer') return String(n * 10);
  if (kind === 'date') return `'2024-01-${two}'`;
  return `'2024-01-01 10:${two}:00.123456${kind === 'timestamptz' && engine !== 'maria' ? '+00' : ''}'`;
}

interface Case {
  model: string;
  table: string;
  from: Engine;
  to: Engine;
  watermark: Watermark;
  strategy: string;
}
const CASES: Case[] = DIRECTIONS.flatMap(([from, to], d) =>
  WATERMARKS.map((watermark, w) => {
    const strategies = STRATEGIES[to];
    return { model: `inc_${from}_${to}_${watermark}`, table: `ev_${from}_${to}_${watermark}`, from, to, watermark, strategy: strategies[(d + w) % strategies.length]! };
  }),
);

function modelSql(c: Case): string {
  const key = c.strategy === 'append' ? '' : `, unique_key='id'`;
  const target = c.to === 'duck' ? '' : `, target='${TARGET_OUTPUT[c.to]}'`;
  return `{{ config(materialized='incremental', incremental_strategy='${c.strategy}'${key}${target}) }}
select id, v, wm from {{ source('${SOURCE_NAME[c.from]}', '${c.table}') }}
{% if is_incremental() %}where wm > (select max(wm) from {{ this }}){% endif %}
`;
}

/** Runs statements on a source engine (DuckDB's file is opened only for them: the run opens it too). */
async function onSource(engine: Engine, statements: string[]): Promise<void> {
  if (engine === 'pg') for (const s of statements) await pg.query(s);
  else if (engine === 'maria') for (const s of statements) await maria.query(s);
  else {
    const duck = await connect(adapters.duckdb, { path: join(fx.dir, 'src.duckdb') }, fx.dir);
    try {
      for (const s of statements) await duck.query(s);
    } finally {
      await duck.close();
    }
  }
}

async function onTarget(engine: Engine, sql: string): Promise<unknown[][]> {
  if (engine === 'pg') return (await pg.query(sql)).rows;
  if (engine === 'maria') return (await maria.query(sql)).rows;
  const duck = await connect(adapters.duckdb, { path: join(fx.dir, 'warehouse.duckdb') }, fx.dir);
  try {
    return (await duck.query(sql)).rows;
  } finally {
    await duck.close();
  }
}

const qualified = (engine: Engine, table: string) => (engine === 'duck' ? `main.${table}` : `${fx.tag}.${table}`);

function rowsMoved(result: RunResult | undefined): { inputs: Record<string, number>; this?: number; result: number } {
  return (result?.adapter_response as { rows_moved: { inputs: Record<string, number>; this?: number; result: number } }).rows_moved;
}

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: fedinc\nprofile: fedinc\nconfig-version: 2\n',
    'profiles.yml': `fedinc:
  target: duck
  outputs:
    duck: { type: duckdb, path: ${join(fx.dir, 'warehouse.duckdb')}, schema: main, threads: 2 }
    src: { type: duckdb, path: ${join(fx.dir, 'src.duckdb')}, schema: main }
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag} }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: ${fx.tag} }
`,
    'models/sources.yml': `version: 2
sources:
${(['duck', 'pg', 'maria'] as Engine[])
  .map(
    (e) => `  - name: ${SOURCE_NAME[e]}
    connection: ${e === 'duck' ? 'src' : e}
    schema: ${e === 'duck' ? 'main' : fx.tag}
    tables: [${[...CASES.filter((c) => c.from === e).map((c) => c.table), ...(e === 'pg' ? ['ev_ranked', 'ev_configured'] : e === 'maria' ? ['ev_unseen'] : [])].map((t) => `{ name: ${t} }`).join(', ')}]`,
  )
  .join('\n')}
`,
    // A watermark under a CTE never travels: numbering all rows first is the model's meaning.
    'models/ranked_from_pg.sql': `{{ config(materialized='incremental', target='maria') }}
with ranked as (select id, v, wm, row_number() over (order by wm) as rn from {{ source('pgsrc', 'ev_ranked') }})
select id, v, wm, rn from ranked
{% if is_incremental() %}where wm > (select max(wm) from {{ this }}){% endif %}
`,
    // {{ this }} read row by row too: in the cache the whole table is copied, and the watermark still travels.
    'models/unseen_from_maria.sql': `{{ config(materialized='incremental', federation='duckdb') }}
select id, v, wm from {{ source('msrc', 'ev_unseen') }}
{% if is_incremental() %}where wm > (select max(wm) from {{ this }}) and id not in (select id from {{ this }}){% endif %}
`,
    // The watermark named in config: no is_incremental() block at all.
    'models/configured_from_pg.sql': `{{ config(materialized='incremental', watermark='wm') }}
select id, v, wm from {{ source('pgsrc', 'ev_configured') }}
`,
  };
  for (const c of CASES) files[`models/${c.model}.sql`] = modelSql(c);
  fx.write(files);
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag }, fx.dir);
  maria = await connect(adapters.mariadb, { server: '127.0.0.1', username: 'root', schema: 'test' }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  await maria.query(`create database ${fx.tag}`);
  const first = (c: { watermark: Watermark }, engine: Engine) => [1, 2, 3, 4, 5].map((n) => `(${n}, 'v${n}', ${mark(c.watermark, n, engine)})`).join(', ');
  for (const engine of ['duck', 'pg', 'maria'] as Engine[]) {
    const statements = CASES.filter((c) => c.from === engine).flatMap((c) => [
      `create table ${qualified(engine, c.table)} (id int, v varchar(20), wm ${COLUMN_TYPE[c.watermark][engine]})`,
      `insert into ${qualified(engine, c.table)} values ${first(c, engine)}`,
    ]);
    if (engine === 'pg') {
      for (const table of ['ev_ranked', 'ev_configured']) {
        statements.push(`create table ${qualified('pg', table)} (id int, v varchar(20), wm timestamptz)`, `insert into ${qualified('pg', table)} values ${first({ watermark: 'timestamptz' }, 'pg')}`);
      }
    }
    if (engine === 'maria') {
      statements.push(`create table ${qualified('maria', 'ev_unseen')} (id int, v varchar(20), wm int)`, `insert into ${qualified('maria', 'ev_unseen')} values ${first({ watermark: 'integer' }, 'maria')}`);
    }
    await onSource(engine, statements);
  }
}, 120_000);

afterAll(() => dropFixture(fx, pg, maria));

describe('incremental federated models extract only rows past the watermark', () => {
  it('moves every row on the first run and exactly the new ones on the second, in every direction, watermark type and strategy', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const firstRun = await runProject(adapters, fx.dir, { threads: 2 });
    expect(failures(firstRun)).toEqual([]);
    const result = (run: typeof firstRun, model: string) => run.results.find((r) => r.unique_id === `model.fedinc.${model}`);
    for (const c of CASES) expect(rowsMoved(result(firstRun, c.model)).inputs[`source.fedinc.${SOURCE_NAME[c.from]}.${c.table}`], c.model).toBe(5);

    // At each source: one row updated past the watermark, three new ones past it, and one new row exactly at the
    // watermark (the comparison is strict, so it stays behind: a pushed `>=`, or a rounded time, would move it).
    for (const engine of ['duck', 'pg', 'maria'] as Engine[]) {
      const statements = CASES.filter((c) => c.from === engine).flatMap((c) => [
        `update ${qualified(engine, c.table)} set v = 'v2b', wm = ${mark(c.watermark, 6, engine)} where id = 2`,
        `insert into ${qualified(engine, c.table)} values (6, 'v6', ${mark(c.watermark, 7, engine)}), (7, 'v7', ${mark(c.watermark, 8, engine)}), (8, 'v8', ${mark(c.watermark, 9, engine)}), (9, 'v9', ${mark(c.watermark, 5, engine)})`,
      ]);
      if (engine === 'maria') {
        statements.push(
          `update ${qualified('maria', 'ev_unseen')} set v = 'v2b', wm = 60 where id = 2`,
          `insert into ${qualified('maria', 'ev_unseen')} values (6, 'v6', 70), (7, 'v7', 80), (8, 'v8', 90), (9, 'v9', 50)`,
        );
      }
      if (engine === 'pg') {
        for (const table of ['ev_ranked', 'ev_configured']) {
          statements.push(`insert into ${qualified('pg', table)} values (6, 'v6', ${mark('timestamptz', 7, 'pg')}), (7, 'v7', ${mark('timestamptz', 8, 'pg')}), (9, 'v9', ${mark('timestamptz', 5, 'pg')})`);
        }
      }
      await onSource(engine, statements);
    }

    const secondRun = await runProject(adapters, fx.dir, { threads: 2 });
    expect(failures(secondRun)).toEqual([]);
    const old = [
      [1, 'v1'],
      [2, 'v2'],
      [3, 'v3'],
      [4, 'v4'],
      [5, 'v5'],
    ];
    const fresh = [
      [2, 'v2b'],
      [6, 'v6'],
      [7, 'v7'],
      [8, 'v8'],
    ];
    for (const c of CASES) {
      const moved = rowsMoved(result(secondRun, c.model));
      expect(moved.inputs[`source.fedinc.${SOURCE_NAME[c.from]}.${c.table}`], c.model).toBe(4);
      // Only the target's maximum of the watermark crossed back for {{ this }}.
      expect(moved.this, c.model).toBe(1);
      const expected = c.strategy === 'append' ? [...old, ...fresh] : [...old.filter(([id]) => id !== 2), ...fresh];
      const rows = await onTarget(c.to, `select id, v from ${qualified(c.to, c.model)}`);
      const sorted = rows.map(([id, v]) => [Number(id), String(v)]).sort((a, b) => Number(a[0]) - Number(b[0]) || String(a[1]).localeCompare(String(b[1])));
      expect(sorted, `${c.model} (${c.strategy})`).toEqual(expected.sort((a, b) => Number(a[0]) - Number(b[0]) || String(a[1]).localeCompare(String(b[1]))));
    }
    // The extraction carried the watermark in the source's own SQL.
    const logs = secondRun.events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
    // A DuckDB target federates on itself: the input is staged there, filtered the same way.
    expect(logs).toContain("staging: pgsrc__ev_pg_duck_timestamptz__for__inc_pg_duck_timestamptz extracts only rows where \"wm\" > '2024-01-01 10:05:00.123456+00'");
    expect(logs).toContain("cache: msrc__ev_maria_pg_date__for__inc_maria_pg_date extracts only rows where `wm` > '2024-01-05'");

    // Under a CTE the watermark stays in DuckDB: every row moves, and the numbering runs over all of them.
    expect(rowsMoved(result(secondRun, 'ranked_from_pg')).inputs['source.fedinc.pgsrc.ev_ranked']).toBe(8);
    expect((await maria.query(`select id, rn from ${fx.tag}.ranked_from_pg order by rn`)).rows.map(([id, rn]) => [Number(id), Number(rn)])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 4],
      [5, 5],
      [6, 7],
      [7, 8],
    ]);

    // The whole target table crossed for `not in`; the source sent only rows past the watermark, of which the
    // updated id 2 is already there.
    expect(rowsMoved(result(secondRun, 'unseen_from_maria'))).toEqual({ inputs: { 'source.fedinc.msrc.ev_unseen': 4 }, this: 5, result: 3 });
    expect((await onTarget('duck', 'select id from main.unseen_from_maria order by id')).map(([id]) => Number(id))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

    // config(watermark='wm'): the model's SQL has no filter; the extraction has.
    expect(rowsMoved(result(secondRun, 'configured_from_pg')).inputs['source.fedinc.pgsrc.ev_configured']).toBe(2);
    expect((await onTarget('duck', 'select id from main.configured_from_pg order by id')).map(([id]) => Number(id))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  }, 600_000);
});
