// dvt's mover from the federation cache (DuckDB) into MariaDB against the mariadb client's
// `LOAD DATA LOCAL INFILE` of the same rows as a CSV file DuckDB wrote beforehand (untimed), in the
// form LOAD DATA reads losslessly (shared/notes/data-movement.md, pitfall 5): NULL as an unquoted
// NULL, text always quoted, backslashes as data (`ESCAPED BY ''`).
import { clientUnavailable, fromCacheBenchmark, mariadb, mariadbConfig, mariadbValue, packagesUnavailable } from '../fixtures/move-bench.mjs';
import { MOVE_ROWS } from '../fixtures/orders.mjs';

export const name = 'move-to-mariadb';
export const description = `${MOVE_ROWS.toLocaleString('en')} rows from the DuckDB cache into MariaDB (dvt moveRows) vs mariadb LOAD DATA LOCAL INFILE of the same rows as CSV`;

const DDL = 'id bigint, customer_id int, amount decimal(12,2), status text, created_at datetime(6), note text';

export async function prepare({ log }) {
  const missing = (await packagesUnavailable('@dvt/adapter-mariadb')) ?? (await clientUnavailable('mariadb'));
  if (missing) return { unavailable: missing };
  const database = `dvt_bench_tomaria_${process.pid}`;
  try {
    await mariadb(['-e', `create database ${database}`]);
  } catch (e) {
    return { unavailable: `MariaDB is not reachable: ${e.message.split('\n').slice(-2).join(' ')}` };
  }
  const table = (t) => `${database}.${t}`;
  return fromCacheBenchmark({
    log,
    baselineLabel: 'mariadb LOAD DATA LOCAL',
    csvCopyOptions: "format csv, header false, nullstr 'NULL', force_quote (status, note)",
    server: {
      config: mariadbConfig(database),
      relation: (t) => ({ schema: database, identifier: t }),
      create: () => mariadb(['-e', ['moved', 'baseline'].map((t) => `create table ${table(t)} (${DDL}) character set utf8mb4;`).join('\n')]),
      drop: () => mariadb(['-e', `drop database if exists ${database}`]),
      truncate: (t) => mariadb(['-e', `truncate table ${table(t)}`]),
      count: async (t) => Number(await mariadbValue(`select count(*) from ${table(t)}`)),
      loadCsv: async (file, t) => {
        const { stdout: loaded } = await mariadb([
          '--local-infile=1',
          '-N',
          '-B',
          '-e',
          `load data local infile '${file}' into table ${table(t)} character set utf8mb4 ` +
            `fields terminated by ',' optionally enclosed by '"' escaped by '' lines terminated by '\\n'; select row_count()`,
        ]);
        if (Number(loaded) !== MOVE_ROWS) throw new Error(`LOAD DATA loaded ${loaded} rows, not ${MOVE_ROWS}`);
      },
      // EXCEPT ALL over two multi-million-row tables takes minutes on MariaDB; CHECKSUM TABLE reads each once.
      compare: async () => {
        const sums = (await mariadb(['-N', '-B', '-e', `checksum table ${table('moved')}, ${table('baseline')}`])).stdout.trim().split('\n').map((l) => l.split('\t')[1]);
        if (sums[0] !== sums[1]) throw new Error(`CHECKSUM TABLE differs: dvt's ${sums[0]}, the client's ${sums[1]}`);
        return `CHECKSUM TABLE: dvt's table ${sums[0]}, the client's ${sums[1]}: the same rows`;
      },
    },
  });
}
