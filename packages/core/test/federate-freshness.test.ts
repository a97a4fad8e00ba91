import { describe, expect, it } from 'vitest';
import { cacheMaxAge, isFresh } from '../src/federate/freshness.js';

describe('cache max_age', () => {
  it('reads seconds and durations, and nothing as no policy', () => {
    expect(cacheMaxAge(undefined, 'x')).toBeUndefined();
    expect(cacheMaxAge({}, 'x')).toBeUndefined();
    expect(cacheMaxAge({ max_age: 90 }, 'x')).toBe(90);
    expect(cacheMaxAge({ max_age: '45s' }, 'x')).toBe(45);
    expect(cacheMaxAge({ max_age: '15m' }, 'x')).toBe(900);
    expect(cacheMaxAge({ max_age: '2h' }, 'x')).toBe(7200);
    expect(cacheMaxAge('1d', 'x')).toBe(86400);
  });

  it('refuses what is not a duration, naming where it was set', () => {
    expect(() => cacheMaxAge({ max_age: 'soon' }, 'models/sources.yml (source.p.s.t)')).toThrow(
      /models\/sources\.yml \(source\.p\.s\.t\): cache max_age must be seconds or a duration/,
    );
  });

  it('is fresh up to the max age', () => {
    const loaded = new Date('2026-01-01T00:00:00Z');
    expect(isFresh(loaded, 60, new Date('2026-01-01T00:01:00Z'))).toBe(true);
    expect(isFresh(loaded, 60, new Date('2026-01-01T00:01:01Z'))).toBe(false);
  });
});
