import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { withDefaults } from '../src/adapter/defaults/index.js';
import { moveRows, type MoveProgress } from '../src/federate/mover.js';
import { MoveProgressReporter, type MoveProgressEvent } from '../src/federate/progress.js';
import { connect, fixtureDir, loadAdapters, servicesSkipReason, type EngineType } from './federate-support.js';

const at = (rows: number): MoveProgress => ({ rows, seconds: rows / 1000, rowsPerSecond: 1000 });

describe('MoveProgressReporter', () => {
  it('reports the first update at once, then at most one per interval, and always the end', () => {
    let now = 0;
    const events: MoveProgressEvent[] = [];
    const reporter = new MoveProgressReporter((e) => events.push(e), 'source.p.s.orders', 'into cache s__orders', 500, () => now);
    for (const [t, rows] of [
      [0, 1000],
      [100, 2000],
      [499, 3000],
      [500, 4000],
      [600, 5000],
      [1100, 6000],
      [1200, 7000],
    ]) {
      now = t!;
      reporter.update(at(rows!));
    }
    reporter.finish();
    expect(events.map((e) => [e.rows, e.done])).toEqual([
      [1000, false],
      [4000, false],
      [6000, false],
      [7000, true],
    ]);
    expect(events[0]).toEqual({ unique_id: 'source.p.s.orders', move: 'into cache s__orders', rows: 1000, seconds: 1, rowsPerSecond: 1000, done: false });
  });

  it('finishes a move that failed, and gives no onProgress without a sink', async () => {
    const events: MoveProgressEvent[] = [];
    await expect(
      MoveProgressReporter.around((e) => events.push(e), 'model.p.m', 'result', async (onProgress) => {
        onProgress!(at(10));
        throw new Error('load failed');
      }),
    ).rejects.toThrow('load failed');
    expect(events.map((e) => [e.rows, e.done])).toEqual([
      [10, false],
      [10, true],
    ]);
    expect(await MoveProgressReporter.around(undefined, 'model.p.m', 'result', async (onProgress) => onProgress)).toBeUndefined();
  });
});

/** Real moves: rows are counted in the pipe as they pass, whichever loader reads it. */
const fx = fixtureDir('moveprogress');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
let duck: Connection;
const ROWS = 30_000;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = await servicesSkipReason();
  if (skip) return;
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag }, fx.dir);
  duck = await connect(adapters.duckdb, { path: ':memory:' }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  // Line breaks and quotes inside fields: a record is not a line.
  await pg.query(`create table ${fx.tag}.notes as select g as id, 'line one' || chr(10) || 'say "' || g || '"' as note from generate_series(1, ${ROWS}) g`);
  await duck.query('create table main.notes (id integer, note varchar)');
}, 60_000);

afterAll(async () => {
  if (pg) {
    await pg.query(`drop schema if exists ${fx.tag} cascade`);
    await pg.close();
  }
  await duck?.close();
  fx.cleanup();
});

describe('moveRows progress', () => {
  it('counts the records in flight from PostgreSQL into DuckDB (whose loader reports nothing until it ends)', async (ctx) => {
    if (skip) return ctx.skip(skip);
    const seen: number[] = [];
    const stats = await moveRows({
      from: { connection: withDefaults(pg, adapters.postgres.dialect), adapter: adapters.postgres },
      sql: `select id, note from ${fx.tag}.notes order by id`,
      to: { connection: withDefaults(duck, adapters.duckdb.dialect), adapter: adapters.duckdb },
      relation: { schema: 'main', identifier: 'notes' },
      columns: [
        { name: 'id', type: { kind: 'integer' } },
        { name: 'note', type: { kind: 'text' } },
      ],
      onProgress: (p) => seen.push(p.rows),
    });
    expect(stats.rows).toBe(ROWS);
    // Reported while moving (every 1000 records), never more than moved, never going back, and the total at the end.
    expect(seen.length).toBeGreaterThan(10);
    expect(seen.every((n, i) => n <= ROWS && (i === 0 || n >= seen[i - 1]!))).toBe(true);
    expect(seen.filter((n) => n < ROWS).length).toBeGreaterThan(0);
    expect(seen.at(-1)).toBe(ROWS);
    expect((await duck.query('select count(*), max(note) from main.notes')).rows).toEqual([[BigInt(ROWS), 'line one\nsay "9999"']]);
  }, 60_000);
});
