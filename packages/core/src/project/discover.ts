import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';

export interface DiscoveredFile {
  /** Relative to the package root, '/' separated (`models/staging/stg_orders.sql`). */
  originalFilePath: string;
  /** Relative to the resource folder it was found under (`staging/stg_orders.sql`). */
  path: string;
  /** The resource folder (`models`). */
  resourcePath: string;
  absolutePath: string;
}

/** Files under each of `resourcePaths` whose names end in one of `extensions`, sorted for stable output. */
export function discoverFiles(
  rootDir: string,
  resourcePaths: readonly string[],
  extensions: readonly string[],
  ignored?: (originalFilePath: string) => boolean,
): DiscoveredFile[] {
  const found: DiscoveredFile[] = [];
  const seen = new Set<string>();
  for (const resourcePath of resourcePaths) {
    const base = join(rootDir, resourcePath);
    if (!existsSync(base) || !statSync(base).isDirectory()) continue;
    walk(base, '', (relative, absolutePath) => {
      if (!extensions.some((ext) => relative.toLowerCase().endsWith(ext))) return;
      const originalFilePath = posix.join(resourcePath, relative);
      if (seen.has(originalFilePath) || ignored?.(originalFilePath)) return;
      seen.add(originalFilePath);
      found.push({ originalFilePath, path: relative, resourcePath, absolutePath });
    });
  }
  return found.sort((a, b) => (a.originalFilePath < b.originalFilePath ? -1 : a.originalFilePath > b.originalFilePath ? 1 : 0));
}

/** Follows symbolic links (`dvt deps` links local packages), visiting each real directory once. */
function walk(dir: string, prefix: string, visit: (relative: string, absolute: string) => void, seen = new Set<string>()): void {
  const real = realpathSync(dir);
  if (seen.has(real)) return;
  seen.add(real);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    // Hidden files and folders (editor swap files, .git) are never project files.
    if (entry.name.startsWith('.')) continue;
    const absolute = join(dir, entry.name);
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    const kind = entry.isSymbolicLink() ? linkTargetKind(absolute) : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
    if (kind === 'dir') walk(absolute, relative, visit, seen);
    else if (kind === 'file') visit(relative, absolute);
  }
}

function linkTargetKind(path: string): 'dir' | 'file' | 'other' {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
  } catch {
    return 'other'; // a dangling link
  }
}

/** Directories directly under `dir` (following links), sorted by name. */
export function subdirectories(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && (entry.isDirectory() || (entry.isSymbolicLink() && linkTargetKind(join(dir, entry.name)) === 'dir')))
    .map((entry) => entry.name)
    .sort();
}

/** `staging/stg_orders.sql` -> `['staging']` */
export function folderParts(path: string): string[] {
  const parts = path.split('/');
  parts.pop();
  return parts;
}

/** `staging/stg_orders.sql` -> `stg_orders` */
export function baseName(path: string): string {
  const file = path.split('/').pop()!;
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}
