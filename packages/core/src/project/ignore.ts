import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `.dbtignore` at a project's root: gitignore patterns for files dbt must not
 * load. Supported: comments, `!` negation (the last matching line wins),
 * `/`-anchored and floating patterns, a trailing `/` for directories, `*`,
 * `?`, `[...]` and `**`.
 */
export type IgnoreMatcher = (relativePath: string) => boolean;

interface Rule {
  negate: boolean;
  directoryOnly: boolean;
  regex: RegExp;
}

export function loadIgnore(rootDir: string): IgnoreMatcher | undefined {
  const file = join(rootDir, '.dbtignore');
  if (!existsSync(file)) return undefined;
  return ignoreMatcher(readFileSync(file, 'utf8'));
}

export function ignoreMatcher(text: string): IgnoreMatcher {
  const rules: Rule[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    let line = rawLine.replace(/(?<!\\)\s+$/, '');
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1);
    const directoryOnly = line.endsWith('/');
    if (directoryOnly) line = line.slice(0, -1);
    // A slash anywhere but the end anchors the pattern to the root; otherwise it matches at any depth.
    const anchored = line.includes('/');
    if (line.startsWith('/')) line = line.slice(1);
    const body = translate(line);
    rules.push({ negate, directoryOnly, regex: new RegExp(`^${anchored ? '' : '(?:.*/)?'}${body}$`) });
  }
  return (relativePath) => {
    const parts = relativePath.split('/');
    let ignored = false;
    for (const rule of rules) {
      // A file is ignored when it, or a folder on its path, matches.
      for (let i = 1; i <= parts.length; i++) {
        const isDirectory = i < parts.length;
        if (rule.directoryOnly && !isDirectory) continue;
        if (rule.regex.test(parts.slice(0, i).join('/'))) {
          ignored = !rule.negate;
          break;
        }
      }
    }
    return ignored;
  };
}

function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*' && pattern[i + 1] === '*') {
      // `**/` = any number of folders; a trailing `**` = everything below.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) out += '\\[';
      else {
        let set = pattern.slice(i + 1, close);
        if (set.startsWith('!')) set = `^${set.slice(1)}`;
        out += `[${set.replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else if (ch === '\\' && i + 1 < pattern.length) {
      out += pattern[i + 1]!.replace(/[.+^${}()|[\]\\*?]/g, '\\$&');
      i += 1;
    } else out += ch.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return out;
}
