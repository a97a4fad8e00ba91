// Python semantics for operators: arithmetic with int/float distinction, equality, ordering,
// truthiness and membership.
import { pyError } from './errors.js';
import {
  Markup,
  PyDict,
  PyFloat,
  PySet,
  PyTuple,
  hostOperator,
  isFloat,
  isMapping,
  makeFloat,
  makeInt,
  mappingGet,
  mappingHas,
  mappingItems,
  mappingSize,
  num,
  pyTypeName,
  tuple,
} from './values.js';
import { Undefined } from './undefined.js';

function isIntLike(v: unknown): boolean {
  return (typeof v === 'number' && Number.isInteger(v) && !Object.is(v, -0)) || typeof v === 'bigint' || typeof v === 'boolean';
}

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof PyFloat;
}

function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  return BigInt(v as number);
}

function intVal(v: unknown): number | bigint {
  return typeof v === 'boolean' ? (v ? 1 : 0) : (v as number | bigint);
}

function unsupported(op: string, a: unknown, b: unknown): never {
  throw pyError('TypeError', `unsupported operand type(s) for ${op}: '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

function checkUndefined(a: unknown, b: unknown): void {
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
}

function intResult(a: unknown, b: unknown, fast: (x: number, y: number) => number, slow: (x: bigint, y: bigint) => bigint): number | bigint {
  if (typeof a === 'number' && typeof b === 'number') {
    const r = fast(a, b);
    if (Number.isSafeInteger(r)) return r;
  }
  return makeInt(slow(big(a), big(b)));
}

function escapeText(v: unknown): string {
  if (v instanceof Markup) return v.s;
  return String(v).replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&#34;' : '&#39;'));
}

export function add(a: unknown, b: unknown): unknown {
  if (a instanceof Markup || b instanceof Markup) {
    if ((typeof a === 'string' || a instanceof Markup) && (typeof b === 'string' || b instanceof Markup)) return new Markup(escapeText(a) + escapeText(b));
  }
  if (typeof a === 'number' && typeof b === 'number' && Number.isInteger(a) && Number.isInteger(b)) {
    const r = a + b;
    if (Number.isSafeInteger(r)) return Object.is(a, -0) || Object.is(b, -0) ? makeFloat(r) : r;
  }
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntLike(a) && isIntLike(b)) return makeInt(big(a) + big(b));
    return makeFloat(num(a) + num(b));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a instanceof PyTuple !== b instanceof PyTuple) unsupported('+', a, b);
    return a instanceof PyTuple ? tuple([...a, ...b]) : [...a, ...b];
  }
  const host = hostOperator('+', a, b);
  if (host !== undefined) return host;
  checkUndefined(a, b);
  if (typeof a === 'string' || typeof b === 'string') {
    const other = typeof a === 'string' ? b : a;
    if (typeof a === 'string') throw pyError('TypeError', `can only concatenate str (not "${pyTypeName(other)}") to str`);
  }
  if (Array.isArray(a)) throw pyError('TypeError', `can only concatenate ${pyTypeName(a)} (not "${pyTypeName(b)}") to ${pyTypeName(a)}`);
  return unsupported('+', a, b);
}

export function sub(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntLike(a) && isIntLike(b)) return intResult(a, b, (x, y) => x - y, (x, y) => x - y);
    return makeFloat(num(a) - num(b));
  }
  const host = hostOperator('-', a, b);
  if (host !== undefined) return host;
  checkUndefined(a, b);
  return unsupported('-', a, b);
}

function repeat(seq: unknown, n: unknown): unknown {
  const count = Math.max(0, Number(intVal(n)));
  if (typeof seq === 'string') return seq.repeat(count);
  const arr = seq as unknown[];
  const out: unknown[] = [];
  for (let i = 0; i < count; i++) out.push(...arr);
  return seq instanceof PyTuple ? tuple(out) : out;
}

export function mul(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntLike(a) && isIntLike(b)) return intResult(a, b, (x, y) => x * y, (x, y) => x * y);
    return makeFloat(num(a) * num(b));
  }
  if ((typeof a === 'string' || Array.isArray(a)) && isIntLike(b)) return repeat(a, b);
  if ((typeof b === 'string' || Array.isArray(b)) && isIntLike(a)) return repeat(b, a);
  const host = hostOperator('*', a, b);
  if (host !== undefined) return host;
  checkUndefined(a, b);
  if (typeof a === 'string' || Array.isArray(a) || typeof b === 'string' || Array.isArray(b))
    throw pyError('TypeError', `can't multiply sequence by non-int of type '${pyTypeName(typeof a === 'string' || Array.isArray(a) ? b : a)}'`);
  return unsupported('*', a, b);
}

function zeroCheck(b: unknown, msg: string): void {
  if (num(b) === 0) throw pyError('ZeroDivisionError', msg);
}

export function div(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    zeroCheck(b, isFloat(a) || isFloat(b) ? 'float division by zero' : 'division by zero');
    return makeFloat(num(a) / num(b));
  }
  const host = hostOperator('/', a, b);
  if (host !== undefined) return host;
  checkUndefined(a, b);
  return unsupported('/', a, b);
}

