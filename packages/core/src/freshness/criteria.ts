import { DvtError } from '../errors.js';

export type FreshnessPeriod = 'minute' | 'hour' | 'day';
export interface FreshnessTime {
  count: number | null;
  period: FreshnessPeriod | null;
}
/** A source table's `freshness:` after dbt's inheritance: what sources.json calls `criteria`. */
export interface FreshnessCriteria {
  warn_after: FreshnessTime | null;
  error_after: FreshnessTime | null;
  filter: string | null;
}
export type FreshnessStatus = 'pass' | 'warn' | 'error';

const PERIOD_SECONDS: Record<FreshnessPeriod, number> = { minute: 60, hour: 3600, day: 86400 };
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * dbt's inheritance of `freshness:` from a source down to its tables: each
 * more specific level merges over the one before, key by key and one level
 * deeper for `warn_after`/`error_after` (a table may change only the count);
 * an explicit `freshness: null` turns it off, and a level after that starts
 * afresh. `levels` run from least to most specific; `undefined` = not set.
 */
export function mergeFreshness(levels: readonly unknown[]): Record<string, unknown> | null {
  let merged: Record<string, unknown> | null = null;
  let set = false;
  for (const level of levels) {
    if (level === undefined) continue;
    set = true;
    if (!isRecord(level)) {
      merged = null;
      continue;
    }
    const base: Record<string, unknown> = merged ?? {};
    const next: Record<string, unknown> = { ...base, ...level };
    for (const key of ['warn_after', 'error_after']) {
      if (isRecord(base[key]) && isRecord(level[key])) next[key] = { ...base[key], ...level[key] };
    }
    merged = next;
  }
  return set ? merged : null;
}

/**
 * Checks a merged `freshness:` value, naming the source and its file when it
 * is malformed. Returns null when there is nothing to check (no thresholds).
 */
export function freshnessCriteria(value: unknown, where: { source: string; file: string; line?: number }): FreshnessCriteria | null {
  if (value === null || value === undefined) return null;
  const fail = (what: string) =>
    new DvtError('config', `source '${where.source}': ${what}`, { location: { file: where.file, line: where.line } });
  if (!isRecord(value)) throw fail(`freshness must be a mapping with warn_after/error_after, got ${JSON.stringify(value)}`);
  const time = (key: 'warn_after' | 'error_after'): FreshnessTime | null => {
    const raw = value[key];
    if (raw === undefined || raw === null) return null;
    if (!isRecord(raw)) throw fail(`freshness.${key} must be {count: N, period: minute|hour|day}`);
    const { count, period } = raw;
    if (count !== undefined && count !== null && !(typeof count === 'number' && Number.isInteger(count) && count >= 0)) {
      throw fail(`freshness.${key}.count must be a whole number, got ${JSON.stringify(count)}`);
    }
    if (period !== undefined && period !== null && !(typeof period === 'string' && period in PERIOD_SECONDS)) {
      throw fail(`freshness.${key}.period must be minute, hour or day, got ${JSON.stringify(period)}`);
    }
    if ((count ?? null) === null !== ((period ?? null) === null)) throw fail(`freshness.${key} needs both count and period`);
    return { count: (count as number | undefined) ?? null, period: (period as FreshnessPeriod | undefined) ?? null };
  };
  const filter = value.filter;
  if (filter !== undefined && filter !== null && typeof filter !== 'string') throw fail('freshness.filter must be a SQL condition (a string)');
  const criteria: FreshnessCriteria = { warn_after: time('warn_after'), error_after: time('error_after'), filter: filter ?? null };
  return hasThreshold(criteria.warn_after) || hasThreshold(criteria.error_after) ? criteria : null;
}

function hasThreshold(t: FreshnessTime | null): t is { count: number; period: FreshnessPeriod } {
  return t !== null && t.count !== null && t.period !== null;
}

/** dbt's rule: older than error_after is an error, else older than warn_after a warning, else a pass. */
export function freshnessStatus(criteria: FreshnessCriteria, ageSeconds: number): FreshnessStatus {
  const exceeds = (t: FreshnessTime | null) => hasThreshold(t) && ageSeconds > t.count * PERIOD_SECONDS[t.period];
  if (exceeds(criteria.error_after)) return 'error';
  if (exceeds(criteria.warn_after)) return 'warn';
  return 'pass';
}

/**
 * A timestamp as adapters hand it over ('YYYY-MM-DD HH:MM:SS[.ffffff][+00]')
 * to a Date. A value without a zone is taken as UTC, as dbt does; NULL (an
 * empty table) is the earliest time there is, so it is never fresh.
 */
export function parseLoadedAt(value: unknown): Date {
  if (value === null || value === undefined) return new Date('0001-01-01T00:00:00Z');
  if (value instanceof Date) return value;
  const text = String(value).trim();
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2})?)(\.\d+)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  if (!match) throw new Error(`loaded_at_field gave ${JSON.stringify(text)}, which is not a timestamp`);
  const [, date, time = '00:00:00', fraction = '', zone] = match;
  const offset = zone === undefined || zone === 'Z' ? 'Z' : zone.length === 3 ? `${zone}:00` : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const parsed = new Date(`${date}T${time.length === 5 ? `${time}:00` : time}${fraction.slice(0, 4)}${offset}`);
  if (Number.isNaN(parsed.getTime())) throw new Error(`loaded_at_field gave ${JSON.stringify(text)}, which is not a timestamp`);
  return parsed;
}
