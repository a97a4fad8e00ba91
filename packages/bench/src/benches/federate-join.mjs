// A real `dvt run` of a federated model joining a PostgreSQL table with a MariaDB table into a
// DuckDB target, against what it is made of when scripted by hand: the raw moves (psql \copy of the
// PostgreSQL table to a file, the mariadb client's CSV dump of the MariaDB columns the model reads,
// DuckDB read_csv of both into the target file) plus DuckDB's own time for the join there. The
// baseline is the sum of those steps run one after the other; dvt pays its process start, parse
// and planning, and moving the result from its cache into the target.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngineProcess } from '../fixtures/engine-process.mjs';
import { waitForIdleCpu } from '../fixtures/idle-cpu.mjs';
import { MARIADB_HOST, MARIADB_PORT, PG_HOST, PG_PORT, clientUnavailable, mariadb, memoryLine, packagesUnavailable, psql, run } from '../fixtures/move-bench.mjs';
import { duckdbReadOrdersCsv, mariadbOrdersSql, MOVE_ROWS, postgresOrdersSql } from '../fixtures/orders.mjs';
import { cliUnavailable, DVT_BIN } from '../fixtures/seed-project.mjs';

export const name = 'federate-join';
export const description = `dvt run of a federated join of ${MOVE_ROWS.toLocaleString('en')} PostgreSQL rows with ${MOVE_ROWS.toLocaleString('en')} MariaDB rows into DuckDB vs the raw moves + DuckDB's join`;

const PEAK_RSS_PRELOAD = new URL('../fixtures/report-peak-rss.mjs', import.meta.url).href;

/** The model: every PostgreSQL column, two MariaDB columns, joined on the key. */
const JOIN_SELECT = (pg, shop) =>
  `select p.id, p.customer_id, p.amount, p.status, p.created_at, p.note, s.amount as shop_amount, s.status as shop_status\n` +
  `from ${pg} p join ${shop} s on s.id = p.id`;
const SHOP_COLUMNS = ['id', 'amount', 'status'];
const quoted = (column) => `concat('"', replace(${column}, '"', '""'), '"')`;
const SHOP_CSV_LINE = `concat_ws(',', id, ifnull(amount, ''), ${quoted('status')})`;

