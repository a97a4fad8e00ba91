// Methods of Python's builtin types as templates call them: str, list, tuple, dict, float.
import { pyError } from './errors.js';
import { strFormat } from './format.js';
import * as ops from './ops.js';
import type { Runtime } from './runtime.js';
import {
  PyDict,
  PyFloat,
  PySet,
  PyTuple,
  isFloat,
  isMapping,
  mappingDelete,
  mappingGet,
  mappingHas,
  mappingItems,
  mappingKeys,
  mappingSet,
  num,
  pyRepr,
  pySet,
  pyTypeName,
  tuple,
  view,
} from './values.js';

export type MethodImpl = (rt: Runtime, self: any, args: unknown[], kwargs: Record<string, unknown> | null) => unknown;

/** Positional-or-keyword argument `i` named `name`, or `fallback`. */
export function arg(args: unknown[], kwargs: Record<string, unknown> | null, i: number, name: string, fallback: unknown): unknown {
  if (i < args.length) return args[i];
  if (kwargs !== null && Object.prototype.hasOwnProperty.call(kwargs, name)) return kwargs[name];
  return fallback;
}

function intArg(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  throw pyError('TypeError', `'${pyTypeName(v)}' object cannot be interpreted as an integer${what ? '' : ''}`);
}

function strArg(v: unknown, method: string): string {
  if (typeof v !== 'string') throw pyError('TypeError', `${method} arg must be None or str`);
  return v;
}

const PY_WS = ' \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000';
const isWs = (c: string) => PY_WS.includes(c);

function stripChars(s: string, chars: unknown, left: boolean, right: boolean): string {
  const set = chars === null || chars === undefined ? null : strArg(chars, 'strip');
  const test = set === null ? isWs : (c: string) => set.includes(c);
  let a = 0;
  let b = s.length;
  if (left) while (a < b && test(s[a])) a++;
  if (right) while (b > a && test(s[b - 1])) b--;
  return s.slice(a, b);
}

function splitWs(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && isWs(s[i])) i++;
    if (i >= n) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(s.slice(i));
      return out;
    }
    let j = i;
    while (j < n && !isWs(s[j])) j++;
    out.push(s.slice(i, j));
    i = j;
  }
  return out;
}

function rsplitWs(s: string, maxsplit: number): string[] {
  const out: string[] = [];
  let i = s.length;
  while (i > 0) {
    while (i > 0 && isWs(s[i - 1])) i--;
    if (i <= 0) break;
    if (maxsplit >= 0 && out.length === maxsplit) {
      out.push(s.slice(0, i));
      break;
    }
    let j = i;
    while (j > 0 && !isWs(s[j - 1])) j--;
    out.push(s.slice(j, i));
    i = j;
  }
  return out.reverse();
}

export function pySplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) return splitWs(s, maxsplit);
  const sp = strArg(sep, 'split');
  if (sp === '') throw pyError('ValueError', 'empty separator');
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  return [...parts.slice(0, maxsplit), parts.slice(maxsplit).join(sp)];
}

function pyRsplit(s: string, sep: unknown, maxsplit: number): string[] {
  if (sep === null || sep === undefined) return rsplitWs(s, maxsplit);
  const sp = strArg(sep, 'rsplit');
  if (sp === '') throw pyError('ValueError', 'empty separator');
  const parts = s.split(sp);
  if (maxsplit < 0 || parts.length <= maxsplit + 1) return parts;
  const keep = parts.length - maxsplit;
  return [parts.slice(0, keep).join(sp), ...parts.slice(keep)];
}

function isCased(c: string): boolean {
  return c.toLowerCase() !== c.toUpperCase();
}

export function pyTitle(s: string): string {
  let out = '';
  let prevCased = false;
  for (const c of s) {
    out += prevCased ? c.toLowerCase() : titleChar(c);
    prevCased = isCased(c) || /\p{Lt}|\p{Lu}|\p{Ll}/u.test(c);
  }
  return out;
}

