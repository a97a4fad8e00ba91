import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverAdapter } from '../src/adapters/discovery.js';
import { parseCommandLine } from '../src/args.js';
import { runSync } from '../src/commands/sync.js';
import { Log } from '../src/output/log.js';
import { PLAIN } from '../src/output/paint.js';
import { isNotFound } from '../src/sync/install.js';
import { addDevDependencies, detectPackageManager, shellLine, tarballSpec } from '../src/sync/package-manager.js';
import { readTarballDir, tarballClosure, TarballError, withPnpmOverrides } from '../src/sync/tarballs.js';
import { BIN, dvt, tempDir, type Run } from './helpers.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SECRET = 'hunter2-sync-secret';

/** A project whose profile has `outputs` (name -> fields); `target` is the first. */
function project(outputs: Record<string, Record<string, string | number>>, opts: { packageJson?: boolean } = {}): string {
  const dir = join(tempDir('dvt-sync-'), 'proj');
  mkdirSync(dir);
  writeFileSync(join(dir, 'dbt_project.yml'), 'name: proj\nversion: "1.0.0"\nconfig-version: 2\nprofile: proj\n');
  const body = Object.entries(outputs)
    .map(([name, fields]) => `    ${name}:\n${Object.entries(fields).map(([k, v]) => `      ${k}: ${JSON.stringify(v)}\n`).join('')}`)
    .join('');
  writeFileSync(join(dir, 'profiles.yml'), `proj:\n  target: ${Object.keys(outputs)[0]}\n  outputs:\n${body}`);
  if (opts.packageJson !== false) writeFileSync(join(dir, 'package.json'), '{ "name": "proj", "private": true }\n');
  return dir;
}

const DUCKDB = { type: 'duckdb', path: 'dev.duckdb' };

/** Like helpers' dvt(), without blocking this process (a server in it must keep answering). */
function dvtAsync(args: string[], cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr, output: stdout + stderr }));
  });
}

describe('package manager detection', () => {
  it('takes the lockfile nearest the project, at or above it, npm when none', () => {
    const root = tempDir('dvt-sync-pm-');
    const inner = join(root, 'a', 'b');
    mkdirSync(inner, { recursive: true });
    expect(detectPackageManager(inner).name).toBe('npm');
    writeFileSync(join(root, 'pnpm-lock.yaml'), '');
    expect(detectPackageManager(inner)).toEqual({ name: 'pnpm', lockfile: join(root, 'pnpm-lock.yaml') });
    writeFileSync(join(root, 'a', 'yarn.lock'), '');
    expect(detectPackageManager(inner).name).toBe('yarn');
    writeFileSync(join(inner, 'bun.lockb'), '');
    expect(detectPackageManager(inner).name).toBe('bun');
  });

  it('builds each manager\'s add command, with tarballs as it reads them', () => {
    expect(addDevDependencies('pnpm', ['@dvt/adapter-postgres'])).toEqual(['pnpm', 'add', '-D', '@dvt/adapter-postgres']);
    expect(addDevDependencies('npm', ['a', 'b'])).toEqual(['npm', 'install', '-D', 'a', 'b']);
    expect(addDevDependencies('yarn', ['a'])).toEqual(['yarn', 'add', '-D', 'a']);
    expect(addDevDependencies('bun', ['a'])).toEqual(['bun', 'add', '-d', 'a']);
    expect(tarballSpec('yarn', '/t/a.tgz')).toBe('file:/t/a.tgz');
    expect(tarballSpec('npm', '/t/a.tgz')).toBe('/t/a.tgz');
    expect(shellLine(['npm', 'install', '/tmp/my dir/a.tgz', "it's"])).toBe(`npm install '/tmp/my dir/a.tgz' 'it'\\''s'`);
  });

  it('recognises the managers\' not-found errors', () => {
    expect(isNotFound('npm error code E404\nnpm error 404 Not Found - GET http://x/@dvt%2fadapter-x')).toBe(true);
    expect(isNotFound(' ERR_PNPM_FETCH_404  GET http://x/@dvt%2Fadapter-x: Not Found - 404')).toBe(true);
    expect(isNotFound('npm error code EINTEGRITY')).toBe(false);
  });
});

