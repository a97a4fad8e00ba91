import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import { Compiler, loadProject } from '@dvt/core';
import type { AdapterContext, RunOutcome, Value } from '@dvt/core';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

/**
 * The redshift__ macros: the ones PostgreSQL also runs (MERGE without a
 * target alias, seeds through core's INSERT load) are built by core's runner
 * on the local PostgreSQL; Redshift-only SQL (DISTKEY/SORTKEY, native
 * datediff, LISTAGG) is checked as compiled text.
 */
const skip = await serviceSkipReason(POSTGRES);
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'rs_shop');
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug() {}, info() {}, warn() {} } };

describe.skipIf(skip)(`redshift__ macros${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = `dvt_rs_proj_${process.pid}_${Date.now().toString(36)}`;
  const config: RedshiftConfig = {
    host: POSTGRES.host,
    port: POSTGRES.port,
    user: process.env.DVT_TEST_PG_USER ?? 'postgres',
    dbname: process.env.DVT_TEST_PG_DATABASE ?? 'test',
    schema,
  };
  let dir: string;

  const open = async (vars: Record<string, unknown> = {}) => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, vars });
    const compiler = await Compiler.create({ project, adapters: { redshift: adapter }, env: {}, flags: { FULL_REFRESH: false } });
    compiler.parseProject();
    return { project, compiler };
  };
  const run = (names: string[], vars: Record<string, unknown> = {}): Promise<RunOutcome> => runProject(adapter, dir, 'build', { vars, select: (n) => names.includes(n.name) });
  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, config, sql, ctx);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-rs-shop-'));
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `rs_shop:\n  target: rs\n  outputs:\n    rs:\n      type: redshift\n      host: ${config.host}\n      port: ${config.port}\n      user: ${config.user}\n      dbname: ${config.dbname}\n      schema: ${schema}\n`,
    );
  });
  afterAll(async () => {
    await rows(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('loads seeds and merges by unique key without a target alias', async () => {
    const first = await run(['items', 'inc_merge']);
    expect(first.results.map((r) => [r.unique_id.split('.').at(-1), r.status])).toEqual(expect.arrayContaining([['items', 'success'], ['inc_merge', 'success']]));
    const second = await run(['inc_merge'], { batch: 2 });
    expect(second.results.map((r) => r.status)).toEqual(['success']);
    expect(await rows(`SELECT id, batch, status, note FROM "${schema}".inc_merge ORDER BY id`)).toEqual([
      [1, 1, 'new', 'C:\\temp'],
      [2, 2, 'sold', 'back\\slash'],
      [3, 1, 'new', null],
      [4, 2, 'new', 'four'],
    ]);
    expect(await rows(`SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = '"${schema}".inc_merge'::regclass AND attname = 'note'`)).toEqual([
      ['character varying(65535)'],
    ]);
  });

  it('renders DISTKEY, SORTKEY and BACKUP NO from the model config', async () => {
    const { project, compiler } = await open();
    const node = [...project.nodes.values()].find((n) => n.name === 'physical')!;
    const sql = compiler.callMacro('create_table_as', [false, compiler.relationOf(node), 'select 1'], {}, { node, adapterType: 'redshift' });
    expect(String(sql).replace(/\s+/g, ' ').trim()).toBe(
      `create table "${config.dbname}"."${schema}"."physical" backup no diststyle key distkey ("id") interleaved sortkey ("batch", "id") as ( select 1 )`,
    );
  });

  it('compiles the cross-database helpers to Redshift functions', async () => {
    const { project, compiler } = await open();
    const node = [...project.nodes.values()].find((n) => n.name === 'expressions')!;
    const sql = compiler.compileNode(node).compiled_code.replace(/\s+/g, ' ');
    expect(sql).toContain('datediff(day, a, b) as days');
    expect(sql).toContain(`listagg(status, ',') within group (order by id) as statuses`);
    expect(sql).toContain('any_value(note) as a_note');
  });
});
