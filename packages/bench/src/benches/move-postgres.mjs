// dvt's mover from PostgreSQL into the federation cache (DuckDB) against the two-step path a user
// would script: `psql \copy (select ...) to file.csv`, then DuckDB `read_csv` of that file.
import { clientUnavailable, intoCacheBenchmark, packagesUnavailable, postgresConfig, psql } from '../fixtures/move-bench.mjs';
import { duckdbReadOrdersCsv, MOVE_ROWS, postgresOrdersSql } from '../fixtures/orders.mjs';

export const name = 'move-postgres';
export const description = `${MOVE_ROWS.toLocaleString('en')} rows from PostgreSQL into the DuckDB cache (dvt moveRows) vs psql \\copy to a file + DuckDB read_csv`;

export async function prepare({ log }) {
  const missing = (await packagesUnavailable('@dvt/adapter-postgres')) ?? (await clientUnavailable('psql'));
  if (missing) return { unavailable: missing };
  const schema = `dvt_bench_move_${process.pid}`;
  try {
    await psql(`create schema ${schema}`);
  } catch (e) {
    return { unavailable: `PostgreSQL is not reachable: ${e.message.split('\n').slice(-2).join(' ')}` };
  }
  const table = `"${schema}".orders`;
  return intoCacheBenchmark({
    log,
    baselineLabel: 'psql \\copy + read_csv',
    readCsv: (file) => duckdbReadOrdersCsv(file),
    server: {
      config: postgresConfig(schema),
      create: () => psql(postgresOrdersSql(table)),
      drop: () => psql(`drop schema if exists ${schema} cascade`),
      selectSql: `select * from ${table}`,
      dumpToCsv: (file) => psql(`\\copy (select * from ${table}) to '${file}' csv header`),
    },
  });
}
