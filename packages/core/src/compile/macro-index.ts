import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Environment } from '@dvt/jinja';
import { parseOrThrow } from './macros.js';
import type { JinjaFile } from './sources.js';

/**
 * What the build records of a directory of macro files (core's builtins):
 * each file's macros and a hash of the text they were read from. With it the
 * compiler registers every builtin without parsing its file, and parses a file
 * the first time one of its macros is called; a run calls a few of the 150-odd
 * builtins. A file whose text no longer matches its hash (edited since the
 * build) is parsed at once, as if there were no index.
 */
export interface MacroIndex {
  /** By the path the compiler registers the file under (`macros/adapters/columns.sql`). */
  files: Record<string, IndexedMacroFile>;
}

export interface IndexedMacroFile {
  hash: string;
  macros: IndexedMacro[];
}

/** What the registry needs of a macro before its file is parsed. */
export interface IndexedMacro {
  name: string;
  line: number;
  args: string[];
}

export function contentHash(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}

/** Parses every file, as the compiler would, and records its macros. */
export function buildMacroIndex(env: Environment, files: readonly JinjaFile[]): MacroIndex {
  const index: MacroIndex = { files: {} };
  for (const file of files) {
    const template = parseOrThrow(env, file.contents, file.path);
    const macros = [...template.macros.values()].map(({ name, line, args }) => ({ name, line, args: [...args] }));
    index.files[file.path] = { hash: contentHash(file.contents), macros };
  }
  return index;
}

/** The index at `path`; undefined when there is none (core run from its sources before a build). */
export function readMacroIndex(path: string): MacroIndex | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const parsed = JSON.parse(text) as Partial<MacroIndex>;
  return parsed.files && typeof parsed.files === 'object' ? (parsed as MacroIndex) : undefined;
}

/** The indexed macros of `file` when the index was built from this very text. */
export function indexedMacros(index: MacroIndex | undefined, file: JinjaFile): IndexedMacro[] | undefined {
  const entry = index?.files[file.path];
  return entry && entry.hash === contentHash(file.contents) ? entry.macros : undefined;
}
