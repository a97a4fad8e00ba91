// dvt's seed load of a 1M-row CSV into PostgreSQL against `psql \copy` of the same file into an
// identical table, in the same run.
import { waitForIdleCpu } from '../fixtures/idle-cpu.mjs';
import { cliUnavailable, dvtSeed, makeSeedProject, nodeTimes, run, SEED_NAME, SEED_ROWS } from '../fixtures/seed-project.mjs';

export const name = 'seed-postgres';
export const description = `dvt seed of a ${SEED_ROWS.toLocaleString('en')}-row CSV into PostgreSQL vs psql \\copy of the same file`;

const HOST = process.env.DVT_TEST_PG_HOST ?? '127.0.0.1';
const PORT = Number(process.env.DVT_TEST_PG_PORT ?? 5432);
const DATABASE = 'test';
const USER = 'postgres';

export async function prepare({ log }) {
  const missing = cliUnavailable();
  if (missing) return { unavailable: missing };
  try {
    await run('psql', ['--version']);
  } catch {
    return { unavailable: 'psql is not installed' };
  }
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: HOST, port: PORT, user: USER, database: DATABASE });
  try {
    await client.connect();
  } catch (e) {
    return { unavailable: `PostgreSQL is not reachable on ${HOST}:${PORT} (${e.message})` };
  }
  const schema = `dvt_bench_${process.pid}_${Date.now().toString(36)}`;
  const ours = `"${schema}"."${SEED_NAME}"`;
  const theirs = `"${schema}"."${SEED_NAME}_psql"`;
  const project = await makeSeedProject({ type: 'postgres', host: HOST, port: PORT, user: USER, dbname: DATABASE, schema, threads: 1 }, log);
  const teardown = async () => {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
    project.remove();
  };
  try {
    // The first load creates the table with dvt's inferred types; later runs take the re-seed path
    // (truncate and load in one transaction). The baseline's table is a copy of its definition.
    log('first dvt seed (untimed): creating the table with the inferred column types');
    await dvtSeed(project.dir);
    await client.query(`CREATE TABLE ${theirs} (LIKE ${ours})`);
    for (const table of [ours, theirs]) await client.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    const types = await client.query(
      `SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) AS list FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2`,
      [schema, SEED_NAME],
    );
    log(`table: ${types.rows[0].list}; autovacuum off on both tables`);
  } catch (e) {
    await teardown();
    throw e;
  }
  const timed = nodeTimes();
  const fresh = (table) => async () => {
    await client.query(`TRUNCATE ${table}`);
    await client.query('CHECKPOINT');
    await waitForIdleCpu({ log });
  };
  return {
    subject: { label: 'dvt seed', setup: fresh(ours), run: () => timed.run(project.dir) },
    baselines: [
      {
        label: 'psql \\copy',
        setup: fresh(theirs),
        run: async () => {
          const { stdout } = await run('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-h', HOST, '-p', String(PORT), '-U', USER, '-d', DATABASE, '-c', `\\copy ${theirs} from '${project.csv}' csv header`], {
            env: { ...process.env, PGOPTIONS: '' },
          });
          if (!stdout.includes(`COPY ${SEED_ROWS}`)) throw new Error(`psql did not report COPY ${SEED_ROWS}: ${stdout}`);
        },
        note: 'both as child processes (the cpu column is this process only); dvt includes its startup',
      },
    ],
    teardown: async () => {
      log(timed.summary());
      try {
        const diff = await client.query(
          `SELECT (SELECT count(*) FROM (SELECT * FROM ${ours} EXCEPT ALL SELECT * FROM ${theirs}) a) + (SELECT count(*) FROM (SELECT * FROM ${theirs} EXCEPT ALL SELECT * FROM ${ours}) b) AS n`,
        );
        log(`rows that differ between the two tables after the last runs: ${diff.rows[0].n}`);
      } finally {
        await teardown();
      }
    },
  };
}
