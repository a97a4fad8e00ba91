import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DvtError } from '../errors.js';
import { hasJinja, renderYamlString } from '../project/render.js';
import { isRecord, parseYaml, type YamlFile } from '../project/yaml.js';

/** One entry of packages.yml / dependencies.yml (or of package-lock.yml, pinned). */
export type PackageSpec =
  | { kind: 'local'; path: string }
  | {
      kind: 'git';
      url: string;
      revision?: string;
      subdirectory?: string;
      /** The url as packages.yml writes it, when it is Jinja (a token from env_var): what package-lock.yml keeps. */
      writtenUrl?: string;
    }
  | { kind: 'hub'; name: string; version: unknown; installPrerelease: boolean }
  | { kind: 'tarball'; url: string; name?: string };

export interface SpecFile {
  /** `packages.yml` or `dependencies.yml`, relative to the project. */
  file: string;
  text: string;
  specs: PackageSpec[];
}

const SPEC_FILES = ['packages.yml', 'dependencies.yml'];

/**
 * What packages.yml values may read, as dbt renders them: `env_var()`,
 * secret ones (`DBT_ENV_SECRET_*`, e.g. a git token) included.
 */
export interface SpecRendering {
  env: Record<string, string | undefined>;
  /** Receives every secret value read, so callers can keep it out of logs, errors and the lock file. */
  onSecret?(value: string): void;
}

/** The project's package list, or undefined when it declares none. Both files at once is an error, as in dbt. */
export function readSpecFile(projectDir: string, rendering: SpecRendering = { env: {} }): SpecFile | undefined {
  const present = SPEC_FILES.filter((f) => existsSync(join(projectDir, f)));
  if (present.length === 0) return undefined;
  const withPackages = present.filter((f) => packagesOf(join(projectDir, f), f) !== undefined);
  if (withPackages.length > 1) {
    throw new DvtError('config', 'packages are listed in both packages.yml and dependencies.yml; keep one', { location: { file: 'dependencies.yml' } });
  }
  const file = withPackages[0] ?? present[0]!;
  const text = readFileSync(join(projectDir, file), 'utf8');
  const listed = packagesOf(join(projectDir, file), file);
  const entries = listed?.entries ?? [];
  const specs = entries.map((entry, i) => {
    const rendered = renderEntry(entry, listed!.yaml, rendering, listed!.yaml.lineOf(entries, i));
    const spec = parseSpec(rendered, `${file}: package ${i + 1}`, file);
    // A git url built with env_var (a token) is kept as written for package-lock.yml.
    if (spec.kind === 'git' && isRecord(entry) && typeof entry.git === 'string' && hasJinja(entry.git)) spec.writtenUrl = entry.git;
    return spec;
  });
  return { file, text, specs };
}

function packagesOf(path: string, file: string): { entries: unknown[]; yaml: YamlFile } | undefined {
  const yaml = parseYaml(readFileSync(path, 'utf8'), file);
  const value = yaml.value as Record<string, unknown> | null;
  if (value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new DvtError('config', `${file} must be a mapping with a 'packages:' list`, { location: { file, line: 1 } });
  const packages = value.packages;
  if (packages === undefined || packages === null) return undefined;
  if (!Array.isArray(packages)) throw new DvtError('config', `'packages:' must be a list`, { location: { file, line: yaml.lineOf(value, 'packages') } });
  return { entries: packages, yaml };
}

/** One entry with its Jinja strings rendered. */
function renderEntry(entry: unknown, yaml: YamlFile, rendering: SpecRendering, line: number | undefined): unknown {
  if (!isRecord(entry)) return entry;
  const ctx = { env: rendering.env, lookupVar: () => undefined, allowSecrets: true, onSecret: rendering.onSecret };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) {
    out[key] = typeof value === 'string' ? renderYamlString(value, ctx, yaml.file, yaml.lineOf(entry, key) ?? line) : value;
  }
  return out;
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
