import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import type { AdapterDefinition, Value } from '@dvt/core';
import { afterAll, describe, expect, it } from 'vitest';
import { dvt, tempDir } from './helpers.js';

/**
 * `--store-failures` on test and build, as dbt's: every test keeps its
 * failing rows unless its own config says otherwise (store_failures false,
 * store_failures_as ephemeral); store_failures_as picks table or view.
 */
const pgSkip = await serviceSkipReason(POSTGRES);
const pgSchema = `dvt_store_failures_${process.pid}_${Date.now().toString(36)}`;
const logger = { debug() {}, info() {}, warn() {} };

function project(): string {
  const dir = tempDir('dvt-store-failures-');
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: keeps\nversion: "1.0"\nconfig-version: 2\nprofile: keeps\n',
    'profiles.yml': [
      'keeps:',
      '  target: dev',
      '  outputs:',
      '    dev:',
      '      type: duckdb',
      `      path: ${join(dir, 'k.duckdb')}`,
      '      schema: main',
      '    pg:',
      '      type: postgres',
      `      host: ${POSTGRES.host}`,
      `      port: ${POSTGRES.port}`,
      '      user: postgres',
      '      dbname: test',
      `      schema: ${pgSchema}`,
      '',
    ].join('\n'),
    'models/people.sql': "{{ config(materialized='table') }}\nselect 1 as id, 'ada' as name union all select 2, null",
    'models/schema.yml': 'version: 2\nmodels:\n  - name: people\n    columns:\n      - name: name\n        data_tests: [not_null]\n',
    'tests/never_kept.sql': "{{ config(store_failures=false) }}\nselect * from {{ ref('people') }} where name is null",
    'tests/kept_as_view.sql': "{{ config(store_failures_as='view') }}\nselect * from {{ ref('people') }} where name is null",
    'tests/kept_nowhere.sql': "{{ config(store_failures_as='ephemeral') }}\nselect * from {{ ref('people') }} where name is null",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function query(adapter: AdapterDefinition, config: Record<string, unknown>, sql: string): Promise<Value[][]> {
  const conn = await adapter.connect(config, { projectDir: '.', logger });
  try {
    return (await conn.query(sql)).rows;
  } finally {
    await conn.close();
  }
}

const AUDIT_LISTING = (schema: string) =>
  `select table_name, table_type from information_schema.tables where table_schema = '${schema}_dbt_test__audit' order by table_name`;

const testStatuses = (dir: string): Record<string, string> =>
  Object.fromEntries(
    (JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results as { unique_id: string; status: string }[])
      .filter((r) => r.unique_id.startsWith('test.'))
      .map((r) => [r.unique_id.split('.')[2], r.status]),
  );

/** Runs the same checks against one engine: without the flag, with it, and a bad store_failures_as. */
async function checkEngine(dir: string, target: string, list: () => Promise<Value[][]>, storedNulls: () => Promise<Value[][]>, viewType: string): Promise<void> {
  const plain = dvt(['build', '--target', target], { cwd: dir });
  expect(plain.code, plain.output).toBe(1);
  expect(await list()).toEqual([['kept_as_view', viewType]]);

  const flagged = dvt(['test', '--target', target, '--store-failures'], { cwd: dir });
  expect(flagged.code, flagged.output).toBe(1);
  expect(await list()).toEqual([
    ['kept_as_view', viewType],
    ['not_null_people_name', 'BASE TABLE'],
  ]);
  // A stored generic test keeps whole rows (`select *`), not only the tested column.
  expect(await storedNulls()).toEqual([[2, null]]);
  expect(testStatuses(dir)).toEqual({ not_null_people_name: 'fail', never_kept: 'fail', kept_as_view: 'fail', kept_nowhere: 'fail' });

  writeFileSync(join(dir, 'tests', 'kept_nowhere.sql'), "{{ config(store_failures_as='parquet') }}\nselect 1 as id where false");
  const bad = dvt(['test', '--target', target, '-s', 'kept_nowhere'], { cwd: dir });
  expect(bad.code, bad.output).toBe(1);
  expect(bad.output).toMatch(/'parquet' is not a valid value for store_failures_as in test\.keeps\.kept_nowhere: use table, view or ephemeral/);
  expect(bad.output).toMatch(/tests[/\\]kept_nowhere\.sql/);
  expect(bad.output).not.toMatch(/\n\s+at /);
}

describe('--store-failures', () => {
  it('on DuckDB', async () => {
    const dir = project();
    const { default: duckdb } = await import('@dvt/adapter-duckdb');
    const config = { path: join(dir, 'k.duckdb') };
    await checkEngine(
      dir,
      'dev',
      () => query(duckdb, config, AUDIT_LISTING('main')),
      () => query(duckdb, config, 'select id, name from main_dbt_test__audit.not_null_people_name'),
      'VIEW',
    );
  });

  describe.skipIf(pgSkip)(`on PostgreSQL${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, () => {
    const config = { host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', dbname: 'test', schema: pgSchema };
    afterAll(async () => {
      const { default: postgres } = await import('@dvt/adapter-postgres');
      await query(postgres, config, `drop schema if exists "${pgSchema}" cascade`);
      await query(postgres, config, `drop schema if exists "${pgSchema}_dbt_test__audit" cascade`);
    });

    it('keeps rows in <schema>_dbt_test__audit', async () => {
      const dir = project();
      const { default: postgres } = await import('@dvt/adapter-postgres');
      await checkEngine(
        dir,
        'pg',
        () => query(postgres, config, AUDIT_LISTING(pgSchema)),
        () => query(postgres, config, `select id, name from "${pgSchema}_dbt_test__audit".not_null_people_name`),
        'VIEW',
      );
    });
  });
});
