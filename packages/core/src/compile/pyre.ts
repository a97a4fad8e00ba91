import { tuple } from '@dvt/jinja';
import { splitArgs } from './kwargs.js';

// Python's flag values, so templates can pass `modules.re.IGNORECASE`.
const IGNORECASE = 2;
const MULTILINE = 8;
const DOTALL = 16;
const VERBOSE = 64;

const INLINE_FLAG_BITS: Record<string, number> = { i: IGNORECASE, m: MULTILINE, s: DOTALL, x: VERBOSE };

/** A Python pattern in JavaScript syntax: named groups are spelled differently. */
function toJsPattern(pattern: string): string {
  return pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
}

/**
 * Python's global inline flags at the start of a pattern (`(?i)(?s)...`,
 * `(?ix)`), which JavaScript has no syntax for: the pattern without them
 * and their flag bits. `a`, `u` and `L` change nothing here.
 */
function leadingInlineFlags(pattern: string): { body: string; bits: number } {
  let body = pattern;
  let bits = 0;
  for (let m = /^\(\?([aiLmsux]+)\)/.exec(body); m; m = /^\(\?([aiLmsux]+)\)/.exec(body)) {
    for (const letter of m[1]!) bits |= INLINE_FLAG_BITS[letter] ?? 0;
    body = body.slice(m[0].length);
  }
  return { body, bits };
}

/** re.VERBOSE: whitespace and `#` comments outside character classes are not part of the pattern. */
function stripVerbose(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      out += pattern.slice(i, i + 2);
      i++;
    } else if (inClass) {
      out += c;
      if (c === ']') inClass = false;
    } else if (c === '[') {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal member.
      const literal = pattern[i + 1] === '^' ? (pattern[i + 2] === ']' ? 2 : 0) : pattern[i + 1] === ']' ? 1 : 0;
      if (literal > 0) {
        out += pattern.slice(i + 1, i + 1 + literal);
        i += literal;
      }
    } else if (c === '#') {
      while (i < pattern.length && pattern[i] !== '\n') i++;
    } else if (!/\s/.test(c)) {
      out += c;
    }
  }
  return out;
}

function compile(pattern: unknown, flags: unknown, extra = ''): RegExp {
  const inline = leadingInlineFlags(String(pattern));
  const bits = (typeof flags === 'number' ? flags : 0) | inline.bits;
  let js = extra;
  if (bits & IGNORECASE) js += 'i';
  if (bits & MULTILINE) js += 'm';
  if (bits & DOTALL) js += 's';
  const source = toJsPattern(bits & VERBOSE ? stripVerbose(inline.body) : inline.body);
  try {
    return new RegExp(source, 'u' + js);
  } catch {
    // Python reads a `{` that starts no quantifier, `}` and escaped quotes as
    // literals; only JavaScript's non-unicode mode is as lenient.
    return new RegExp(source, js);
  }
}

/** Python's `re.Match`: `group()`, `groups()`, `start()`, `end()`, `span()`. */
export class PyMatch {
  constructor(private readonly m: RegExpExecArray) {}

  group(...args: unknown[]): unknown {
    const { positional } = splitArgs(args);
    const pick = (g: unknown): string | null => {
      const value = typeof g === 'string' ? this.m.groups?.[g] : this.m[Number(g)];
      return value === undefined ? null : value;
    };
    if (positional.length <= 1) return pick(positional[0] ?? 0);
    return tuple(positional.map(pick));
  }

  groups(): unknown {
    return tuple(this.m.slice(1).map((g) => (g === undefined ? null : g)));
  }

  groupdict(): Record<string, string | null> {
    return Object.fromEntries(Object.entries(this.m.groups ?? {}).map(([k, v]) => [k, v ?? null]));
  }

  start(): number {
    return this.m.index;
  }

  end(): number {
    return this.m.index + this.m[0].length;
  }

  span(): unknown {
    return tuple([this.start(), this.end()]);
  }

  toString(): string {
    return `<re.Match object; span=(${this.start()}, ${this.end()}), match='${this.m[0]}'>`;
  }
}

function call(args: unknown[]): { pattern: unknown; text: string; flags: unknown; rest: unknown[] } {
  const { positional, kwargs } = splitArgs(args);
  return { pattern: positional[0] ?? kwargs.pattern, text: String(positional[1] ?? kwargs.string ?? ''), flags: kwargs.flags ?? positional[2], rest: positional.slice(2) };
}

/** `modules.re`: the parts of Python's re that dbt packages use. */
export const reModule = {
  IGNORECASE,
  I: IGNORECASE,
  MULTILINE,
  M: MULTILINE,
  DOTALL,
  S: DOTALL,
  VERBOSE,
  X: VERBOSE,
  search: (...args: unknown[]) => {
    const { pattern, text, flags } = call(args);
    const m = compile(pattern, flags).exec(text);
    return m ? new PyMatch(m) : null;
  },
  match: (...args: unknown[]) => {
    const { pattern, text, flags } = call(args);
    const m = compile(pattern, flags, 'y').exec(text);
    return m ? new PyMatch(m) : null;
  },
  fullmatch: (...args: unknown[]) => {
    const { pattern, text, flags } = call(args);
    const { body, bits } = leadingInlineFlags(String(pattern));
    const m = compile(`(?:${body})$`, (typeof flags === 'number' ? flags : 0) | bits, 'y').exec(text);
    return m ? new PyMatch(m) : null;
  },
  findall: (...args: unknown[]) => {
    const { pattern, text, flags } = call(args);
    return [...text.matchAll(compile(pattern, flags, 'g'))].map((m) => (m.length === 1 ? m[0] : m.length === 2 ? (m[1] ?? '') : tuple(m.slice(1).map((g) => g ?? ''))));
  },
  sub: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    const [pattern, replacement, text] = positional;
    const count = Number(positional[3] ?? kwargs.count ?? 0);
    const regex = compile(pattern, kwargs.flags ?? positional[4], count > 0 ? '' : 'g');
    // Python's \1 and \g<name> in the replacement are $1 and $<name> in JavaScript.
    const js = String(replacement).replace(/\$/g, '$$$$').replace(/\\(\d+)/g, '$$$1').replace(/\\g<(\w+)>/g, (_, g: string) => (/^\d+$/.test(g) ? `$${g}` : `$<${g}>`));
    let out = String(text);
    for (let i = 0; i < Math.max(count, 1); i++) out = out.replace(regex, js);
    return out;
  },
  split: (...args: unknown[]) => {
    const { pattern, text, flags } = call(args);
    return text.split(compile(pattern, flags));
  },
  escape: (text: unknown) => String(text).replace(/[.*+?^${}()|[\]\\\-#&~\s]/g, '\\$&'),
};
