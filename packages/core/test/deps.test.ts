import { execFileSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installPackages } from '../src/deps/index.js';
import type { DvtError } from '../src/errors.js';
import { highestMatching, parseRange } from '../src/deps/semver.js';
import { loadProject } from '../src/project/index.js';

const root = mkdtempSync(join(tmpdir(), 'dvt-deps-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function dbtPackage(name: string, macroBody: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'dbt_project.yml': `name: ${name}\nversion: "1.0"\nconfig-version: 2\n`, [`macros/${name}.sql`]: `{% macro ${name}_marker() %}${macroBody}{% endmacro %}\n`, ...extra };
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], { cwd, encoding: 'utf8' }).trim();

/** A small package hub: /api/v1/<org>/<name>.json and the tarballs it points to. */
let hub: Server;
let hubUrl: string;
const hubRequests: string[] = [];

beforeAll(async () => {
  const tarballs = join(root, 'tarballs');
  mkdirSync(tarballs);
  const versions = ['1.0.0', '1.2.0', '2.0.0', '2.1.0-b1'];
  for (const v of versions) {
    const src = join(root, 'hub-src', `hub_pkg-${v}`);
    // 1.2.0 depends on another hub package, as dbt_expectations depends on dbt_date.
    write(src, dbtPackage('hub_pkg', v, v === '1.2.0' ? { 'packages.yml': 'packages:\n  - package: acme/hub_dep\n    version: ">=0.1.0"\n' } : {}));
    execFileSync('tar', ['-czf', join(tarballs, `hub_pkg-${v}.tar.gz`), '-C', join(root, 'hub-src'), `hub_pkg-${v}`]);
  }
  write(join(root, 'hub-src', 'hub_dep-0.1.0'), dbtPackage('hub_dep', '0.1.0'));
  execFileSync('tar', ['-czf', join(tarballs, 'hub_dep-0.1.0.tar.gz'), '-C', join(root, 'hub-src'), 'hub_dep-0.1.0']);
  hub = createServer((req, res) => {
    hubRequests.push(req.url ?? '');
    const base = `http://127.0.0.1:${(hub.address() as AddressInfo).port}`;
    const index: Record<string, string[]> = { '/api/v1/acme/hub_pkg.json': versions, '/api/v1/acme/hub_dep.json': ['0.1.0'] };
    const listed = index[req.url ?? ''];
    if (listed) {
      const name = req.url!.split('/').at(-1)!.replace('.json', '');
      const body = { name, versions: Object.fromEntries(listed.map((v) => [v, { version: v, downloads: { tarball: `${base}/tarballs/${name}-${v}.tar.gz` } }])) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    } else if (req.url?.startsWith('/tarballs/') && existsSync(join(tarballs, req.url.slice('/tarballs/'.length)))) {
      res.writeHead(200).end(readFileSync(join(tarballs, req.url.slice('/tarballs/'.length))));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => hub.listen(0, '127.0.0.1', done));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((done) => hub.close(() => done())));

describe('version ranges', () => {
  it('picks the highest version inside every constraint, releases only unless asked', () => {
    const all = ['0.9.0', '1.0.0', '1.2.0', '1.10.1', '2.0.0', '2.1.0-b1'];
    expect(highestMatching(all, parseRange(['>=1.0.0', '<2.0.0'], 'x'), false)?.text).toBe('1.10.1');
    expect(highestMatching(all, parseRange('>=1.0.0 <1.5', 'x'), false)?.text).toBe('1.2.0');
    expect(highestMatching(all, parseRange('1.2.0', 'x'), false)?.text).toBe('1.2.0');
    expect(highestMatching(all, parseRange('>2.0.0', 'x'), false)).toBeUndefined();
    expect(highestMatching(all, parseRange('>2.0.0', 'x'), true)?.text).toBe('2.1.0-b1');
    expect(() => parseRange('>=one', 'packages.yml: package 1')).toThrow(/'>=one' is not a version or range/);
  });
});

describe('dvt deps', () => {
  it('installs local, git (revision, subdirectory) and hub packages, pins them, and follows the lock', async () => {
    // A local package, and a git repository with the package in a subdirectory and two tagged states.
    write(join(root, 'local_pkg'), dbtPackage('local_pkg', 'local'));
    const repo = join(root, 'repo');
    write(repo, { 'README.md': 'packages\n', ...Object.fromEntries(Object.entries(dbtPackage('git_pkg', 'v1')).map(([p, t]) => [`pkgs/git_pkg/${p}`, t])) });
    git(repo, 'init', '--quiet');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'v1');
    git(repo, 'tag', 'v1');
    const v1 = git(repo, 'rev-parse', 'HEAD');
    write(repo, { 'pkgs/git_pkg/macros/git_pkg.sql': '{% macro git_pkg_marker() %}v2{% endmacro %}\n' });
    git(repo, 'commit', '--quiet', '-am', 'v2');

    const project = join(root, 'project');
    write(project, {
      'dbt_project.yml': 'name: app\nversion: "1.0"\nconfig-version: 2\nprofile: app\n',
      'profiles.yml': `app:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${join(root, 'w.duckdb')}\n`,
      'packages.yml': `packages:
  - local: ../local_pkg
  - git: "${repo}"
    revision: v1
    subdirectory: pkgs/git_pkg
  - package: acme/hub_pkg
    version: [">=1.0.0", "<2.0.0"]
`,
    });
    const logs: string[] = [];
    const first = await installPackages({ projectDir: project, hubUrl, log: (m) => logs.push(m) });
    expect(first.resolved).toBe(true);
    expect(first.installed).toEqual([
      { kind: 'local', path: '../local_pkg', name: 'local_pkg' },
      { kind: 'git', url: repo, revision: v1, subdirectory: 'pkgs/git_pkg', name: 'git_pkg' },
      { kind: 'hub', package: 'acme/hub_pkg', version: '1.2.0', name: 'hub_pkg' },
      { kind: 'hub', package: 'acme/hub_dep', version: '0.1.0', name: 'hub_dep' },
    ]);
    const installed = join(project, 'dbt_packages');
    expect(lstatSync(join(installed, 'local_pkg')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(installed, 'git_pkg/macros/git_pkg.sql'), 'utf8')).toMatch(/v1/);
    expect(existsSync(join(installed, 'git_pkg/.git'))).toBe(false);
    expect(readFileSync(join(installed, 'hub_pkg/macros/hub_pkg.sql'), 'utf8')).toMatch(/1\.2\.0/);
    const lock = readFileSync(join(project, 'package-lock.yml'), 'utf8');
    expect(lock).toContain(`revision: ${v1}`);
    expect(lock).toContain('version: 1.2.0');
    expect(lock).toMatch(/sha1_hash: [0-9a-f]{40}/);

    // The loader sees every installed package and its macros.
    const loaded = loadProject({ projectDir: project, profilesDir: project, env: {} });
    expect(loaded.packages.map((p) => p.name).sort()).toEqual(['app', 'git_pkg', 'hub_dep', 'hub_pkg', 'local_pkg']);
    expect(loaded.macroFiles.map((f) => f.package).sort()).toEqual(['git_pkg', 'hub_dep', 'hub_pkg', 'local_pkg']);

    // Unchanged packages.yml: the lock is followed (no hub version lookup, same commit even with 'v1' moved on).
    git(repo, 'tag', '-f', 'v1');
    hubRequests.length = 0;
    const second = await installPackages({ projectDir: project, hubUrl });
    expect(second.resolved).toBe(false);
    expect(readFileSync(join(installed, 'git_pkg/macros/git_pkg.sql'), 'utf8')).toMatch(/v1/);
    expect(hubRequests.filter((u) => u.startsWith('/tarballs/'))).toEqual(['/tarballs/hub_pkg-1.2.0.tar.gz', '/tarballs/hub_dep-0.1.0.tar.gz']);

    // --upgrade resolves again: the tag now points at v2.
    const third = await installPackages({ projectDir: project, hubUrl, upgrade: true });
    expect(third.resolved).toBe(true);
    expect(readFileSync(join(installed, 'git_pkg/macros/git_pkg.sql'), 'utf8')).toMatch(/v2/);
  });

  it('says what is wrong: no matching version, unknown package, bad entries', async () => {
    const project = join(root, 'bad');
    const attempt = (packagesYml: string) => {
      write(project, { 'dbt_project.yml': 'name: bad\nversion: "1.0"\nconfig-version: 2\n', 'packages.yml': packagesYml });
      return installPackages({ projectDir: project, hubUrl });
    };
    await expect(attempt('packages:\n  - package: acme/hub_pkg\n    version: ">=3.0.0"\n')).rejects.toThrow(
      /no version of acme\/hub_pkg satisfies ">=3.0.0" \(asked by the project\); available: 1.0.0, 1.2.0, 2.0.0, 2.1.0-b1/,
    );
    await expect(attempt('packages:\n  - package: acme/missing\n    version: 1.0.0\n')).rejects.toThrow(/package 'acme\/missing' is not on the package hub/);
    await expect(attempt('packages:\n  - pakage: acme/hub_pkg\n')).rejects.toThrow(/packages.yml: package 1: unknown package kind \(keys: pakage\)/);
    await expect(attempt('packages:\n  - git: /nonexistent/repo.git\n')).rejects.toThrow(/could not fetch git package \/nonexistent\/repo.git/);
  });

  it('renders env_var() in packages.yml; a secret one stays out of the lock file, the log and errors', async () => {
    const repo = join(root, 'secret-repo');
    write(repo, dbtPackage('secret_pkg', 'v1'));
    git(repo, 'init', '--quiet');
    git(repo, 'add', '.');
    git(repo, 'commit', '--quiet', '-m', 'v1');
    write(join(root, 'env_local_pkg'), dbtPackage('env_local_pkg', 'local'));
    const project = join(root, 'env-project');
    const packagesYml = `packages:
  - local: "{{ env_var('PKG_HOME') }}/env_local_pkg"
  - git: "{{ env_var('DBT_ENV_SECRET_REPO') }}"
    revision: "{{ env_var('PKG_REVISION', 'HEAD') }}"
`;
    write(project, { 'dbt_project.yml': 'name: app\nversion: "1.0"\nconfig-version: 2\n', 'packages.yml': packagesYml });
    const env = { PKG_HOME: root, DBT_ENV_SECRET_REPO: repo };
    const logs: string[] = [];
    const result = await installPackages({ projectDir: project, hubUrl, env, log: (m) => logs.push(m) });
    expect(result.installed.map((p) => p.name)).toEqual(['env_local_pkg', 'secret_pkg']);
    expect(readFileSync(join(project, 'dbt_packages/secret_pkg/macros/secret_pkg.sql'), 'utf8')).toMatch(/v1/);
    const lock = readFileSync(join(project, 'package-lock.yml'), 'utf8');
    expect(lock).toContain(`env_var('DBT_ENV_SECRET_REPO')`);
    expect(lock).not.toContain(repo);
    expect(logs.join('\n')).not.toContain(repo);
    expect(logs.join('\n')).toContain('*****');

    // The lock is followed with the url rendered again.
    const again = await installPackages({ projectDir: project, hubUrl, env });
    expect(again.resolved).toBe(false);
    expect(existsSync(join(project, 'dbt_packages/secret_pkg/macros/secret_pkg.sql'))).toBe(true);

    // A failing fetch names the package without the secret.
    rmSync(join(project, 'package-lock.yml'));
    const failed = installPackages({ projectDir: project, hubUrl, env: { ...env, PKG_REVISION: 'no-such-revision' } });
    await expect(failed).rejects.toThrow(/could not fetch git package \*\*\*\*\* at revision 'no-such-revision'/);
    const missing = await installPackages({ projectDir: project, hubUrl, env: {} }).catch((e: unknown) => e as DvtError);
    expect(missing).toMatchObject({ message: "Env var required but not provided: 'PKG_HOME'", location: { file: 'packages.yml', line: 2 } });
  });
});
