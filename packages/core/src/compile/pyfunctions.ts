import { DvtError } from '../errors.js';

// Python builtins dbt puts in the context: zip, and json.dumps for tojson.

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