export function floordiv(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntLike(a) && isIntLike(b)) {
      zeroCheck(b, 'integer division or modulo by zero');
      if (typeof a === 'number' && typeof b === 'number') return Math.floor(a / b);
      const x = big(a);
      const y = big(b);
      let q = x / y;
      if ((x % y !== 0n) && ((x < 0n) !== (y < 0n))) q -= 1n;
      return makeInt(q);
    }
    zeroCheck(b, 'float floor division by zero');
    return makeFloat(Math.floor(num(a) / num(b)));
  }
  const host = hostOperator('//', a, b);
  if (host !== undefined) return host;
  checkUndefined(a, b);
  return unsupported('//', a, b);
}

export function mod(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntLike(a) && isIntLike(b)) {
      zeroCheck(b, 'integer division or modulo by zero');
      if (typeof a === 'number' && typeof b === 'number') {
        const r = a % b;
        return r !== 0 && r < 0 !== b < 0 ? r + b : r === 0 ? 0 : r;
      }
      const x = big(a);
      const y = big(b);
      const r = x % y;
      return makeInt(r !== 0n && r < 0n !== y < 0n ? r + y : r);
    }
    zeroCheck(b, 'float modulo');
    const x = num(a);
    const y = num(b);
    let r = x % y;
    if (r !== 0 && r < 0 !== y < 0) r += y;
    else if (r === 0) r = y < 0 ? -0 : 0;
    return makeFloat(r);
  }
  const host = hostOperator('%', a, b);
  if (host !== undefined) return host;
  checkUndefined(a, b);
  return unsupported('%', a, b);
}

export function pow(a: unknown, b: unknown): unknown {
  if (isNumeric(a) && isNumeric(b)) {
    if (isIntLike(a) && isIntLike(b)) {
      const y = Number(intVal(b));
      if (y < 0) {
        if (num(a) === 0) throw pyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
        return makeFloat(Math.pow(num(a), y));
      }
      const fast = Math.pow(num(a), y);
      if (Number.isSafeInteger(fast)) return fast;
      return makeInt(big(a) ** big(b));
    }
    const x = num(a);
    const y = num(b);
    if (x === 0 && y < 0) throw pyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
    const r = Math.pow(x, y);
    if (Number.isNaN(r) && x < 0) throw pyError('ValueError', 'math domain error');
    return makeFloat(r);
  }
  checkUndefined(a, b);
  return unsupported('** or pow()', a, b);
}

export function neg(a: unknown): unknown {
  if (typeof a === 'number') return isFloat(a) ? makeFloat(-a) : a === 0 ? 0 : -a;
  if (typeof a === 'bigint') return makeInt(-a);
  if (typeof a === 'boolean') return a ? -1 : 0;
  if (a instanceof PyFloat) return makeFloat(-a.value);
  if (a instanceof Undefined) a.fail();
  throw pyError('TypeError', `bad operand type for unary -: '${pyTypeName(a)}'`);
}

export function pos(a: unknown): unknown {
  if (typeof a === 'boolean') return a ? 1 : 0;
  if (isNumeric(a)) return a;
  if (a instanceof Undefined) a.fail();
  throw pyError('TypeError', `bad operand type for unary +: '${pyTypeName(a)}'`);
}

