// Jinja2's default globals: range, dict, namespace, cycler, joiner.
import { pyError } from './errors.js';
import { Cycler, builtin } from './runtime.js';
import { Namespace, PyDict, isMapping, mappingItems, num, view } from './values.js';

/** Jinja2's sandbox refuses ranges longer than this. */
const MAX_RANGE = 100000;

function intArg(v: unknown): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if ((typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint') return Number(v);
  throw pyError('TypeError', `'${v === null ? 'NoneType' : typeof v === 'string' ? 'str' : 'float'}' object cannot be interpreted as an integer`);
}

function range(args: unknown[]): unknown[] {
  let start = 0;
  let stop: number;
  let step = 1;
  if (args.length === 1) stop = intArg(args[0]);
  else if (args.length >= 2) {
    start = intArg(args[0]);
    stop = intArg(args[1]);
    if (args.length > 2) step = intArg(args[2]);
  } else throw pyError('TypeError', 'range expected at least 1 argument, got 0');
  if (step === 0) throw pyError('ValueError', 'range() arg 3 must not be zero');
  const len = Math.max(0, Math.ceil((stop - start) / step));
  if (len > MAX_RANGE) throw pyError('OverflowError', `Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`);
  const out: number[] = [];
  for (let i = 0; i < len; i++) out.push(start + i * step);
  return view(step === 1 ? `range(${start}, ${stop})` : `range(${start}, ${stop}, ${step})`, out);
}

function fillFrom(target: PyDict, args: unknown[], kwargs: Record<string, unknown> | null, iterate: (v: unknown) => unknown[]): void {
  if (args.length) {
    const src = args[0];
    if (isMapping(src)) for (const [k, v] of mappingItems(src)) target.set(k, v);
    else for (const pair of iterate(src)) {
      const kv = iterate(pair);
      if (kv.length !== 2) throw pyError('ValueError', `dictionary update sequence element has length ${kv.length}; 2 is required`);
      target.set(kv[0], kv[1]);
    }
  }
  if (kwargs) for (const k of Object.keys(kwargs)) target.set(k, kwargs[k]);
}

export function defaultGlobals(iterate: (v: unknown) => unknown[]): Record<string, unknown> {
  return {
    range: builtin('range', (args) => range(args)),
    dict: builtin('dict', (args, kwargs) => {
      const d = new PyDict();
      fillFrom(d, args, kwargs, iterate);
      return d;
    }),
    namespace: builtin('namespace', (args, kwargs) => {
      const ns = new Namespace();
      fillFrom(ns.attrs, args, kwargs, iterate);
      return ns;
    }),
    cycler: builtin('cycler', (args) => new Cycler(args)),
    joiner: builtin('joiner', (args, kwargs) => {
      const sep = args.length ? args[0] : kwargs?.sep ?? ', ';
      let used = false;
      return builtin('joiner', () => {
        if (!used) {
          used = true;
          return '';
        }
        return sep;
      });
    }),
    lipsum: builtin('lipsum', (args) => {
      const n = args.length ? num(args[0]) : 5;
      return Array.from({ length: n }, () => 'Lorem ipsum dolor sit amet, consectetur adipiscing elit.').join('\n\n');
    }),
  };
}
