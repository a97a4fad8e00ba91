/**
 * Shell-style wildcards as Python's fnmatch (case-sensitive, as dbt runs on
 * POSIX): `*` any run, `?` one character, `[abc]`/`[!abc]` sets.
 */
const cache = new Map<string, RegExp>();

export function hasWildcard(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

export function fnmatch(text: string, pattern: string): boolean {
  let regex = cache.get(pattern);
  if (!regex) {
    regex = new RegExp(`^${translate(pattern)}$`, 's');
    cache.set(pattern, regex);
  }
  return regex.test(text);
}

function translate(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === '*') out += '.*';
    else if (ch === '?') out += '.';
    else if (ch === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close === -1) {
        out += '\\[';
        continue;
      }
      let set = pattern.slice(i + 1, close);
      if (set.startsWith('!')) set = `^${set.slice(1)}`;
      out += `[${set.replace(/\\/g, '\\\\')}]`;
      i = close;
    } else out += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return out;
}
