import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import type { RunCommandName, RunOutcome, Value } from '@dvt/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import adapter from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

/**
 * The `grants` config kept in step with the relation on PostgreSQL: a kept
 * relation (incremental run, re-seed, snapshot) has the grants the config
 * dropped revoked; a rebuilt one is a new object with only what is configured.
 */
const skip = await serviceSkipReason(POSTGRES);

describe.skipIf(skip)(`grants on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = uniqueSchema('dvt_pg_grants');
  const r1 = `${schema}_r1`;
  const r2 = `${schema}_r2`;
  let dir: string;

  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, localConfig, sql, ctx);
  const build = async (command: RunCommandName, readers: string[]): Promise<RunOutcome> => {
    // Seeds take configs from YAML only: the project file names this run's readers.
    writeFileSync(path.join(dir, 'dbt_project.yml'), `name: granted\nversion: "1.0"\nconfig-version: 2\nprofile: granted\nseeds:\n  granted:\n    +grants:\n      select: ${JSON.stringify(readers)}\n`);
    return runProject(adapter, dir, command, { vars: { readers } });
  };
  /** Who holds SELECT on each relation, as `relation: role,role`. */
  const holders = async (): Promise<string[]> =>
    (
      await rows(
        `select table_name, string_agg(grantee, ',' order by grantee) from information_schema.role_table_grants ` +
          `where table_schema = '${schema}' and privilege_type = 'SELECT' and grantee in ('${r1}', '${r2}') group by table_name order by table_name`,
      )
    ).map(([table, roles]) => `${String(table)}: ${String(roles).replaceAll(`${schema}_`, '')}`);
  const failures = (outcome: RunOutcome) => outcome.results.filter((r) => r.status !== 'success').map((r) => `${r.unique_id}: ${r.status} ${r.message ?? ''}`);

  beforeAll(async () => {
    await rows(`create role "${r1}" nologin`);
    await rows(`create role "${r2}" nologin`);
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-pg-grants-'));
    const grants = "grants={'select': var('readers')}";
    const files: Record<string, string> = {
      'profiles.yml': `granted:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: ${localConfig.host}\n      port: ${localConfig.port}\n      user: ${localConfig.user}\n      dbname: ${localConfig.dbname}\n      schema: ${schema}\n`,
      'seeds/codes.csv': 'id,code\n1,a\n2,b\n',
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', ${grants}) }}\nselect id, code from {{ ref('codes') }}`,
      'models/tbl.sql': `{{ config(materialized='table', ${grants}) }}\nselect id from {{ ref('codes') }}`,
      'models/vw.sql': `{{ config(materialized='view', ${grants}) }}\nselect id from {{ ref('codes') }}`,
      'snapshots/snap.sql': `{% snapshot snap %}{{ config(unique_key='id', strategy='check', check_cols='all', target_schema='${schema}', ${grants}) }}select id, code from {{ ref('codes') }}{% endsnapshot %}`,
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  });

  afterAll(async () => {
    await rows(`drop schema if exists "${schema}" cascade`);
    await rows(`drop role if exists "${r1}"`);
    await rows(`drop role if exists "${r2}"`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('grants what is configured on the first build', async () => {
    expect(failures(await build('build', [r1, r2]))).toEqual([]);
    expect(await holders()).toEqual(['codes: r1,r2', 'inc: r1,r2', 'snap: r1,r2', 'tbl: r1,r2', 'vw: r1,r2']);
  });

  it('revokes a grantee the config no longer lists, on kept and rebuilt relations alike', async () => {
    expect(failures(await build('build', [r1]))).toEqual([]);
    expect(await holders()).toEqual(['codes: r1', 'inc: r1', 'snap: r1', 'tbl: r1', 'vw: r1']);
  });

  it('switches grantees: the new one granted, the dropped one revoked, with any other privilege it held', async () => {
    // A grant made outside dbt on a kept relation is revoked too: the config is the whole truth once it is set.
    await rows(`grant insert on "${schema}".inc to "${r1}"`);
    expect(failures(await build('build', [r2]))).toEqual([]);
    expect(await holders()).toEqual(['codes: r2', 'inc: r2', 'snap: r2', 'tbl: r2', 'vw: r2']);
    expect(await rows(`select has_table_privilege('${r1}', '"${schema}".inc', 'INSERT')`)).toEqual([[false]]);
  });
});
