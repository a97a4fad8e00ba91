// Jinja2's builtin filters with Jinja2 3.1's semantics.
import { pyError } from './errors.js';
import { formatValue, percentFormat } from './format.js';
import { arg, pyCapitalize } from './methods.js';
import * as ops from './ops.js';
import type { FilterImpl, Runtime } from './runtime.js';
import { Undefined } from './undefined.js';
import { GroupTuple, groupTuple } from './group-tuple.js';
import {
  Markup,
  PyDict,
  PyFloat,
  PyTuple,
  floatRepr,
  generator,
  isGenerator,
  isStrLike,
  isFloat,
  isInt,
  isMapping,
  makeFloat,
  mappingItems,
  mappingSize,
  num,
  pyRepr,
  pyStr,
  pyTypeName,
  tuple,
} from './values.js';


// Python's str.splitlines() boundaries and str.strip() whitespace include control characters.
// eslint-disable-next-line no-control-regex
const LINE_BREAKS = new RegExp('\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]');
// eslint-disable-next-line no-control-regex
const PY_WS_EDGES = new RegExp('^[\\s\u001c-\u001f\u0085]+|[\\s\u001c-\u001f\u0085]+$', 'g');

const kw = (k: Record<string, unknown> | null, name: string, fallback: unknown): unknown =>
  k !== null && Object.prototype.hasOwnProperty.call(k, name) ? k[name] : fallback;

function lengthOf(v0: unknown): number {
  const v = v0 instanceof Markup ? v0.s : v0;
  if (isGenerator(v)) throw pyError('TypeError', "object of type 'generator' has no len()");
  if (typeof v === 'string') {
    let n = 0;
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff) n++;
    }
    return n;
  }
  if (Array.isArray(v)) return v.length;
  if (v instanceof Undefined) return v.len();
  if (isMapping(v)) return mappingSize(v);
  throw pyError('TypeError', `object of type '${pyTypeName(v)}' has no len()`);
}

export function htmlEscape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&#34;' : '&#39;'));
}

/** Split "a.b.0" into lookup parts (digits become ints), as Jinja2's attribute getters do. */
function attrParts(attribute: unknown): unknown[] {
  if (typeof attribute !== 'string') return [attribute];
  return attribute.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function makeAttrGetter(
  rt: Runtime,
  attribute: unknown,
  postprocess: ((v: unknown) => unknown) | null = null,
  fallback: unknown = undefined,
): (item: unknown) => unknown {
  if (attribute === null || attribute === undefined) return postprocess ?? ((x) => x);
  if (typeof attribute === 'string' && attribute.includes(',')) {
    const getters = attribute.split(',').map((a) => makeAttrGetter(rt, a, postprocess, fallback));
    return (item) => getters.map((g) => g(item));
  }
  const parts = attrParts(attribute);
  return (item) => {
    let v = item;
    for (const p of parts) {
      v = rt.getitem(v, p);
      if (v instanceof Undefined && fallback !== undefined) {
        v = fallback;
        break;
      }
    }
    return postprocess ? postprocess(v) : v;
  };
}

const ignoreCase = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);

