import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition, Connection } from '../src/adapter/contract.js';
import { connect, failures, fixtureDir, loadAdapters, runProject, servicesSkipReason, type EngineType } from './federate-support.js';

/**
 * A federated load killed with SIGKILL in the middle leaves the previous
 * target table and the previous cache copy as they were; the next run
 * succeeds. The killed run is a child process on core's build.
 */
const fx = fixtureDir('fedkill');
const coreDist = join(import.meta.dirname, '../dist/index.js');
let adapters: Record<EngineType, AdapterDefinition>;
let skip: string | undefined;
let pg: Connection;
const ROWS = 300_000;

const CHILD = (tag: string) => `
import { Compiler, loadProject, runCommand } from ${JSON.stringify(pathToFileURL(coreDist).href)};
const adapters = {};
for (const [type, path] of Object.entries(${JSON.stringify({
  duckdb: join(import.meta.dirname, '../../../adapters/duckdb/dist/index.js'),
  postgres: join(import.meta.dirname, '../../../adapters/postgres/dist/index.js'),
})})) adapters[type] = (await import(path)).default;
const project = loadProject({ projectDir: process.cwd(), profilesDir: process.cwd(), env: {} });
const compiler = await Compiler.create({ project, adapters, env: {} });
compiler.parseProject();
await runCommand({ command: 'run', project, compiler, selection: [...project.nodes.keys()], targetPath: 'target',
  resolveAdapter: async (t) => adapters[t], events: (e) => e.type === 'log' && console.log(e.message) });
console.log('${tag} finished');
`;

beforeAll(async () => {
  const loaded = await loadAdapters();
  if (typeof loaded === 'string') return void (skip = loaded);
  adapters = loaded;
  skip = (await servicesSkipReason()) ?? (existsSync(coreDist) ? undefined : `${coreDist} is not built`);
  if (skip) return;
  fx.write({
    'dbt_project.yml': 'name: fedkill\nprofile: fedkill\nconfig-version: 2\n',
    'profiles.yml': `fedkill:
  target: pg
  outputs:
    pg: { type: postgres, host: 127.0.0.1, user: postgres, dbname: test, schema: ${fx.tag} }
    files: { type: duckdb, path: ${join(fx.dir, 'files.duckdb')}, schema: main }
`,
    'models/sources.yml': 'version: 2\nsources:\n  - name: files\n    connection: files\n    schema: main\n    tables: [{ name: big }]\n',
    'models/copy_big.sql': "{{ config(materialized='table') }}\nselect * from {{ source('files', 'big') }}",
    'child.mjs': CHILD(fx.tag),
  });
  pg = await connect(adapters.postgres, { host: '127.0.0.1', user: 'postgres', dbname: 'test', schema: fx.tag }, fx.dir);
  await pg.query(`create schema ${fx.tag}`);
  await fillSource(100);
}, 60_000);

afterAll(async () => {
  if (pg) {
    await pg.query(`drop schema if exists ${fx.tag} cascade`);
    await pg.close();
  }
  fx.cleanup();
});

async function fillSource(rows: number): Promise<void> {
  const duck = await connect(adapters.duckdb, { path: join(fx.dir, 'files.duckdb') }, fx.dir);
  try {
    await duck.query(`create or replace table main.big as select i as id, 'row ' || i as label, i * 0.5 as half from range(${rows}) t(i)`);
  } finally {
    await duck.close();
  }
}

async function cacheCount(): Promise<bigint> {
  const cache = await connect(adapters.duckdb, { path: join(fx.dir, '.dvt', 'cache.duckdb') }, fx.dir);
  try {
    return (await cache.query('select count(*) from main.files__big')).rows[0]![0] as bigint;
  } finally {
    await cache.close();
  }
}

const tableCount = async (table: string) => (await pg.query(`select count(*) from ${fx.tag}.${table}`)).rows[0]![0];

describe('a killed federated run', () => {
  it('leaves the previous target table and cache copy intact, and the next run succeeds', async (ctx) => {
    if (skip) return ctx.skip(skip);
    expect(failures(await runProject(adapters, fx.dir))).toEqual([]);
    expect(await tableCount('copy_big')).toBe(100n);

    await fillSource(ROWS);
    const child = spawn(process.execPath, ['child.mjs'], { cwd: fx.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    // Kill once the staging table exists: from then until the swap, rows stream into it.
    const deadline = Date.now() + 150_000;
    let staged = false;
    while (!staged && Date.now() < deadline && child.exitCode === null) {
      const found = await pg.query(`select count(*) from information_schema.tables where table_schema = '${fx.tag}' and table_name = 'copy_big__dvt_stage'`);
      staged = found.rows[0]![0] === 1n;
      if (!staged) await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    expect(await exited, output).toBe('SIGKILL');
    expect(staged, `the child never reached the staging load:\n${output}`).toBe(true);
    expect(output).not.toContain('finished');

    expect(await tableCount('copy_big')).toBe(100n);
    // The cache copy is whole: the old one or the new one, never part of one.
    expect([100n, BigInt(ROWS)]).toContain(await cacheCount());

    const again = await runProject(adapters, fx.dir);
    expect(failures(again)).toEqual([]);
    expect(await tableCount('copy_big')).toBe(BigInt(ROWS));
    expect(await cacheCount()).toBe(BigInt(ROWS));
    expect((await pg.query(`select count(*) from information_schema.tables where table_schema = '${fx.tag}' and table_name like '%dvt%'`)).rows[0]![0]).toBe(0n);
  }, 300_000);
});
