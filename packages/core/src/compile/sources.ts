import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A file of Jinja the compiler reads macros (or docs blocks) from. */
export interface JinjaFile {
  /** Path relative to its package root, '/' separated (dbt's original_file_path). */
  path: string;
  packageName: string;
  /** Absolute path of the package root. */
  rootPath: string;
  contents: string;
}

/** The builtin macros shipped in this package (`macros/**.sql`). */
export function builtinMacrosDir(): string {
  // src/compile/ and dist/compile/ are both two levels below the package root.
  return fileURLToPath(new URL('../../macros/', import.meta.url));
}

/** The builtin macro files as the compiler registers them: package `dbt`, paths under `macros/`. */
export function builtinMacroFiles(): JinjaFile[] {
  return collectFiles(builtinMacrosDir(), '.sql', 'dbt').map((f) => ({ ...f, path: `macros/${f.path}` }));
}

/** Where the build writes the index of the builtin macros (scripts/macro-index.mjs). */
export function builtinMacroIndexPath(): string {
  return fileURLToPath(new URL('../../dist/builtin-macros.json', import.meta.url));
}

/** Every `*<extension>` file under `rootPath`, paths relative to it, sorted. */
export function collectFiles(rootPath: string, extension: string, packageName: string): JinjaFile[] {
  return walk(rootPath, extension)
    .map((absolute) => ({
      path: relative(rootPath, absolute).split(sep).join('/'),
      packageName,
      rootPath,
      contents: readFileSync(absolute, 'utf8'),
    }))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function walk(dir: string, extension: string): string[] {
  let entries: string[];
  try {
    if (!statSync(dir).isDirectory()) return [];
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of entries.sort()) {
    if (name.startsWith('.')) continue;
    const full = join(dir, name);
    const stat = statSync(full);
    if (stat.isDirectory()) out.push(...walk(full, extension));
    else if (name.endsWith(extension)) out.push(full);
  }
  return out;
}
