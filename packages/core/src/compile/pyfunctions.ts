import { isMapping, Markup, pySet, pyTypeName, toJS } from '@dvt/jinja';
import type { PySet } from '@dvt/jinja';
import { DvtError } from '../errors.js';
import { arg, splitArgs } from './kwargs.js';

// Python builtins dbt puts in the context: set, zip, and json.dumps for tojson.

/** What iterating a Jinja value yields (a mapping its keys), or undefined when it is not iterable. */
function iterationOf(value: unknown): unknown[] | undefined {
  if (typeof value === 'string') return [...value];
  if (value instanceof Markup) return [...String(value)];
  if (Array.isArray(value)) return value;
  if (isMapping(value)) return Object.keys(toJS(value) as Record<string, unknown>);
  if (value instanceof Set || value instanceof Map) return [...value.keys()];
  return undefined;
}

/** dbt's `set(value, default=None)`: a set, or the default when value is not iterable. */
export function pySetOrDefault(...args: unknown[]): PySet | unknown {
  const call = splitArgs(args);
  const items = iterationOf(arg(call, 0, 'value'));
  return items === undefined ? arg(call, 1, 'default', null) : pySet(items);
}

/** dbt's `set_strict(value)`: a set, or an error when value is not iterable. */
export function pySetStrict(...args: unknown[]): PySet {
  const value = arg(splitArgs(args), 0, 'value');
  const items = iterationOf(value);
  if (items === undefined) throw new DvtError('compile', `set_strict(): '${pyTypeName(value)}' object is not iterable`);
  return pySet(items);
}

export function zip(lists: unknown[][], strict: boolean): unknown[][] {
  const lengths = lists.map((l) => l.length);
  if (strict && new Set(lengths).size > 1) throw new DvtError('compile', 'zip_strict(): arguments have different lengths');
  const n = lists.length === 0 ? 0 : Math.min(...lengths);
  const out: unknown[][] = [];
  for (let i = 0; i < n; i++) out.push(lists.map((l) => l[i]));
  return out;
}

/** Python's json.dumps spacing (`", "` and `": "`). */
export function jsonDump(value: unknown, sortKeys: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => jsonDump(v, sortKeys)).join(', ')}]`;
  if (value instanceof Map) value = Object.fromEntries(value);
  if (typeof value === 'object') {
    let keys = Object.keys(value as object);
    if (sortKeys) keys = keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonDump((value as Record<string, unknown>)[k], sortKeys)}`).join(', ')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}
