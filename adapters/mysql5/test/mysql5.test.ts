import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import type { AdapterContext } from '@dvt/core';
import { describe, expect, it } from 'vitest';
import adapter from '../src/index.js';

const skipReason = await serviceSkipReason(MARIADB);
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
const config = { server: MARIADB.host, port: MARIADB.port, username: process.env.DVT_TEST_MARIADB_USER ?? 'root', password: process.env.DVT_TEST_MARIADB_PASSWORD, schema: process.env.DVT_TEST_MARIADB_DATABASE ?? 'test' };

describe('MySQL 5 dialect', () => {
  it('declares no CTEs and no window functions, and inherits the mysql macros', () => {
    expect(adapter.dialect.capabilities).toMatchObject({ cte: false, windowFunctions: false });
    expect(adapter.parentTypes).toEqual(['mysql']);
    expect(adapter.macrosDir).toMatch(/adapters\/mysql\/macros$/);
  });
});

describe.skipIf(skipReason !== undefined)(`MySQL 5 adapter on MariaDB${skipReason ? ` (${skipReason})` : ''}`, () => {
  it('refuses CTEs and window functions before the server sees them, naming the feature and line', async () => {
    const c = await adapter.connect(config, ctx);
    try {
      expect(c.capabilities).toMatchObject({ cte: false, windowFunctions: false });
      await expect(c.query('select 1 as a;\nwith t as (select 1 as x) select x from t')).rejects.toThrow(/MySQL 5\.x has no common table expressions \(WITH \.\.\. AS\): used at line 2, column 1/);
      await expect(c.query('select x, rank() over (order by x) from (select 1 as x) t')).rejects.toThrow(/MySQL 5\.x has no window functions \(OVER\)/);
      // Look-alikes run: WITH ROLLUP, and the words inside strings and comments.
      const r = await c.query("select x, count(*) from (select 1 as x) t group by x with rollup -- with a as (\n");
      expect(r.rows.length).toBe(2);
      const s = await c.query("select 'with a as (select 1) over (' as t");
      expect(s.rows[0][0]).toBe('with a as (select 1) over (');
    } finally {
      await c.close();
    }
  });
});
