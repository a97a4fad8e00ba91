// dvt's mover from the federation cache (DuckDB) into PostgreSQL against `psql \copy ... from` the
// same rows as a CSV file DuckDB wrote beforehand (the baseline's file is made untimed).
import { clientUnavailable, fromCacheBenchmark, packagesUnavailable, postgresConfig, psql, psqlValue } from '../fixtures/move-bench.mjs';
import { MOVE_ROWS } from '../fixtures/orders.mjs';

export const name = 'move-to-postgres';
export const description = `${MOVE_ROWS.toLocaleString('en')} rows from the DuckDB cache into PostgreSQL (dvt moveRows) vs psql \\copy from the same rows as CSV`;

const DDL = 'id bigint, customer_id integer, amount numeric(12,2), status text, created_at timestamp, note text';

export async function prepare({ log }) {
  const missing = (await packagesUnavailable('@dvt/adapter-postgres')) ?? (await clientUnavailable('psql'));
  if (missing) return { unavailable: missing };
  const schema = `dvt_bench_topg_${process.pid}`;
  try {
    await psql(`create schema ${schema}`);
  } catch (e) {
    return { unavailable: `PostgreSQL is not reachable: ${e.message.split('\n').slice(-2).join(' ')}` };
  }
  const table = (t) => `"${schema}".${t}`;
  const scalar = async (sql) => Number(await psqlValue(sql));
  return fromCacheBenchmark({
    log,
    baselineLabel: 'psql \\copy from csv',
    csvCopyOptions: 'format csv, header true',
    server: {
      config: postgresConfig(schema),
      relation: (t) => ({ schema, identifier: t }),
      // Autovacuum off: a freshly loaded big table would start it and take a core mid-run.
      create: () => psql(['moved', 'baseline'].map((t) => `create table ${table(t)} (${DDL}) with (autovacuum_enabled = false);`).join('\n')),
      drop: () => psql(`drop schema if exists ${schema} cascade`),
      truncate: (t) => psql(`truncate ${table(t)}; checkpoint`),
      count: (t) => scalar(`select count(*) from ${table(t)}`),
      loadCsv: (file, t) => psql(`\\copy ${table(t)} from '${file}' csv header`),
      compare: async () => {
        const sql = (a, b) => `select count(*) from (select * from ${table(a)} except all select * from ${table(b)}) d`;
        const [x, y] = [await scalar(sql('moved', 'baseline')), await scalar(sql('baseline', 'moved'))];
        if (x + y !== 0) throw new Error(`the moved rows differ from the baseline's (${x} and ${y} rows)`);
        return `rows that differ between the moved table and the baseline's (EXCEPT ALL both ways): ${x} and ${y}`;
      },
    },
  });
}
