import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { Compiler, loadProject, runCommand } from '@dvt/core';
import type { RunOutcome } from '@dvt/core';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

/** docs/examples/jaffle-shop built on PostgreSQL by core's runner: every node successful, twice. */
const skip = await serviceSkipReason(POSTGRES);
const example = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/examples/jaffle-shop');

describe.skipIf(skip)(`the jaffle-shop example on PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = uniqueSchema('dvt_jaffle');
  let dir: string;

  const build = async (): Promise<RunOutcome> => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {} });
    const compiler = await Compiler.create({ project, adapters: { postgres: adapter }, env: {}, flags: { FULL_REFRESH: false } });
    compiler.parseProject();
    return runCommand({
      command: 'build',
      project,
      compiler,
      selection: [...project.nodes.values()].map((n) => n.unique_id),
      targetPath: path.join(dir, 'target'),
      resolveAdapter: async () => adapter,
    });
  };

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-jaffle-pg-'));
    cpSync(example, dir, { recursive: true, filter: (src) => !src.includes(`${path.sep}target`) });
    const c = localConfig;
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `jaffle_shop:\n  target: pg\n  outputs:\n    pg:\n      type: postgres\n      host: ${c.host}\n      port: ${c.port}\n      user: ${c.user}\n      dbname: ${c.dbname}\n      schema: ${schema}\n      threads: 4\n`,
    );
  });

  afterAll(async () => {
    const conn = await adapter.connect(localConfig, ctx);
    try {
      await conn.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE; DROP SCHEMA IF EXISTS "${schema}_raw" CASCADE`);
    } finally {
      await conn.close();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('builds every node, then rebuilds incrementally', async () => {
    for (let run = 1; run <= 2; run++) {
      const outcome = await build();
      const bad = outcome.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.unique_id}: ${r.status} ${r.message ?? ''}`);
      expect(bad, `run ${run}`).toEqual([]);
      expect(outcome.success).toBe(true);
      expect(outcome.results.length).toBeGreaterThan(20);
    }
    const conn = await adapter.connect(localConfig, ctx);
    try {
      const customers = await conn.query(`SELECT count(*) FROM "${schema}".customers`);
      const raw = await conn.query(`SELECT count(*) FROM "${schema}_raw".raw_customers`);
      expect(customers.rows).toEqual(raw.rows);
    } finally {
      await conn.close();
    }
  });
});
