import { isAscii } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCacheEntry, encodeCacheEntry } from '../src/launch/cache-entry.js';
import { cacheEntryName, cacheEntryPrefix, compileCacheDir, hash, runPurpose, runtimeIdentity, twinStamp } from '../src/launch/cache-location.js';
import { packageRootEntry, splitSpecifier } from '../src/launch/package-entry.js';
import { BIN, dvt, tempDir } from './helpers.js';

describe('compile cache location and keys', () => {
  it('is the platform cache directory unless turned off or pointed elsewhere', () => {
    expect(compileCacheDir({}, 'linux', '/home/u')).toBe('/home/u/.cache/dvt/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u')).toBe('/xdg/dvt/compile-cache');
    expect(compileCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u')).toBe('/home/u/.cache/dvt/compile-cache');
    expect(compileCacheDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Caches/dvt/compile-cache');
    expect(compileCacheDir({ DVT_COMPILE_CACHE_DIR: '/elsewhere' }, 'linux', '/home/u')).toBe('/elsewhere');
    expect(compileCacheDir({ DVT_NO_COMPILE_CACHE: '1', DVT_COMPILE_CACHE_DIR: '/elsewhere' }, 'linux', '/home/u')).toBeUndefined();
    expect(compileCacheDir({ DVT_NO_COMPILE_CACHE: '0' }, 'linux', '/home/u')).toBe('/home/u/.cache/dvt/compile-cache');
  });

  it('keys an entry by the script, its content and the runtime; one path shares a prefix', () => {
    const runtime = runtimeIdentity(process.versions, process.arch);
    const name = cacheEntryName('/a/dist/bundle/index.cjs', 'abc 10 1', runtime);
    expect(name.startsWith(cacheEntryPrefix('/a/dist/bundle/index.cjs'))).toBe(true);
    expect(name).toMatch(/^index-[0-9a-f]{14}-[0-9a-f]{14}\.v8$/);
    expect(cacheEntryName('/a/dist/bundle/index.cjs', 'abd 10 1', runtime)).not.toBe(name);
    expect(cacheEntryName('/a/dist/bundle/index.cjs', 'abc 10 1', 'node 22.0.0 v8 12 x64')).not.toBe(name);
    expect(cacheEntryPrefix('/b/dist/bundle/index.cjs')).not.toBe(cacheEntryPrefix('/a/dist/bundle/index.cjs'));
    expect(hash('a')).not.toBe(hash('b'));
  });

  it('names a run by its command, and an entry by the commands it holds the code of', () => {
    expect(runPurpose(['seed', '--project-dir', 'x'])).toBe('seed');
    expect(runPurpose(['--debug', 'run-operation', 'm'])).toBe('run-operation');
    expect(runPurpose(['--version'])).toBe('');
    const entry = { purposes: ['parse', 'seed'], code: Buffer.from([1, 2, 3]) };
    const decoded = decodeCacheEntry(encodeCacheEntry(entry));
    expect(decoded?.purposes).toEqual(['parse', 'seed']);
    expect([...decoded!.code]).toEqual([1, 2, 3]);
    expect(decodeCacheEntry(Buffer.from('not a code cache'))).toBeUndefined();
    expect(decodeCacheEntry(Buffer.from([2, 0, 0, 0, 0x7b, 0x7d, 9]))).toBeUndefined();
  });

  it('reads the build stamp from a twin first line only', () => {
    expect(twinStamp('// dvt-twin 0123abcd\n"use strict";')).toBe('0123abcd');
    expect(twinStamp('"use strict";\n// dvt-twin 0123abcd\n')).toBeUndefined();
  });

  it('finds the file a package root names for import', () => {
    expect(packageRootEntry({ exports: { '.': { types: './x.d.ts', import: './dist/index.js' } } })).toBe('./dist/index.js');
    expect(packageRootEntry({ exports: { types: './x.d.ts', default: './d.js' } })).toBe('./d.js');
    expect(packageRootEntry({ exports: { '.': { require: './c.cjs', node: { import: './n.mjs' } } } })).toBe('./n.mjs');
    expect(packageRootEntry({ exports: './only.js' })).toBe('./only.js');
    expect(packageRootEntry({ exports: { '.': { require: './c.cjs' } } })).toBeUndefined();
    expect(packageRootEntry({ main: './lib/index.js' })).toBe('./lib/index.js');
    expect(packageRootEntry({})).toBe('index.js');
    expect(splitSpecifier('@dvt/core')).toEqual({ name: '@dvt/core', subpath: '.' });
    expect(splitSpecifier('@scope/pkg/sub/x.js')).toEqual({ name: '@scope/pkg', subpath: './sub/x.js' });
    expect(splitSpecifier('pg')).toEqual({ name: 'pg', subpath: '.' });
  });
});

/** A DuckDB project with one seed and one model: parsing it loads the CLI, core, Jinja and the adapter. */
function duckdbProject(): string {
  const dir = tempDir('dvt-cache-project-');
  mkdirSync(join(dir, 'seeds'));
  mkdirSync(join(dir, 'models'));
  writeFileSync(join(dir, 'seeds', 'people.csv'), 'id,name\n1,a\n2,b\n');
  writeFileSync(join(dir, 'models', 'names.sql'), "select name from {{ ref('people') }}\n");
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: cache_test\nversion: "1.0.0"\nconfig-version: 2\nprofile: cache_test\n');
  writeFileSync(join(dir, 'profiles.yml'), `cache_test:\n  target: t\n  outputs:\n    t:\n      type: duckdb\n      path: ${join(dir, 'db.duckdb')}\n`);
  return dir;
}

function parse(project: string, cacheDir: string, extra: Record<string, string> = {}, command = 'parse') {
  return dvt([command, '--project-dir', project, '--profiles-dir', project], { env: { DVT_COMPILE_CACHE_DIR: cacheDir, DVT_COMPILE_CACHE_DEBUG: '1', ...extra } });
}

function written(stderr: string): string[] {
  return [...stderr.matchAll(/^dvt compile cache: wrote (\S+) \(\d+ bytes, for ([^)]*)\)/gm)].map((m) => `${m[1]} ${m[2]}`);
}

