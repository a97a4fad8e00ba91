import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import type { RunOutcome, Value } from '@dvt/core';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import adapter from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

/**
 * Re-seeding on PostgreSQL starts loading with the types the table has while
 * the file is scanned, and commits only if the scan comes to the same types.
 * Whatever the scan finds, the outcome is the one of a load that waited for it.
 */
const skip = await serviceSkipReason(POSTGRES);

/** Over the size up to which seeds are scanned whole, so only a sample types them. */
const BIG_ROWS = 250_000;

describe.skipIf(skip)(`re-seeding on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = uniqueSchema('dvt_pg_reseed');
  let dir: string;

  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, localConfig, sql, ctx);
  const seed = async (name: string, csv: string): Promise<RunOutcome> => {
    writeFileSync(path.join(dir, 'seeds', `${name}.csv`), csv);
    return runProject(adapter, dir, 'seed', { select: (n) => n.unique_id === `seed.reseed.${name}` });
  };
  /** The table's oid (a rebuild makes a new table) and its columns' types. */
  const table = async (name: string) => {
    const [[oid]] = await rows(`SELECT '"${schema}"."${name}"'::regclass::oid::bigint`);
    const types = (await rows(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = ${String(oid)} AND attnum > 0 AND NOT attisdropped ORDER BY attnum`)).map((r) => r[0]);
    return { oid, types };
  };
  const big = (value: (i: number) => string, header = 'id,v') => `${header}\n${Array.from({ length: BIG_ROWS }, (_, i) => `${i + 1},${value(i)}`).join('\n')}\n`;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-pg-reseed-'));
    mkdirSync(path.join(dir, 'seeds'));
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: reseed\nversion: "1.0"\nconfig-version: 2\nprofile: reseed\n');
    const c = localConfig;
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `reseed:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: ${c.host}\n      port: ${c.port}\n      user: ${c.user}\n      dbname: ${c.dbname}\n      schema: ${schema}\n      threads: 1\n`,
    );
  });

  afterAll(async () => {
    await rows(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refills a big seed in place when its types are the table\'s', async () => {
    expect((await seed('same', big((i) => `word ${i}`))).results[0]).toMatchObject({ status: 'success' });
    const before = await table('same');
    expect(before.types).toEqual(['integer', 'text']);
    const again = await seed('same', big((i) => `other ${i}`));
    expect(again.results[0]).toMatchObject({ status: 'success', adapter_response: { rows_affected: BIG_ROWS } });
    expect(await table('same')).toEqual(before);
    expect(await rows(`SELECT count(*), min(v) FROM "${schema}".same`)).toEqual([[BigInt(BIG_ROWS), 'other 0']]);
  });

  it('rebuilds with the new types when the sample refutes the table\'s, big file or small', async () => {
    await seed('changes', big((i) => String(i)));
    const first = await table('changes');
    expect(first.types).toEqual(['integer', 'integer']);
    expect((await seed('changes', big((i) => `t${i}`))).results[0]).toMatchObject({ status: 'success' });
    const rebuilt = await table('changes');
    expect(rebuilt.types).toEqual(['integer', 'text']);
    expect(rebuilt.oid).not.toEqual(first.oid);
    expect(await rows(`SELECT v FROM "${schema}".changes WHERE id = 2`)).toEqual([['t1']]);

    // Integers where the table has text: the table follows the file, as a load after the scan would.
    expect((await seed('changes', 'id,v\n1,10\n2,20\n')).results[0]).toMatchObject({ status: 'success' });
    expect((await table('changes')).types).toEqual(['integer', 'integer']);
    expect(await rows(`SELECT id, v FROM "${schema}".changes ORDER BY id`)).toEqual([[1, 10], [2, 20]]);
  });

  it('rewrites NULL markers the table\'s load would have kept as text', async () => {
    await seed('markers', 'id,v\n1,a\n2,b\n');
    expect((await seed('markers', 'id,v\n1,a\n2,null\n3,NULL\n')).results[0]).toMatchObject({ status: 'success' });
    expect(await rows(`SELECT id, v FROM "${schema}".markers ORDER BY id`)).toEqual([[1, 'a'], [2, null], [3, null]]);
  });

  it('keeps the old rows when the file is ragged within the sample', async () => {
    await seed('ragged', big((i) => `v${i}`));
    const outcome = await seed('ragged', big((i) => (i === 5 ? 'x,extra' : `w${i}`)));
    expect(outcome.results[0]).toMatchObject({ status: 'error', message: expect.stringContaining('row has 3 values but the header has 2 columns') });
    expect(await rows(`SELECT v FROM "${schema}".ragged WHERE id = 1`)).toEqual([['v0']]);
  });

  it('types from the whole file when a row past the sample does not fit the table', async () => {
    await seed('late', big((i) => String(i)));
    const outcome = await seed('late', big((i) => (i === BIG_ROWS - 1 ? '2.5' : String(i))));
    expect(outcome.results[0]).toMatchObject({ status: 'success', adapter_response: { rows_affected: BIG_ROWS } });
    expect((await table('late')).types).toEqual(['integer', 'double precision']);
  });
});
