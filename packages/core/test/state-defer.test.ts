import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterDefinition } from '../src/adapter/contract.js';
import { writeManifest } from '../src/artifacts/index.js';
import { Compiler } from '../src/compile/index.js';
import { loadProject } from '../src/project/index.js';
import { runCommand } from '../src/run/index.js';
import { deferredInputs, readStateManifest } from '../src/state/index.js';
import { loadDuckdb } from './run-support.js';

let duckdb: AdapterDefinition | undefined;
let skipReason: string | undefined;
beforeAll(async () => {
  const loaded = await loadDuckdb();
  if (typeof loaded === 'string') skipReason = loaded;
  else duckdb = loaded;
});
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'dvt-defer-'));
  dirs.push(dir);
  const files: Record<string, string> = {
    'dbt_project.yml': 'name: df\nversion: "1.0"\nconfig-version: 2\nprofile: df\nmodels:\n  df:\n    +materialized: table\n',
    'profiles.yml': `df:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(dir, 'wh.duckdb')}\n      schema: dev\n    prod:\n      type: duckdb\n      path: ${join(dir, 'wh.duckdb')}\n      schema: prod\n`,
    'models/upstream.sql': "select 42 as answer, '{{ target.name }}' as built_in",
    'models/downstream.sql': "select * from {{ ref('upstream') }}",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function session(db: AdapterDefinition, dir: string, target: string) {
  const loaded = loadProject({ projectDir: dir, profilesDir: dir, env: {}, target });
  const compiler = await Compiler.create({ project: loaded, adapters: { duckdb: db }, env: {}, writeCompiled: false });
  compiler.parseProject();
  const run = (names: string[]) =>
    runCommand({
      command: 'run',
      project: loaded,
      compiler,
      selection: names.map((n) => `model.df.${n}`),
      targetPath: join(dir, 'target'),
      resolveAdapter: async () => db,
    });
  return { project: loaded, compiler, run };
}

describe('--defer on DuckDB', () => {
  it("reads an unselected parent from the state's relation while the target lacks it, and its own once built", async (ctx) => {
    if (!duckdb) ctx.skip(skipReason);
    const db = duckdb!;
    const dir = project();
    const stateDir = join(dir, 'prod-state');
    const prod = await session(db, dir, 'prod');
    expect((await prod.run(['upstream', 'downstream'])).success).toBe(true);
    writeManifest(stateDir, prod.project, { invocationId: 'prod' });

    const dev = await session(db, dir, 'dev');
    const state = readStateManifest(stateDir);
    const deferred = await deferredInputs({ project: dev.project, compiler: dev.compiler, selection: ['model.df.downstream'], state, resolveAdapter: async () => db });
    expect([...deferred]).toEqual([['model.df.upstream', { database: 'wh', schema: 'prod', identifier: 'upstream' }]]);
    // A selected node is never deferred, even when missing.
    const selected = await deferredInputs({ project: dev.project, compiler: dev.compiler, selection: ['model.df.upstream', 'model.df.downstream'], state, resolveAdapter: async () => db });
    expect(selected.size).toBe(0);
    dev.compiler.deferTo(deferred);
    const out = await dev.run(['downstream']);
    expect(out.results[0]!.status).toBe('success');
    expect(out.results[0]!.compiled_code).toMatch(/from "wh"\."prod"\."upstream"/);

    // Once dev has its own upstream, nothing is deferred.
    const devAgain = await session(db, dir, 'dev');
    expect((await devAgain.run(['upstream'])).success).toBe(true);
    const none = await deferredInputs({ project: devAgain.project, compiler: devAgain.compiler, selection: ['model.df.downstream'], state, resolveAdapter: async () => db });
    expect(none.size).toBe(0);
  });
});
