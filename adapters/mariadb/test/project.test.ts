import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason, queryRows, runProject } from '@dvt/adapter-testkit';
import type { AdapterContext, RunCommandName, RunOutcome, Value } from '@dvt/core';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import adapter from '../src/index.js';

/**
 * A small project built on MariaDB by core's runner: seeds through LOAD DATA,
 * a view, an ephemeral model, a table swapped in by one RENAME TABLE, the
 * delete+insert and upsert strategies, generic and singular tests.
 */
const skip = await serviceSkipReason(MARIADB);
const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'shop');
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
const schema = `dvt_maria_shop_${process.pid}_${Date.now().toString(36)}`;
const config = { server: MARIADB.host, port: MARIADB.port, username: process.env.DVT_TEST_MARIADB_USER ?? 'root', password: process.env.DVT_TEST_MARIADB_PASSWORD, schema };

describe.skipIf(skip)(`a project on MariaDB${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: string;

  const build = async (command: RunCommandName): Promise<RunOutcome> => {
    return runProject(adapter, dir, command);
  };
  const rows = (sql: string): Promise<Value[][]> => queryRows(adapter, config, sql, ctx);
  const problems = (outcome: RunOutcome) => outcome.results.filter((r) => !['success', 'pass'].includes(r.status)).map((r) => `${r.unique_id}: ${r.status} ${r.message ?? ''}`);

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'dvt-maria-shop-'));
    cpSync(fixture, dir, { recursive: true });
    writeFileSync(
      path.join(dir, 'profiles.yml'),
      `maria_shop:\n  target: dev\n  outputs:\n    dev:\n      type: mariadb\n      server: ${config.server}\n      port: ${config.port}\n      username: ${config.username}\n      schema: ${schema}\n      threads: 2\n`,
    );
  });

  afterAll(async () => {
    if (!dir) return;
    rmSync(dir, { recursive: true, force: true });
    await rows(`drop schema if exists \`${schema}\``);
  });

  it('builds every node, then rebuilds incrementally', async () => {
    const first = await build('build');
    expect(problems(first)).toEqual([]);
    // 2 seeds, 4 models (the ephemeral one is inlined), 5 tests.
    expect(first.results.length).toBe(11);
    // The seed's amount column is inferred by core; compare the numbers.
    const customers = await rows(`select customer_id, name, label, orders, total from \`${schema}\`.customer_orders order by customer_id`);
    expect(customers.map((r) => [...r.slice(0, 4), Number(r[4])])).toEqual([
      [1, 'Ann', 'DE-1', 1n, 19.99],
      [2, "O'Brien, Bo", 'IE-2', 1n, 120.5],
      [3, 'Cy \\ backslash', '?-3', 1n, 0.01],
      [4, null, 'FR-4', 1n, 42],
    ]);
    expect(await rows(`select signed_up_at from \`${schema}\`.stg_customers order by customer_id`)).toEqual([
      ['2024-01-02 10:00:00'],
      ['2024-01-03 11:30:00.25'],
      ['2024-02-29 23:59:59.999999'],
      [null],
    ]);
    // The table was built beside the old one and swapped in by one statement.
    const second = await build('run');
    expect(problems(second)).toEqual([]);
    const runSql = readFileSync(path.join(dir, 'target', 'run', 'maria_shop', 'models', 'marts', 'customer_orders.sql'), 'utf8');
    expect(runSql).toMatch(/rename table `[^`]+`\.`customer_orders` to `[^`]+`\.`customer_orders__dbt_backup`, `[^`]+`\.`customer_orders__dbt_tmp` to `[^`]+`\.`customer_orders`/);
    expect(await rows(`select count(*) from \`${schema}\`.orders_incremental`)).toEqual([[4n]]);
    // A second insert of the same keys would fail on the unique index: the upsert updated them in place.
    const upserted = await rows(`select order_id, amount from \`${schema}\`.orders_upsert order by order_id`);
    expect(upserted.map((r) => [r[0], Number(r[1])])).toEqual([
      [10, 19.99],
      [12, 120.5],
      [13, 0.01],
      [14, 42],
    ]);
  }, 120_000);
});
