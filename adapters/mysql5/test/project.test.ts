import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { Compiler, loadProject, runCommand } from '@dvt/core';
import type { AdapterContext, RunOutcome } from '@dvt/core';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '../src/index.js';

/**
 * The MariaDB adapter's fixture project built with the MySQL 5 dialect: the
 * ephemeral model is inlined as a derived table and the generic tests run
 * without CTEs, so nothing reaches the server that 5.7 would refuse.
 */
const skip = await serviceSkipReason(MARIADB);
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, '..', '..', 'mariadb', 'test', 'fixtures', 'shop');
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
const schema = `dvt_mysql5_shop_${process.pid}_${Date.now().toString(36)}`;
const config = { server: MARIADB.host, port: MARIADB.port, username: process.env.DVT_TEST_MARIADB_USER ?? 'root', password: process.env.DVT_TEST_MARIADB_PASSWORD, schema };

describe.skipIf(skip)(`a project with the MySQL 5 dialect${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-mysql5-shop-'));
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `maria_shop:\n  target: dev\n  outputs:\n    dev:\n      type: mysql5\n      server: ${config.server}\n      port: ${config.port}\n      username: ${config.username}\n      schema: ${schema}\n`,
    );
  });

  afterAll(async () => {
    if (!dir) return;
    rmSync(dir, { recursive: true, force: true });
    const conn = await adapter.connect(config, ctx);
    await conn.query(`drop schema if exists \`${schema}\``).finally(() => conn.close());
  });

  it('builds every node without a CTE', async () => {
    const project = loadProject({ projectDir: dir, profilesDir: dir, env: {}, vars: {} });
    const compiler = await Compiler.create({ project, adapters: { mysql5: adapter }, env: {}, flags: { FULL_REFRESH: false } });
    compiler.parseProject();
    const outcome: RunOutcome = await runCommand({
      command: 'build',
      project,
      compiler,
      selection: [...project.nodes.values()].map((n) => n.unique_id),
      targetPath: path.join(dir, 'target'),
      resolveAdapter: async () => adapter,
    });
    expect(outcome.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.unique_id}: ${r.message}`)).toEqual([]);
    const compiled = readFileSync(path.join(dir, 'target', 'compiled', 'maria_shop', 'models', 'marts', 'customer_orders.sql'), 'utf8');
    expect(compiled).toMatch(/left join \(\n[\s\S]*\) o on o\.customer_id = c\.customer_id/);
    expect(compiled).not.toMatch(/\bwith\b/i);
  }, 120_000);
});
