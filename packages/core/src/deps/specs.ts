import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DvtError } from '../errors.js';
import { parseYaml } from '../project/yaml.js';

/** One entry of packages.yml / dependencies.yml (or of package-lock.yml, pinned). */
export type PackageSpec =
  | { kind: 'local'; path: string }
  | { kind: 'git'; url: string; revision?: string; subdirectory?: string }
  | { kind: 'hub'; name: string; version: unknown; installPrerelease: boolean }
  | { kind: 'tarball'; url: string; name?: string };

export interface SpecFile {
  /** `packages.yml` or `dependencies.yml`, relative to the project. */
  file: string;
  text: string;
  specs: PackageSpec[];
}

const SPEC_FILES = ['packages.yml', 'dependencies.yml'];

/** The project's package list, or undefined when it declares none. Both files at once is an error, as in dbt. */
export function readSpecFile(projectDir: string): SpecFile | undefined {
  const present = SPEC_FILES.filter((f) => existsSync(join(projectDir, f)));
  if (present.length === 0) return undefined;
  const withPackages = present.filter((f) => packagesOf(join(projectDir, f), f) !== undefined);
  if (withPackages.length > 1) {
    throw new DvtError('config', 'packages are listed in both packages.yml and dependencies.yml; keep one', { location: { file: 'dependencies.yml' } });
  }
  const file = withPackages[0] ?? present[0]!;
  const text = readFileSync(join(projectDir, file), 'utf8');
  return { file, text, specs: parseSpecs(packagesOf(join(projectDir, file), file) ?? [], file) };
}

function packagesOf(path: string, file: string): unknown[] | undefined {
  const yaml = parseYaml(readFileSync(path, 'utf8'), file);
  const value = yaml.value as Record<string, unknown> | null;
  if (value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new DvtError('config', `${file} must be a mapping with a 'packages:' list`, { location: { file, line: 1 } });
  const packages = value.packages;
  if (packages === undefined || packages === null) return undefined;
  if (!Array.isArray(packages)) throw new DvtError('config', `'packages:' must be a list`, { location: { file, line: yaml.lineOf(value, 'packages') } });
  return packages;
}

export function parseSpecs(entries: unknown[], file: string): PackageSpec[] {
  return entries.map((entry, i) => parseSpec(entry, `${file}: package ${i + 1}`, file));
}

function parseSpec(entry: unknown, where: string, file: string): PackageSpec {
  const fail = (message: string): never => {
    throw new DvtError('config', `${where}: ${message}`, { location: { file } });
  };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return fail('expected a mapping such as {package: dbt-labs/dbt_utils, version: 1.1.1}');
  const e = entry as Record<string, unknown>;
  const str = (key: string): string | undefined => (e[key] === undefined || e[key] === null ? undefined : String(e[key]));
  if (e.local !== undefined) return { kind: 'local', path: String(e.local) };
  if (e.git !== undefined) return { kind: 'git', url: String(e.git), revision: str('revision'), subdirectory: str('subdirectory') };
  if (e.package !== undefined) {
    const name = String(e.package);
    if (!/^[^/\s]+\/[^/\s]+$/.test(name)) fail(`'${name}' is not a hub package name (organisation/package)`);
    if (e.version === undefined) fail(`hub package '${name}' needs a version (a version or a range such as [">=1.0.0", "<2.0.0"])`);
    return { kind: 'hub', name, version: e.version, installPrerelease: e['install-prerelease'] === true };
  }
  if (e.tarball !== undefined) return { kind: 'tarball', url: String(e.tarball), name: str('name') };
  const keys = Object.keys(e);
  return fail(`unknown package kind (keys: ${keys.join(', ') || 'none'}); expected one of local, git, package, tarball`);
}