describe('dvt sync (no install)', () => {
  it('--dry-run prints the install command for a missing adapter and changes nothing', () => {
    const dir = project({ dev: DUCKDB, ms: { type: 'sqlserver', server: 'db.example', user: 'u', password: SECRET } }, { packageJson: false });
    const r = dvt(['sync', '--all', '--dry-run'], { cwd: dir });
    expect(r.code, r.output).toBe(0);
    expect(r.stdout).toMatch(/Missing: @dvt\/adapter-sqlserver/);
    expect(r.stdout).toMatch(/Would create .*package\.json/);
    expect(r.stdout.split('\n')).toContain('npm install -D @dvt/adapter-sqlserver');
    expect(r.output).not.toContain(SECRET);
    expect(existsSync(join(dir, 'package.json'))).toBe(false);
  });

  it('looks only at the outputs the project uses unless --all, and uses the project\'s package manager', () => {
    const dir = project({ dev: DUCKDB, ms: { type: 'sqlserver', server: 'db.example' } });
    writeFileSync(join(dir, 'pnpm-lock.yaml'), "lockfileVersion: '9.0'\n");
    const used = dvt(['sync', '--dry-run'], { cwd: dir });
    expect(used.code, used.output).toBe(0);
    expect(used.stdout).toMatch(/Every adapter the project needs is installed \(1 connection\)/);
    expect(used.stdout).toMatch(/dev \(duckdb\): @dvt\/adapter-duckdb \S+, from the dvt installation/);
    const all = dvt(['sync', '--all', '--dry-run'], { cwd: dir });
    expect(all.stdout.split('\n')).toContain('pnpm add -D @dvt/adapter-sqlserver');
    // A source's connection: counts as used.
    mkdirSync(join(dir, 'models'));
    writeFileSync(join(dir, 'models', 'sources.yml'), 'version: 2\nsources:\n  - name: crm\n    connection: ms\n    tables:\n      - name: customers\n');
    const viaSource = dvt(['sync', '--dry-run'], { cwd: dir });
    expect(viaSource.stdout.split('\n')).toContain('pnpm add -D @dvt/adapter-sqlserver');
  });

  it('installs the explicit adapter: package of an output', () => {
    const dir = project({ dev: { type: 'oracle', adapter: 'dvt-adapter-oracle-thin', user: 'u' } });
    const r = dvt(['sync', '--dry-run'], { cwd: dir });
    expect(r.stdout.split('\n')).toContain('npm install -D dvt-adapter-oracle-thin');
  });

  it('reports an installed adapter that does not load, without reinstalling it, and exits 2', () => {
    const dir = project({ dev: { type: 'brokenengine' } });
    const pkg = join(dir, 'node_modules', 'dvt-adapter-brokenengine');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'dvt-adapter-brokenengine', version: '1.0.0', type: 'module', exports: './index.js' }));
    writeFileSync(join(pkg, 'index.js'), "export default { apiVersion: 1, type: 'brokenengine' };\n");
    const r = dvt(['sync', '--dry-run'], { cwd: dir });
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/dev \(brokenengine\): .*dvt-adapter-brokenengine/);
    expect(r.output).not.toMatch(/npm install/);
  });

  it('--from names a bad directory clearly', () => {
    const dir = project({ dev: { type: 'sqlserver', server: 'x' } });
    const r = dvt(['sync', '--from', join(dir, 'no-such-dir')], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/--from .*no-such-dir: ENOENT/);
    expect(r.output).not.toMatch(/\n\s+at /);
  });

  describe('against a registry that has nothing', () => {
    let server: Server;
    let registry = '';
    beforeAll(async () => {
      server = createServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"error":"Not found"}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('says the package is not in the registry and exits 2', async () => {
      const dir = project({ dev: { type: 'nosuchengine', password: SECRET } }, { packageJson: false });
      const cache = tempDir('dvt-sync-cache-');
      const r = await dvtAsync(['sync'], dir, { npm_config_registry: registry, npm_config_cache: cache, npm_config_fetch_retries: '0' });
      expect(r.code, r.output).toBe(2);
      expect(r.stdout).toMatch(/Created .*package\.json/);
      expect(r.output).toMatch(/The registry has no package @dvt\/adapter-nosuchengine \(npm install -D @dvt\/adapter-nosuchengine exited with \d+\)/);
      expect(r.output).not.toContain(SECRET);
      expect(r.output).not.toMatch(/\n\s+at /);
      expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))).toEqual({ name: 'proj', private: true });
    });
  });
});

const pgSkip = await serviceSkipReason(POSTGRES);

