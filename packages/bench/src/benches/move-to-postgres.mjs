// dvt's mover from the federation cache (DuckDB) into PostgreSQL against `psql \copy ... from` the
// same rows as a CSV file DuckDB wrote beforehand (the baseline's file is made untimed).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitForIdleCpu } from '../fixtures/idle-cpu.mjs';

export const name = 'move-to-postgres';
const ROWS = Number(process.env.BENCH_MOVE_ROWS ?? 5_000_000);
export const description = `${ROWS.toLocaleString('en')} rows from the DuckDB cache into PostgreSQL (dvt moveRows) vs psql \\copy from the same rows as CSV`;

const HOST = process.env.DVT_TEST_PG_HOST ?? '127.0.0.1';
const PORT = Number(process.env.DVT_TEST_PG_PORT ?? 5432);
const run = promisify(execFile);
const silent = { debug() {}, info() {}, warn() {} };

const COLUMNS = [
  ['id', { kind: 'bigint' }],
  ['customer_id', { kind: 'integer' }],
  ['amount', { kind: 'decimal', precision: 12, scale: 2 }],
  ['status', { kind: 'text' }],
  ['created_at', { kind: 'timestamp' }],
  ['note', { kind: 'text' }],
];

export async function prepare({ log }) {
  let core, duckdb, postgres;
  try {
    core = await import('@dvt/core');
    duckdb = (await import('@dvt/adapter-duckdb')).default;
    postgres = (await import('@dvt/adapter-postgres')).default;
  } catch (e) {
    return { unavailable: `build core and the adapters first (pnpm --filter @dvt/bench... build): ${e.message}` };
  }
  try {
    await run('psql', ['--version']);
  } catch {
    return { unavailable: 'psql is not installed' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'dvt-bench-move-pg-'));
  const ctx = { projectDir: dir, logger: silent };
  const schema = `dvt_bench_topg_${process.pid}`;
  let pg;
  try {
    pg = core.withDefaults(await postgres.connect({ host: HOST, port: PORT, user: 'postgres', dbname: 'test', schema }, ctx), postgres.dialect);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `PostgreSQL is not reachable on ${HOST}:${PORT} (${e.message})` };
  }
  const cache = core.withDefaults(await duckdb.connect({ path: join(dir, 'cache.duckdb') }, ctx), duckdb.dialect);
  const csv = join(dir, 'orders.csv');
  log(`generating ${ROWS.toLocaleString('en')} rows in the cache and ${csv}`);
  await cache.query(
    `create table main.orders as select i::bigint as id, (i % 100000)::integer as customer_id, case when i % 20 = 0 then null else ((i % 100000) / 100.0)::decimal(12,2) end as amount, ` +
      `['paid','open','refunded'][1 + i % 3] as status, timestamp '2024-01-01' + to_seconds(i) as created_at, ` +
      `case when i % 3 = 0 then '' else 'note "' || i || '", with, commas\\ and ünïcode ✓' || case when i % 7 = 0 then chr(10) || 'second line' else '' end end as note from range(1, ${ROWS + 1}) t(i)`,
  );
  await cache.query(`copy main.orders to '${csv}' (format csv, header true)`);
  await pg.query(`create schema ${schema}`);
  const specs = COLUMNS.map(([n, type]) => ({ name: n, type }));
  const ddl = specs.map((c) => `${c.name} ${postgres.dialect.fromCanonicalType(c.type)}`).join(', ');
  for (const table of ['moved', 'baseline']) {
    await pg.query(`create table "${schema}".${table} (${ddl}) with (autovacuum_enabled = false)`);
  }
  const fresh = (table) => async () => {
    await pg.query(`truncate "${schema}".${table}`);
    await pg.query('checkpoint');
    await waitForIdleCpu({ log });
  };
  const check = async (table) => {
    const [[n]] = (await pg.query(`select count(*) from "${schema}".${table}`)).rows;
    if (Number(n) !== ROWS) throw new Error(`${table} has ${n} rows, expected ${ROWS}`);
  };
  return {
    subject: {
      label: 'dvt moveRows',
      setup: fresh('moved'),
      run: async () => {
        await core.moveRows({ from: { connection: cache, adapter: duckdb }, sql: 'select * from main.orders', to: { connection: pg, adapter: postgres }, relation: { schema, identifier: 'moved' }, columns: specs });
        await check('moved');
      },
    },
    baselines: [
      {
        label: 'psql \\copy from csv',
        setup: fresh('baseline'),
        run: async () => {
          await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', HOST, '-p', String(PORT), '-U', 'postgres', '-d', 'test', '-c', `\\copy "${schema}".baseline from '${csv}' csv header`]);
          await check('baseline');
        },
        note: 'the CSV already written (untimed); psql as a child process',
      },
    ],
    teardown: async () => {
      try {
        const diff = (await pg.query(`select count(*) from (select * from "${schema}".moved except all select * from "${schema}".baseline) d`)).rows[0][0];
        log(`rows of the moved table missing from the baseline's: ${diff}`);
      } finally {
        await pg.query(`drop schema if exists ${schema} cascade`);
        await pg.close();
        await cache.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
