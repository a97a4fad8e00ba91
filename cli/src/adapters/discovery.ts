import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AdapterDefinition, ProfileOutput } from '@dvt/core';

/**
 * Adapter discovery (ARCHITECTURE.md §3). A profile output `type: postgres`
 * is served by the first package that resolves — an explicit `adapter:` name
 * on the output, then `@dvt/adapter-postgres`, then `dvt-adapter-postgres` —
 * looked up from the project directory first, then from the CLI's own
 * install. Only the types a run asks for are imported.
 */

export interface DiscoveredAdapter {
  definition: AdapterDefinition;
  packageName: string;
  version?: string;
  /** The module file that was imported. */
  entry: string;
}

export interface DiscoveryOptions {
  projectDir: string;
  /** Profile outputs, for their explicit `adapter:` package names. */
  outputs: ProfileOutput[];
  /** Where the CLI itself is installed; its dependencies are the fallback. */
  cliUrl?: string;
}

export type AdapterResolver = (type: string) => Promise<AdapterDefinition>;

/** Candidate package names for a type, in the order they are tried. */
export function candidatePackages(type: string, explicit: string[] = []): string[] {
  return [...new Set([...explicit, `@dvt/adapter-${type}`, `dvt-adapter-${type}`])];
}

/** Resolves and validates adapters once per type; shared by every command that connects. */
export function createAdapterDiscovery(options: DiscoveryOptions): {
  resolve: AdapterResolver;
  discover: (type: string) => Promise<DiscoveredAdapter>;
} {
  const found = new Map<string, Promise<DiscoveredAdapter>>();
  const discover = (type: string) => {
    let pending = found.get(type);
    if (!pending) {
      pending = discoverAdapter(type, options);
      found.set(type, pending);
    }
    return pending;
  };
  return { discover, resolve: async (type) => (await discover(type)).definition };
}

export async function discoverAdapter(type: string, options: DiscoveryOptions): Promise<DiscoveredAdapter> {
  const { DvtError, validateAdapter } = await import('@dvt/core');
  const explicit = options.outputs.filter((o) => o.type === type && o.adapter).map((o) => o.adapter as string);
  const names = candidatePackages(type, explicit);
  const projectUrl = pathToFileURL(join(options.projectDir, 'package.json')).href;
  const cliUrl = options.cliUrl;
  const bases = [
    {
      label: options.projectDir,
      resolve: async (name: string) => (resolvableFrom(options.projectDir, name) ? (await import('import-meta-resolve')).resolve(name, projectUrl) : notFound(name)),
    },
    {
      label: 'the dvt installation',
      // Node's own resolver answers for this module's location without loading import-meta-resolve.
      resolve: async (name: string) => (cliUrl ? (await import('import-meta-resolve')).resolve(name, cliUrl) : import.meta.resolve(name)),
    },
  ];
  for (const base of bases) {
    for (const packageName of names) {
      let entry: string;
      try {
        entry = await base.resolve(packageName);
      } catch (e) {
        if (isNotFound(e)) continue;
        throw new DvtError('adapter', `Adapter package ${packageName} (for type '${type}') is installed but cannot be resolved: ${(e as Error).message}`, { cause: e });
      }
      let loaded: unknown;
      try {
        loaded = await import(entry);
      } catch (e) {
        throw new DvtError('adapter', `Adapter package ${packageName} (for type '${type}') failed to load: ${(e as Error).message}`, { cause: e });
      }
      const definition = validateAdapter(loaded, packageName);
      if (definition.type !== type && !definition.aliases?.includes(type)) {
        throw new DvtError('adapter', `${packageName} is an adapter for '${definition.type}', not for profile type '${type}'.`);
      }
      return { definition, packageName, entry: fileURLToPath(entry), version: packageVersion(fileURLToPath(entry), packageName) };
    }
  }
  throw new DvtError(
    'adapter',
    [
      `No adapter installed for profile type '${type}'.`,
      `Tried ${names.join(', ')} from ${bases.map((b) => b.label).join(' and from ')}.`,
      `Install it: ${installCommand(options.projectDir, names[0])}`,
    ].join('\n'),
  );
}

/**
 * Whether resolving `packageName` from `dir` can find anything: a
 * `node_modules/<name>` in `dir` or above it, or a package.json of that name
 * (a package importing itself). With neither, Node's resolution fails there
 * for certain, and import-meta-resolve, with the builtins it loads (a tenth
 * of a small command's start-up), is not loaded to learn it.
 */
export function resolvableFrom(dir: string, packageName: string): boolean {
  for (let at = dir; ; at = dirname(at)) {
    if (existsSync(join(at, 'node_modules', ...packageName.split('/')))) return true;
    const manifest = join(at, 'package.json');
    if (existsSync(manifest) && ownName(manifest) === packageName) return true;
    if (at === dirname(at)) return false;
  }
}

function ownName(manifest: string): unknown {
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name;
  } catch {
    return undefined;
  }
}

function notFound(packageName: string): never {
  throw Object.assign(new Error(`Cannot find package '${packageName}'`), { code: 'ERR_MODULE_NOT_FOUND' });
}

function isNotFound(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || code === 'MODULE_NOT_FOUND';
}

/** The version in the package.json of `packageName` that owns `file`. */
export function packageVersion(file: string, packageName: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === packageName) return pkg.version;
  }
  return undefined;
}

const LOCKFILES: [file: string, command: string][] = [
  ['pnpm-lock.yaml', 'pnpm add -D'],
  ['yarn.lock', 'yarn add -D'],
  ['bun.lock', 'bun add -d'],
  ['bun.lockb', 'bun add -d'],
  ['package-lock.json', 'npm install -D'],
];

/** The install command of the package manager whose lockfile is nearest the project (npm when none). */
export function installCommand(projectDir: string, packageName: string): string {
  for (let dir = projectDir; ; dir = dirname(dir)) {
    for (const [file, command] of LOCKFILES) {
      if (existsSync(join(dir, file))) return `${command} ${packageName}`;
    }
    if (dir === dirname(dir)) return `npm install -D ${packageName}`;
  }
}
