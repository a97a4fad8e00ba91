// The Python value model the engine computes with.
//
//   None -> null (a host's `undefined` reads as None too)
//   bool -> boolean, str -> string
//   int  -> integral number, or bigint beyond 2**53
//   float -> non-integral number, or PyFloat (a float whose value happens to be integral: 2.0)
//   list -> Array, tuple -> PyTuple (an Array subclass), dict -> PyDict
//   host mappings (plain objects, Maps) behave as dicts.

/** A float whose value is integral (`2.0`); non-integral floats are plain numbers. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** An immutable Python tuple. It is an Array so indexing and iteration work unchanged. */
export class PyTuple<T = unknown> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/**
 * Python's set (dbt's `set()`), for hosts. An Array so iteration, `in`,
 * length and the list filters work; equality ignores order, and `pySet`
 * keeps members unique. Insertion order stands in for Python's hash order.
 */
export class PySet<T = unknown> extends Array<T> {
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** A set of the items, duplicates dropped as a dict drops repeated keys. */
export function pySet(items: Iterable<unknown>): PySet {
  const seen = new Set<unknown>();
  const set = new PySet<unknown>();
  for (const item of items) {
    const key = hashKey(item);
    if (seen.has(key)) continue;
    seen.add(key);
    set.push(item);
  }
  return set;
}

/** A list-like result printed as Python's dict views and ranges are (`dict_items([...])`, `range(0, 3)`). */
export class PyView<T = unknown> extends Array<T> {
  label = '';
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

export function view(label: string, items: readonly unknown[]): PyView {
  const v = new PyView<unknown>();
  for (let i = 0; i < items.length; i++) v.push(items[i]);
  v.label = label;
  return v;
}

/** A lazily-produced sequence in Jinja2 (map, select, ...): iterable but not a sequence, no len(). */
export function generator(items: readonly unknown[]): PyView {
  return view('generator', items);
}

export function isGenerator(value: unknown): boolean {
  return value instanceof PyView && value.label === 'generator';
}

export function tuple(items: readonly unknown[]): PyTuple {
  const t = new PyTuple<unknown>();
  for (let i = 0; i < items.length; i++) t.push(items[i]);
  return t;
}

/** Keyword arguments of a call, handed to a host function as its last argument. */
export class Kwargs {
  constructor(readonly values: Record<string, unknown>) {}
  get(name: string): unknown {
    return Object.prototype.hasOwnProperty.call(this.values, name) ? this.values[name] : undefined;
  }
}

export function isKwargs(value: unknown): value is Kwargs {
  return value instanceof Kwargs;
}

/** Markup: text already escaped for HTML (the `escape` and `safe` filters make it). */
export class Markup {
  constructor(readonly s: string) {}
  [Symbol.toPrimitive](): string {
    return this.s;
  }
}

/** Text of a str or Markup value. */
export function isStrLike(value: unknown): value is string | Markup {
  return typeof value === 'string' || value instanceof Markup;
}

/** jinja2's `namespace()`: an attribute bag that `{% set ns.x = ... %}` may write to. */
export class Namespace {
  readonly attrs = new PyDict();
}

/** An insertion-ordered dict with Python's key equality (1 == 1.0 == True, tuples by value). */
export class PyDict {
  private readonly entries = new Map<unknown, [unknown, unknown]>();

  static from(pairs: Iterable<readonly [unknown, unknown]>): PyDict {
    const d = new PyDict();
    for (const [k, v] of pairs) d.set(k, v);
    return d;
  }

