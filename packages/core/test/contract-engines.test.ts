import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import { connect, fixtureDir, loadAdapters, servicesSkipReason, type EngineType } from './federate-support.js';

let adapters: Record<EngineType, AdapterDefinition> | undefined;
let skipReason: string | undefined;
beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') skipReason = loaded;
  else {
    adapters = loaded;
    skipReason = await servicesSkipReason();
    if (skipReason && process.env.DVT_TEST_REQUIRE_SERVICES === '1') throw new Error(skipReason);
  }
});

const MODEL = "select 1 as id, 9.5 as amount union all select 2, 0";
const SCHEMA_YML = `version: 2
models:
  - name: orders
    config: {materialized: table, contract: {enforced: true}}
    columns:
      - name: id
        data_type: integer
        constraints: [{type: not_null}, {type: primary_key}]
      - name: amount
        data_type: decimal(10,2)
        constraints: [{type: check, expression: "amount >= 0"}]
`;

const ENGINES: { type: 'postgres' | 'mariadb'; output: (tag: string) => string; drop: (tag: string) => string; config: Record<string, unknown> }[] = [
  {
    type: 'postgres',
    output: (tag) => `{ type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${tag} }`,
    drop: (tag) => `drop schema if exists ${tag} cascade`,
    config: { host: '127.0.0.1', user: 'postgres', dbname: 'test' },
  },
  {
    type: 'mariadb',
    output: (tag) => `{ type: mariadb, server: 127.0.0.1, username: root, schema: ${tag} }`,
    drop: (tag) => `drop database if exists ${tag}`,
    config: { server: '127.0.0.1', username: 'root', schema: 'test' },
  },
];

describe.each(ENGINES)('contracts on $type', (engine) => {
  it('builds with the constraints twice over, and the engine refuses a row the check forbids', async (ctx) => {
    if (!adapters || skipReason) ctx.skip(skipReason);
    const adapter = adapters![engine.type];
    const fx = fixtureDir(`contract_${engine.type}`);
    fx.write({
      'dbt_project.yml': 'name: ct\nversion: "1.0"\nconfig-version: 2\nprofile: ct\n',
      'profiles.yml': `ct:\n  target: dev\n  outputs:\n    dev: ${engine.output(fx.tag)}\n`,
      'models/orders.sql': MODEL,
      'models/schema.yml': SCHEMA_YML,
    });
    const run = async () => {
      const project = loadProject({ projectDir: fx.dir, profilesDir: fx.dir, env: {} });
      const compiler = await Compiler.create({ project, adapters: { [engine.type]: adapter }, env: {}, writeCompiled: false });
      compiler.parseProject();
      return runCommand({ command: 'run', project, compiler, selection: ['model.ct.orders'], targetPath: join(fx.dir, 'target'), resolveAdapter: async () => adapter });
    };
    const conn = await connect(adapter, engine.config, fx.dir);
    try {
      const first = await run();
      expect(first.results.map((r) => [r.status, r.message])).toEqual([['success', expect.any(String)]]);
      // A second build swaps a new table in: constraint and index names must not collide with the first.
      const second = await run();
      expect(second.results[0]!.status, second.results[0]!.message ?? '').toBe('success');
      expect((await conn.query(`select count(*) from ${fx.tag}.orders`)).rows.map((r) => Number(r[0]))).toEqual([2]);
      await expect(conn.query(`insert into ${fx.tag}.orders (id, amount) values (null, 1)`)).rejects.toThrow();

      fx.write({ 'models/orders.sql': 'select 3 as id, -1.0 as amount' });
      const refused = await run();
      expect(refused.results[0]!.status).toBe('error');
      expect(refused.results[0]!.message).toMatch(/check|constraint/i);
      expect((await conn.query(`select count(*) from ${fx.tag}.orders`)).rows.map((r) => Number(r[0]))).toEqual([2]);
    } finally {
      await conn.query(engine.drop(fx.tag)).catch(() => undefined);
      await conn.close();
      rmSync(fx.dir, { recursive: true, force: true });
    }
  });
});
