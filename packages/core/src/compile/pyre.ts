import { tuple } from '@dvt/jinja';
import { splitArgs } from './kwargs.js';

// Python's flag values, so templates can pass `modules.re.IGNORECASE`.
const IGNORECASE = 2;
const MULTILINE = 8;
const DOTALL = 16;

/** A Python pattern in JavaScript syntax: named groups are spelled differently. */
function toJsPattern(pattern: string): string {
  return pattern.replace(/\(\?P</g, '(?<').replace(/\(\?P=(\w+)\)/g, '\\k<$1>');
}

function compile(pattern: unknown, flags: unknown, extra = ''): RegExp {
  const bits = typeof flags === 'number' ? flags : 0;
  let js = 'u' + extra;
  if (bits & IGNORECASE) js += 'i';
  if (bits & MULTILINE) js += 'm';
  if (bits & DOTALL) js += 's';
  return new RegExp(toJsPattern(String(pattern)), js);
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
    const m = compile(`(?:${toJsPattern(String(pattern))})$`, flags, 'y').exec(text);
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
