import { callJinja, pyAdd, pyEquals, pyNumber, pyTruthy, tuple } from '@dvt/jinja';
import { splitArgs } from './kwargs.js';

/**
 * `modules.itertools`: the functions dbt documents, as lazy iterators over template values.
 * Like Python's, each result can be iterated once (`{% for %}`, `| list`, or another itertools
 * function). Tuples are Python tuples. The endless ones (count, cycle, repeat without times)
 * stop with an error past a bound, so a template that loops over one without `islice` or
 * `break` fails instead of hanging the run (the engine materialises a loop's iterable).
 */

const ENDLESS_LIMIT = 1_000_000;
type Callable = (...args: unknown[]) => unknown;

function* guarded(name: string, items: Iterable<unknown>): Generator<unknown> {
  let n = 0;
  for (const item of items) {
    if (++n > ENDLESS_LIMIT) throw new Error(`itertools.${name}() produced more than ${ENDLESS_LIMIT} items: bound it with islice() or a times/stop argument`);
    yield item;
  }
}

function iterable(value: unknown, name: string): Iterable<unknown> {
  if (typeof value === 'string') return [...value];
  if (value !== null && typeof value === 'object') {
    if (Symbol.iterator in value) {
      // A dict iterates over its keys, as in Python.
      const keys = (value as { keys?: () => unknown }).keys;
      if (!Array.isArray(value) && typeof keys === 'function' && !isGenerator(value)) return keys.call(value) as Iterable<unknown>;
      return value as Iterable<unknown>;
    }
    if (Object.getPrototypeOf(value) === Object.prototype) return Object.keys(value);
  }
  throw new Error(`TypeError: itertools.${name}(): '${value === null ? 'NoneType' : typeof value}' object is not iterable`);
}

function isGenerator(value: object): boolean {
  return typeof (value as { next?: unknown }).next === 'function';
}

const call = (fn: unknown, args: unknown[]): unknown => callJinja(fn as Callable, args);
const int = (value: unknown): number => pyNumber(value);

function* count(start: number, step: number): Generator<unknown> {
  for (let n = start; ; n += step) yield n;
}

function* cycle(items: Iterable<unknown>): Generator<unknown> {
  const seen: unknown[] = [];
  for (const item of items) {
    seen.push(item);
    yield item;
  }
  if (seen.length === 0) return;
  for (;;) yield* seen;
}

function* repeat(value: unknown, times: number | null): Generator<unknown> {
  for (let i = 0; times === null || i < times; i++) yield value;
}

function* accumulate(items: Iterable<unknown>, func: unknown, initial: unknown): Generator<unknown> {
  let total = initial;
  let started = initial !== null && initial !== undefined;
  if (started) yield total;
  for (const item of items) {
    total = started ? (func ? call(func, [total, item]) : pyAdd(total, item)) : item;
    started = true;
    yield total;
  }
}

function* chain(iterables: Iterable<unknown>): Generator<unknown> {
  for (const items of iterables) yield* iterable(items, 'chain');
}

function* compress(items: Iterable<unknown>, selectors: Iterable<unknown>): Generator<unknown> {
  const flags = selectors[Symbol.iterator]();
  for (const item of items) {
    const flag = flags.next();
    if (flag.done) return;
    if (pyTruthy(flag.value)) yield item;
  }
}

function* dropwhile(predicate: unknown, items: Iterable<unknown>): Generator<unknown> {
  let dropping = true;
  for (const item of items) {
    if (dropping && pyTruthy(call(predicate, [item]))) continue;
    dropping = false;
    yield item;
  }
}

function* takewhile(predicate: unknown, items: Iterable<unknown>): Generator<unknown> {
  for (const item of items) {
    if (!pyTruthy(call(predicate, [item]))) return;
    yield item;
  }
}

function* filterfalse(predicate: unknown, items: Iterable<unknown>): Generator<unknown> {
  for (const item of items) if (!pyTruthy(predicate === null ? item : call(predicate, [item]))) yield item;
}

/** Runs of consecutive items with equal keys, as (key, items) tuples. */
function* groupby(items: Iterable<unknown>, key: unknown): Generator<unknown> {
  let group: unknown[] = [];
  let current: unknown = undefined;
  for (const item of items) {
    const k = key === null || key === undefined ? item : call(key, [item]);
    if (group.length > 0 && !pyEquals(k, current)) {
      yield tuple([current, group]);
      group = [];
    }
    current = k;
    group.push(item);
  }
  if (group.length > 0) yield tuple([current, group]);
}

function* islice(items: Iterable<unknown>, start: number, stop: number | null, step: number): Generator<unknown> {
  if (step < 1) throw new Error('ValueError: Step for islice() must be a positive integer or None.');
  let i = 0;
  for (const item of items) {
    if (stop !== null && i >= stop) return;
    if (i >= start && (i - start) % step === 0) yield item;
    i++;
  }
}

function* starmap(func: unknown, items: Iterable<unknown>): Generator<unknown> {
  for (const args of items) yield call(func, [...iterable(args, 'starmap')]);
}

function* zipLongest(lists: unknown[][], fill: unknown): Generator<unknown> {
  const length = Math.max(0, ...lists.map((l) => l.length));
  for (let i = 0; i < length; i++) yield tuple(lists.map((l) => (i < l.length ? l[i] : fill)));
}

function* product(pools: unknown[][]): Generator<unknown> {
  if (pools.some((pool) => pool.length === 0)) return;
  const indexes = pools.map(() => 0);
  for (;;) {
    yield tuple(indexes.map((index, p) => pools[p][index]));
    let p = pools.length - 1;
    while (p >= 0 && ++indexes[p] === pools[p].length) indexes[p--] = 0;
    if (p < 0) return;
  }
}