/** The scripts the trace says were compiled, used from the cache, or rejected. */
function traced(stderr: string, what: 'compiled' | 'used the cached code of' | 'rejected the cached code of'): string[] {
  return [...stderr.matchAll(new RegExp(`^dvt compile cache: ${what} (\\S+)`, 'gm'))].map((m) => m[1]);
}

const SCRIPTS = ['cli/dist/bundle/bin.cjs', 'cli/dist/bundle/main.cjs', 'core/dist/bundle/index.cjs', 'jinja/dist/bundle/index.cjs', 'duckdb/dist/index.cjs'];

describe.skipIf(Number(process.versions.node.split('.')[0]) >= 22)('compile cache on Node 20 (CommonJS twins through V8 code cache)', () => {
  it('compiles and stores every script on the first run, and uses all of them on the second', () => {
    const project = duckdbProject();
    const cache = join(tempDir('dvt-cache-'), 'cache');
    const first = parse(project, cache);
    expect(first.code, first.output).toBe(0);
    const compiled = traced(first.stderr, 'compiled');
    for (const script of SCRIPTS) expect(compiled.some((c) => c.endsWith(script)), `${script} in\n${first.stderr}`).toBe(true);
    expect(traced(first.stderr, 'used the cached code of')).toEqual([]);
    expect(readdirSync(cache).filter((f) => f.endsWith('.v8')).length).toBe(compiled.length);

    const second = parse(project, cache);
    expect(second.code, second.output).toBe(0);
    expect(traced(second.stderr, 'compiled')).toEqual([]);
    expect(traced(second.stderr, 'used the cached code of').sort()).toEqual(compiled.sort());
    expect(second.stdout.replace(/[\d:.]+s?/g, '')).toBe(first.stdout.replace(/[\d:.]+s?/g, ''));
  });

  it('adds what another command compiles to the entries, once', () => {
    const project = duckdbProject();
    const cache = join(tempDir('dvt-cache-'), 'cache');
    expect(parse(project, cache).code).toBe(0);
    const seed = parse(project, cache, {}, 'seed');
    expect(seed.code, seed.output).toBe(0);
    expect(traced(seed.stderr, 'compiled')).toEqual([]);
    const rewritten = written(seed.stderr);
    expect(rewritten.length).toBe(SCRIPTS.length + 2);
    for (const line of rewritten) expect(line).toMatch(/ parse, seed$/);
    const again = parse(project, cache, {}, 'seed');
    expect(again.code, again.output).toBe(0);
    expect(written(again.stderr)).toEqual([]);
    expect(traced(again.stderr, 'compiled')).toEqual([]);
  });

  it('ignores and replaces a corrupted or foreign cache entry', () => {
    const project = duckdbProject();
    const cache = join(tempDir('dvt-cache-'), 'cache');
    expect(parse(project, cache).code).toBe(0);
    const entries = readdirSync(cache).filter((f) => f.endsWith('.v8'));
    const bin = entries.find((f) => f.startsWith('bin-'))!;
    const main = entries.find((f) => f.startsWith('main-'))!;
    // Valid V8 code cache, but of another script; and bytes that are no cache at all.
    writeFileSync(join(cache, bin), readFileSync(join(cache, main)));
    writeFileSync(join(cache, main), 'not a code cache');
    const damaged = parse(project, cache);
    expect(damaged.code, damaged.output).toBe(0);
    expect(damaged.stdout).toMatch(/Parsed 2 nodes/);
    const rejected = traced(damaged.stderr, 'rejected the cached code of');
    expect(rejected.some((s) => s.endsWith('bin.cjs'))).toBe(true);
    expect(rejected.some((s) => s.endsWith('main.cjs'))).toBe(true);
    expect(readFileSync(join(cache, main), 'utf8')).not.toBe('not a code cache');

    const repaired = parse(project, cache);
    expect(traced(repaired.stderr, 'rejected the cached code of')).toEqual([]);
    expect(traced(repaired.stderr, 'compiled')).toEqual([]);
  });

  it('the twins are ASCII, so that they read without UTF-8 decoding', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    const twins = ['cli/dist/bundle/bin.cjs', 'cli/dist/bundle/main.cjs', 'packages/core/dist/bundle/index.cjs', 'packages/jinja/dist/bundle/index.cjs', 'adapters/duckdb/dist/index.cjs'];
    for (const twin of twins) expect(isAscii(readFileSync(join(root, twin))), twin).toBe(true);
  });

  it('runs when the cache directory cannot be created or written', () => {
    const project = duckdbProject();
    const blocker = join(tempDir('dvt-cache-'), 'a-file');
    writeFileSync(blocker, '');
    const r = parse(project, join(blocker, 'cache'));
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Parsed 2 nodes/);
    expect(r.stderr).toMatch(/^dvt compile cache: could not write .*ENOTDIR/m);
    expect(r.stderr).not.toMatch(/Internal error|at .*\.cjs:\d+/);
  });

  it('DVT_NO_COMPILE_CACHE=1 runs the ES modules and writes nothing', () => {
    const project = duckdbProject();
    const cache = join(tempDir('dvt-cache-'), 'cache');
    const r = parse(project, cache, { DVT_NO_COMPILE_CACHE: '1' });
    expect(r.code, r.output).toBe(0);
    expect(r.stderr).toMatch(/^dvt compile cache: off/m);
    expect(traced(r.stderr, 'compiled')).toEqual([]);
    expect(() => readdirSync(cache)).toThrow(/ENOENT/);
  });

  it('concurrent first runs all succeed and leave complete entries', async () => {
    const project = duckdbProject();
    const cache = join(tempDir('dvt-cache-'), 'cache');
    const args = [BIN, 'parse', '--project-dir', project, '--profiles-dir', project];
    const env = { ...process.env, NO_COLOR: '1', DVT_COMPILE_CACHE_DIR: cache, DVT_COMPILE_CACHE_DEBUG: '1' };
    const codes = await Promise.all(
      [1, 2, 3, 4].map(
        () =>
          new Promise<number | null>((done) => {
            const child = spawn(process.execPath, args, { env, stdio: 'ignore' });
            child.on('close', done);
          }),
      ),
    );
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(readdirSync(cache).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const after = parse(project, cache);
    expect(traced(after.stderr, 'compiled')).toEqual([]);
    expect(traced(after.stderr, 'rejected the cached code of')).toEqual([]);
  });
});