function sortBy(items: unknown[], key: (v: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = items.map((v, i) => ({ k: key(v), v, i }));
  keyed.sort((a, b) => {
    const c = Array.isArray(a.k) && Array.isArray(b.k) ? ops.compare(tuple(a.k), tuple(b.k), '<') : ops.compare(a.k, b.k, '<');
    return c !== 0 ? (reverse ? -c : c) : a.i - b.i;
  });
  return keyed.map((x) => x.v);
}

function toStr(rt: Runtime, v: unknown): string {
  return rt.str(v);
}

/** Python's round() to `digits` decimal places, half to even on the exact binary value. */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits >= 0) {
    if (Math.abs(x) >= 1e21 || digits > 80) return x;
    const exact = Math.abs(x).toFixed(Math.min(100, digits + 30));
    const [ip, fp] = exact.split('.');
    const kept = fp.slice(0, digits);
    const rest = fp.slice(digits);
    let n = BigInt(ip + kept);
    const half = rest[0] > '5' || (rest[0] === '5' && /[1-9]/.test(rest.slice(1))) || (rest[0] === '5' && !/[1-9]/.test(rest.slice(1)) && n % 2n === 1n);
    if (half) n += 1n;
    const s = n.toString().padStart(digits + 1, '0');
    const r = Number(digits > 0 ? s.slice(0, s.length - digits) + '.' + s.slice(s.length - digits) : s);
    return x < 0 || Object.is(x, -0) ? -r : r;
  }
  const p = Math.pow(10, -digits);
  const q = x / p;
  let r = Math.round(q);
  if (Math.abs(q % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r * p;
}

function parsePyInt(s: string, base: number): number | bigint | null {
  let t = s.trim().replace(/_/g, '');
  let sign = 1n;
  if (t.startsWith('-') || t.startsWith('+')) {
    if (t[0] === '-') sign = -1n;
    t = t.slice(1);
  }
  let b = base;
  const prefix = t.slice(0, 2).toLowerCase();
  if ((b === 16 && prefix === '0x') || (b === 8 && prefix === '0o') || (b === 2 && prefix === '0b')) t = t.slice(2);
  else if (b === 0) {
    const bases: Record<string, number> = { '0x': 16, '0o': 8, '0b': 2 };
    b = bases[prefix] ?? 10;
    if (b !== 10) t = t.slice(2);
  }
  const digits = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  if (!t || ![...t.toLowerCase()].every((c) => digits.includes(c))) return null;
  let n = 0n;
  for (const c of t.toLowerCase()) n = n * BigInt(b) + BigInt(digits.indexOf(c));
  n *= sign;
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

export function parsePyFloat(s: string): number | null {
  const t = s.trim().replace(/_/g, '').toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(t)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

function toInt(value: unknown, fallback: unknown, base: number): unknown {
  if (value instanceof Undefined) value.fail();
  if (typeof value === 'string') {
    const n = parsePyInt(value, base);
    if (n !== null) return n;
    const f = parsePyFloat(value);
    if (f !== null && Number.isFinite(f)) return Math.trunc(f);
    return fallback;
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number' || value instanceof PyFloat) {
    const x = num(value);
    if (!Number.isFinite(x)) return fallback;
    const t = Math.trunc(x);
    return Number.isSafeInteger(t) ? (t === 0 ? 0 : t) : BigInt(t);
  }
  return fallback;
}

function toFloat(value: unknown, fallback: unknown): unknown {
  if (value instanceof Undefined) value.fail();
  if (typeof value === 'string') {
    const f = parsePyFloat(value);
    return f === null ? fallback : makeFloat(f);
  }
  if (typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint' || value instanceof PyFloat) return makeFloat(num(value));
  return fallback;
}

function jsonDump(v: unknown, indent: string | null, level: number): string {
  if (v === null || v === undefined) return 'null';
  if (v instanceof Undefined) throw pyError('TypeError', 'Object of type Undefined is not JSON serializable');
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return jsonString(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' || v instanceof PyFloat) {
    const x = num(v);
    if (Number.isNaN(x)) return 'NaN';
    if (x === Infinity) return 'Infinity';
    if (x === -Infinity) return '-Infinity';
    return isFloat(v) ? floatRepr(x) : String(x);
  }
  const nl = indent === null ? '' : '\n' + indent.repeat(level + 1);
  const close = indent === null ? '' : '\n' + indent.repeat(level);
  const sep = indent === null ? ', ' : ',';
  if (Array.isArray(v)) {
    if (!v.length) return '[]';
    return '[' + nl + v.map((x) => jsonDump(x, indent, level + 1)).join(sep + nl) + close + ']';
  }
  if (isMapping(v)) {
    const items = mappingItems(v).map(([k, x]) => [jsonKey(k), x] as const);
    if (!items.length) return '{}';
    items.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return '{' + nl + items.map(([k, x]) => jsonString(k) + ': ' + jsonDump(x, indent, level + 1)).join(sep + nl) + close + '}';
  }
  throw pyError('TypeError', `Object of type ${pyTypeName(v)} is not JSON serializable`);
}

function jsonKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (k === null) return 'null';
  if (typeof k === 'boolean') return k ? 'true' : 'false';
  if (typeof k === 'number' || typeof k === 'bigint' || k instanceof PyFloat) return jsonDump(k, null, 0);
  throw pyError('TypeError', `keys must be str, int, float, bool or None, not ${pyTypeName(k)}`);
}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += '\\u' + c.toString(16).padStart(4, '0');
    else out += ch;
  }
  return out + '"';
}

/** Python json.dumps(value, sort_keys=True[, indent]). */
export function pyJsonDumps(value: unknown, indent: unknown = null): string {
  const ind = indent === null || indent === undefined ? null : typeof indent === 'string' ? indent : ' '.repeat(Number(indent));
  return jsonDump(value, ind, 0);
}

function urlQuote(v: unknown, forQs: boolean): string {
  const s = typeof v === 'string' ? v : pyStr(v);
  const bytes = new TextEncoder().encode(s);
  let out = '';
  for (const b of bytes) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9_.\-~]/.test(c) || (!forQs && c === '/')) out += c;
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return forQs ? out.replace(/%20/g, '+') : out;
}

