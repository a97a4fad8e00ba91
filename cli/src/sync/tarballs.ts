import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';

/**
 * `dvt sync --from DIR`: packages installed from a directory of package
 * tarballs (`npm pack` / `pnpm pack` output) instead of the registry — for
 * air-gapped machines and for tests. Each tarball is known by the name and
 * version in its own package.json, whatever the file is called.
 */
export interface Tarball {
  file: string;
  name: string;
  version: string;
  /** Names of its dependencies and peer dependencies. */
  needs: string[];
}

export class TarballError extends Error {}

/** Every `*.tgz` in `dir`, by package name (the highest version when a name is there twice). */
export function readTarballDir(dir: string): Map<string, Tarball> {
  const found = new Map<string, Tarball>();
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.tgz')).sort();
  } catch (e) {
    throw new TarballError(`--from ${dir}: ${(e as Error).message}`);
  }
  for (const f of files) {
    const file = resolve(dir, f);
    const tarball = readTarball(file);
    const previous = found.get(tarball.name);
    if (!previous || compareVersions(tarball.version, previous.version) > 0) found.set(tarball.name, tarball);
  }
  return found;
}

export function readTarball(file: string): Tarball {
  let manifest: { name?: unknown; version?: unknown; dependencies?: object; peerDependencies?: object };
  try {
    const text = tarEntry(gunzipSync(readFileSync(file)), 'package.json');
    if (text === undefined) throw new Error('no package.json at its top level');
    manifest = JSON.parse(text) as typeof manifest;
  } catch (e) {
    throw new TarballError(`${file} is not a package tarball: ${(e as Error).message}`);
  }
  if (typeof manifest.name !== 'string' || typeof manifest.version !== 'string') {
    throw new TarballError(`${file}: its package.json has no name or version`);
  }
  const needs = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  return { file, name: manifest.name, version: manifest.version, needs };
}

/**
 * The text of `<top folder>/<path>` in an uncompressed tar archive. Package
 * tarballs put everything under one top folder (`package/` by convention).
 */
function tarEntry(tar: Buffer, path: string): string | undefined {
  let longName: string | undefined;
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return undefined;
    const size = parseInt(field(header, 124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = tar.subarray(offset + 512, offset + 512 + size);
    offset += 512 + Math.ceil(size / 512) * 512;
    if (type === 'L') {
      longName = body.toString('utf8').replace(/\0.*$/s, '');
      continue;
    }
    if (type === 'x' || type === 'g') continue;
    const prefix = field(header, 345, 155);
    const name = longName ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    longName = undefined;
    if ((type === '0' || type === '\0') && name.split('/').slice(1).join('/') === path) return body.toString('utf8');
  }
  return undefined;
}

function field(header: Buffer, start: number, length: number): string {
  const raw = header.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[.+-]/).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  const [pa, pb] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const [x, y] = [pa[i] ?? 0, pb[i] ?? 0];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/**
 * The tarballs to install for `wanted`: each wanted package's tarball, plus
 * those of the packages it needs (dependencies and peers, transitively) that
 * the directory holds and `installed` says are not there yet — so an
 * adapter's peer `@dvt/core` and core's own `@dvt/jinja` come from the
 * directory too rather than from a registry that may not have them.
 */
export function tarballClosure(wanted: readonly string[], tarballs: ReadonlyMap<string, Tarball>, installed: (name: string) => boolean): Tarball[] {
  const picked = new Map<string, Tarball>();
  const visit = (name: string, required: boolean) => {
    if (picked.has(name)) return;
    const tarball = tarballs.get(name);
    if (!tarball || (!required && installed(name))) return;
    picked.set(name, tarball);
    for (const dep of tarball.needs) visit(dep, false);
  };
  for (const name of wanted) visit(name, true);
  return [...picked.values()];
}

/** Whether a package is installed where Node's resolution from `dir` finds it. */
export function installedFrom(dir: string): (name: string) => boolean {
  return (name) => {
    for (let d = resolve(dir); ; d = resolve(d, '..')) {
      try {
        readFileSync(join(d, 'node_modules', name, 'package.json'));
        return true;
      } catch {
        if (d === resolve(d, '..')) return false;
      }
    }
  };
}

/**
 * pnpm resolves a tarball's own dependencies from the registry even when a
 * tarball of that package is installed beside it (npm reuses the top-level
 * one): `pnpm.overrides` entries pointing every package of the closure at its
 * tarball keep the install off the registry. Returns the manifest with them,
 * or undefined when it already has them.
 */
export function withPnpmOverrides(manifest: Record<string, unknown>, tarballs: readonly Tarball[]): Record<string, unknown> | undefined {
  const pnpm = (typeof manifest.pnpm === 'object' && manifest.pnpm !== null ? manifest.pnpm : {}) as Record<string, unknown>;
  const overrides = (typeof pnpm.overrides === 'object' && pnpm.overrides !== null ? pnpm.overrides : {}) as Record<string, string>;
  const wanted = Object.fromEntries(tarballs.map((t) => [t.name, `file:${t.file}`]));
  if (Object.entries(wanted).every(([name, spec]) => overrides[name] === spec)) return undefined;
  return { ...manifest, pnpm: { ...pnpm, overrides: { ...overrides, ...wanted } } };
}