export async function prepare({ log }) {
  const missing =
    cliUnavailable() ?? (await packagesUnavailable('@dvt/adapter-postgres')) ?? (await packagesUnavailable('@dvt/adapter-mariadb')) ?? (await clientUnavailable('psql')) ?? (await clientUnavailable('mariadb'));
  if (missing) return { unavailable: missing };
  const tag = `dvt_bench_fed_${process.pid}`;
  try {
    await psql(`create schema ${tag}`);
    await mariadb(['-e', `create database ${tag}`]);
  } catch (e) {
    await psql(`drop schema if exists ${tag} cascade`).catch(() => undefined);
    return { unavailable: `PostgreSQL or MariaDB is not reachable: ${e.message.split('\n').slice(-2).join(' ')}` };
  }
  const dir = mkdtempSync(join(tmpdir(), 'dvt-bench-fed-'));
  const baseline = startEngineProcess();
  const peakFile = join(dir, 'dvt-peak-rss');
  const peaks = [];
  const teardown = async () => {
    await baseline.close();
    await psql(`drop schema if exists ${tag} cascade`);
    await mariadb(['-e', `drop database if exists ${tag}`]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    log(`generating ${MOVE_ROWS.toLocaleString('en')} rows on PostgreSQL and on MariaDB`);
    await Promise.all([psql(postgresOrdersSql(`${tag}.orders`)), mariadb(['-D', tag, '-e', mariadbOrdersSql(`${tag}.orders`).join(';\n')])]);
    writeProject(dir, tag);
    await baseline.open('target', { type: 'duckdb', path: join(dir, 'baseline.duckdb') });
  } catch (e) {
    await teardown();
    throw e;
  }
  const pgCsv = join(dir, 'pg.csv');
  const shopCsv = join(dir, 'shop.csv');
  const fresh = async () => {
    rmSync(pgCsv, { force: true });
    rmSync(shopCsv, { force: true });
    await waitForIdleCpu({ log });
  };
  const nodeSeconds = [];
  return {
    subject: {
      label: 'dvt run',
      setup: fresh,
      run: async () => {
        const { stdout } = await run(process.execPath, ['--import', PEAK_RSS_PRELOAD, DVT_BIN, 'run', '--project-dir', dir, '--profiles-dir', dir], {
          env: { ...process.env, NO_COLOR: '1', DVT_BENCH_PEAK_RSS_FILE: peakFile },
        });
        if (!/Completed successfully|PASS=1\b/.test(stdout)) throw new Error(`dvt run did not succeed:\n${stdout}`);
        const reported = /OK created .*? in ([0-9.]+)s/.exec(stdout);
        if (reported) nodeSeconds.push(Number(reported[1]));
        if (existsSync(peakFile)) peaks.push(Number(readFileSync(peakFile, 'utf8')));
      },
    },
    baselines: [
      {
        label: 'raw moves + DuckDB join',
        setup: fresh,
        run: async () => {
          await psql(`\\copy (select * from ${tag}.orders) to '${pgCsv}' csv header`);
          await run('sh', ['-c', `exec mariadb -h "$1" -P "$2" -u root --batch --raw --skip-column-names --quick -e "$3" > "$4"`, 'sh', MARIADB_HOST, String(MARIADB_PORT), `select ${SHOP_CSV_LINE} from ${tag}.orders`, shopCsv]);
          await baseline.query('target', `create or replace table main.pg_orders as select * from ${duckdbReadOrdersCsv(pgCsv)}`);
          await baseline.query('target', `create or replace table main.shop_orders as select * from ${duckdbReadOrdersCsv(shopCsv, { header: false, names: SHOP_COLUMNS })}`);
          await baseline.query('target', `create or replace table main.joined as ${JOIN_SELECT('main.pg_orders', 'main.shop_orders')}`);
        },
        note: 'each step one after the other; the clients as child processes, DuckDB in another',
      },
    ],
    teardown: async () => {
      try {
        if (nodeSeconds.length > 0) log(`dvt's own time for the model node (as it prints it), median: ${median(nodeSeconds).toFixed(2)} s`);
        log(memoryLine([{ label: 'dvt run process (max over runs)', bytes: Math.max(0, ...peaks) }, { label: "baseline's DuckDB process", bytes: await baseline.peakRss() }]));
        await baseline.query('target', `attach '${join(dir, 'warehouse.duckdb')}' as dvt (read_only)`);
        const [[a, b, n]] = await baseline.query(
          'target',
          'select (select count(*) from (select * from dvt.main.joined except all select * from main.joined)), ' +
            '(select count(*) from (select * from main.joined except all select * from dvt.main.joined)), (select count(*) from dvt.main.joined)',
        );
        log(`dvt's table has ${n} rows; rows that differ from the baseline's (EXCEPT ALL both ways): ${a} and ${b}`);
        if (Number(a) + Number(b) !== 0 || Number(n) !== MOVE_ROWS) throw new Error("dvt's joined table differs from the baseline's");
      } finally {
        await teardown();
      }
    },
  };
}

function median(values) {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function writeProject(dir, tag) {
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: fed_bench\nversion: "1.0.0"\nconfig-version: 2\nprofile: fed_bench\n');
  writeFileSync(
    join(dir, 'profiles.yml'),
    `fed_bench:\n  target: duck\n  outputs:\n` +
      `    duck: { type: duckdb, path: ${JSON.stringify(join(dir, 'warehouse.duckdb'))}, schema: main, threads: 2 }\n` +
      `    pg: { type: postgres, host: ${PG_HOST}, port: ${PG_PORT}, user: postgres, dbname: test, schema: ${tag} }\n` +
      `    maria: { type: mariadb, server: ${MARIADB_HOST}, port: ${MARIADB_PORT}, username: root, schema: ${tag} }\n`,
  );
  mkdirSync(join(dir, 'models'), { recursive: true });
  writeFileSync(
    join(dir, 'models', 'sources.yml'),
    `version: 2\nsources:\n  - { name: crm, connection: pg, schema: ${tag}, tables: [{ name: orders }] }\n  - { name: shop, connection: maria, schema: ${tag}, tables: [{ name: orders }] }\n`,
  );
  writeFileSync(join(dir, 'models', 'joined.sql'), `{{ config(materialized='table') }}\n${JOIN_SELECT("{{ source('crm', 'orders') }}", "{{ source('shop', 'orders') }}")}\n`);
}
