import { rmSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { Compiler } from '../src/compile/index.js';
import { runSourceFreshness } from '../src/freshness/index.js';
import { loadProject } from '../src/project/index.js';
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

const NOW = new Date('2026-03-01T12:00:00Z');

const ENGINES = [
  {
    type: 'postgres' as const,
    output: (tag: string) => `{ type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${tag} }`,
    config: { host: '127.0.0.1', user: 'postgres', dbname: 'test' },
    setup: (tag: string) => [
      `create schema ${tag}`,
      `create table ${tag}.zoned as select timestamptz '2026-03-01 13:30:00+02' as loaded_at`,
      `create table ${tag}.plain as select timestamp '2026-02-28 06:00:00' as loaded_at`,
    ],
    drop: (tag: string) => `drop schema if exists ${tag} cascade`,
  },
  {
    type: 'mariadb' as const,
    output: (tag: string) => `{ type: mariadb, server: 127.0.0.1, username: root, schema: ${tag} }`,
    config: { server: '127.0.0.1', username: 'root', schema: 'test' },
    setup: (tag: string) => [
      `create database ${tag}`,
      `create table ${tag}.zoned as select timestamp '2026-03-01 11:30:00' as loaded_at`,
      `create table ${tag}.plain as select timestamp '2026-02-28 06:00:00' as loaded_at`,
    ],
    drop: (tag: string) => `drop database if exists ${tag}`,
  },
];

describe.each(ENGINES)('source freshness on $type', (engine) => {
  it('ages the newest load on the server against the thresholds', async (ctx) => {
    if (!adapters || skipReason) ctx.skip(skipReason);
    const adapter = adapters![engine.type];
    const fx = fixtureDir(`fresh_${engine.type}`);
    fx.write({
      'dbt_project.yml': 'name: fr\nversion: "1.0"\nconfig-version: 2\nprofile: fr\n',
      'profiles.yml': `fr:\n  target: dev\n  outputs:\n    dev: ${engine.output(fx.tag)}\n`,
      'models/sources.yml': `version: 2\nsources:\n  - name: raw\n    schema: ${fx.tag}\n    loaded_at_field: loaded_at\n    freshness: {warn_after: {count: 1, period: hour}, error_after: {count: 1, period: day}}\n    tables:\n      - name: zoned\n      - name: plain\n`,
    });
    const conn = await connect(adapter, engine.config, fx.dir);
    try {
      for (const sql of engine.setup(fx.tag)) await conn.query(sql);
      const project = loadProject({ projectDir: fx.dir, profilesDir: fx.dir, env: {} });
      const compiler = await Compiler.create({ project, adapters: { [engine.type]: adapter }, env: {}, writeCompiled: false });
      compiler.parseProject();
      const outcome = await runSourceFreshness({ project, compiler, selection: [...project.sources.keys()], resolveAdapter: async () => adapter, now: () => NOW });
      const byName = Object.fromEntries(outcome.results.map((r) => [r.unique_id.split('.').at(-1), r]));
      // 11:30 UTC either way: half an hour old.
      expect(byName.zoned).toMatchObject({ status: 'pass', max_loaded_at_time_ago_in_s: 1800 });
      expect(byName.plain).toMatchObject({ status: 'error', max_loaded_at_time_ago_in_s: 30 * 3600 });
    } finally {
      await conn.query(engine.drop(fx.tag)).catch(() => undefined);
      await conn.close();
      rmSync(fx.dir, { recursive: true, force: true });
    }
  });
});
