import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import type { AdapterContext, RunOutcome, Value } from '@dvt/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import adapter from '../src/index.js';

/**
 * Re-seeding on MariaDB, whose TRUNCATE commits: the rows are loaded into an
 * empty copy of the table that is then swapped in, so a load that fails
 * leaves the old rows, while what belongs to the name (grants) or is copied
 * (keys, defaults) stays. A table with what a copy would lose (a trigger, a
 * foreign key pointing at it) is emptied and refilled in place instead.
 */
const skip = await serviceSkipReason(MARIADB);
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
const tag = `dvtrs_${process.pid}_${Date.now().toString(36)}`;
const config = { server: MARIADB.host, port: MARIADB.port, username: process.env.DVT_TEST_MARIADB_USER ?? 'root', password: process.env.DVT_TEST_MARIADB_PASSWORD, schema: tag };

describe.skipIf(skip)(`re-seeding on MariaDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const reader = `${tag}_reader`;
  let dir: string;

  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, config, sql, ctx);
  const seed = async (name: string, csv: string): Promise<RunOutcome> => {
    writeFileSync(path.join(dir, 'seeds', `${name}.csv`), csv);
    return runProject(adapter, dir, 'seed', { select: (n) => n.unique_id === `seed.reseed.${name}` });
  };
  const statuses = (outcome: RunOutcome) => outcome.results.map((r) => (r.status === 'success' ? r.status : `${r.status}: ${r.message}`));
  const count = async (name: string) => Number((await rows(`select count(*) from \`${tag}\`.\`${name}\``))[0]![0]);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-mariadb-reseed-'));
    mkdirSync(path.join(dir, 'seeds'));
    // `code` is a varchar(3) whatever the file holds, so a longer value is a failing load.
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: reseed\nversion: "1.0"\nconfig-version: 2\nprofile: reseed\nseeds:\n  reseed:\n    +column_types:\n      code: varchar(3)\n');
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `reseed:\n  target: m\n  outputs:\n    m:\n      type: mariadb\n      server: ${config.server}\n      port: ${config.port}\n      username: ${config.username}\n${config.password ? `      password: "${config.password}"\n` : ''}      schema: ${tag}\n      threads: 1\n`,
    );
    await rows(`create user '${reader}'@'%'`);
  });

  afterAll(async () => {
    await rows(`drop database if exists \`${tag}\``);
    await rows(`drop user if exists '${reader}'@'%'`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the old rows when the new load fails', async () => {
    expect(statuses(await seed('kept', 'id,code\n1,abc\n2,def\n'))).toEqual(['success']);
    const failed = await seed('kept', 'id,code\n1,abc\n2,toolong\n');
    expect(statuses(failed)[0]).toMatch(/^error: .*Data truncated for column 'code' at row 2/s);
    expect(await rows(`select id, code from \`${tag}\`.kept order by id`)).toEqual([[1, 'abc'], [2, 'def']]);
    expect(await rows(`select count(*) from information_schema.tables where table_schema = '${tag}' and table_name like 'kept\\_\\_dbt%'`)).toEqual([[0n]]);
  });

  it("keeps grants given by hand, added keys and defaults, and the new rows' count", async () => {
    expect(statuses(await seed('shaped', 'id,code\n1,abc\n'))).toEqual(['success']);
    await rows(`grant select on \`${tag}\`.shaped to '${reader}'@'%'`);
    await rows(`alter table \`${tag}\`.shaped add unique key shaped_id (id), alter column code set default 'zzz'`);
    const again = await seed('shaped', 'id,code\n1,xyz\n2,uvw\n3,rst\n');
    expect(statuses(again)).toEqual(['success']);
    expect(again.results[0]!.adapter_response).toMatchObject({ rows_affected: 3 });
    expect(await count('shaped')).toBe(3);
    expect(await rows(`select grantee from information_schema.table_privileges where table_schema = '${tag}' and table_name = 'shaped'`)).toEqual([[`'${reader}'@'%'`]]);
    expect(await rows(`select index_name from information_schema.statistics where table_schema = '${tag}' and table_name = 'shaped'`)).toEqual([['shaped_id']]);
    expect(await rows(`select column_default from information_schema.columns where table_schema = '${tag}' and table_name = 'shaped' and column_name = 'code'`)).toEqual([["'zzz'"]]);
  });

  it('refills in place a table with a trigger, which a copy would not carry', async () => {
    expect(statuses(await seed('triggered', 'id,code\n1,abc\n'))).toEqual(['success']);
    await rows(`create table \`${tag}\`.audit (n int)`);
    await rows(`create trigger \`${tag}\`.triggered_audit after insert on \`${tag}\`.triggered for each row insert into \`${tag}\`.audit values (new.id)`);
    expect(statuses(await seed('triggered', 'id,code\n7,abc\n8,def\n'))).toEqual(['success']);
    expect(await rows(`select n from \`${tag}\`.audit order by n`)).toEqual([[7], [8]]);
    expect(await rows(`select count(*) from information_schema.triggers where trigger_schema = '${tag}' and event_object_table = 'triggered'`)).toEqual([[1n]]);
  });
});
