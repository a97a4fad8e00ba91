import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { Compiler, loadProject, type Connection } from '@dvt/core';
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

  const text = async (jinja: string): Promise<unknown> => (await connection.query(compiler.renderHook(`select (${jinja})::text as v`))).rows[0][0];

  it('last_day steps a quarter as three months (PostgreSQL has no quarter interval)', async () => {
    expect(await text(`{{ dbt.last_day("date '2024-02-10'", 'month') }}`)).toBe('2024-02-29');
    expect(await text(`{{ dbt.last_day("date '2024-02-10'", 'quarter') }}`)).toBe('2024-03-31');
    expect(await text(`{{ dbt.last_day("timestamp '2024-11-30 23:00'", 'year') }}`)).toBe('2024-12-31');
  });
});
