import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import type { AdapterContext, RunCommandName, RunOutcome, Value } from '@dvt/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import adapter from '../src/index.js';

/**
 * The `grants` config kept in step with the relation on MariaDB, where table
 * grants belong to the name ('user'@'%') and outlive a rebuild: whatever the
 * materialization, a grantee the config drops is revoked.
 */
const skip = await serviceSkipReason(MARIADB);
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
const tag = `dvtg_${process.pid}_${Date.now().toString(36)}`;
const config = { server: MARIADB.host, port: MARIADB.port, username: process.env.DVT_TEST_MARIADB_USER ?? 'root', password: process.env.DVT_TEST_MARIADB_PASSWORD, schema: tag };

describe.skipIf(skip)(`grants on MariaDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const r1 = `${tag}_r1`;
  const r2 = `${tag}_r2`;
  let dir: string;

  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, config, sql, ctx);
  const build = async (command: RunCommandName, readers: string[]): Promise<RunOutcome> => {
    // Seeds take configs from YAML only: the project file names this run's readers.
    writeFileSync(path.join(dir, 'dbt_project.yml'), `name: granted\nversion: "1.0"\nconfig-version: 2\nprofile: granted\nseeds:\n  granted:\n    +grants:\n      select: ${JSON.stringify(readers)}\n`);
    return runProject(adapter, dir, command, { vars: { readers } });
  };
  /** Who holds SELECT on each relation, as `relation: user,user`. */
  const holders = async (): Promise<string[]> =>
    (
      await rows(
        `select table_name, group_concat(grantee order by grantee) from information_schema.table_privileges ` +
          `where table_schema = '${tag}' and privilege_type = 'SELECT' group by table_name order by table_name`,
      )
    ).map(([table, users]) => `${String(table)}: ${String(users).replaceAll(`${tag}_`, '').replaceAll("'", '').replaceAll('@%', '')}`);
  const failures = (outcome: RunOutcome) => outcome.results.filter((r) => r.status !== 'success').map((r) => `${r.unique_id}: ${r.status} ${r.message ?? ''}`);

  beforeAll(async () => {
    await rows(`create user '${r1}'@'%'`);
    await rows(`create user '${r2}'@'%'`);
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-maria-grants-'));
    const grants = "grants={'select': var('readers')}";
    const files: Record<string, string> = {
      'profiles.yml': `granted:\n  target: dev\n  outputs:\n    dev:\n      type: mariadb\n      server: ${config.server}\n      port: ${config.port}\n      username: ${config.username}\n      schema: ${tag}\n`,
      'seeds/codes.csv': 'id,code\n1,a\n2,b\n',
      'models/inc.sql': `{{ config(materialized='incremental', unique_key='id', ${grants}) }}\nselect id, code from {{ ref('codes') }}`,
      'models/tbl.sql': `{{ config(materialized='table', ${grants}) }}\nselect id from {{ ref('codes') }}`,
      'models/vw.sql': `{{ config(materialized='view', ${grants}) }}\nselect id from {{ ref('codes') }}`,
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
  });

  afterAll(async () => {
    await rows(`drop schema if exists \`${tag}\``);
    // Table grants outlive the schema on MariaDB: dropping the users removes them.
    await rows(`drop user if exists '${r1}'@'%', '${r2}'@'%'`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('grants what is configured on the first build', async () => {
    expect(failures(await build('build', [r1, r2]))).toEqual([]);
    expect(await holders()).toEqual(['codes: r1,r2', 'inc: r1,r2', 'tbl: r1,r2', 'vw: r1,r2']);
  });

  it('revokes a grantee the config no longer lists, on kept and rebuilt relations alike', async () => {
    expect(failures(await build('build', [r1]))).toEqual([]);
    expect(await holders()).toEqual(['codes: r1', 'inc: r1', 'tbl: r1', 'vw: r1']);
  });

  it('switches grantees: the new one granted, the dropped one revoked', async () => {
    expect(failures(await build('run', [r2]))).toEqual([]);
    expect(await holders()).toEqual(['codes: r1', 'inc: r2', 'tbl: r2', 'vw: r2']);
  });
});
