import { lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, ColumnSpec, Connection } from '../src/adapter/contract.js';
import { withDefaults } from '../src/adapter/defaults/index.js';
import { DatabaseBridge, templatesReadDatabase } from '../src/bridge/index.js';
import { Compiler } from '../src/compile/index.js';
import { moveRows, type Endpoint, type MoveProgress } from '../src/federate/mover.js';
import { loadProject } from '../src/project/index.js';
import { runCommand, type RunEvent } from '../src/run/index.js';
import { connect, dropFixture, failures, fixtureDir, loadAdapters, servicesSkipReason, silent, type EngineType } from './federate-support.js';

/**
 * Federated moves while the database bridge is active: the run's source and
 * target connections live in the bridge's worker, the federation cache in
 * the render thread. The rows must stream between them (no scratch file of
 * the data's size), and a move that fails or is aborted halfway must load
 * nothing and leave the worker answering.
 */
const fx = fixtureDir('fedbridge');
const ROWS = 200_000;
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let maria: Connection;

const modules: Record<EngineType, string> = {
  duckdb: pathToFileURL(join(import.meta.dirname, '../../../adapters/duckdb/dist/index.js')).href,
  postgres: pathToFileURL(join(import.meta.dirname, '../../../adapters/postgres/dist/index.js')).href,
  mariadb: pathToFileURL(join(import.meta.dirname, '../../../adapters/mariadb/dist/index.js')).href,
};
const pgConfig = () => ({ host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag });
const mariaConfig = () => ({ server: '127.0.0.1', username: 'root', schema: fx.tag });

/** Labels with what CSV must carry: quotes, commas, line breaks, non-ASCII, empty text and NULL. */
const EVENTS_SQL = (table: string) => `create table ${table} as
select i::bigint as id,
  case i % 5 when 0 then null when 1 then '' when 2 then 'say "hi", ' || i when 3 then E'two\\nlines ' || i else 'Zoë ✓ ' || i end as label,
  case when i % 7 = 0 then null else round((i * 1.37)::numeric, 2) end::numeric(12,2) as amount,
  timestamp '2024-01-01 00:00:00' + i * interval '1 second' as happened
from generate_series(1, ${ROWS}) as s(i)`;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  fx.write({
    'dbt_project.yml': 'name: fedbridge\nprofile: fedbridge\nconfig-version: 2\n',
    'profiles.yml': `fedbridge:
  target: pg
  outputs:
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag}, threads: 2 }
    maria: { type: mariadb, server: 127.0.0.1, username: root, schema: ${fx.tag} }
`,
    'models/sources.yml': `version: 2
sources:
  - name: crm
    connection: pg
    schema: ${fx.tag}
    tables: [{ name: events }]
`,
    // A template that reads the database: what makes the CLI start the bridge (dbt_utils does this).
    'models/counted.sql': `{% set n = run_query("select count(*) from " ~ source('crm', 'events')) %}
{{ config(materialized='table') }}
select {{ n.columns[0].values()[0] if execute else 0 }} as n`,
    // PostgreSQL -> cache -> MariaDB.
    'models/events_maria.sql': `{{ config(materialized='table', target='maria', federation='duckdb') }}
select id, label, amount, happened from {{ source('crm', 'events') }}`,
    // MariaDB -> cache -> PostgreSQL: the rows come back after two trips through the cache.
    'models/events_back.sql': `{{ config(materialized='table', federation='duckdb') }}
select id, label, amount, happened from {{ ref('events_maria') }}`,
    // PostgreSQL -> MariaDB staged on the target: both connections in the worker.
    'models/events_staged.sql': `{{ config(materialized='table', target='maria', federation='target') }}
select count(*) as n, sum(amount) as total from {{ source('crm', 'events') }}`,
  });
  pg = await connect(adapters.postgres, pgConfig(), fx.dir);
  maria = await connect(adapters.mariadb, { server: '127.0.0.1', username: 'root', schema: 'test' }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  await pg.query(EVENTS_SQL(`${fx.tag}.events`));
  await maria.query(`create database ${fx.tag} character set utf8mb4`);
}, 60_000);

afterAll(() => dropFixture(fx, pg, maria));

