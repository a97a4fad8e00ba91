// dvt's seed load of a 1M-row CSV into MariaDB against the mariadb CLI's LOAD DATA LOCAL INFILE of
// the same file into an identical table, in the same run.
import { waitForIdleCpu } from '../fixtures/idle-cpu.mjs';
import { cliUnavailable, dvtSeed, makeSeedProject, nodeTimes, run, SEED_NAME, SEED_ROWS } from '../fixtures/seed-project.mjs';

export const name = 'seed-mariadb';
export const description = `dvt seed of a ${SEED_ROWS.toLocaleString('en')}-row CSV into MariaDB vs mariadb LOAD DATA LOCAL INFILE of the same file`;

const HOST = process.env.DVT_TEST_MARIADB_HOST ?? '127.0.0.1';
const PORT = Number(process.env.DVT_TEST_MARIADB_PORT ?? 3306);
const USER = 'root';

export async function prepare({ log }) {
  const missing = cliUnavailable();
  if (missing) return { unavailable: missing };
  try {
    const { default: adapter } = await import('@dvt/adapter-mariadb');
    if (typeof adapter?.connect !== 'function') return { unavailable: '@dvt/adapter-mariadb has no connect() yet (the adapter is still being built)' };
  } catch (e) {
    return { unavailable: `@dvt/adapter-mariadb does not load (${e.message}): build it with pnpm --filter @dvt/adapter-mariadb... build` };
  }
  try {
    await run('mariadb', ['--version']);
  } catch {
    return { unavailable: 'the mariadb command-line client is not installed' };
  }
  const { default: mysql } = await import('mysql2/promise');
  let client;
  try {
    client = await mysql.createConnection({ host: HOST, port: PORT, user: USER });
  } catch (e) {
    return { unavailable: `MariaDB is not reachable on ${HOST}:${PORT} (${e.message})` };
  }
  const database = `dvt_bench_${process.pid}_${Date.now().toString(36)}`;
  const ours = `\`${database}\`.\`${SEED_NAME}\``;
  const theirs = `\`${database}\`.\`${SEED_NAME}_cli\``;
  const project = await makeSeedProject({ type: 'mariadb', server: HOST, port: PORT, username: USER, password: '', schema: database, threads: 1 }, log);
  const teardown = async () => {
    await client.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await client.end();
    project.remove();
  };
  let loadSql;
  try {
    // The first load creates the table with dvt's inferred types; later runs take the re-seed
    // path. The baseline's table is a copy of its definition.
    log('first dvt seed (untimed): creating the table with the inferred column types');
    await dvtSeed(project.dir);
    await client.query(`CREATE TABLE ${theirs} LIKE ${ours}`);
    const [columns] = await client.query(
      'SELECT column_name AS name, column_type AS type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
      [database, SEED_NAME],
    );
    log(`table: ${columns.map((c) => `${c.name} ${c.type}`).join(', ')}`);
    // What a user of the CLI writes to load this file as dvt does: every empty field is NULL
    // (dbt's seed rule), backslashes are data, quoted fields may hold line breaks.
    const targets = columns.map((c) => `@${c.name}`).join(', ');
    const sets = columns.map((c) => `\`${c.name}\` = NULLIF(@${c.name}, '')`).join(', ');
    loadSql =
      `LOAD DATA LOCAL INFILE '${project.csv}' INTO TABLE ${theirs} CHARACTER SET utf8mb4 ` +
      `FIELDS TERMINATED BY ',' OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' LINES TERMINATED BY '\\n' IGNORE 1 LINES ` +
      `(${targets}) SET ${sets}; SELECT ROW_COUNT()`;
  } catch (e) {
    await teardown();
    throw e;
  }
  const timed = nodeTimes();
  const fresh = (table) => async () => {
    await client.query(`TRUNCATE TABLE ${table}`);
    await waitForIdleCpu({ log });
  };
  return {
    subject: { label: 'dvt seed', setup: fresh(ours), run: () => timed.run(project.dir) },
    baselines: [
      {
        label: 'mariadb LOAD DATA LOCAL',
        setup: fresh(theirs),
        run: async () => {
          const { stdout } = await run('mariadb', ['--local-infile=1', '-h', HOST, '-P', String(PORT), '-u', USER, '-N', '-B', '-e', loadSql]);
          if (stdout.trim() !== String(SEED_ROWS)) throw new Error(`LOAD DATA loaded ${stdout.trim()} rows, not ${SEED_ROWS}`);
        },
        note: 'both as child processes (the cpu column is this process only); dvt includes its startup',
      },
    ],
    teardown: async () => {
      log(timed.summary());
      try {
        // EXCEPT ALL over two million-row tables takes minutes here; CHECKSUM TABLE reads each once.
        const [sums] = await client.query(`CHECKSUM TABLE ${ours}, ${theirs}`);
        const [a, b] = sums.map((r) => String(r.Checksum));
        log(`CHECKSUM TABLE: dvt's table ${a}, the CLI's ${b}: ${a === b ? 'the same rows' : 'THE ROWS DIFFER'}`);
      } finally {
        await teardown();
      }
    },
  };
}