  get size(): number {
    return this.entries.size;
  }
  has(key: unknown): boolean {
    return this.entries.has(hashKey(key));
  }
  get(key: unknown): unknown {
    const e = this.entries.get(hashKey(key));
    return e === undefined ? undefined : e[1];
  }
  set(key: unknown, value: unknown): void {
    const h = hashKey(key);
    const e = this.entries.get(h);
    if (e !== undefined) e[1] = value;
    else this.entries.set(h, [key, value]);
  }
  delete(key: unknown): boolean {
    return this.entries.delete(hashKey(key));
  }
  clear(): void {
    this.entries.clear();
  }
  keys(): unknown[] {
    const out: unknown[] = [];
    for (const e of this.entries.values()) out.push(e[0]);
    return out;
  }
  values(): unknown[] {
    const out: unknown[] = [];
    for (const e of this.entries.values()) out.push(e[1]);
    return out;
  }
  items(): [unknown, unknown][] {
    const out: [unknown, unknown][] = [];
    for (const e of this.entries.values()) out.push([e[0], e[1]]);
    return out;
  }
}

/**
 * Hosts give a class Python operators (`__add__`, `__sub__`, `__eq__`, `__lt__`, ...) with a method
 * under this symbol: `[PY_OPERATORS](op, other, reflected)`. `op` is an arithmetic operator
 * (`+ - * / // %`), `'=='` (answer a boolean) or `'cmp'` (answer a number: <0, 0, >0).
 * `reflected` is true when this value is the right operand; the answer is always for the
 * expression as written. Answering `undefined` is Python's NotImplemented: the other operand is
 * asked, then the usual TypeError is raised.
 */
export const PY_OPERATORS: unique symbol = Symbol.for('dvt.jinja.operators');
export type PyOperator = '+' | '-' | '*' | '/' | '//' | '%' | '==' | 'cmp';
type WithOperators = { [PY_OPERATORS]: (op: PyOperator, other: unknown, reflected: boolean) => unknown };

/** The host operator `op` between a and b (a's own first, then b's reflected); undefined when neither has it. */
export function hostOperator(op: PyOperator, a: unknown, b: unknown): unknown {
  const own = hasOperators(a) ? a[PY_OPERATORS](op, b, false) : undefined;
  if (own !== undefined) return own;
  return hasOperators(b) ? b[PY_OPERATORS](op, a, true) : undefined;
}

function hasOperators(v: unknown): v is WithOperators {
  return typeof v === 'object' && v !== null && typeof (v as Partial<WithOperators>)[PY_OPERATORS] === 'function';
}

/** Hosts mark a class instance with this symbol (value true) to make it a mapping for `is mapping`. */
export const MAPPING_MARK: unique symbol = Symbol.for('dvt.jinja.mapping');

function hashKey(key: unknown): unknown {
  switch (typeof key) {
    case 'string':
    case 'number':
      return key;
    case 'boolean':
      return key ? 1 : 0;
    case 'bigint':
      return Number.isSafeInteger(Number(key)) ? Number(key) : key;
    default:
      if (key === null || key === undefined) return null;
      if (key instanceof PyFloat) return key.value;
      if (key instanceof Markup) return key.s;
      if (key instanceof PyTuple) return '\u0000tuple' + key.map((k) => keyString(hashKey(k))).join('\u0001');
      return key;
  }
}

function keyString(h: unknown): string {
  return typeof h === 'string' ? 's' + h : typeof h === 'number' ? 'n' + h : String(h);
}

// ---- classification ----

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isMapping(value: unknown): boolean {
  return (
    value instanceof PyDict ||
    value instanceof Map ||
    isPlainObject(value) ||
    (typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[MAPPING_MARK] === true)
  );
}

export function isInt(value: unknown): boolean {
  return (typeof value === 'number' && Number.isInteger(value) && !Object.is(value, -0)) || typeof value === 'bigint';
}

export function isFloat(value: unknown): boolean {
  return value instanceof PyFloat || (typeof value === 'number' && (!Number.isInteger(value) || Object.is(value, -0)));
}

export function isNumber(value: unknown): boolean {
  return typeof value === 'number' || typeof value === 'bigint' || value instanceof PyFloat || typeof value === 'boolean';
}

export function isNone(value: unknown): boolean {
  return value === null || value === undefined;
}

/** A float value as a JS number (ints and bools too). */
export function num(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value instanceof PyFloat) return value.value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  return NaN;
}

/** Wrap an arithmetic result known to be a float. */
export function makeFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

/** Normalise an int result: numbers while exact, bigint beyond. */
export function makeInt(n: bigint): number | bigint {
  return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
}

export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return isFloat(value) ? 'float' : 'int';
    case 'function':
      return 'function';
  }
  if (value instanceof PyFloat) return 'float';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PySet) return 'set';
  if (value instanceof PyView) return value.label.startsWith('range(') ? 'range' : value.label;
  if (value instanceof Markup) return 'Markup';
  if (Array.isArray(value)) return 'list';
  if (isMapping(value)) return 'dict';
  if (value instanceof Namespace) return 'Namespace';
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return ctor?.name ?? 'object';
}

