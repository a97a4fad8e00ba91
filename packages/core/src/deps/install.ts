import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { DvtError } from '../errors.js';
import { parseYaml } from '../project/yaml.js';
import { highestMatching, parseRange } from './semver.js';
import { hasJinja, renderYamlString } from '../project/render.js';
import { parseSpecs, readSpecFile, type PackageSpec, type SpecRendering } from './specs.js';

/** `git` and `tar`; child_process is loaded only by an install (it is a few ms of every start-up). */
function run(file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return promisify(process.getBuiltinModule('node:child_process').execFile)(file, args);
}

export const DEFAULT_HUB_URL = 'https://hub.getdbt.com/';
export const LOCK_FILE = 'package-lock.yml';

export interface InstallOptions {
  projectDir: string;
  /** The package hub's base URL (default: DBT_PACKAGE_HUB_URL, else hub.getdbt.com). */
  hubUrl?: string;
  /** Resolve again even when package-lock.yml matches the package list (`dvt deps --upgrade`). */
  upgrade?: boolean;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}

/** A package as installed: what the lock file records. */
export type PinnedPackage =
  | { kind: 'local'; path: string; name: string }
  | { kind: 'git'; url: string; revision: string; subdirectory?: string; name: string; writtenUrl?: string }
  | { kind: 'hub'; package: string; version: string; name: string }
  | { kind: 'tarball'; url: string; name: string };

export interface InstallResult {
  installed: PinnedPackage[];
  installDir: string;
  /** True when the lock file was (re)written; false when the existing lock was followed. */
  resolved: boolean;
}

/**
 * `dvt deps`: installs the packages of packages.yml / dependencies.yml and
 * what they depend on into `packages-install-path` (default dbt_packages/),
 * each under its project name. Local packages are linked, git packages
 * cloned at their revision (then `subdirectory`), hub packages resolved to the
 * highest version inside every range asked for and downloaded. The outcome is
 * pinned in package-lock.yml; while the package list is unchanged (its hash
 * is in the lock), later runs install exactly what the lock says.
 */
export async function installPackages(options: InstallOptions): Promise<InstallResult> {
  const projectDir = resolve(options.projectDir);
  const env = options.env ?? process.env;
  const log = options.log ?? (() => undefined);
  const hubUrl = options.hubUrl ?? env.DBT_PACKAGE_HUB_URL ?? DEFAULT_HUB_URL;
  const installDir = join(projectDir, installPathOf(projectDir));
  // Secret env vars (a git token in a url) are masked in every message.
  const secrets: string[] = [];
  const mask = (text: string) => secrets.reduce((out, secret) => out.split(secret).join('*****'), text);
  const rendering: SpecRendering = { env, onSecret: (value) => value.length > 0 && secrets.push(value) };
  try {
    return await install(projectDir, installDir, hubUrl, rendering, options.upgrade === true, (m) => log(mask(m)));
  } catch (error) {
    if (error instanceof DvtError && secrets.length > 0) throw new DvtError(error.kind, mask(error.message), { location: error.location });
    throw error;
  }
}

