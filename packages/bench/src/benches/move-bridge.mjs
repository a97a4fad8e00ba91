// dvt's mover from PostgreSQL into the federation cache (DuckDB) with the PostgreSQL connection in a
// database bridge's worker thread (a run whose templates read the database: every project with
// dbt_utils), against the same move without the bridge. The rows cross from the worker to the
// cache's thread while both sides run; the figure is what the bridge costs a move.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngineProcess } from '../fixtures/engine-process.mjs';
import { waitForIdleCpu } from '../fixtures/idle-cpu.mjs';
import { clientUnavailable, memoryLine, packagesUnavailable, postgresConfig, psql } from '../fixtures/move-bench.mjs';
import { duckdbEmptyOrdersSql, MOVE_ROWS, ORDER_COLUMNS, postgresOrdersSql } from '../fixtures/orders.mjs';

export const name = 'move-bridge';
export const description = `${MOVE_ROWS.toLocaleString('en')} rows from PostgreSQL into the DuckDB cache (dvt moveRows) with PostgreSQL in the database bridge's worker vs without the bridge`;

const CACHE_TABLE = 'main.orders';

export async function prepare({ log }) {
  const missing = (await packagesUnavailable('@dvt/adapter-postgres')) ?? (await clientUnavailable('psql'));
  if (missing) return { unavailable: missing };
  const schema = `dvt_bench_bridge_${process.pid}`;
  try {
    await psql(`create schema ${schema}`);
  } catch (e) {
    return { unavailable: `PostgreSQL is not reachable: ${e.message.split('\n').slice(-2).join(' ')}` };
  }
  const table = `"${schema}".orders`;
  const dir = mkdtempSync(join(tmpdir(), 'dvt-bench-bridge-'));
  const bridged = startEngineProcess();
  const direct = startEngineProcess();
  const closeAll = async () => {
    await bridged.close();
    await direct.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const drop = () => psql(`drop schema if exists ${schema} cascade`);
  try {
    await bridged.open('server', postgresConfig(schema), { bridged: true });
    await bridged.open('cache', { type: 'duckdb', path: join(dir, 'bridged.duckdb') });
    await direct.open('server', postgresConfig(schema));
    await direct.open('cache', { type: 'duckdb', path: join(dir, 'direct.duckdb') });
    log(`generating ${MOVE_ROWS.toLocaleString('en')} rows on the server`);
    await psql(postgresOrdersSql(table));
  } catch (e) {
    await drop().catch(() => undefined);
    await closeAll();
    throw e;
  }
  const routes = new Set();
  const entry = (label, engine) => ({
    label,
    setup: async () => {
      await engine.query('cache', duckdbEmptyOrdersSql(CACHE_TABLE));
      await waitForIdleCpu({ log });
    },
    run: async () => {
      const stats = await engine.move({ from: 'server', to: 'cache', sql: `select * from ${table}`, relation: { schema: 'main', identifier: 'orders' }, columns: ORDER_COLUMNS });
      routes.add(`${label}: ${stats.route}`);
      const [[n]] = await engine.query('cache', `select count(*) from ${CACHE_TABLE}`);
      if (Number(n) !== MOVE_ROWS) throw new Error(`${label} moved ${n} rows, expected ${MOVE_ROWS}`);
    },
  });
  return {
    subject: entry('moveRows, PostgreSQL bridged', bridged),
    baselines: [{ ...entry('moveRows, no bridge', direct), note: 'each in a process of its own' }],
    teardown: async () => {
      try {
        for (const route of routes) log(route);
        log(memoryLine([
          { label: 'bridged process', bytes: await bridged.peakRss() },
          { label: 'unbridged process', bytes: await direct.peakRss() },
        ]));
        await bridged.close();
        await direct.query('cache', `attach '${join(dir, 'bridged.duckdb')}' as moved (read_only)`);
        const [[missing]] = await direct.query('cache', `select count(*) from (select * from moved.${CACHE_TABLE} except all select * from ${CACHE_TABLE})`);
        const [[extra]] = await direct.query('cache', `select count(*) from (select * from ${CACHE_TABLE} except all select * from moved.${CACHE_TABLE})`);
        log(`rows that differ between the bridged and the unbridged copy (EXCEPT ALL both ways): ${missing} and ${extra}`);
        if (Number(missing) + Number(extra) !== 0) throw new Error('the bridged copy differs from the unbridged one');
      } finally {
        await drop();
        await closeAll();
      }
    },
  };
}