describe('dvt sync from package tarballs', () => {
  let tarballs = '';
  beforeAll(() => {
    tarballs = tempDir('dvt-sync-tgz-');
    // Real packages of ours as they would be published; the adapter's peer @dvt/core and core's
    // @dvt/jinja are not in any registry, so they come from the directory too.
    for (const pkg of ['packages/jinja', 'packages/core', 'adapters/postgres']) {
      execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(REPO, pkg), stdio: 'ignore' });
    }
  }, 120_000);

  it('reads each tarball\'s own package.json and picks what an adapter needs', () => {
    const found = readTarballDir(tarballs);
    expect([...found.keys()].sort()).toEqual(['@dvt/adapter-postgres', '@dvt/core', '@dvt/jinja']);
    expect(found.get('@dvt/adapter-postgres')!.needs).toEqual(expect.arrayContaining(['pg', '@dvt/core']));
    const names = (installed: string[]) => tarballClosure(['@dvt/adapter-postgres'], found, (n) => installed.includes(n)).map((t) => t.name);
    expect(names([]).sort()).toEqual(['@dvt/adapter-postgres', '@dvt/core', '@dvt/jinja']);
    expect(names(['@dvt/core'])).toEqual(['@dvt/adapter-postgres']);
    const junk = tempDir('dvt-sync-junk-');
    writeFileSync(join(junk, 'broken.tgz'), 'not gzip');
    expect(() => readTarballDir(junk)).toThrow(TarballError);
  });

  it('points pnpm.overrides at the tarballs, keeping what the manifest had', () => {
    const closure = tarballClosure(['@dvt/adapter-postgres'], readTarballDir(tarballs), () => false);
    const manifest = { name: 'p', private: true, pnpm: { overrides: { lodash: '4.17.21' } } };
    const updated = withPnpmOverrides(manifest, closure)!;
    const overrides = (updated.pnpm as { overrides: Record<string, string> }).overrides;
    expect(overrides.lodash).toBe('4.17.21');
    expect(overrides['@dvt/jinja']).toMatch(/^file:\/.*dvt-jinja-.*\.tgz$/);
    expect(Object.keys(overrides)).toHaveLength(4);
    expect(withPnpmOverrides(updated, closure)).toBeUndefined();
  });

  /** Runs sync in-process on a fresh project that uses `pm`, installing from the tarballs. */
  async function syncFromTarballs(pm: 'npm' | 'pnpm') {
    const dir = project({
      pg: { type: 'postgres', host: POSTGRES.host, port: POSTGRES.port, user: 'postgres', password: SECRET, dbname: 'test', schema: 'public' },
    });
    if (pm === 'pnpm') writeFileSync(join(dir, 'pnpm-lock.yaml'), '');
    // An empty place as the dvt installation: in this workspace the CLI itself could resolve the adapter.
    const nowhere = pathToFileURL(join(tempDir('dvt-sync-nowhere-'), 'cli.js')).href;
    const lines: string[] = [];
    const log = new Log({ format: 'text', paint: PLAIN, debug: false, write: (l) => lines.push(l) });
    const env = { ...process.env, npm_config_prefer_offline: 'true' };
    const ctx = { invocation: parseCommandLine(['sync', '--from', tarballs]), log, cwd: dir, env };
    const code = await runSync(ctx, { cliUrl: nowhere });
    return { dir, nowhere, ctx, code, lines };
  }

  async function expectInstalled(dir: string, nowhere: string) {
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(Object.keys(manifest.devDependencies)).toContain('@dvt/adapter-postgres');
    const found = await discoverAdapter('postgres', { projectDir: dir, outputs: [], cliUrl: nowhere });
    expect(found.packageName).toBe('@dvt/adapter-postgres');
    expect(realpathSync(found.entry).startsWith(realpathSync(dir))).toBe(true);
  }

  it('installs a missing adapter with npm; discovery and dvt debug then find it in the project', async () => {
    const { dir, nowhere, ctx, code, lines } = await syncFromTarballs('npm');
    const text = lines.join('\n');
    expect(code, text).toBe(0);
    expect(text).toMatch(/Missing: @dvt\/adapter-postgres/);
    expect(text).toMatch(/npm install -D \S+dvt-adapter-postgres-\S+\.tgz \S+dvt-core-\S+\.tgz \S+dvt-jinja-\S+\.tgz/);
    expect(text).toMatch(/pg \(postgres\): @dvt\/adapter-postgres \d+\.\d+\.\d+, from the project/);
    expect(text).not.toContain(SECRET);
    await expectInstalled(dir, nowhere);

    // Nothing left to do the second time.
    lines.length = 0;
    expect(await runSync(ctx, { cliUrl: nowhere })).toBe(0);
    expect(lines.join('\n')).toMatch(/Every adapter the project needs is installed/);

    if (!pgSkip) {
      const debug = dvt(['debug'], { cwd: dir });
      expect(debug.code, debug.output).toBe(0);
      expect(debug.stdout).toMatch(/adapter: @dvt\/adapter-postgres/);
      expect(debug.stdout).toMatch(/ {2}pg \(postgres, [^)]+\): OK connection ok/);
    }
  }, 240_000);

  it('installs with pnpm when the project has its lockfile, the tarballs\' own dependencies kept off the registry', async () => {
    const { dir, nowhere, code, lines } = await syncFromTarballs('pnpm');
    const text = lines.join('\n');
    expect(code, text).toBe(0);
    expect(text).toMatch(/Set pnpm\.overrides in .*package\.json for @dvt\/adapter-postgres, @dvt\/core, @dvt\/jinja/);
    expect(text).toMatch(/pnpm add -D \S+dvt-adapter-postgres-\S+\.tgz/);
    expect(text).toMatch(/pg \(postgres\): @dvt\/adapter-postgres \d+\.\d+\.\d+, from the project/);
    await expectInstalled(dir, nowhere);
  }, 240_000);
});