describe('the launcher require of a twin', () => {
  /** A twin as the build writes it: stamped, in the wrapper's parameters. */
  const twin = (code: string) => `// dvt-twin 0123456789abcdef\n${code}`;

  it('loads stamped twins once each, a package .cjs of its own and an ES module through Node', async () => {
    const { CachedScriptLoader } = await import('../src/launch/script-loader.js');
    const { CompileCacheStore } = await import('../src/launch/cache-store.js');
    const root = tempDir('dvt-twin-require-');
    const pkg = (name: string, files: Record<string, string>) => {
      mkdirSync(join(root, 'node_modules', name), { recursive: true });
      for (const [file, text] of Object.entries(files)) writeFileSync(join(root, 'node_modules', name, file), text);
    };
    // A dvt package: ES module entry, stamped twin beside it, a default export.
    pkg('with-twin', {
      'package.json': JSON.stringify({ type: 'module', exports: { '.': { import: './index.js' } } }),
      'index.js': 'export default "from the ES module";\n',
      'index.cjs': twin('globalThis.withTwinRuns = (globalThis.withTwinRuns ?? 0) + 1;\nObject.defineProperty(exports, "__esModule", { value: true });\nexports.default = "from the twin";\nexports.named = 1;\n'),
    });
    // A dual package: its own index.cjs is no twin of ours.
    pkg('dual', {
      'package.json': JSON.stringify({ type: 'module', exports: { '.': { import: './index.js', require: './index.cjs' } } }),
      'index.js': 'export const kind = "esm";\n',
      'index.cjs': 'exports.kind = "cjs";\n',
    });
    // An ES module only package, with a default export.
    pkg('esm-only', {
      'package.json': JSON.stringify({ type: 'module', exports: './main.js' }),
      'main.js': 'export default { apiVersion: 1 };\nexport const extra = 2;\n',
    });
    const program = join(root, 'program.cjs');
    writeFileSync(
      program,
      twin(
        'const a = require("with-twin"); const b = require("with-twin");\n' +
          'module.exports = { same: a === b, twin: a.default, named: a.named, dual: require("dual").kind, esm: require("esm-only"), url: __dvtImportMetaUrl, resolved: __dvtImportMetaResolve("x") };\n',
      ),
    );
    const loader = new CachedScriptLoader(new CompileCacheStore(join(root, 'cache'), () => {}), 'test', { dir: root, resolve: (s) => `resolved:${s}` }, 'test', () => {});
    const out = loader.load(program) as Record<string, unknown>;
    expect(out.same).toBe(true);
    expect(out.twin).toBe('from the twin');
    expect(out.named).toBe(1);
    expect((globalThis as { withTwinRuns?: number }).withTwinRuns).toBe(1);
    // The file its `import` condition names, through Node's require: its index.cjs was not taken for a twin.
    expect(out.dual).toBe('esm');
    const esm = out.esm as { default: unknown; extra: unknown; __esModule: unknown };
    expect(esm.default).toEqual({ apiVersion: 1 });
    expect(esm.extra).toBe(2);
    expect(esm.__esModule).toBe(true);
    expect(out.url).toBe(pathToFileURL(program).href);
    expect(out.resolved).toBe('resolved:x');
  });
});