// Characters whose titlecase differs from their uppercase (the Latin digraphs).
const TITLECASE: Record<string, string> = {
  '\u01c4': '\u01c5', '\u01c5': '\u01c5', '\u01c6': '\u01c5',
  '\u01c7': '\u01c8', '\u01c8': '\u01c8', '\u01c9': '\u01c8',
  '\u01ca': '\u01cb', '\u01cb': '\u01cb', '\u01cc': '\u01cb',
  '\u01f1': '\u01f2', '\u01f2': '\u01f2', '\u01f3': '\u01f2',
  '\u00df': 'Ss', '\ufb00': 'Ff', '\ufb01': 'Fi', '\ufb02': 'Fl', '\ufb03': 'Ffi', '\ufb04': 'Ffl', '\ufb05': 'St', '\ufb06': 'St',
};

// Full case folding beyond lower-casing, for the characters templates meet.
const CASEFOLD: Record<string, string> = {
  '\u00df': 'ss', '\u03c2': '\u03c3', '\ufb00': 'ff', '\ufb01': 'fi', '\ufb02': 'fl', '\ufb03': 'ffi', '\ufb04': 'ffl', '\ufb05': 'st', '\ufb06': 'st',
};

/** The first character of `s` in titlecase. */
export function titleChar(s: string): string {
  if (!s) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return TITLECASE[first] ?? first.toUpperCase();
}

export function pyCapitalize(s: string): string {
  if (!s) return s;
  const first = String.fromCodePoint(s.codePointAt(0)!);
  return titleChar(first) + s.slice(first.length).toLowerCase();
}

function adjustIndices(s: string, start: unknown, end: unknown): [number, number] {
  const len = s.length;
  let a = start === null || start === undefined ? 0 : intArg(start, '');
  let b = end === null || end === undefined ? len : intArg(end, '');
  if (a < 0) a = Math.max(0, len + a);
  if (b < 0) b = Math.max(0, len + b);
  return [a, Math.min(b, len)];
}

function find(s: string, sub: string, start: unknown, end: unknown, reverse: boolean): number {
  const [a, b] = adjustIndices(s, start, end);
  if (a > b) return -1;
  const region = s.slice(a, b);
  const i = reverse ? region.lastIndexOf(sub) : region.indexOf(sub);
  return i < 0 ? -1 : i + a;
}

function countSub(s: string, sub: string, start: unknown, end: unknown): number {
  const [a, b] = adjustIndices(s, start, end);
  if (a > b) return 0;
  const region = s.slice(a, b);
  if (sub === '') return region.length + 1;
  let n = 0;
  let i = region.indexOf(sub);
  while (i !== -1) {
    n++;
    i = region.indexOf(sub, i + sub.length);
  }
  return n;
}

function prefixTest(s: string, prefix: unknown, start: unknown, end: unknown, fromEnd: boolean): boolean {
  const [a, b] = adjustIndices(s, start, end);
  const region = s.slice(a, Math.max(a, b));
  const candidates = prefix instanceof PyTuple ? prefix : [prefix];
  for (const p of candidates) {
    if (typeof p !== 'string')
      throw pyError('TypeError', `${fromEnd ? 'endswith' : 'startswith'} first arg must be str or a tuple of str, not ${pyTypeName(p)}`);
    if (a > s.length) continue;
    if (fromEnd ? region.endsWith(p) : region.startsWith(p)) return true;
  }
  return false;
}

function pad(s: string, width: unknown, fill: unknown, where: 'center' | 'ljust' | 'rjust'): string {
  const w = intArg(width, '');
  const f = fill === undefined ? ' ' : (fill as string);
  if (typeof f !== 'string' || [...f].length !== 1) throw pyError('TypeError', 'The fill character must be exactly one character long');
  const len = [...s].length;
  if (w <= len) return s;
  const total = w - len;
  if (where === 'ljust') return s + f.repeat(total);
  if (where === 'rjust') return f.repeat(total) + s;
  // CPython's centering puts the extra pad on the left when the string length is odd
  const left = Math.floor(total / 2) + (total & w & 1);
  return f.repeat(left) + s + f.repeat(total - left);
}