/** r-length index tuples in lexicographic order; `next` advances one, or answers false at the end. */
function* indexTuples(first: number[], next: (indexes: number[]) => boolean): Generator<number[]> {
  const indexes = [...first];
  for (;;) {
    yield indexes;
    if (!next(indexes)) return;
  }
}

function* combinations(pool: unknown[], r: number): Generator<unknown> {
  const n = pool.length;
  if (r > n) return;
  const first = Array.from({ length: r }, (_, i) => i);
  const advance = (idx: number[]): boolean => {
    let i = r - 1;
    while (i >= 0 && idx[i] === i + n - r) i--;
    if (i < 0) return false;
    idx[i]++;
    for (let j = i + 1; j < r; j++) idx[j] = idx[j - 1] + 1;
    return true;
  };
  for (const idx of indexTuples(first, advance)) yield tuple(idx.map((i) => pool[i]));
}

function* combinationsWithReplacement(pool: unknown[], r: number): Generator<unknown> {
  const n = pool.length;
  if (n === 0 && r > 0) return;
  const advance = (idx: number[]): boolean => {
    let i = r - 1;
    while (i >= 0 && idx[i] === n - 1) i--;
    if (i < 0) return false;
    const value = idx[i] + 1;
    for (let j = i; j < r; j++) idx[j] = value;
    return true;
  };
  for (const idx of indexTuples(Array<number>(r).fill(0), advance)) yield tuple(idx.map((i) => pool[i]));
}

function* permutations(pool: unknown[], r: number): Generator<unknown> {
  const n = pool.length;
  if (r > n) return;
  // Lexicographic order of index positions, as Python's: pick each unused index in turn.
  const used = Array<boolean>(n).fill(false);
  const chosen: number[] = [];
  function* extend(): Generator<unknown> {
    if (chosen.length === r) {
      yield tuple(chosen.map((i) => pool[i]));
      return;
    }
    for (let i = 0; i < n; i++) {
      if (used[i]) continue;
      used[i] = true;
      chosen.push(i);
      yield* extend();
      chosen.pop();
      used[i] = false;
    }
  }
  yield* extend();
}

function* pairwise(items: Iterable<unknown>): Generator<unknown> {
  let previous: unknown;
  let first = true;
  for (const item of items) {
    if (!first) yield tuple([previous, item]);
    previous = item;
    first = false;
  }
}

const list = (value: unknown, name: string): unknown[] => [...iterable(value, name)];
const optionalInt = (value: unknown): number | null => (value === null || value === undefined ? null : int(value));

export const itertoolsModule = {
  count: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    return guarded('count', count(int(positional[0] ?? kwargs.start ?? 0), int(positional[1] ?? kwargs.step ?? 1)));
  },
  cycle: (items: unknown) => guarded('cycle', cycle(iterable(items, 'cycle'))),
  repeat: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    const times = optionalInt(positional[1] ?? kwargs.times);
    return times === null ? guarded('repeat', repeat(positional[0] ?? kwargs.object, null)) : repeat(positional[0] ?? kwargs.object, times);
  },
  accumulate: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    return accumulate(iterable(positional[0], 'accumulate'), positional[1] ?? kwargs.func ?? null, kwargs.initial ?? null);
  },
  chain: Object.assign((...iterables: unknown[]) => chain(iterables), {
    from_iterable: (iterables: unknown) => chain(iterable(iterables, 'chain.from_iterable')),
  }),
  compress: (items: unknown, selectors: unknown) => compress(iterable(items, 'compress'), iterable(selectors, 'compress')),
  dropwhile: (predicate: unknown, items: unknown) => dropwhile(predicate, iterable(items, 'dropwhile')),
  takewhile: (predicate: unknown, items: unknown) => takewhile(predicate, iterable(items, 'takewhile')),
  filterfalse: (predicate: unknown, items: unknown) => filterfalse(predicate, iterable(items, 'filterfalse')),
  groupby: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    return groupby(iterable(positional[0] ?? kwargs.iterable, 'groupby'), positional[1] ?? kwargs.key ?? null);
  },
  islice: (items: unknown, ...bounds: unknown[]) => {
    const source = iterable(items, 'islice');
    if (bounds.length <= 1) return islice(source, 0, optionalInt(bounds[0]), 1);
    return islice(source, optionalInt(bounds[0]) ?? 0, optionalInt(bounds[1]), optionalInt(bounds[2]) ?? 1);
  },
  starmap: (func: unknown, items: unknown) => starmap(func, iterable(items, 'starmap')),
  tee: (items: unknown, n: unknown = 2) => {
    const values = list(items, 'tee');
    return tuple(Array.from({ length: int(n) }, () => values[Symbol.iterator]()));
  },
  zip_longest: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    return zipLongest(positional.map((p) => list(p, 'zip_longest')), kwargs.fillvalue ?? null);
  },
  product: (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    const pools = positional.map((p) => list(p, 'product'));
    const times = int(kwargs.repeat ?? 1);
    return product(Array.from({ length: times }, () => pools).flat());
  },
  permutations: (items: unknown, r: unknown = null) => {
    const pool = list(items, 'permutations');
    return permutations(pool, optionalInt(r) ?? pool.length);
  },
  combinations: (items: unknown, r: unknown) => combinations(list(items, 'combinations'), int(r)),
  combinations_with_replacement: (items: unknown, r: unknown) => combinationsWithReplacement(list(items, 'combinations_with_replacement'), int(r)),
  pairwise: (items: unknown) => pairwise(iterable(items, 'pairwise')),
};