function unescapeHtml(s: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, body: string) => {
    if (body[0] === '#') return String.fromCodePoint(body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10));
    return named[body] ?? m;
  });
}

function textWrap(line: string, width: number, breakLong: boolean): string[] {
  const chunks = line.split(/(\s+)/).filter((c) => c !== '');
  const lines: string[] = [];
  let cur: string[] = [];
  let curLen = 0;
  chunks.reverse();
  while (chunks.length) {
    cur = [];
    curLen = 0;
    // textwrap drops whitespace at the start of every line but the first
    while (lines.length > 0 && chunks.length && /^\s+$/.test(chunks[chunks.length - 1])) chunks.pop();
    while (chunks.length) {
      const c = chunks[chunks.length - 1];
      if (curLen + c.length <= width) {
        cur.push(chunks.pop()!);
        curLen += c.length;
      } else break;
    }
    if (chunks.length && chunks[chunks.length - 1].length > width) {
      const c = chunks[chunks.length - 1];
      const space = Math.max(1, width - curLen);
      if (breakLong) {
        cur.push(c.slice(0, space));
        chunks[chunks.length - 1] = c.slice(space);
      } else if (!cur.length) cur.push(chunks.pop()!);
    }
    while (cur.length && /^\s+$/.test(cur[cur.length - 1])) cur.pop();
    if (cur.length) lines.push(cur.join(''));
  }
  return lines;
}

function selectOrReject(rt: Runtime, value: unknown, args: unknown[], kwargs: Record<string, unknown> | null, byAttr: boolean, want: boolean): unknown {
  let rest = args;
  let getter: (x: unknown) => unknown = (x) => x;
  if (byAttr) {
    getter = makeAttrGetter(rt, rest[0]);
    rest = rest.slice(1);
  }
  let test: (x: unknown) => boolean;
  if (rest.length) {
    const name = String(rest[0]);
    const impl = rt.tests.get(name);
    if (!impl) throw pyError('TemplateRuntimeError', `No test named '${name}' found.`);
    const targs = rest.slice(1);
    test = (x) => impl(rt, x, targs, kwargs);
  } else test = (x) => rt.truthy(x);
  const items = rt.truthy(value) ? rt.iterate(value) : [];
  return generator(items.filter((x) => test(getter(x)) === want));
}

function minmax(rt: Runtime, value: unknown, kwargs: Record<string, unknown> | null, args: unknown[], wantMax: boolean): unknown {
  const caseSensitive = rt.truthy(arg(args, kwargs, 0, 'case_sensitive', false));
  const attribute = arg(args, kwargs, 1, 'attribute', null);
  const items = rt.iterate(value);
  if (!items.length) return rt.undef(null, undefined, 'No aggregated item, sequence was empty.');
  const key = makeAttrGetter(rt, attribute, caseSensitive ? null : ignoreCase);
  let best = items[0];
  let bestKey = key(best);
  for (const it of items.slice(1)) {
    const k = key(it);
    const c = ops.compare(k, bestKey, wantMax ? '>' : '<');
    if (wantMax ? c > 0 : c < 0) {
      best = it;
      bestKey = k;
    }
  }
  return best;
}

// Jinja2's notion of a URL in text: scheme or www, a domain with a real TLD, or an IP; port; path.
// Python's \w, which is Unicode-aware
const WORD = '\\p{L}\\p{N}_';
const HTTP_RE = new RegExp(
  `^((https?://|www\\.)(([${WORD}%-]+\\.)+)?([a-z]{2,63}|xn--[${WORD}%]{2,59})|([${WORD}%-]{2,63}\\.)+(com|net|int|edu|gov|org|info|mil)|(https?://)((([\\d]{1,3})(\\.[\\d]{1,3}){3})|(\\[([\\da-f]{0,4}:){2}([\\da-f]{0,4}:?){1,6}\\])))(?::[\\d]{1,5})?(?:[/?#]\\S*)?$`,
  'iu',
);
const EMAIL_RE = new RegExp(`^\\S+@[${WORD}][${WORD}.-]*\\.[${WORD}]+$`, 'u');