// ---- truthiness, equality, ordering ----

export function truthy(v: unknown): boolean {
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'string':
      return v.length > 0;
    case 'number':
      return v !== 0;
    case 'bigint':
      return v !== 0n;
    case 'undefined':
      return false;
    case 'function':
      return true;
  }
  if (v === null) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Undefined) return v.truthy();
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof Markup) return v.s.length > 0;
  if (isMapping(v)) {
    const custom = (v as { __bool__?: unknown }).__bool__;
    if (typeof custom === 'function') return Boolean(custom.call(v));
    return mappingSize(v) > 0;
  }
  return true;
}

export function eq(a0: unknown, b0: unknown): boolean {
  const a = a0 instanceof Markup ? a0.s : a0;
  const b = b0 instanceof Markup ? b0.s : b0;
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  if (a === null || a === undefined) return b === null || b === undefined;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === 'string' || tb === 'string') return false;
  if (isNumeric(a) && isNumeric(b)) {
    if (typeof a === 'bigint' || typeof b === 'bigint') {
      if (isFloat(a) || isFloat(b)) return num(a) === num(b);
      return big(a) === big(b);
    }
    return num(a) === num(b);
  }
  if (a instanceof Undefined) return a.equals(b);
  if (b instanceof Undefined) return b.equals(a);
  if (a instanceof PySet || b instanceof PySet) {
    if (!(a instanceof PySet && b instanceof PySet) || a.length !== b.length) return false;
    return a.every((x) => contains(b, x));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a instanceof PyTuple !== b instanceof PyTuple) return false;
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i], b[i])) return false;
    return true;
  }
  const host = hostOperator('==', a, b);
  if (host !== undefined) return Boolean(host);
  if (isMapping(a) && isMapping(b)) {
    if (mappingSize(a) !== mappingSize(b)) return false;
    for (const [k, v] of mappingItems(a)) {
      if (!mappingHas(b, k) || !eq(v, mappingGet(b, k))) return false;
    }
    return true;
  }
  return false;
}

/** Python's ordering: <0, 0, >0; raises TypeError between unorderable types. */
export function compare(a0: unknown, b0: unknown, op: string): number {
  const a = a0 instanceof Markup ? a0.s : a0;
  const b = b0 instanceof Markup ? b0.s : b0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : NaN;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (isNumeric(a) && isNumeric(b)) {
    if ((typeof a === 'bigint' || typeof b === 'bigint') && !isFloat(a) && !isFloat(b)) {
      const x = big(a);
      const y = big(b);
      return x < y ? -1 : x > y ? 1 : 0;
    }
    const x = num(a);
    const y = num(b);
    return x < y ? -1 : x > y ? 1 : x === y ? 0 : NaN;
  }
  if (Array.isArray(a) && Array.isArray(b) && a instanceof PyTuple === b instanceof PyTuple) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!eq(a[i], b[i])) return compare(a[i], b[i], op);
    }
    return a.length - b.length;
  }
  const host = hostOperator('cmp', a, b);
  if (host !== undefined) return Number(host);
  if (a instanceof Undefined) a.fail();
  if (b instanceof Undefined) b.fail();
  throw pyError('TypeError', `'${op}' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

export function contains(container0: unknown, item0: unknown): boolean {
  const container = container0 instanceof Markup ? container0.s : container0;
  const item = item0 instanceof Markup ? item0.s : item0;
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw pyError('TypeError', `'in <string>' requires string as left operand, not ${pyTypeName(item)}`);
    return container.includes(item);
  }
  if (Array.isArray(container)) {
    for (const x of container) if (eq(x, item)) return true;
    return false;
  }
  if (isMapping(container)) {
    if (container instanceof PyDict || container instanceof Map) return mappingHas(container, item);
    return typeof item === 'string' && Object.prototype.hasOwnProperty.call(container, item);
  }
  if (container instanceof Undefined) return container.contains();
  if (container !== null && typeof container === 'object' && Symbol.iterator in container) {
    for (const x of container as Iterable<unknown>) if (eq(x, item)) return true;
    return false;
  }
  throw pyError('TypeError', `argument of type '${pyTypeName(container)}' is not iterable`);
}