async function install(projectDir: string, installDir: string, hubUrl: string, rendering: SpecRendering, upgrade: boolean, log: (message: string) => void): Promise<InstallResult> {
  const specFile = readSpecFile(projectDir, rendering);
  if (!specFile) {
    log('No packages.yml or dependencies.yml with packages: nothing to install.');
    return { installed: [], installDir, resolved: false };
  }
  const hash = createHash('sha1').update(specFile.text).digest('hex');
  const lock = readLock(projectDir);
  const scratch = mkdtempSync(join(tmpdir(), 'dvt-deps-'));
  try {
    const session = new Fetcher(projectDir, hubUrl, scratch, log, rendering);
    const followLock = lock !== undefined && lock.hash === hash && !upgrade;
    const fetched = followLock ? await session.fetchPinned(lock.packages) : await session.resolve(specFile.specs);
    rmSync(installDir, { recursive: true, force: true });
    mkdirSync(installDir, { recursive: true });
    for (const f of fetched) {
      const target = join(installDir, f.pinned.name);
      if (f.pinned.kind === 'local') symlinkSync(f.dir, target, 'junction');
      else cpSync(f.dir, target, { recursive: true, filter: (src) => !src.split(/[\\/]/).includes('.git') });
      log(`Installed ${describe(f.pinned)}`);
    }
    const installed = fetched.map((f) => f.pinned);
    if (!followLock) writeLock(projectDir, installed, hash);
    return { installed, installDir, resolved: !followLock };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function installPathOf(projectDir: string): string {
  const file = join(projectDir, 'dbt_project.yml');
  if (!existsSync(file)) throw new DvtError('config', `no dbt_project.yml in ${projectDir}`);
  const value = parseYaml(readFileSync(file, 'utf8'), 'dbt_project.yml').value as Record<string, unknown> | null;
  const path = value?.['packages-install-path'];
  return typeof path === 'string' && path.length > 0 ? path : 'dbt_packages';
}

function describe(p: PinnedPackage): string {
  switch (p.kind) {
    case 'local':
      return `${p.name} (local ${p.path})`;
    case 'git':
      return `${p.name} (git ${p.url}${p.subdirectory ? ` ${p.subdirectory}` : ''} at ${p.revision})`;
    case 'hub':
      return `${p.package}@${p.version}`;
    case 'tarball':
      return `${p.name} (tarball ${p.url})`;
  }
}

interface Fetched {
  pinned: PinnedPackage;
  /** Where the package's files are (its dbt_project.yml is at the top). */
  dir: string;
}

interface HubVersion {
  downloads?: { tarball?: string };
  packages?: unknown[];
}

/** Fetches packages into a scratch directory, following their own packages.yml. */
class Fetcher {
  private counter = 0;
  private readonly hubIndex = new Map<string, Record<string, HubVersion>>();

  constructor(
    private readonly projectDir: string,
    private readonly hubUrl: string,
    private readonly scratch: string,
    private readonly log: (message: string) => void,
    private readonly rendering: SpecRendering,
  ) {}

  async resolve(rootSpecs: PackageSpec[]): Promise<Fetched[]> {
    const fetched: Fetched[] = [];
    const seen = new Map<string, Fetched>();
    const hubRanges = new Map<string, { ranges: unknown[]; prerelease: boolean; by: string[] }>();
    const queue: { spec: PackageSpec; baseDir: string; by: string }[] = rootSpecs.map((spec) => ({ spec, baseDir: this.projectDir, by: 'the project' }));
    while (queue.length > 0) {
      const { spec, baseDir, by } = queue.shift()!;
      const key = identity(spec, baseDir);
      let result: Fetched;
      if (spec.kind === 'hub') {
        const wanted = hubRanges.get(spec.name) ?? { ranges: [], prerelease: false, by: [] };
        wanted.ranges.push(spec.version);
        wanted.prerelease ||= spec.installPrerelease;
        wanted.by.push(by);
        hubRanges.set(spec.name, wanted);
        const version = await this.pickHubVersion(spec.name, wanted);
        const previous = seen.get(key);
        if (previous && previous.pinned.kind === 'hub' && previous.pinned.version === version) continue;
        result = await this.fetchHub(spec.name, version);
        if (previous) fetched.splice(fetched.indexOf(previous), 1, result);
        else fetched.push(result);
      } else {
        if (seen.has(key)) continue;
        result = await this.fetchSpec(spec, baseDir);
        fetched.push(result);
      }
      seen.set(key, result);
      const clash = fetched.find((f) => f !== result && f.pinned.name === result.pinned.name);
      if (clash) throw new DvtError('config', `two packages are both named '${result.pinned.name}': ${describe(clash.pinned)} and ${describe(result.pinned)}`);
      for (const child of this.childSpecs(result)) queue.push({ spec: child, baseDir: result.dir, by: result.pinned.name });
    }
    return fetched;
  }

  async fetchPinned(pinned: PinnedPackage[]): Promise<Fetched[]> {
    const out: Fetched[] = [];
    for (const p of pinned) {
      switch (p.kind) {
        case 'local':
          out.push(await this.fetchSpec({ kind: 'local', path: p.path }, this.projectDir));
          break;
        case 'git': {
          // A url written with env_var is locked as written: render it again.
          const url = hasJinja(p.url) ? String(renderYamlString(p.url, { env: this.rendering.env, lookupVar: () => undefined, allowSecrets: true, onSecret: this.rendering.onSecret }, LOCK_FILE, undefined)) : p.url;
          out.push(await this.fetchSpec({ kind: 'git', url, revision: p.revision, subdirectory: p.subdirectory, ...(hasJinja(p.url) ? { writtenUrl: p.url } : {}) }, this.projectDir));
          break;
        }
        case 'hub': {
          const versions = await this.hubVersions(p.package);
          out.push(await this.download(versions[p.version]?.downloads?.tarball, `${p.package}@${p.version}`, (name) => ({ kind: 'hub', package: p.package, version: p.version, name })));
          break;
        }
        case 'tarball':
          out.push(await this.download(p.url, p.url, (name) => ({ kind: 'tarball', url: p.url, name })));
          break;
      }
    }
    return out;
  }

  private childSpecs(f: Fetched): PackageSpec[] {
    // A package's own local paths are relative to it; the lock names them from the project.
    const spec = readSpecFile(f.dir, this.rendering);
    return spec ? spec.specs : [];
  }

  private async fetchSpec(spec: PackageSpec, baseDir: string): Promise<Fetched> {
    switch (spec.kind) {
      case 'local': {
        const dir = resolve(baseDir, spec.path);
        const name = projectNameIn(dir, `local package ${spec.path}`);
        const path = isAbsolute(spec.path) ? spec.path : relative(this.projectDir, dir) || '.';
        return { pinned: { kind: 'local', path, name }, dir };
      }
      case 'git': {
        const fetched = await this.fetchGit(spec.url, spec.revision, spec.subdirectory);
        return spec.writtenUrl && fetched.pinned.kind === 'git' ? { ...fetched, pinned: { ...fetched.pinned, writtenUrl: spec.writtenUrl } } : fetched;
      }
      case 'tarball':
        return this.download(spec.url, spec.url, (name) => ({ kind: 'tarball', url: spec.url, name }));
      case 'hub':
        throw new Error('hub packages are fetched by version');
    }
  }

  private async fetchGit(url: string, revision: string | undefined, subdirectory: string | undefined): Promise<Fetched> {
    const clone = join(this.scratch, `git-${this.counter++}`);
    this.log(`Installing ${url}${revision ? ` at ${revision}` : ''}`);
    try {
      await run('git', ['clone', '--quiet', url, clone]);
      if (revision) await run('git', ['-C', clone, 'checkout', '--quiet', revision]);
    } catch (e) {
      const detail = ((e as { stderr?: string }).stderr ?? (e as Error).message).trim().split('\n').at(-1);
      throw new DvtError('config', `could not fetch git package ${url}${revision ? ` at revision '${revision}'` : ''}: ${detail}`);
    }
    if (!revision) this.log(`The git package ${url} is not pinned to a revision; its default branch was used.`);
    const sha = (await run('git', ['-C', clone, 'rev-parse', 'HEAD'])).stdout.trim();
    const dir = subdirectory ? join(clone, subdirectory) : clone;
    const name = projectNameIn(dir, `git package ${url}${subdirectory ? ` (subdirectory ${subdirectory})` : ''}`);
    return { pinned: { kind: 'git', url, revision: sha, ...(subdirectory ? { subdirectory } : {}), name }, dir };
  }

  private async hubVersions(name: string): Promise<Record<string, HubVersion>> {
    const known = this.hubIndex.get(name);
    if (known) return known;
    const url = new URL(`api/v1/${name}.json`, this.hubUrl.endsWith('/') ? this.hubUrl : `${this.hubUrl}/`).href;
    let response: Response;
    try {
      response = await fetch(url);
    } catch (e) {
      throw new DvtError('config', `could not reach the package hub at ${url}: ${(e as Error).message}`);
    }
    if (response.status === 404) throw new DvtError('config', `package '${name}' is not on the package hub (${url})`);
    if (!response.ok) throw new DvtError('config', `the package hub answered ${response.status} for ${url}`);
    const body = (await response.json()) as { versions?: Record<string, HubVersion> };
    const versions = body.versions ?? {};
    this.hubIndex.set(name, versions);
    return versions;
  }

  private async pickHubVersion(name: string, wanted: { ranges: unknown[]; prerelease: boolean; by: string[] }): Promise<string> {
    const versions = await this.hubVersions(name);
    const constraints = wanted.ranges.flatMap((r) => parseRange(r, `package ${name}`));
    const best = highestMatching(Object.keys(versions), constraints, wanted.prerelease);
    if (!best) {
      const asked = wanted.ranges.map((r) => JSON.stringify(r)).join(' and ');
      throw new DvtError('config', `no version of ${name} satisfies ${asked} (asked by ${wanted.by.join(', ')}); available: ${Object.keys(versions).join(', ') || 'none'}`);
    }
    return best.text;
  }

  private async fetchHub(name: string, version: string): Promise<Fetched> {
    const versions = await this.hubVersions(name);
    this.log(`Installing ${name}@${version}`);
    const fetched = await this.download(versions[version]?.downloads?.tarball, `${name}@${version}`, (projectName) => ({ kind: 'hub', package: name, version, name: projectName }));
    const deps = versions[version]?.packages;
    if (Array.isArray(deps) && deps.length > 0 && !readSpecFile(fetched.dir)) {
      // The hub lists a version's dependencies even when its tarball has no packages.yml.
      parseSpecs(deps, `${name}@${version} on the hub`);
      writeFileSync(join(fetched.dir, 'packages.yml'), stringify({ packages: deps }));
    }
    return fetched;
  }

  private async download(url: string | undefined, label: string, pin: (name: string) => PinnedPackage): Promise<Fetched> {
    if (!url) throw new DvtError('config', `the package hub gives no tarball for ${label}`);
    const response = await fetch(url).catch((e: Error) => {
      throw new DvtError('config', `could not download ${label} from ${url}: ${e.message}`);
    });
    if (!response.ok) throw new DvtError('config', `downloading ${label} from ${url} failed: HTTP ${response.status}`);
    const dir = join(this.scratch, `tar-${this.counter++}`);
    mkdirSync(dir, { recursive: true });
    const file = `${dir}.tar.gz`;
    writeFileSync(file, Buffer.from(await response.arrayBuffer()));
    try {
      await run('tar', ['-xzf', file, '-C', dir]);
    } catch (e) {
      throw new DvtError('config', `${label} from ${url} is not a gzipped tarball: ${((e as { stderr?: string }).stderr ?? '').trim()}`);
    }
    // Tarballs (GitHub's among them) usually hold one top folder.
    const entries = readdirSync(dir, { withFileTypes: true });
    const root = existsSync(join(dir, 'dbt_project.yml')) || entries.length !== 1 || !entries[0]!.isDirectory() ? dir : join(dir, entries[0]!.name);
    return { pinned: pin(projectNameIn(root, label)), dir: root };
  }
}

function identity(spec: PackageSpec, baseDir: string): string {
  switch (spec.kind) {
    case 'local':
      return `local:${resolve(baseDir, spec.path)}`;
    case 'git':
      return `git:${spec.url}#${spec.subdirectory ?? ''}`;
    case 'hub':
      return `hub:${spec.name}`;
    case 'tarball':
      return `tarball:${spec.url}`;
  }
}

function projectNameIn(dir: string, what: string): string {
  const file = join(dir, 'dbt_project.yml');
  if (!existsSync(file)) throw new DvtError('config', `${what} has no dbt_project.yml (looked in ${dir})`);
  const value = parseYaml(readFileSync(file, 'utf8'), file).value as Record<string, unknown> | null;
  const name = value?.name;
  if (typeof name !== 'string' || name.length === 0) throw new DvtError('config', `${what}: dbt_project.yml has no name`, { location: { file, line: 1 } });
  return name;
}

interface Lock {
  hash: string;
  packages: PinnedPackage[];
}

function readLock(projectDir: string): Lock | undefined {
  const file = join(projectDir, LOCK_FILE);
  if (!existsSync(file)) return undefined;
  const value = parseYaml(readFileSync(file, 'utf8'), LOCK_FILE).value as { packages?: Record<string, unknown>[]; sha1_hash?: string } | null;
  if (!value || !Array.isArray(value.packages) || typeof value.sha1_hash !== 'string') return undefined;
  const packages = value.packages.map((p): PinnedPackage => {
    const name = String(p.name ?? '');
    if (p.local !== undefined) return { kind: 'local', path: String(p.local), name };
    if (p.git !== undefined) return { kind: 'git', url: String(p.git), revision: String(p.revision), ...(p.subdirectory ? { subdirectory: String(p.subdirectory) } : {}), name };
    if (p.package !== undefined) return { kind: 'hub', package: String(p.package), version: String(p.version), name };
    return { kind: 'tarball', url: String(p.tarball), name };
  });
  return { hash: value.sha1_hash, packages };
}

function writeLock(projectDir: string, packages: PinnedPackage[], hash: string): void {
  const entries = packages.map((p) => {
    switch (p.kind) {
      case 'local':
        return { local: p.path, name: p.name };
      case 'git':
        return { git: p.writtenUrl ?? p.url, revision: p.revision, ...(p.subdirectory ? { subdirectory: p.subdirectory } : {}), name: p.name };
      case 'hub':
        return { package: p.package, version: p.version, name: p.name };
      case 'tarball':
        return { tarball: p.url, name: p.name };
    }
  });
  writeFileSync(join(projectDir, LOCK_FILE), stringify({ packages: entries, sha1_hash: hash }));
}
