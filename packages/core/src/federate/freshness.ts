import { DvtError } from '../errors.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/**
 * The max age of a `cache:` config (`cache: { max_age: 30m }`, or a number
 * of seconds), in seconds; undefined when the input is extracted every run.
 */
export function cacheMaxAge(config: unknown, where: string): number | undefined {
  if (config === undefined || config === null || config === false) return undefined;
  const raw = typeof config === 'object' ? (config as Record<string, unknown>).max_age : config;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number' && Number.isFinite(raw) && raw >= 0) return raw;
  const match = typeof raw === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/.exec(raw) : null;
  if (!match) throw new DvtError('config', `${where}: cache max_age must be seconds or a duration like 30s, 15m, 2h, 1d (got ${JSON.stringify(raw)})`);
  return Number(match[1]) * UNIT_SECONDS[match[2] || 's']!;
}

/** Whether a copy loaded at `loadedAt` may still be used at `now`. */
export function isFresh(loadedAt: Date, maxAgeSeconds: number, now: Date): boolean {
  return now.getTime() - loadedAt.getTime() <= maxAgeSeconds * 1000;
}
