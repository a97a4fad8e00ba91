/**
 * Microbatch windows (pure): UTC periods of `batch_size` that a microbatch
 * model is built in, one transaction each.
 */

export type BatchSize = 'hour' | 'day' | 'month' | 'year';

export const BATCH_SIZES: readonly BatchSize[] = ['hour', 'day', 'month', 'year'];

/** The start of the period containing `at`. */
export function truncateToBatch(at: Date, size: BatchSize): Date {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth();
  switch (size) {
    case 'hour':
      return new Date(Date.UTC(y, m, at.getUTCDate(), at.getUTCHours()));
    case 'day':
      return new Date(Date.UTC(y, m, at.getUTCDate()));
    case 'month':
      return new Date(Date.UTC(y, m, 1));
    case 'year':
      return new Date(Date.UTC(y, 0, 1));
  }
}

export function addBatches(at: Date, size: BatchSize, n: number): Date {
  const d = new Date(at.getTime());
  switch (size) {
    case 'hour':
      d.setUTCHours(d.getUTCHours() + n);
      break;
    case 'day':
      d.setUTCDate(d.getUTCDate() + n);
      break;
    case 'month':
    case 'year': {
      // Clamp the day, so Jan 31 + 1 month is Feb 29, not Mar 2.
      const months = size === 'month' ? n : 12 * n;
      const target = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, 1));
      const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
      target.setUTCDate(Math.min(d.getUTCDate(), lastDay));
      target.setUTCHours(d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds());
      return target;
    }
  }
  return d;
}

/**
 * The windows to build, oldest first, each `[start, end)`. A first run (or a
 * full refresh) starts at `begin`; later runs reprocess the current period and
 * `lookback` periods before it (late-arriving rows), as dbt does. The last
 * window is the period containing `now`.
 */
export function batchWindows(opts: { size: BatchSize; now: Date; lookback: number; begin?: Date; firstRun: boolean }): [Date, Date][] {
  const current = truncateToBatch(opts.now, opts.size);
  const first = opts.firstRun && opts.begin ? truncateToBatch(opts.begin, opts.size) : addBatches(current, opts.size, -Math.max(0, opts.lookback));
  const windows: [Date, Date][] = [];
  for (let start = first; start.getTime() <= current.getTime(); start = addBatches(start, opts.size, 1)) {
    windows.push([start, addBatches(start, opts.size, 1)]);
  }
  return windows;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC: a timestamp literal every engine reads. */
export function formatBatchTime(at: Date): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** `begin` as configured (`2024-01-01`, `2024-01-01T06:00:00`, a Date from YAML): read as UTC. */
export function parseBatchTime(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const text = value.trim().replace(' ', 'T');
  const withZone = /[zZ]|[+-]\d{2}:?\d{2}$/.test(text) ? text : `${text}${text.includes('T') ? '' : 'T00:00:00'}Z`;
  const d = new Date(withZone);
  return Number.isNaN(d.getTime()) ? undefined : d;
}