function urlizeWord(word: string, relAttr: string, targetAttr: string, trim: (x: string) => string, schemes: string[]): string {
  let head = '';
  let middle = word;
  let tail = '';
  const lead = /^(?:[(<]|&lt;)+/.exec(middle);
  if (lead) {
    head = lead[0];
    middle = middle.slice(head.length);
  }
  const trail = /(?:[)>.,\n]|&gt;)+$/.exec(middle);
  if (trail) {
    tail = trail[0];
    middle = middle.slice(0, trail.index);
  }
  // balance parentheses by moving closing characters back from the tail
  for (const [open, close] of [['(', ')'], ['<', '>'], ['&lt;', '&gt;']]) {
    const opens = middle.split(open).length - 1;
    if (opens <= middle.split(close).length - 1) continue;
    const moves = Math.min(opens, tail.split(close).length - 1);
    for (let n = 0; n < moves; n++) {
      const end = tail.indexOf(close) + close.length;
      middle += tail.slice(0, end);
      tail = tail.slice(end);
    }
  }
  if (HTTP_RE.test(middle)) {
    const href = middle.startsWith('https://') || middle.startsWith('http://') ? middle : 'https://' + middle;
    middle = `<a href="${href}"${relAttr}${targetAttr}>${trim(middle)}</a>`;
  } else if (middle.startsWith('mailto:') && EMAIL_RE.test(middle.slice(7))) {
    middle = `<a href="${middle}">${middle.slice(7)}</a>`;
  } else if (middle.includes('@') && !middle.startsWith('www.') && !middle.startsWith('@') && !middle.includes(':') && EMAIL_RE.test(middle)) {
    middle = `<a href="mailto:${middle}">${middle}</a>`;
  } else {
    for (const scheme of schemes) {
      if (middle !== scheme && middle.startsWith(scheme)) middle = `<a href="${middle}"${relAttr}${targetAttr}>${middle}</a>`;
    }
  }
  return head + middle + tail;
}

/** Python's pprint.pformat (width 80, dict keys sorted). */
function pformat(v: unknown, indent: number, allowance: number): string {
  const sortedItems = (d: unknown) =>
    mappingItems(d).sort((a, b) => {
      try {
        return ops.compare(a[0], b[0], '<');
      } catch {
        return 0;
      }
    });
  const flat = (x: unknown): string => {
    if (isMapping(x)) return '{' + sortedItems(x).map(([k, val]) => flat(k) + ': ' + flat(val)).join(', ') + '}';
    if (Array.isArray(x) && !(x instanceof PyTuple) && !isGenerator(x)) return '[' + x.map(flat).join(', ') + ']';
    if (x instanceof PyTuple) return x.length === 1 ? '(' + flat(x[0]) + ',)' : '(' + x.map(flat).join(', ') + ')';
    return pyRepr(x);
  };
  const rep = flat(v);
  if (rep.length <= 80 - indent - allowance) return rep;
  if (isMapping(v)) {
    const items = sortedItems(v);
    if (!items.length) return rep;
    const inner = indent + 1;
    const parts = items.map(([k, val], i) => {
      const kr = flat(k);
      return kr + ': ' + pformat(val, inner + kr.length + 2, i === items.length - 1 ? allowance + 1 : 1);
    });
    return '{' + parts.join(',\n' + ' '.repeat(inner)) + '}';
  }
  if (Array.isArray(v) && v.length && !isGenerator(v)) {
    const isTuple = v instanceof PyTuple;
    const inner = indent + 1;
    const parts = v.map((x, i) => pformat(x, inner, i === v.length - 1 ? allowance + 1 : 1));
    const body = parts.join(',\n' + ' '.repeat(inner));
    return isTuple ? '(' + body + (v.length === 1 ? ',' : '') + ')' : '[' + body + ']';
  }
  return rep;
}