/** The largest regular file seen under `dir` while `body` runs (polled: a scratch file lives only during its move). */
async function largestFileDuring<T>(dir: string, body: () => Promise<T>): Promise<{ value: T; largest: number }> {
  let largest = 0;
  const look = (path: string) => {
    for (const name of readdirSync(path)) {
      try {
        const stat = lstatSync(join(path, name));
        if (stat.isDirectory()) look(join(path, name));
        else if (stat.isFile()) largest = Math.max(largest, stat.size);
      } catch {
        // Gone between the listing and the look.
      }
    }
  };
  const timer = setInterval(() => look(dir), 5);
  try {
    return { value: await body(), largest };
  } finally {
    clearInterval(timer);
    look(dir);
  }
}

function openBridge(): DatabaseBridge {
  const project = loadProject({ projectDir: fx.dir, profilesDir: fx.dir, env: {} });
  return new DatabaseBridge({ projectDir: fx.dir, outputs: project.profile.outputs, modules });
}

/** A run of the project with every profile connection served by `bridge`, as the CLI runs it when a template reads the database. */
async function runBridged(bridge: DatabaseBridge, options: { select?: string[]; signal?: AbortSignal; onEvent?: (e: RunEvent) => unknown } = {}) {
  const project = loadProject({ projectDir: fx.dir, profilesDir: fx.dir, env: {} });
  expect(templatesReadDatabase(project)).toBe(true);
  const compiler = await Compiler.create({ project, adapters, env: {}, database: bridge.templateDatabase, writeCompiled: false });
  compiler.parseProject();
  const events: RunEvent[] = [];
  const selection = [...project.nodes.values()].filter((n) => !options.select || options.select.includes(n.name)).map((n) => n.unique_id);
  const outcome = await runCommand({
    command: 'run',
    project,
    compiler,
    selection,
    threads: 2,
    targetPath: join(fx.dir, 'target'),
    resolveAdapter: async (type) => bridge.adapter(adapters[type as EngineType]),
    events: (e) => {
      events.push(e);
      options.onEvent?.(e);
    },
    moveProgress: true,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  return { ...outcome, events };
}

const count = async (c: Connection, table: string) => Number((await c.query(`select count(*) from ${table}`)).rows[0]![0]);

describe('federated moves through the database bridge', () => {
  it('stream PostgreSQL -> cache -> MariaDB -> cache -> PostgreSQL with every value intact and no scratch file', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const scratch = mkdtempSync(join(tmpdir(), 'dvt-bridge-scratch-'));
    const tmpBefore = process.env.TMPDIR;
    // Whatever the bridge, the worker or the adapters put in the temporary directory lands here (the worker copies the environment when it starts).
    process.env.TMPDIR = scratch;
    const bridge = openBridge();
    try {
      const { value: outcome, largest } = await largestFileDuring(scratch, () => runBridged(bridge));
      expect(failures(outcome)).toEqual([]);
      const csvBytes = Number((await pg.query(`select sum(octet_length(e::text)) from ${fx.tag}.events e`)).rows[0]![0]);
      expect(csvBytes).toBeGreaterThan(8_000_000);
      // Named pipes have no size; a spooled copy of a move would have the data's.
      expect(largest).toBeLessThan(csvBytes / 20);

      expect(await count(maria, `${fx.tag}.events_maria`)).toBe(ROWS);
      const both = (a: string, b: string) => `select count(*) from (select * from ${a} except all select * from ${b}) d`;
      expect(Number((await pg.query(both(`${fx.tag}.events`, `${fx.tag}.events_back`))).rows[0]![0])).toBe(0);
      expect(Number((await pg.query(both(`${fx.tag}.events_back`, `${fx.tag}.events`))).rows[0]![0])).toBe(0);
      const tricky = await maria.query(`select label from ${fx.tag}.events_maria where id in (5, 6, 7, 8, 9) order by id`);
      expect(tricky.rows.map((r) => r[0])).toEqual([null, '', 'say "hi", 7', 'two\nlines 8', 'Zoë ✓ 9']);
      const staged = await maria.query(`select n, total from ${fx.tag}.events_staged`);
      expect(staged.rows.map((r) => r.map(String))).toEqual([[String(ROWS), String((await pg.query(`select sum(amount) from ${fx.tag}.events`)).rows[0]![0])]]);

      const moves = outcome.events.flatMap((e) => (e.type === 'log' && e.message.startsWith('moved ') ? [e.message] : []));
      // Into the cache and out of it: a render-thread DuckDB and a worker connection, streamed across threads.
      expect(moves.filter((m) => /crm__events in .*postgres extract -> duckdb bulkLoad/.test(m))).toHaveLength(1);
      expect(moves.filter((m) => /duckdb extract -> mariadb bulkLoad/.test(m))).toHaveLength(1);
      expect(moves.filter((m) => /mariadb extract -> duckdb bulkLoad/.test(m))).toHaveLength(1);
      expect(moves.filter((m) => /duckdb extract -> postgres bulkLoad/.test(m))).toHaveLength(1);
      // Source and target both in the worker: the rows never leave it.
      expect(moves.filter((m) => /postgres extract -> mariadb bulkLoad .*inside the database bridge's worker/.test(m)), moves.join('\n')).toHaveLength(1);
      // Progress of the move inside the worker reached the run's events.
      const staging = outcome.events.flatMap((e) => (e.type === 'move_progress' && e.move.endsWith("on 'maria'") ? [e] : []));
      expect(staging.at(-1)).toMatchObject({ unique_id: 'source.fedbridge.crm.events', done: true, rows: ROWS });
    } finally {
      await bridge.close();
      process.env.TMPDIR = tmpBefore;
      if (tmpBefore === undefined) delete process.env.TMPDIR;
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 300_000);

  it('an aborted run stops its move halfway, keeps the previous table and leaves the worker answering', async (ctx) => {
    if (skip) return ctx.skip(skip);
    await maria.query(`drop table if exists ${fx.tag}.events_maria`);
    await maria.query(`create table ${fx.tag}.events_maria as select 1 as id`);
    const bridge = openBridge();
    try {
      const controller = new AbortController();
      // Aborted at the first progress report: while rows are in flight between the worker and the cache.
      const outcome = await runBridged(bridge, { select: ['events_maria'], signal: controller.signal, onEvent: (e) => e.type === 'move_progress' && !e.done && e.rows > 0 && controller.abort() });
      expect(controller.signal.aborted).toBe(true);
      expect(outcome.results.map((r) => r.status)).not.toContain('success');
      expect(outcome.results[0]?.message).toMatch(/aborted/);
      const progress = outcome.events.flatMap((e) => (e.type === 'move_progress' ? [e.rows] : []));
      expect(Math.max(...progress)).toBeLessThan(ROWS);
      expect((await maria.query(`select * from ${fx.tag}.events_maria`)).rows.map((r) => r.map(Number))).toEqual([[1]]);
      // The worker still serves template calls and new connections.
      expect(bridge.templateDatabase.execute(`select count(*) from ${fx.tag}.events`, 'pg', true).rows).toEqual([[ROWS]]);
      const again = await bridge.adapter(adapters.postgres).connect(pgConfig(), { projectDir: fx.dir, logger: silent });
      expect((await again.query('select 1')).rows.map((r) => r.map(Number))).toEqual([[1]]);
      await again.close();
    } finally {
      const closing = Date.now();
      await bridge.close();
      expect(Date.now() - closing).toBeLessThan(10_000);
    }
    // The cache kept a whole copy from the first test or none; the copy being loaded when the run stopped holds nothing.
    const cache = await connect(adapters.duckdb, { path: join(fx.dir, '.dvt', 'cache.duckdb') }, fx.dir);
    try {
      const tables = new Map((await cache.query(`select table_name, estimated_size from duckdb_tables() where table_name like 'crm__events%'`)).rows.map((r) => [String(r[0]), r[1]]));
      for (const table of tables.keys()) expect(await count(cache, `main."${table}"`)).toBe(table === 'crm__events' ? ROWS : 0);
    } finally {
      await cache.close();
    }
  }, 300_000);

  it('a move that fails halfway loads nothing, whichever side fails and wherever the connections live', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const bridge = openBridge();
    const duck = withDefaults(await adapters.duckdb.connect({ path: ':memory:' }, { projectDir: fx.dir, logger: silent }), adapters.duckdb.dialect);
    const landed = { schema: fx.tag, identifier: 'landed' };
    const columns: ColumnSpec[] = [{ name: 'id', type: { kind: 'bigint' } }, { name: 'label', type: { kind: 'text' } }];
    try {
      const remote = async (type: 'postgres' | 'mariadb', config: Record<string, unknown>): Promise<Endpoint> => ({
        connection: withDefaults(await bridge.adapter(adapters[type]).connect(config, { projectDir: fx.dir, logger: silent }), adapters[type].dialect),
        adapter: adapters[type],
      });
      const fromPg = await remote('postgres', pgConfig());
      const intoPg = await remote('postgres', pgConfig());
      const intoMaria = await remote('mariadb', mariaConfig());
      const local: Endpoint = { connection: duck, adapter: adapters.duckdb };
      await duck.query(`create schema ${fx.tag}`);
      const fresh = async (to: Endpoint, check = '') => {
        await to.connection.query(`drop table if exists ${to.adapter.dialect.renderRelation(landed)}`);
        await to.connection.query(`create table ${to.adapter.dialect.renderRelation(landed)} (id bigint${check}, label ${to.adapter.dialect.fromCanonicalType({ kind: 'text' })})`);
      };
      const landedRows = (to: Endpoint) => count(to.connection, to.adapter.dialect.renderRelation(landed));
      // Fails on the server after 149,999 rows have been sent.
      const pgFailing = `select i::bigint as id, case when i = 150000 then (1 / (i - i))::text else 'row ' || i end as label from generate_series(1, ${ROWS}) as s(i)`;
      const pgRows = `select i::bigint as id, 'row ' || i as label from generate_series(1, ${ROWS}) as s(i)`;
      const duckFailing = `select i::bigint as id, case when i = 150000 then error('no row 150000') else 'row ' || i end as label from range(1, ${ROWS + 1}) as t(i)`;
      const duckRows = `select i::bigint as id, 'row ' || i as label from range(1, ${ROWS + 1}) as t(i)`;
      const cases: { name: string; from: Endpoint; sql: string; to: Endpoint; check?: string; error: RegExp }[] = [
        { name: 'worker source fails, render-thread load', from: fromPg, sql: pgFailing, to: local, error: /division by zero/ },
        { name: 'render-thread source fails, worker load', from: local, sql: duckFailing, to: intoPg, error: /no row 150000/ },
        { name: 'worker load fails', from: local, sql: duckRows, to: intoPg, check: ' check (id <> 150000)', error: /check constraint/ },
        { name: 'source fails, both in the worker', from: fromPg, sql: pgFailing, to: intoMaria, error: /division by zero/ },
      ];
      for (const c of cases) {
        await fresh(c.to, c.check);
        await expect(moveRows({ from: c.from, sql: c.sql, to: c.to, relation: landed, columns }), c.name).rejects.toThrow(c.error);
        expect(await landedRows(c.to), c.name).toBe(0);
      }

      // Aborted from its progress, inside the worker: the progress crossed threads, the abort too.
      await fresh(intoMaria);
      const controller = new AbortController();
      const seen: MoveProgress[] = [];
      const onProgress = (p: MoveProgress) => {
        seen.push(p);
        if (p.rows >= 10_000) controller.abort(new Error('stopped by the test'));
      };
      // The caller's reason crosses to the worker with the abort.
      await expect(moveRows({ from: fromPg, sql: pgRows, to: intoMaria, relation: landed, columns, signal: controller.signal, onProgress })).rejects.toThrow('stopped by the test');
      // Counted as the rows enter the pipe in the worker, ahead of the load.
      expect(seen.length).toBeGreaterThan(0);
      expect(await landedRows(intoMaria)).toBe(0);

      // The same connections still work: nothing is left waiting in the worker.
      await fresh(intoMaria);
      const moved = await moveRows({ from: fromPg, sql: pgRows, to: intoMaria, relation: landed, columns });
      expect(moved).toMatchObject({ rows: ROWS, route: expect.stringMatching(/inside the database bridge's worker/) });
      await fresh(local);
      expect((await moveRows({ from: fromPg, sql: pgRows, to: local, relation: landed, columns })).rows).toBe(ROWS);
      expect(await landedRows(local)).toBe(ROWS);
      await maria.query(`drop table ${fx.tag}.landed`);
    } finally {
      await duck.close();
      const closing = Date.now();
      await bridge.close();
      expect(Date.now() - closing).toBeLessThan(10_000);
    }
  }, 300_000);
});
