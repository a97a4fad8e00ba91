// dvt's mover from PostgreSQL into the federation cache (DuckDB) against the two-step path a user
// would script: `psql \copy (select ...) to file.csv`, then DuckDB `read_csv` of that file.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { waitForIdleCpu } from '../fixtures/idle-cpu.mjs';

export const name = 'move-postgres';
const ROWS = Number(process.env.BENCH_MOVE_ROWS ?? 5_000_000);
export const description = `${ROWS.toLocaleString('en')} rows from PostgreSQL into the DuckDB cache (dvt moveRows) vs psql \\copy to a file + DuckDB read_csv`;

const HOST = process.env.DVT_TEST_PG_HOST ?? '127.0.0.1';
const PORT = Number(process.env.DVT_TEST_PG_PORT ?? 5432);
const run = promisify(execFile);
const silent = { debug() {}, info() {}, warn() {} };

// The same shape as the measurements in shared/notes/data-movement.md.
const COLUMNS = [
  ['id', 'bigint', { kind: 'bigint' }],
  ['customer_id', 'integer', { kind: 'integer' }],
  ['amount', 'numeric(12,2)', { kind: 'decimal', precision: 12, scale: 2 }],
  ['status', 'text', { kind: 'text' }],
  ['created_at', 'timestamp', { kind: 'timestamp' }],
  ['note', 'text', { kind: 'text' }],
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
  const dir = mkdtempSync(join(tmpdir(), 'dvt-bench-move-'));
  const ctx = { projectDir: dir, logger: silent };
  const schema = `dvt_bench_move_${process.pid}`;
  let pg;
  try {
    pg = core.withDefaults(await postgres.connect({ host: HOST, port: PORT, user: 'postgres', dbname: 'test', schema }, ctx), postgres.dialect);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    return { unavailable: `PostgreSQL is not reachable on ${HOST}:${PORT} (${e.message})` };
  }
  const cache = core.withDefaults(await duckdb.connect({ path: join(dir, 'cache.duckdb') }, ctx), duckdb.dialect);
  const source = `"${schema}".orders`;
  log(`generating ${ROWS.toLocaleString('en')} rows in ${source}`);
  await pg.query(`create schema ${schema}`);
  await pg.query(
    `create table ${source} as select g::bigint as id, (g % 100000)::int as customer_id, case when g % 20 = 0 then null else (g % 100000) / 100.0 end::numeric(12,2) as amount, ` +
      `(array['paid','open','refunded'])[1 + g % 3] as status, timestamp '2024-01-01' + g * interval '1 second' as created_at, ` +
      `case when g % 3 = 0 then '' else 'note "' || g || '", with, commas\\ and ünïcode ✓' || case when g % 7 = 0 then E'\\nsecond line' else '' end end as note ` +
      `from generate_series(1, ${ROWS}) g`,
  );
  const specs = COLUMNS.map(([name, , type]) => ({ name, type }));
  const create = (table) => `create or replace table main.${table} (${COLUMNS.map(([n, , t]) => `${n} ${duckdb.dialect.fromCanonicalType(t)}`).join(', ')})`;
  const csv = join(dir, 'orders.csv');
  const fresh = (table) => async () => {
    await cache.query(create(table));
    rmSync(csv, { force: true });
    await waitForIdleCpu({ log });
  };
  const check = async (table) => {
    const [[n]] = (await cache.query(`select count(*) from main.${table}`)).rows;
    if (Number(n) !== ROWS) throw new Error(`${table} has ${n} rows, expected ${ROWS}`);
  };
  return {
    subject: {
      label: 'dvt moveRows',
      setup: fresh('moved'),
      run: async () => {
        await core.moveRows({ from: { connection: pg, adapter: postgres }, sql: `select * from ${source}`, to: { connection: cache, adapter: duckdb }, relation: { schema: 'main', identifier: 'moved' }, columns: specs });
        await check('moved');
      },
    },
    baselines: [
      {
        label: 'psql \\copy + read_csv',
        setup: fresh('baseline'),
        run: async () => {
          await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', HOST, '-p', String(PORT), '-U', 'postgres', '-d', 'test', '-c', `\\copy (select * from ${source}) to '${csv}' csv header`]);
          const types = COLUMNS.map(([n, , t]) => `'${n}': '${duckdb.dialect.fromCanonicalType(t)}'`).join(', ');
          await cache.query(`insert into main.baseline select * from read_csv('${csv}', header = true, columns = {${types}}, auto_detect = false, allow_quoted_nulls = false)`);
          await check('baseline');
        },
        note: 'psql as a child process, DuckDB in this process',
      },
    ],
    teardown: async () => {
      try {
        const diff = (await cache.query('select count(*) from (select * from main.moved except all select * from main.baseline)')).rows[0][0];
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