export const FILTERS: Record<string, FilterImpl> = {
  abs: (_rt, v) => {
    if (typeof v === 'bigint') return v < 0n ? -v : v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number') return Math.abs(v);
    if (v instanceof PyFloat) return makeFloat(Math.abs(v.value));
    throw pyError('TypeError', `bad operand type for abs(): '${pyTypeName(v)}'`);
  },
  attr: (rt, v, a) => rt.attrOnly(v, String(a[0])),
  batch: (rt, v, a, k) => {
    const size = Number(arg(a, k, 0, 'linecount', 1));
    const fill = arg(a, k, 1, 'fill_with', null);
    const out: unknown[][] = [];
    let cur: unknown[] = [];
    for (const item of rt.iterate(v)) {
      if (cur.length === size) {
        out.push(cur);
        cur = [];
      }
      cur.push(item);
    }
    if (cur.length) {
      if (fill !== null && fill !== undefined) while (cur.length < size) cur.push(fill);
      out.push(cur);
    }
    return generator(out);
  },
  capitalize: (rt, v) => pyCapitalize(toStr(rt, v)),
  center: (rt, v, a, k) => {
    const s = toStr(rt, v);
    const w = Number(arg(a, k, 0, 'width', 80));
    const len = [...s].length;
    if (w <= len) return s;
    const total = w - len;
    const left = Math.floor(total / 2) + (total & w & 1);
    return ' '.repeat(left) + s + ' '.repeat(total - left);
  },
  default: (rt, v, a, k) => {
    const fallback = arg(a, k, 0, 'default_value', '');
    const boolean = rt.truthy(arg(a, k, 1, 'boolean', false));
    if (v instanceof Undefined || (boolean && !rt.truthy(v))) return fallback;
    return v;
  },
  dictsort: (rt, v, a, k) => {
    const caseSensitive = rt.truthy(arg(a, k, 0, 'case_sensitive', false));
    const by = arg(a, k, 1, 'by', 'key');
    const reverse = rt.truthy(arg(a, k, 2, 'reverse', false));
    const pos = by === 'key' ? 0 : by === 'value' ? 1 : -1;
    if (pos < 0) throw pyError('FilterArgumentError', 'You can only sort by either "key" or "value"');
    if (v instanceof Undefined) v.fail();
    if (!isMapping(v)) throw pyError('AttributeError', `'${pyTypeName(v)}' object has no attribute 'items'`);
    const items = mappingItems(v).map(([key, val]) => tuple([key, val]));
    return sortBy(items, (it) => {
      const x = (it as unknown[])[pos];
      return caseSensitive ? x : ignoreCase(x);
    }, reverse);
  },
  escape: (rt, v) => (v instanceof Markup ? v : new Markup(htmlEscape(toStr(rt, v)))),
  filesizeformat: (rt, v, a, k) => {
    const bytes = num(toFloat(v, NaN));
    const binary = rt.truthy(arg(a, k, 0, 'binary', false));
    const base = binary ? 1024 : 1000;
    const prefixes = binary ? ['KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'] : ['kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
    if (bytes === 1) return '1 Byte';
    if (bytes < base) return `${Math.trunc(bytes)} Bytes`;
    let unit = 0;
    let prefix = '';
    for (let i = 0; i < prefixes.length; i++) {
      unit = Math.pow(base, i + 2);
      prefix = prefixes[i];
      if (bytes < unit) break;
    }
    return `${formatValue((base * bytes) / unit, '.1f')} ${prefix}`;
  },
  first: (rt, v) => {
    const items = rt.iterate(v);
    return items.length ? items[0] : rt.undef(null, undefined, 'No first item, sequence was empty.');
  },
  float: (_rt, v, a, k) => toFloat(v, arg(a, k, 0, 'default', new PyFloat(0))),
  forceescape: (rt, v) => new Markup(htmlEscape(toStr(rt, v))),
  format: (rt, v, a, k) => {
    if (a.length && k && Object.keys(k).length) throw pyError('FilterArgumentError', "can't handle positional and keyword arguments at the same time");
    if (k && Object.keys(k).length) return percentFormat(toStr(rt, v), PyDict.from(Object.entries(k)), rt);
    return percentFormat(toStr(rt, v), tuple(a), rt);
  },
  groupby: (rt, v, a, k) => {
    const attribute = arg(a, k, 0, 'attribute', null);
    const fallback = arg(a, k, 1, 'default', undefined);
    const caseSensitive = rt.truthy(arg(a, k, 2, 'case_sensitive', false));
    const key = makeAttrGetter(rt, attribute, caseSensitive ? null : ignoreCase, fallback === null ? undefined : fallback);
    const sorted = sortBy(rt.iterate(v), key, false);
    const out: GroupTuple[] = [];
    let curKey: unknown;
    let cur: unknown[] | null = null;
    for (const item of sorted) {
      const kv = key(item);
      if (cur === null || !ops.eq(kv, curKey)) {
        cur = [];
        curKey = kv;
        out.push(groupTuple(kv, cur));
      }
      cur.push(item);
    }
    if (!caseSensitive) {
      const raw = makeAttrGetter(rt, attribute, null, fallback === null ? undefined : fallback);
      return out.map((g) => groupTuple(raw((g[1] as unknown[])[0]), g[1] as unknown[]));
    }
    return out;
  },
  indent: (rt, v, a, k) => {
    if (!isStrLike(v)) throw pyError('TypeError', `unsupported operand type(s) for +=: '${pyTypeName(v)}' and 'str'`);
    const width = arg(a, k, 0, 'width', 4);
    const first = rt.truthy(arg(a, k, 1, 'first', false));
    const blank = rt.truthy(arg(a, k, 2, 'blank', false));
    const indention = typeof width === 'string' ? width : ' '.repeat(Number(width));
    const s = toStr(rt, v) + '\n';
    const lines = s.split(LINE_BREAKS);
    lines.pop();
    let rv: string;
    if (blank) rv = lines.join('\n' + indention);
    else {
      rv = lines.shift() ?? '';
      if (lines.length) rv += '\n' + lines.map((l) => (l ? indention + l : l)).join('\n');
    }
    return first ? indention + rv : rv;
  },
  int: (_rt, v, a, k) => toInt(v, arg(a, k, 0, 'default', 0), Number(arg(a, k, 1, 'base', 10))),
  items: (_rt, v) => {
    if (v instanceof Undefined) return [];
    if (!isMapping(v)) throw pyError('TypeError', 'Can only get item pairs from a mapping.');
    return generator(mappingItems(v).map(([key, val]) => tuple([key, val])));
  },
  join: (rt, v, a, k) => {
    const sep = toStr(rt, arg(a, k, 0, 'd', ''));
    const attribute = arg(a, k, 1, 'attribute', null);
    let items = rt.iterate(v);
    if (attribute !== null) items = items.map(makeAttrGetter(rt, attribute));
    return items.map((x) => toStr(rt, x)).join(sep);
  },
  last: (rt, v) => {
    const items = rt.iterate(v);
    return items.length ? items[items.length - 1] : rt.undef(null, undefined, 'No last item, sequence was empty.');
  },
  length: (_rt, v) => lengthOf(v),
  list: (rt, v) => rt.iterate(v),
  lower: (rt, v) => toStr(rt, v).toLowerCase(),
  map: (rt, v, a, k) => {
    // Jinja2 maps over nothing when the value is falsy (None included)
    const items = rt.truthy(v) ? rt.iterate(v) : [];
    if (!a.length && k && Object.prototype.hasOwnProperty.call(k, 'attribute')) {
      const fallback = kw(k, 'default', undefined);
      return generator(items.map(makeAttrGetter(rt, k.attribute, null, fallback === null ? undefined : fallback)));
    }
    if (!a.length) throw pyError('FilterArgumentError', 'map requires a filter argument');
    const name = String(a[0]);
    const impl = rt.filters.get(name);
    if (!impl) throw pyError('TemplateRuntimeError', `No filter named '${name}' found.`);
    const fargs = a.slice(1);
    return generator(items.map((x) => impl(rt, x, fargs, k)));
  },
  max: (rt, v, a, k) => minmax(rt, v, k, a, true),
  min: (rt, v, a, k) => minmax(rt, v, k, a, false),
  pprint: (_rt, v) => pformat(v, 0, 0),
  random: (rt, v) => {
    const items = rt.iterate(v);
    if (!items.length) return rt.undef(null, undefined, 'No random item, sequence was empty.');
    return items[Math.floor(Math.random() * items.length)];
  },
  reject: (rt, v, a, k) => selectOrReject(rt, v, a, k, false, false),
  rejectattr: (rt, v, a, k) => selectOrReject(rt, v, a, k, true, false),
  replace: (rt, v, a, k) => {
    const s = toStr(rt, v);
    const old = toStr(rt, arg(a, k, 0, 'old', ''));
    const rep = toStr(rt, arg(a, k, 1, 'new', ''));
    const count = arg(a, k, 2, 'count', null);
    if (count === null) return old === '' ? rep + [...s].join(rep) + rep : s.split(old).join(rep);
    let n = Number(count);
    let out = '';
    let rest = s;
    while (n-- > 0 && old !== '') {
      const i = rest.indexOf(old);
      if (i < 0) break;
      out += rest.slice(0, i) + rep;
      rest = rest.slice(i + old.length);
    }
    return out + rest;
  },
  reverse: (rt, v) => {
    if (typeof v === 'string') return [...v].reverse().join('');
    return rt.iterate(v).reverse();
  },
  round: (_rt, v, a, k) => {
    const precision = Number(arg(a, k, 0, 'precision', 0));
    const method = arg(a, k, 1, 'method', 'common');
    if (method !== 'common' && method !== 'ceil' && method !== 'floor') throw pyError('FilterArgumentError', 'method must be common, ceil or floor');
    if (method === 'common') {
      if (isInt(v) || typeof v === 'boolean') {
        if (precision >= 0) return typeof v === 'boolean' ? (v ? 1 : 0) : v;
        return Math.round(pyRound(num(v), precision));
      }
      if (!(typeof v === 'number' || v instanceof PyFloat)) throw pyError('TypeError', `type ${pyTypeName(v)} doesn't define __round__ method`);
      return makeFloat(pyRound(num(v), precision));
    }
    const p = Math.pow(10, precision);
    const f = method === 'ceil' ? Math.ceil : Math.floor;
    return makeFloat(f(num(v) * p) / p);
  },
  safe: (rt, v) => (v instanceof Markup ? v : new Markup(toStr(rt, v))),
  select: (rt, v, a, k) => selectOrReject(rt, v, a, k, false, true),
  selectattr: (rt, v, a, k) => selectOrReject(rt, v, a, k, true, true),
  slice: (rt, v, a, k) => {
    const seq = rt.iterate(v);
    const slices = Number(arg(a, k, 0, 'slices', 1));
    const fill = arg(a, k, 1, 'fill_with', null);
    const perSlice = Math.floor(seq.length / slices);
    const withExtra = seq.length % slices;
    let offset = 0;
    const out: unknown[][] = [];
    for (let i = 0; i < slices; i++) {
      const start = offset + i * perSlice;
      if (i < withExtra) offset++;
      const end = offset + (i + 1) * perSlice;
      const tmp = seq.slice(start, end);
      if (fill !== null && fill !== undefined && i >= withExtra) tmp.push(fill);
      out.push(tmp);
    }
    return generator(out);
  },
  sort: (rt, v, a, k) => {
    const reverse = rt.truthy(arg(a, k, 0, 'reverse', false));
    const caseSensitive = rt.truthy(arg(a, k, 1, 'case_sensitive', false));
    const attribute = arg(a, k, 2, 'attribute', null);
    return sortBy(rt.iterate(v), makeAttrGetter(rt, attribute, caseSensitive ? null : ignoreCase), reverse);
  },
  string: (rt, v) => toStr(rt, v),
  striptags: (rt, v) => {
    const s = toStr(rt, v).replace(/<!--.*?-->/gs, '').replace(/<\/?[^>]*>/gs, '');
    return unescapeHtml(s.split(/\s+/).filter(Boolean).join(' '));
  },
  sum: (rt, v, a, k) => {
    const attribute = arg(a, k, 0, 'attribute', null);
    let total: unknown = arg(a, k, 1, 'start', 0);
    let items = rt.iterate(v);
    if (attribute !== null) items = items.map(makeAttrGetter(rt, attribute));
    for (const it of items) total = ops.add(total, it);
    return total;
  },
  title: (rt, v) =>
    toStr(rt, v)
      .split(/([-\s({[<]+)/)
      .filter((item) => item !== '')
      .map((item) => {
        const first = String.fromCodePoint(item.codePointAt(0)!);
        return first.toUpperCase() + item.slice(first.length).toLowerCase();
      })
      .join(''),
  tojson: (_rt, v, a, k) => {
    const s = pyJsonDumps(v, arg(a, k, 0, 'indent', null));
    return new Markup(s.replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/'/g, '\\u0027'));
  },
  trim: (rt, v, a, k) => {
    const chars = arg(a, k, 0, 'chars', null);
    const s = toStr(rt, v);
    if (chars === null) return s.replace(PY_WS_EDGES, '');
    const set = String(chars);
    let i = 0;
    let j = s.length;
    while (i < j && set.includes(s[i])) i++;
    while (j > i && set.includes(s[j - 1])) j--;
    return s.slice(i, j);
  },
  truncate: (rt, v, a, k) => {
    const size = lengthOf(v);
    const s = toStr(rt, v);
    const length = Number(arg(a, k, 0, 'length', 255));
    const killwords = rt.truthy(arg(a, k, 1, 'killwords', false));
    const end = toStr(rt, arg(a, k, 2, 'end', '...'));
    const leewayArg = arg(a, k, 3, 'leeway', null);
    const leeway = leewayArg === null ? 5 : Number(leewayArg);
    if (length < end.length) throw pyError('AssertionError', `expected length >= ${end.length}, got ${length}`);
    if (size <= length + leeway) return v;
    const chars = [...s];
    if (killwords) return chars.slice(0, length - end.length).join('') + end;
    const head = chars.slice(0, length - end.length).join('');
    const cut = head.lastIndexOf(' ');
    return (cut >= 0 ? head.slice(0, cut) : head) + end;
  },
  unique: (rt, v, a, k) => {
    const caseSensitive = rt.truthy(arg(a, k, 0, 'case_sensitive', false));
    const attribute = arg(a, k, 1, 'attribute', null);
    const key = makeAttrGetter(rt, attribute, caseSensitive ? null : ignoreCase);
    const seen: unknown[] = [];
    const out: unknown[] = [];
    for (const item of rt.iterate(v)) {
      const kv = key(item);
      if (!seen.some((s) => ops.eq(s, kv))) {
        seen.push(kv);
        out.push(item);
      }
    }
    return generator(out);
  },
  upper: (rt, v) => toStr(rt, v).toUpperCase(),
  urlencode: (rt, v) => {
    if (isStrLike(v) || !(Array.isArray(v) || isMapping(v))) return urlQuote(toStr(rt, v), false);
    const pairs = isMapping(v) ? mappingItems(v) : rt.iterate(v).map((p) => rt.iterate(p) as [unknown, unknown]);
    return pairs.map(([key, val]) => `${urlQuote(key, true)}=${urlQuote(val, true)}`).join('&');
  },
  urlize: (rt, v, a, k) => {
    const limitArg = arg(a, k, 0, 'trim_url_limit', null);
    const nofollow = rt.truthy(arg(a, k, 1, 'nofollow', false));
    const target = arg(a, k, 2, 'target', null);
    const relArg = arg(a, k, 3, 'rel', null);
    const extraSchemes = arg(a, k, 4, 'extra_schemes', null);
    const relParts = new Set((relArg === null ? '' : toStr(rt, relArg)).split(/\s+/).filter(Boolean));
    if (nofollow) relParts.add('nofollow');
    relParts.add('noopener');
    const rel = [...relParts].sort().join(' ');
    const trim = (x: string) => (limitArg !== null && x.length > Number(limitArg) ? x.slice(0, Number(limitArg)) + '...' : x);
    const relAttr = rel ? ` rel="${htmlEscape(rel)}"` : '';
    const targetAttr = target !== null && target !== undefined && target !== '' ? ` target="${htmlEscape(toStr(rt, target))}"` : '';
    const schemes = extraSchemes === null ? [] : rt.iterate(extraSchemes).map((s) => toStr(rt, s));
    return htmlEscape(toStr(rt, v))
      .split(/(\s+)/)
      .map((word) => urlizeWord(word, relAttr, targetAttr, trim, schemes))
      .join('');
  },
  wordcount: (rt, v) => (toStr(rt, v).match(/[\p{L}\p{N}_]+/gu) ?? []).length,
  wordwrap: (rt, v, a, k) => {
    const s = toStr(rt, v);
    const width = Number(arg(a, k, 0, 'width', 79));
    const breakLong = rt.truthy(arg(a, k, 1, 'break_long_words', true));
    const wrapstring = arg(a, k, 2, 'wrapstring', null);
    const ws = wrapstring === null ? '\n' : String(wrapstring);
    return s
      .split(/\r\n|\n|\r/)
      .map((line) => textWrap(line, width, breakLong).join(ws))
      .join(ws);
  },
  xmlattr: (rt, v, a, k) => {
    if (v instanceof Undefined) v.fail();
    if (!isMapping(v)) throw pyError('AttributeError', `'${pyTypeName(v)}' object has no attribute 'items'`);
    const autospace = rt.truthy(arg(a, k, 0, 'autospace', true));
    const parts: string[] = [];
    for (const [key, val] of mappingItems(v)) {
      if (val === null || val === undefined || val instanceof Undefined) continue;
      const ks = toStr(rt, key);
      if (/[\s/>=]/.test(ks)) throw pyError('ValueError', `Invalid character in attribute name: '${ks}'`);
      parts.push(`${htmlEscape(ks)}="${htmlEscape(toStr(rt, val))}"`);
    }
    const rv = parts.join(' ');
    return autospace && rv ? ' ' + rv : rv;
  },
};
FILTERS.d = FILTERS.default;
FILTERS.e = FILTERS.escape;
FILTERS.count = FILTERS.length;

