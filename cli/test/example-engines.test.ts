import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MARIADB, POSTGRES, serviceSkipReason, type ServiceSpec } from '@dvt/adapter-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyExample, dvt } from './helpers.js';

// The jaffle-shop example through its own profiles.yml on the server engines:
// every node green twice (the second run takes the incremental path), and the
// marts hold the same figures as on DuckDB, the default target.
const FINGERPRINT = [
  'select count(*) as customers, sum(number_of_orders) as orders, sum(lifetime_value) as lifetime_value,',
  'sum(average_order_value) as average_order_value, min(full_name) as first_name, max(most_recent_order_date) as last_order',
  "from {{ ref('customers') }}",
].join(' ');

interface Engine {
  target: string;
  spec: ServiceSpec;
  /** The profile's environment variables that point it at the test's server and schema. */
  env: (schema: string) => Record<string, string>;
  drop: (schema: string) => Promise<void>;
}

const ENGINES: Engine[] = [
  {
    target: 'mariadb',
    spec: MARIADB,
    env: (schema) => ({ DVT_MARIADB_HOST: MARIADB.host, DVT_MARIADB_PORT: String(MARIADB.port), DVT_MARIADB_SCHEMA: schema }),
    drop: async (schema) => {
      const { default: mariadb } = await import('@dvt/adapter-mariadb');
      const conn = await mariadb.connect({ server: MARIADB.host, port: MARIADB.port, username: 'root', password: '', schema: 'test' }, { projectDir: '.', logger: quiet });
      try {
        for (const name of [schema, `${schema}_raw`]) await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      } finally {
        await conn.close();
      }
    },
  },
  {
    target: 'postgres',
    spec: POSTGRES,
    env: (schema) => ({ DVT_PG_HOST: POSTGRES.host, DVT_PG_PORT: String(POSTGRES.port), DVT_PG_SCHEMA: schema }),
    drop: async (schema) => {
      const { default: postgres } = await import('@dvt/adapter-postgres');
      const conn = await postgres.connect({ host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema }, { projectDir: '.', logger: quiet });
      try {
        await conn.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_raw" CASCADE`);
      } finally {
        await conn.close();
      }
    },
  },
];

const quiet = { debug() {}, info() {}, warn() {} };

/**
 * The table `dvt show -q` prints, as its lines, with decimals written
 * without trailing zeros and padding collapsed: show computes the figures in
 * DuckDB over a copy of the mart, and the copy's decimal scale follows the
 * engine's column type (PostgreSQL's bare numeric arrives with 10 places).
 */
function shown(dir: string, target: string, env: Record<string, string> = {}): string[] {
  const r = dvt(['show', '-q', '--target', target, '--inline', FINGERPRINT], { cwd: dir, env });
  expect(r.code, r.output).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => line.replace(/(\d\.\d*?)0+(?= )/g, '$1').replace(/(\d)\.(?= )/g, '$1').replace(/ +/g, ' ').replace(/-+/g, '-'));
}

let duckdbFigures: string[] | undefined;
/** The fingerprint of the marts built on DuckDB, built once for whichever engine asks first. */
function duckdbFingerprint(): string[] {
  if (!duckdbFigures) {
    const dir = copyExample();
    const build = dvt(['build', '-q'], { cwd: dir });
    expect(build.code, build.output).toBe(0);
    duckdbFigures = shown(dir, 'dev');
  }
  return duckdbFigures;
}

for (const engine of ENGINES) {
  const skip = await serviceSkipReason(engine.spec);
  const schema = `dvt_jaffle_${engine.target}_${process.pid}_${Date.now().toString(36)}`;

  describe.skipIf(skip)(`the jaffle-shop example on ${engine.spec.name}${skip ? ` (skipped: ${skip})` : ''}`, () => {
    const env = engine.env(schema);
    let dir: string;

    beforeAll(() => {
      dir = copyExample();
    });
    afterAll(() => engine.drop(schema));

    it('builds every node successfully, then again on the incremental path', () => {
      for (const run of [1, 2]) {
        const r = dvt(['build', '--target', engine.target], { cwd: dir, env });
        expect(r.code, `run ${run}: ${r.output}`).toBe(0);
        expect(r.stdout).toMatch(/Finished running 1 incremental model, 2 table models, 3 view models, 3 seeds, \d+ data tests/);
        expect(r.stdout).toMatch(/Done\. PASS=(\d+) WARN=0 ERROR=0 SKIP=0 TOTAL=\1/);
        expect(r.stdout).toContain(`${schema}.order_status_latest`);
        const results = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results as { unique_id: string; status: string }[];
        expect(results.filter((x) => !['success', 'pass'].includes(x.status)), `run ${run}`).toEqual([]);
        expect(results.length).toBeGreaterThan(30);
      }
    });

    it('holds the same figures in its marts as the DuckDB build', () => {
      const figures = shown(dir, engine.target, env);
      expect(figures).toHaveLength(3);
      expect(figures).toEqual(duckdbFingerprint());
    });
  });
}
