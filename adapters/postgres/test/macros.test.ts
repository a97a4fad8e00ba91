import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { Compiler, DatabaseBridge, loadProject, type Connection } from '@dvt/core';
import adapter from '../src/index.js';
import { ctx, localConfig } from './helpers.js';

/**
 * Core's cross-database helpers as dispatch picks them for PostgreSQL, rendered by core's
 * compiler and run on the server (no schema is created: every query is a bare SELECT).
 */
const skip = await serviceSkipReason(POSTGRES);

describe.skipIf(skip)(`cross-database macros on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dvt-pg-macros-'));
  let compiler: Compiler;
  let connection: Connection;

  beforeAll(async () => {
    writeFileSync(path.join(dir, 'dbt_project.yml'), 'name: macro_check\nversion: "1.0"\nprofile: macro_check\n');
    const c = localConfig;
    writeFileSync(path.join(dir, 'profiles.yml'), `macro_check:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: ${c.host}\n      port: ${c.port}\n      user: ${c.user}\n      dbname: ${c.dbname}\n      schema: public\n`);
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    compiler = await Compiler.create({ project, adapters: { postgres: adapter }, env: {}, writeCompiled: false });
    connection = await adapter.connect(localConfig, ctx);
  });

  afterAll(async () => {
    await connection?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // A bare expression is selected as text; a full query is run as it is.
  const text = async (jinja: string): Promise<unknown> => {
    const sql = jinja.startsWith('select ') ? jinja : `select (${jinja})::text as v`;
    return (await connection.query(compiler.renderHook(sql))).rows[0][0];
  };

  it('get_powers_of_two and generate_series count to the bound', async () => {
    expect(await text(`{{ dbt.get_powers_of_two(1) }} * 1000 + {{ dbt.get_powers_of_two(3) }} * 100 + {{ dbt.get_powers_of_two(1024) }}`)).toBe('1210');
    expect(await text(`select count(*) || '/' || sum(generated_number) || '/' || min(generated_number) from ({{ dbt.generate_series(1025) }}) s`)).toBe('1025/525825/1');
  });

  it('date, equals and the array helpers', async () => {
    expect(await text(`{{ dbt.date(2024, 2, 29) }}`)).toBe('2024-02-29');
    expect(await text(`{{ dbt.equals('cast(null as integer)', 'cast(null as integer)') }} and not {{ dbt.equals('1', 'cast(null as integer)') }}`)).toBe('true');
    expect(await text(`{{ dbt.array_concat(dbt.array_append(dbt.array_construct([1, 2]), 3), dbt.array_construct([4])) }}`)).toBe('{1,2,3,4}');
    expect(await text(`cardinality({{ dbt.array_construct([]) }})`)).toBe('0');
  });

  // date_spine asks the server how many periods there are, through the runner's bridge (the built adapter in a worker).
  const built = path.join(import.meta.dirname, '..', 'dist', 'index.js');
  it.skipIf(!existsSync(built))('date_spine lists each period from the start up to the end', async () => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    const bridge = new DatabaseBridge({ projectDir: dir, outputs: project.profile.outputs, modules: { postgres: pathToFileURL(built).href } });
    try {
      const bridged = await Compiler.create({ project, adapters: { postgres: adapter }, env: {}, writeCompiled: false, database: bridge.templateDatabase });
      const sql = bridged.renderHook(`select string_agg(to_char(date_day, 'MM-DD'), ',' order by date_day) from ({{ dbt.date_spine('day', "date '2024-02-27'", "date '2024-03-02'") }}) s`);
      expect((await connection.query(sql)).rows[0][0]).toBe('02-27,02-28,02-29,03-01');
    } finally {
      await bridge.close();
    }
  });

  it('last_day steps a quarter as three months (PostgreSQL has no quarter interval)', async () => {
    expect(await text(`{{ dbt.last_day("date '2024-02-10'", 'month') }}`)).toBe('2024-02-29');
    expect(await text(`{{ dbt.last_day("date '2024-02-10'", 'quarter') }}`)).toBe('2024-03-31');
    expect(await text(`{{ dbt.last_day("timestamp '2024-11-30 23:00'", 'year') }}`)).toBe('2024-12-31');
  });
});