function splitlines(s: string, keepends: boolean): string[] {
  const out: string[] = [];
  // Python's line boundaries include control characters
  // eslint-disable-next-line no-control-regex
  const re = new RegExp('\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]', 'g');
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    out.push(s.slice(last, keepends ? m.index + m[0].length : m.index));
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

function expandtabs(s: string, size: number): string {
  let out = '';
  let col = 0;
  for (const c of s) {
    if (c === '\t') {
      if (size > 0) {
        const n = size - (col % size);
        out += ' '.repeat(n);
        col += n;
      }
    } else {
      out += c;
      col = c === '\n' || c === '\r' ? 0 : col + 1;
    }
  }
  return out;
}

function joinItems(rt: Runtime, sep: string, iterable: unknown): string {
  const items = rt.iterate(iterable);
  for (const [i, it] of items.entries()) {
    if (typeof it !== 'string') throw pyError('TypeError', `sequence item ${i}: expected str instance, ${pyTypeName(it)} found`);
  }
  return (items as string[]).join(sep);
}

const STR_METHODS: Record<string, MethodImpl> = {
  upper: (_rt, s) => s.toUpperCase(),
  lower: (_rt, s) => s.toLowerCase(),
  casefold: (_rt, s: string) => [...s.toLowerCase()].map((c) => CASEFOLD[c] ?? c).join(''),
  swapcase: (_rt, s: string) => [...s].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  title: (_rt, s) => pyTitle(s),
  capitalize: (_rt, s) => pyCapitalize(s),
  strip: (_rt, s, a, k) => stripChars(s, arg(a, k, 0, 'chars', null), true, true),
  lstrip: (_rt, s, a, k) => stripChars(s, arg(a, k, 0, 'chars', null), true, false),
  rstrip: (_rt, s, a, k) => stripChars(s, arg(a, k, 0, 'chars', null), false, true),
  split: (_rt, s, a, k) => pySplit(s, arg(a, k, 0, 'sep', null), intArg(arg(a, k, 1, 'maxsplit', -1), '')),
  rsplit: (_rt, s, a, k) => pyRsplit(s, arg(a, k, 0, 'sep', null), intArg(arg(a, k, 1, 'maxsplit', -1), '')),
  splitlines: (_rt, s, a, k) => splitlines(s, ops.truthy(arg(a, k, 0, 'keepends', false))),
  startswith: (_rt, s, a) => prefixTest(s, a[0], a[1], a[2], false),
  endswith: (_rt, s, a) => prefixTest(s, a[0], a[1], a[2], true),
  replace: (_rt, s: string, a, k) => {
    const old = strArg(arg(a, k, 0, 'old', undefined), 'replace');
    const rep = strArg(arg(a, k, 1, 'new', undefined), 'replace');
    let count = intArg(arg(a, k, 2, 'count', -1), '');
    if (count < 0) {
      if (old === '') return rep + [...s].join(rep) + rep;
      return s.split(old).join(rep);
    }
    let out = '';
    let rest = s;
    while (count-- > 0) {
      const i = rest.indexOf(old);
      if (i < 0) break;
      if (old === '') {
        out += rep + rest.slice(0, 1);
        rest = rest.slice(1);
        continue;
      }
      out += rest.slice(0, i) + rep;
      rest = rest.slice(i + old.length);
    }
    return out + rest;
  },
  format: (rt, s, a, k) => strFormat(rt, s, a, k ?? {}),
  format_map: (rt, s, a) => strFormat(rt, s, [], a[0] as Record<string, unknown>),
  join: (rt, s, a) => joinItems(rt, s, a[0]),
  find: (_rt, s, a) => find(s, strArg(a[0], 'find'), a[1], a[2], false),
  rfind: (_rt, s, a) => find(s, strArg(a[0], 'rfind'), a[1], a[2], true),
  index: (_rt, s, a) => {
    const i = find(s, strArg(a[0], 'index'), a[1], a[2], false);
    if (i < 0) throw pyError('ValueError', 'substring not found');
    return i;
  },
  rindex: (_rt, s, a) => {
    const i = find(s, strArg(a[0], 'rindex'), a[1], a[2], true);
    if (i < 0) throw pyError('ValueError', 'substring not found');
    return i;
  },
  count: (_rt, s, a) => countSub(s, strArg(a[0], 'count'), a[1], a[2]),
  zfill: (_rt, s: string, a) => {
    const w = intArg(a[0], '');
    if (s.length >= w) return s;
    const sign = s[0] === '-' || s[0] === '+' ? s[0] : '';
    return sign + '0'.repeat(w - s.length) + s.slice(sign.length);
  },
  center: (_rt, s, a) => pad(s, a[0], a[1], 'center'),
  ljust: (_rt, s, a) => pad(s, a[0], a[1], 'ljust'),
  rjust: (_rt, s, a) => pad(s, a[0], a[1], 'rjust'),
  partition: (_rt, s: string, a) => {
    const sep = strArg(a[0], 'partition');
    if (sep === '') throw pyError('ValueError', 'empty separator');
    const i = s.indexOf(sep);
    return i < 0 ? tuple([s, '', '']) : tuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  rpartition: (_rt, s: string, a) => {
    const sep = strArg(a[0], 'rpartition');
    if (sep === '') throw pyError('ValueError', 'empty separator');
    const i = s.lastIndexOf(sep);
    return i < 0 ? tuple(['', '', s]) : tuple([s.slice(0, i), sep, s.slice(i + sep.length)]);
  },
  removeprefix: (_rt, s: string, a) => (s.startsWith(a[0] as string) ? s.slice((a[0] as string).length) : s),
  removesuffix: (_rt, s: string, a) => (a[0] && s.endsWith(a[0] as string) ? s.slice(0, s.length - (a[0] as string).length) : s),
  expandtabs: (_rt, s, a, k) => expandtabs(s, intArg(arg(a, k, 0, 'tabsize', 8), '')),
  isdigit: (_rt, s) => s.length > 0 && /^[\p{Nd}\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089]+$/u.test(s),
  isdecimal: (_rt, s) => s.length > 0 && /^\p{Nd}+$/u.test(s),
  isnumeric: (_rt, s) => s.length > 0 && /^[\p{N}]+$/u.test(s),
  isalpha: (_rt, s) => s.length > 0 && /^[\p{L}]+$/u.test(s),
  isalnum: (_rt, s) => s.length > 0 && /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (_rt, s: string) => s.length > 0 && [...s].every(isWs),
  isupper: (_rt, s: string) => /\p{Lu}|\p{Lt}/u.test(s) && s === s.toUpperCase() && !/\p{Ll}/u.test(s),
  islower: (_rt, s: string) => /\p{Ll}/u.test(s) && s === s.toLowerCase(),
  istitle: (_rt, s: string) => /\p{L}/u.test(s) && pyTitle(s) === s,
  isidentifier: (_rt, s: string) => /^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(s),
  isascii: (_rt, s: string) => [...s].every((c) => c.charCodeAt(0) < 0x80),
  isprintable: (_rt, s: string) => [...s].every((c) => c === ' ' || !/[\p{C}\p{Z}]/u.test(c)),
  encode: (_rt, s) => s,
};

function listIndex(self: unknown[], value: unknown, start: unknown = 0, end: unknown = null): number {
  const len = self.length;
  let a = intArg(start, '');
  let b = end === null || end === undefined ? len : intArg(end, '');
  if (a < 0) a = Math.max(0, len + a);
  if (b < 0) b = Math.max(0, len + b);
  for (let i = a; i < Math.min(b, len); i++) if (ops.eq(self[i], value)) return i;
  return -1;
}

const SEQ_METHODS: Record<string, MethodImpl> = {
  index: (_rt, self: unknown[], a) => {
    const i = listIndex(self, a[0], a[1], a[2]);
    if (i < 0) throw pyError('ValueError', self instanceof PyTuple ? 'tuple.index(x): x not in tuple' : `${pyRepr(a[0])} is not in list`);
    return i;
  },
  count: (_rt, self: unknown[], a) => self.filter((x) => ops.eq(x, a[0])).length,
};

const LIST_METHODS: Record<string, MethodImpl> = {
  ...SEQ_METHODS,
  append: (_rt, self: unknown[], a) => {
    self.push(a[0]);
    return null;
  },
  extend: (rt, self: unknown[], a) => {
    self.push(...rt.iterate(a[0]));
    return null;
  },
  insert: (_rt, self: unknown[], a) => {
    let i = intArg(a[0], '');
    if (i < 0) i = Math.max(0, self.length + i);
    self.splice(Math.min(i, self.length), 0, a[1]);
    return null;
  },
  pop: (_rt, self: unknown[], a) => {
    if (self.length === 0) throw pyError('IndexError', 'pop from empty list');
    let i = a.length ? intArg(a[0], '') : self.length - 1;
    if (i < 0) i += self.length;
    if (i < 0 || i >= self.length) throw pyError('IndexError', 'pop index out of range');
    return self.splice(i, 1)[0];
  },
  remove: (_rt, self: unknown[], a) => {
    const i = listIndex(self, a[0]);
    if (i < 0) throw pyError('ValueError', 'list.remove(x): x not in list');
    self.splice(i, 1);
    return null;
  },
  reverse: (_rt, self: unknown[]) => {
    self.reverse();
    return null;
  },
  sort: (rt, self: unknown[], _a, k) => {
    const reverse = ops.truthy(arg([], k, 0, 'reverse', false));
    const key = arg([], k, 0, 'key', null);
    const keyed = self.map((v) => [key === null ? v : rt.call(key, [v], null), v] as const);
    keyed.sort((x, y) => ops.compare(x[0], y[0], '<'));
    if (reverse) keyed.reverse();
    self.splice(0, self.length, ...keyed.map((x) => x[1]));
    return null;
  },
  copy: (_rt, self: unknown[]) => self.slice(),
  clear: (_rt, self: unknown[]) => {
    self.length = 0;
    return null;
  },
};

const DICT_METHODS: Record<string, MethodImpl> = {
  items: (_rt, self) => view('dict_items', mappingItems(self).map(([k, v]) => tuple([k, v]))),
  keys: (_rt, self) => view('dict_keys', mappingKeys(self)),
  values: (_rt, self) => view('dict_values', mappingItems(self).map(([, v]) => v)),
  get: (_rt, self, a) => {
    const v = mappingGet(self, a[0]);
    return v === undefined ? (a.length > 1 ? a[1] : null) : v;
  },
  update: (rt, self, a, k) => {
    if (a.length) {
      const other = a[0];
      if (isMapping(other)) for (const [key, v] of mappingItems(other)) mappingSet(self, key, v);
      else for (const pair of rt.iterate(other)) {
        const kv = rt.iterate(pair);
        mappingSet(self, kv[0], kv[1]);
      }
    }
    if (k) for (const key of Object.keys(k)) mappingSet(self, key, k[key]);
    return null;
  },
  setdefault: (_rt, self, a) => {
    if (mappingHas(self, a[0])) return mappingGet(self, a[0]);
    const v = a.length > 1 ? a[1] : null;
    mappingSet(self, a[0], v);
    return v;
  },
  pop: (_rt, self, a) => {
    if (mappingHas(self, a[0])) {
      const v = mappingGet(self, a[0]);
      mappingDelete(self, a[0]);
      return v;
    }
    if (a.length > 1) return a[1];
    throw pyError('KeyError', pyRepr(a[0]));
  },
  popitem: (_rt, self) => {
    const items = mappingItems(self);
    if (!items.length) throw pyError('KeyError', "'popitem(): dictionary is empty'");
    const [k, v] = items[items.length - 1];
    mappingDelete(self, k);
    return tuple([k, v]);
  },
  copy: (_rt, self) => PyDict.from(mappingItems(self)),
  clear: (_rt, self) => {
    for (const k of mappingKeys(self)) mappingDelete(self, k);
    return null;
  },
};

/** Every argument's items, for set methods taking any number of iterables. */
function iterables(rt: Runtime, args: unknown[]): unknown[][] {
  return args.map((a) => [...rt.iterate(a)]);
}

const SET_METHODS: Record<string, MethodImpl> = {
  add: (_rt, self: PySet, a) => {
    if (!ops.contains(self, a[0])) self.push(a[0]);
    return null;
  },
  update: (rt, self: PySet, a) => {
    for (const item of iterables(rt, a).flat()) if (!ops.contains(self, item)) self.push(item);
    return null;
  },
  discard: (_rt, self: PySet, a) => {
    const i = self.findIndex((x) => ops.eq(x, a[0]));
    if (i >= 0) self.splice(i, 1);
    return null;
  },
  remove: (_rt, self: PySet, a) => {
    const i = self.findIndex((x) => ops.eq(x, a[0]));
    if (i < 0) throw pyError('KeyError', pyRepr(a[0]));
    self.splice(i, 1);
    return null;
  },
  pop: (_rt, self: PySet) => {
    if (self.length === 0) throw pyError('KeyError', "'pop from an empty set'");
    return self.shift();
  },
  clear: (_rt, self: PySet) => {
    self.length = 0;
    return null;
  },
  copy: (_rt, self: PySet) => pySet(self),
  union: (rt, self: PySet, a) => pySet([...self, ...iterables(rt, a).flat()]),
  intersection: (rt, self: PySet, a) => pySet(self.filter((x) => iterables(rt, a).every((other) => ops.contains(other, x)))),
  difference: (rt, self: PySet, a) => pySet(self.filter((x) => !iterables(rt, a).some((other) => ops.contains(other, x)))),
  symmetric_difference: (rt, self: PySet, a) => {
    const other = pySet(rt.iterate(a[0]));
    return pySet([...self.filter((x) => !ops.contains(other, x)), ...other.filter((x) => !ops.contains(self, x))]);
  },
  issubset: (rt, self: PySet, a) => {
    const other = [...rt.iterate(a[0])];
    return self.every((x) => ops.contains(other, x));
  },
  issuperset: (rt, self: PySet, a) => [...rt.iterate(a[0])].every((x) => ops.contains(self, x)),
  isdisjoint: (rt, self: PySet, a) => ![...rt.iterate(a[0])].some((x) => ops.contains(self, x)),
};

const FLOAT_METHODS: Record<string, MethodImpl> = {
  is_integer: (_rt, self) => Number.isInteger(num(self)),
};

/** The builtin method `name` of `obj`'s Python type, or undefined. */
export function getMethod(obj: unknown, name: string): MethodImpl | undefined {
  let table: Record<string, MethodImpl>;
  if (typeof obj === 'string') table = STR_METHODS;
  else if (obj instanceof PySet) table = SET_METHODS;
  else if (Array.isArray(obj)) table = obj instanceof PyTuple ? SEQ_METHODS : LIST_METHODS;
  else if (isMapping(obj)) table = DICT_METHODS;
  else if (obj instanceof PyFloat || (typeof obj === 'number' && isFloat(obj))) table = FLOAT_METHODS;
  else return undefined;
  return Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
}