// ---- printing ----

export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const exp = n.toExponential(); // shortest round-trip digits
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp)!;
  const sign = m[1];
  const digits = m[2] + (m[3] ?? '');
  const e = Number(m[4]);
  if (e < -4 || e >= 16) {
    const mant = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    const es = Math.abs(e) < 10 ? '0' + Math.abs(e) : String(Math.abs(e));
    return `${sign}${mant}e${e < 0 ? '-' : '+'}${es}`;
  }
  if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
  if (digits.length <= e + 1) return `${sign}${digits}${'0'.repeat(e + 1 - digits.length)}.0`;
  return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
}

// What Python's str.isprintable() refuses: control, format, private-use, unassigned, separators.
const NON_PRINTABLE = /^[\p{C}\p{Z}]$/u;

export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x7f && c >= 0x20) out += ch;
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (c < 0x100) out += '\\x' + c.toString(16).padStart(2, '0');
      else if (c < 0x10000) out += '\\u' + c.toString(16).padStart(4, '0');
      else out += '\\U' + c.toString(16).padStart(8, '0');
    } else out += ch;
  }
  return out + quote;
}

/** Python's str(). */
export function pyStr(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return isFloat(value) ? floatRepr(value) : String(value);
    case 'boolean':
      return value ? 'True' : 'False';
    case 'bigint':
      return value.toString();
    case 'undefined':
      return 'None';
  }
  if (value === null) return 'None';
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (value instanceof Markup) return value.s;
  const custom = (value as { [PY_STR]?: () => string })[PY_STR];
  if (typeof custom === 'function') return custom.call(value);
  return pyRepr(value);
}

/** Engine objects with their own Python str() (Undefined, loop, modules) implement this method. */
export const PY_STR: unique symbol = Symbol('py.str');
/** ... and their own repr(). */
export const PY_REPR: unique symbol = Symbol('py.repr');

/** Python's repr(). */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return strRepr(value);
  if (typeof value === 'function' || (typeof value === 'object' && value !== null)) {
    const custom = (value as { [PY_REPR]?: () => string })[PY_REPR];
    if (typeof custom === 'function') return custom.call(value);
  }
  if (value === null || value === undefined || typeof value !== 'object') {
    if (typeof value === 'function') return `<function ${(value as { name?: string }).name || 'anonymous'}>`;
    return pyStr(value);
  }
  if (value instanceof Markup) return `Markup(${strRepr(value.s)})`;
  if (value instanceof PyFloat) return floatRepr(value.value);
  if (value instanceof PyTuple) {
    if (value.length === 1) return '(' + pyRepr(value[0]) + ',)';
    return '(' + value.map(pyRepr).join(', ') + ')';
  }
  if (value instanceof PySet) return value.length === 0 ? 'set()' : '{' + value.map(pyRepr).join(', ') + '}';
  if (value instanceof PyView) {
    if (value.label.startsWith('range(')) return value.label;
    if (value.label === 'generator') return '<generator object>';
    return value.label + '([' + value.map(pyRepr).join(', ') + '])';
  }
  if (Array.isArray(value)) return '[' + value.map(pyRepr).join(', ') + ']';
  if (isMapping(value)) {
    const parts: string[] = [];
    for (const [k, v] of mappingItems(value)) parts.push(pyRepr(k) + ': ' + pyRepr(v));
    return '{' + parts.join(', ') + '}';
  }
  if (value instanceof Namespace) return `<Namespace ${pyRepr(value.attrs)}>`;
  const custom = (value as { [PY_STR]?: () => string })[PY_STR];
  if (typeof custom === 'function') return custom.call(value);
  const s = (value as { toString?: () => string }).toString;
  if (typeof s === 'function' && s !== Object.prototype.toString) return String(s.call(value));
  return `<${pyTypeName(value)} object>`;
}

