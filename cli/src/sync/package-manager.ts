import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The package manager a project uses, told by the lockfile nearest the
 * project directory (the directory itself, then its ancestors, so a project
 * inside a workspace uses the workspace's manager); npm when there is none.
 */
export type PackageManagerName = 'pnpm' | 'npm' | 'yarn' | 'bun';

export interface PackageManager {
  name: PackageManagerName;
  /** The lockfile that decided it, when one did. */
  lockfile?: string;
}

const LOCKFILES: [file: string, name: PackageManagerName][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['package-lock.json', 'npm'],
  ['npm-shrinkwrap.json', 'npm'],
];

export function detectPackageManager(projectDir: string): PackageManager {
  for (let dir = projectDir; ; dir = dirname(dir)) {
    for (const [file, name] of LOCKFILES) {
      const lockfile = join(dir, file);
      if (existsSync(lockfile)) return { name, lockfile };
    }
    if (dir === dirname(dir)) return { name: 'npm' };
  }
}

/** The argv that adds `specs` as development dependencies of the project in the working directory. */
export function addDevDependencies(pm: PackageManagerName, specs: readonly string[]): string[] {
  switch (pm) {
    case 'pnpm':
      return ['pnpm', 'add', '-D', ...specs];
    case 'yarn':
      return ['yarn', 'add', '-D', ...specs];
    case 'bun':
      return ['bun', 'add', '-d', ...specs];
    case 'npm':
      return ['npm', 'install', '-D', ...specs];
  }
}

/** How a local tarball is named on that manager's command line. */
export function tarballSpec(pm: PackageManagerName, file: string): string {
  // yarn reads a bare path as a package name; the others take the path as is.
  return pm === 'yarn' ? `file:${file}` : file;
}

/** An argv as a user would type it (for --dry-run and messages). */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replaceAll("'", "'\\''")}'`)).join(' ');
}
