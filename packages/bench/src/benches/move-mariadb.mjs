// dvt's mover from MariaDB into the federation cache (DuckDB) against the fastest lossless path
// through the mariadb client: `mariadb --batch --raw --quick -e "select <a CSV line per row>"`
// into a file, then DuckDB `read_csv` of it.
//
// Why this baseline: `SELECT ... INTO OUTFILE` writes on the server's disk (a FILE privilege and a
// server-local path, nothing a client of a remote server can use), and with `ESCAPED BY ''` it
// does not double embedded quotes, so the file is not CSV; the client's plain `--batch` output is
// tab-separated with backslash escapes (\n, \t, \\) and NULL spelled as the word, which DuckDB
// cannot read back losslessly. Having the server build each CSV line (quotes doubled, NULL as an
// empty unquoted field, text always quoted so '' stays '') and the client print it raw is the
// quickest dump a user can script that round-trips every value; the formatting cost lands on the
// server, as it does for psql \copy.
import { clientUnavailable, intoCacheBenchmark, mariadb, mariadbConfig, packagesUnavailable, run, MARIADB_HOST, MARIADB_PORT } from '../fixtures/move-bench.mjs';
import { duckdbReadOrdersCsv, mariadbOrdersSql, MOVE_ROWS } from '../fixtures/orders.mjs';

export const name = 'move-mariadb';
export const description = `${MOVE_ROWS.toLocaleString('en')} rows from MariaDB into the DuckDB cache (dvt moveRows) vs mariadb --batch --raw CSV dump to a file + DuckDB read_csv`;

const quoted = (column) => `concat('"', replace(${column}, '"', '""'), '"')`;
const CSV_LINE = `concat_ws(',', id, customer_id, ifnull(amount, ''), ${quoted('status')}, created_at, ${quoted('note')})`;

export async function prepare({ log }) {
  const missing = (await packagesUnavailable('@dvt/adapter-mariadb')) ?? (await clientUnavailable('mariadb'));
  if (missing) return { unavailable: missing };
  const database = `dvt_bench_move_${process.pid}`;
  try {
    await mariadb(['-e', `create database ${database}`]);
  } catch (e) {
    return { unavailable: `MariaDB is not reachable: ${e.message.split('\n').slice(-2).join(' ')}` };
  }
  const table = `${database}.orders`;
  return intoCacheBenchmark({
    log,
    baselineLabel: 'mariadb dump + read_csv',
    // NULL fields only in `amount`, written empty and unquoted; no header.
    readCsv: (file) => duckdbReadOrdersCsv(file, { header: false }),
    server: {
      config: mariadbConfig(database),
      create: () => mariadb(['-D', database, '-e', mariadbOrdersSql(table).join(';\n')]),
      drop: () => mariadb(['-e', `drop database if exists ${database}`]),
      selectSql: `select * from ${table}`,
      dumpToCsv: (file) =>
        run('sh', ['-c', `exec mariadb -h "$1" -P "$2" -u root --batch --raw --skip-column-names --quick -e "$3" > "$4"`, 'sh', MARIADB_HOST, String(MARIADB_PORT), `select ${CSV_LINE} from ${table}`, file]),
    },
  });
}