// ---- mappings ----

/** obj[key] = value, as an own data property even for `__proto__` (never a prototype change). */
export function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  else obj[key] = value;
}

export function mappingItems(value: unknown): [unknown, unknown][] {
  if (value instanceof PyDict) return value.items();
  if (value instanceof Map) return [...value.entries()];
  const obj = value as Record<string, unknown>;
  const out: [unknown, unknown][] = [];
  for (const k of Object.keys(obj)) out.push([k, obj[k]]);
  return out;
}

export function mappingKeys(value: unknown): unknown[] {
  if (value instanceof PyDict) return value.keys();
  if (value instanceof Map) return [...value.keys()];
  return Object.keys(value as object);
}

export function mappingHas(value: unknown, key: unknown): boolean {
  if (value instanceof PyDict) return value.has(key);
  if (value instanceof Map) return value.has(key);
  return typeof key === 'string' && Object.prototype.hasOwnProperty.call(value, key);
}

/** The value under `key`, or undefined when absent. */
export function mappingGet(value: unknown, key: unknown): unknown {
  if (value instanceof PyDict) return value.get(key);
  if (value instanceof Map) return value.get(key);
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
  const v = (value as Record<string, unknown>)[key];
  return v === undefined ? null : v;
}

export function mappingSet(value: unknown, key: unknown, v: unknown): void {
  if (value instanceof PyDict) value.set(key, v);
  else if (value instanceof Map) value.set(key, v);
  else setOwn(value as Record<string, unknown>, pyStr(key), v);
}

export function mappingDelete(value: unknown, key: unknown): boolean {
  if (value instanceof PyDict) return value.delete(key);
  if (value instanceof Map) return value.delete(key);
  if (typeof key !== 'string' || !Object.prototype.hasOwnProperty.call(value, key)) return false;
  delete (value as Record<string, unknown>)[key];
  return true;
}

export function mappingSize(value: unknown): number {
  if (value instanceof PyDict || value instanceof Map) return value.size;
  return Object.keys(value as object).length;
}

// ---- conversion for hosts ----

/** Convert an engine value to plain JS: dicts -> plain objects, tuples -> arrays, floats -> numbers. */
export function toJS(value: unknown): unknown {
  if (value instanceof PyFloat) return value.value;
  if (Array.isArray(value)) return value.map(toJS);
  if (value instanceof PyDict) {
    const keys = value.keys();
    if (keys.every((k) => typeof k === 'string')) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of value.items()) setOwn(out, k as string, toJS(v));
      return out;
    }
    return new Map(value.items().map(([k, v]) => [toJS(k), toJS(v)]));
  }
  if (value instanceof Namespace) return toJS(value.attrs);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) setOwn(out, k, toJS(value[k]));
    return out;
  }
  return value;
}

/** Convert plain JS data to engine values: plain objects -> PyDict (arrays stay lists). */
export function fromJS(value: unknown): unknown {
  if (Array.isArray(value) && !(value instanceof PyTuple)) return value.map(fromJS);
  if (isPlainObject(value)) {
    const d = new PyDict();
    for (const k of Object.keys(value)) d.set(k, fromJS(value[k]));
    return d;
  }
  if (value instanceof Map) {
    const d = new PyDict();
    for (const [k, v] of value) d.set(k, fromJS(v));
    return d;
  }
  return value;
}
