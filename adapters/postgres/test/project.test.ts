import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import { Compiler, loadProject } from '@dvt/core';
import type { RunCommandName, RunOutcome, Value } from '@dvt/core';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

/**
 * A small project built on PostgreSQL by core's runner: seeds through COPY,
 * a view, an unlogged table, the three incremental strategies, the
 * postgres__ cross-database macros, tests, and a failed rebuild that leaves
 * the old table in place.
 */
const skip = await serviceSkipReason(POSTGRES);
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'pg_shop');

describe.skipIf(skip)(`a project on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = uniqueSchema('dvt_pg_proj');
  const reader = `${schema}_reader`;
  let dir: string;

  const build = async (command: RunCommandName, vars: Record<string, unknown> = {}): Promise<RunOutcome> => {
    return runProject(adapter, dir, command, { vars: { reader, ...vars } });
  };

  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, localConfig, sql, ctx);
  const failures = (outcome: RunOutcome) => outcome.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.unique_id}: ${r.status} ${r.message ?? ''}`);

  beforeAll(async () => {
    await rows(`CREATE ROLE "${reader}" NOLOGIN`);
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-pg-shop-'));
    cpSync(fixture, dir, { recursive: true });
    const c = localConfig;
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `pg_shop:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: ${c.host}\n      port: ${c.port}\n      user: ${c.user}\n      dbname: ${c.dbname}\n      schema: ${schema}\n      threads: 2\n`,
    );
  });

  afterAll(async () => {
    await rows(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await rows(`DROP ROLE IF EXISTS "${reader}"`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds every node on the first run', async () => {
    const outcome = await build('build');
    expect(failures(outcome)).toEqual([]);
    expect(outcome.results.length).toBeGreaterThanOrEqual(10);

    expect(await rows(`SELECT id, amount::text, note, happened_at::text FROM "${schema}".events WHERE id IN (3, 6) ORDER BY id`)).toEqual([
      [3, '0.01', 'two\nlines', '2024-01-02 00:00:00.123456+00'],
      [6, '99999999.99', 'ünïcödé 🎉', '2024-01-05 00:00:00+00'],
    ]);
    expect(await rows(`SELECT note FROM "${schema}".events WHERE id = 2 AND batch = 1`)).toEqual([['comma, and "quotes"']]);
    expect(await rows(`SELECT relpersistence::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = '${schema}' AND relname = 'events_table'`)).toEqual([['u']]);
    expect(await rows(`SELECT has_table_privilege('${reader}', '"${schema}".events_table', 'SELECT'), has_table_privilege('${reader}', '"${schema}".inc_merge', 'SELECT')`)).toEqual([[true, false]]);
    expect(await rows(`SELECT relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE nspname = '${schema}' AND relname = 'stg_events'`)).toEqual([['v']]);
    expect(await rows(`SELECT id, status, batch FROM "${schema}".inc_merge ORDER BY id`)).toEqual([
      [1, 'placed', 1],
      [2, 'shipped', 1],
      [3, 'placed', 1],
      [4, 'returned', 1],
    ]);
  });

  it('spells the cross-database macros for PostgreSQL', async () => {
    const [row] = await rows(`SELECT * FROM "${schema}".helpers`);
    expect(row).toEqual([1, 1, 1, 60, -60, 1, 0, 1, 1, 1, 1, 'completed,completed', 'c']);
  });

  it('applies each incremental strategy on the next batch', async () => {
    const outcome = await build('run', { batch: 2 });
    expect(failures(outcome)).toEqual([]);
    // merge: id 2 updated in place, 5 and 6 inserted
    expect(await rows(`SELECT id, status, amount::text, batch FROM "${schema}".inc_merge ORDER BY id`)).toEqual([
      [1, 'placed', '10.50', 1],
      [2, 'completed', '7.25', 2],
      [3, 'placed', '0.01', 1],
      [4, 'returned', '-5.00', 1],
      [5, 'completed', '10.50', 2],
      [6, 'placed', '99999999.99', 2],
    ]);
    // delete+insert on (account, id): the old (a, 2) row replaced, not duplicated
    expect(await rows(`SELECT account, id, status FROM "${schema}".inc_delete_insert ORDER BY account, id`)).toEqual([
      ['a', 1, 'placed'],
      ['a', 2, 'completed'],
      ['a', 5, 'completed'],
      ['b', 3, 'placed'],
      ['b', 4, 'returned'],
      ['c', 6, 'placed'],
    ]);
    // append: batch 2 rows added after batch 1's
    expect(await rows(`SELECT batch, count(*) FROM "${schema}".inc_append GROUP BY batch ORDER BY batch`)).toEqual([
      [1, 4n],
      [2, 3n],
    ]);
  });

  it('checks the server version before MERGE and says what to do on older servers', async () => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, vars: { reader } });
    const compiler = await Compiler.create({ project, adapters: { postgres: adapter }, env: {}, flags: {} });
    compiler.parseProject();
    const node = [...project.nodes.values()].find((n) => n.name === 'inc_merge')!;
    const passes = String(compiler.callMacro('postgres__require_server_version', [90000, "incremental_strategy 'merge'", 'upgrade'], {}, { node }));
    const fails = String(compiler.callMacro('postgres__require_server_version', [990000, "incremental_strategy 'merge'", "use 'delete+insert'"], {}, { node }));
    expect(await rows(passes)).toEqual([]);
    const relation = compiler.relationOf(node);
    const merge = compiler.callMacro('get_merge_sql', [relation, relation, 'id', ['"id"'], []], {}, { node, adapterType: 'postgres' }) as string[];
    expect(merge).toHaveLength(2);
    expect(String(merge[0])).toContain("current_setting('server_version_num')::int < 150000");
    expect(String(merge[1])).toMatch(/^merge into /);
    await expect(rows(fails)).rejects.toThrow(/incremental_strategy 'merge' needs PostgreSQL 99 or later; this server is 1\d[.\d]*.*: use 'delete\+insert'/);
  });

  it('keeps the old table when its rebuild fails', async () => {
    const before = await rows(`SELECT count(*) FROM "${schema}".events_table`);
    const outcome = await build('run', { batch: 2, fail: true });
    const failed = outcome.results.find((r) => r.unique_id.endsWith('.events_table'));
    expect(failed?.status).toBe('error');
    expect(failed?.message).toMatch(/division by zero \(SQLSTATE 22012\)/);
    expect(await rows(`SELECT count(*) FROM "${schema}".events_table`)).toEqual(before);
  });

  it('runs the data tests', async () => {
    const outcome = await build('test', { batch: 2 });
    expect(failures(outcome)).toEqual([]);
    expect(outcome.results.map((r) => r.status)).toEqual(expect.arrayContaining(['pass']));
  });
});
