// Jinja2's builtin tests (`x is defined`, `x is divisibleby 3`, ...).
import * as ops from './ops.js';
import { type TestImpl, LoopContext } from './runtime.js';
import { Undefined } from './undefined.js';
import { Markup, PyFloat, PySet, PyView, isFloat, isInt, isMapping } from './values.js';

const isNumberValue = (v: unknown) => typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean' || v instanceof PyFloat;

export const TESTS: Record<string, TestImpl> = {
  boolean: (_rt, v) => typeof v === 'boolean',
  callable: (_rt, v) => typeof v === 'function' || v instanceof LoopContext,
  defined: (_rt, v) => !(v instanceof Undefined),
  undefined: (_rt, v) => v instanceof Undefined,
  divisibleby: (rt, v, a) => ops.eq(rt.modulo(v, a[0]), 0),
  eq: (_rt, v, a) => ops.eq(v, a[0]),
  ne: (_rt, v, a) => !ops.eq(v, a[0]),
  lt: (_rt, v, a) => ops.compare(v, a[0], '<') < 0,
  le: (_rt, v, a) => ops.compare(v, a[0], '<=') <= 0,
  gt: (_rt, v, a) => ops.compare(v, a[0], '>') > 0,
  ge: (_rt, v, a) => ops.compare(v, a[0], '>=') >= 0,
  escaped: (_rt, v) => v instanceof Markup,
  even: (rt, v) => ops.eq(rt.modulo(v, 2), 0),
  odd: (rt, v) => ops.eq(rt.modulo(v, 2), 1),
  false: (_rt, v) => v === false,
  true: (_rt, v) => v === true,
  none: (_rt, v) => v === null || v === undefined,
  float: (_rt, v) => isFloat(v),
  integer: (_rt, v) => isInt(v),
  number: (_rt, v) => isNumberValue(v),
  string: (_rt, v) => typeof v === 'string' || v instanceof Markup,
  mapping: (_rt, v) => isMapping(v),
  sequence: (_rt, v) =>
    typeof v === 'string' || v instanceof Markup || (Array.isArray(v) && !(v instanceof PySet) && (!(v instanceof PyView) || v.label.startsWith('range('))) || isMapping(v),
  iterable: (_rt, v) =>
    v instanceof LoopContext ||
    typeof v === 'string' ||
    v instanceof Markup || Array.isArray(v) || isMapping(v) || (v !== null && typeof v === 'object' && Symbol.iterator in v),
  in: (_rt, v, a) => ops.contains(a[0], v),
  lower: (rt, v) => {
    const s = rt.str(v);
    return /\p{Ll}/u.test(s) && s === s.toLowerCase();
  },
  upper: (rt, v) => {
    const s = rt.str(v);
    return /\p{Lu}/u.test(s) && s === s.toUpperCase();
  },
  sameas: (_rt, v, a) => {
    const o = a[0];
    if (typeof v === 'number' && typeof o === 'number') return v === o && !(isFloat(v) !== isFloat(o));
    return v === o || ((v === null || v === undefined) && (o === null || o === undefined));
  },
  filter: (rt, v) => typeof v === 'string' && rt.filters.has(v),
  test: (rt, v) => typeof v === 'string' && rt.tests.has(v),
};
TESTS['=='] = TESTS.eq;
TESTS.equalto = TESTS.eq;
TESTS['!='] = TESTS.ne;
TESTS['<'] = TESTS.lt;
TESTS.lessthan = TESTS.lt;
TESTS['<='] = TESTS.le;
TESTS['>'] = TESTS.gt;
TESTS.greaterthan = TESTS.gt;
TESTS['>='] = TESTS.ge;
