import { PyDateTime, PyFixedTimezone, PyTimeDelta, type PyTzInfo } from './pydatetime.js';
import { splitArgs } from './kwargs.js';

/**
 * `modules.pytz`, built on the IANA data the JavaScript runtime already carries (Intl).
 *
 * pytz's model, which dbt packages rely on: `timezone(name)` is a zone whose tzinfo has ONE
 * fixed offset at a time. Used directly as `tzinfo=` it carries the zone's first offset (local
 * mean time, e.g. -07:53 for America/Los_Angeles); `localize(naive)` picks the offset in force at
 * that wall time; `astimezone(tz)`/`normalize(dt)` pick it from the instant. Like pytz, offsets are
 * rounded to whole minutes, and an ambiguous or skipped wall time takes standard time unless
 * `is_dst=True` (`is_dst=None` refuses both).
 */

const MS_PER_MINUTE = 60_000;
const US_PER_MS = 1000n;
/** An instant before every zone's first transition: its offset is local mean time. */
const BEFORE_ALL_TRANSITIONS = Date.UTC(1600, 0, 1);

interface ZoneRules {
  /** The zone's canonical spelling (as the caller wrote it when Intl accepts it). */
  name: string;
  /** UTC offset in minutes at an instant (ms), rounded as pytz does. */
  offsetAt(ms: number): number;
  /** Standard (non-DST) offset in minutes for the year holding an instant. */
  standardAt(ms: number): number;
  /** The abbreviation in force at an instant (PST, CEST, +0530, LMT). */
  abbreviationAt(ms: number): string;
}

const rulesCache = new Map<string, ZoneRules>();

function zoneRules(name: string): ZoneRules {
  const cached = rulesCache.get(name);
  if (cached) return cached;
  let parts: Intl.DateTimeFormat;
  try {
    parts = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', era: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  } catch {
    throw new Error(`UnknownTimeZoneError: '${name}'`);
  }
  const abbreviations = ['en-US', 'en-GB'].map((locale) => new Intl.DateTimeFormat(locale, { timeZone: name, timeZoneName: 'short' }));
  const exactOffsetSeconds = (ms: number): number => {
    const at = Math.floor(ms / 1000) * 1000;
    const f: Record<string, string> = {};
    for (const p of parts.formatToParts(at)) f[p.type] = p.value;
    const year = f.era === 'BC' || f.era === 'B' ? 1 - Number(f.year) : Number(f.year);
    const local = new Date(0);
    local.setUTCFullYear(year, Number(f.month) - 1, Number(f.day));
    local.setUTCHours(Number(f.hour), Number(f.minute), Number(f.second), 0);
    return (local.getTime() - at) / 1000;
  };
  const offsetAt = (ms: number): number => Math.floor((exactOffsetSeconds(ms) + 30) / 60);
  const rules: ZoneRules = {
    name,
    offsetAt,
    standardAt(ms) {
      const year = new Date(ms).getUTCFullYear();
      return Math.min(offsetAt(Date.UTC(year, 0, 1)), offsetAt(Date.UTC(year, 6, 1)));
    },
    abbreviationAt(ms) {
      const exact = exactOffsetSeconds(ms);
      if (exact % 60 !== 0) return 'LMT';
      for (const format of abbreviations) {
        const label = format.formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
        if (/^[A-Z]{2,5}$/.test(label)) return label;
      }
      // No letters for this zone: the tz database's numeric style (+03, +0530, -00 for UTC alike).
      const minutes = exact / 60;
      const abs = Math.abs(minutes);
      return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${abs % 60 ? String(abs % 60).padStart(2, '0') : ''}`;
    },
  };
  rulesCache.set(name, rules);
  return rules;
}

/** Wall-clock microseconds of a datetime as JS milliseconds, as if it were UTC. */
const wallMs = (dt: PyDateTime): number => Number(dt.wall / US_PER_MS);
const minutes = (m: number): PyTimeDelta => new PyTimeDelta(BigInt(m) * 60_000_000n);

const DAY_MS = 86_400_000;
const US_PER_MINUTE = 60_000_000n;

/** A pytz zone at one fixed offset: what `timezone()` returns and what localized datetimes carry. */
export class PytzZone implements PyTzInfo {
  private constructor(
    private readonly rules: ZoneRules,
    readonly offsetMinutes: number,
    readonly dstMinutes: number,
    private readonly abbreviation: string,
  ) {}

  /** `timezone(name)`: the zone at its first offset (local mean time), as pytz hands it out. */
  static named(name: string): PytzZone {
    return PytzZone.at(zoneRules(name), BEFORE_ALL_TRANSITIONS);
  }

  /** The zone's state in force at a UTC instant (ms). */
  private static at(rules: ZoneRules, ms: number): PytzZone {
    const offset = rules.offsetAt(ms);
    return new PytzZone(rules, offset, offset - rules.standardAt(ms), rules.abbreviationAt(ms));
  }

  get zone(): string {
    return this.rules.name;
  }

  utcoffset(dt: PyDateTime | null): PyTimeDelta | null {
    if (dt === null) return null;
    return minutes(this.stateFor(dt).offsetMinutes);
  }
  dst(dt: PyDateTime | null): PyTimeDelta | null {
    if (dt === null) return null;
    return minutes(this.stateFor(dt).dstMinutes);
  }
  tzname(dt: PyDateTime | null): string | null {
    if (dt === null) return this.rules.name;
    return this.stateFor(dt).abbreviation;
  }
  fromutc(dt: PyDateTime): PyDateTime {
    const state = PytzZone.at(this.rules, wallMs(dt));
    return dt.withTz(state).shifted(BigInt(state.offsetMinutes) * US_PER_MINUTE);
  }

  /** pytz answers for a datetime carrying another tzinfo as if that wall time were localized here. */
  private stateFor(dt: PyDateTime): PytzZone {
    return dt.tz === this ? this : (this.localize(dt.withTz(null)).tz as PytzZone);
  }

  /** Attach this zone to a naive wall time, with the offset in force at that wall time. */
  localize(...args: unknown[]): PyDateTime {
    const { positional, kwargs } = splitArgs(args);
    const dt = positional[0];
    if (!(dt instanceof PyDateTime)) throw new Error('TypeError: localize() expects a datetime');
    if (dt.tz !== null) throw new Error('ValueError: Not naive datetime (tzinfo is already set)');
    const isDst = 'is_dst' in kwargs ? kwargs.is_dst : (positional[1] ?? false);
    const wall = wallMs(dt);
    // The states in force around this wall time; those whose offset maps back onto it are valid.
    const nearby = distinctOffsets([-1, 0, 1].map((d) => PytzZone.at(this.rules, wall + d * DAY_MS)));
    const valid = nearby
      .filter((state) => this.rules.offsetAt(wall - state.offsetMinutes * MS_PER_MINUTE) === state.offsetMinutes)
      .map((state) => PytzZone.at(this.rules, wall - state.offsetMinutes * MS_PER_MINUTE));
    if (valid.length === 1) return dt.withTz(valid[0]);
    if (isDst === null || isDst === undefined) {
      throw new Error(`${valid.length === 0 ? 'NonExistentTimeError' : 'AmbiguousTimeError'}: ${dt.toString()}`);
    }
    // Ambiguous (a clock set back) or skipped (a clock set forward): the side asked for by is_dst.
    const pool = valid.length > 0 ? valid : nearby;
    return dt.withTz(pool.find((state) => (state.dstMinutes !== 0) === Boolean(isDst)) ?? pool[0]);
  }

  /** Fix the offset of a datetime after arithmetic moved it across a transition. */
  normalize(dt: unknown): PyDateTime {
    if (!(dt instanceof PyDateTime)) throw new Error('TypeError: normalize() expects a datetime');
    if (dt.tz === null) throw new Error('ValueError: Naive time - no tzinfo set');
    return dt.astimezone(this);
  }

  toString(): string {
    return this.rules.name;
  }
}

function distinctOffsets(states: PytzZone[]): PytzZone[] {
  return states.filter((state, i) => states.findIndex((other) => other.offsetMinutes === state.offsetMinutes) === i);
}

/** `pytz.utc`: UTC with pytz's localize/normalize. */
export class PytzUtc implements PyTzInfo {
  readonly zone = 'UTC';
  utcoffset(dt: PyDateTime | null): PyTimeDelta | null {
    return dt === null ? null : minutes(0);
  }
  dst(dt: PyDateTime | null): PyTimeDelta | null {
    return dt === null ? null : minutes(0);
  }
  tzname(): string {
    return 'UTC';
  }
  fromutc(dt: PyDateTime): PyDateTime {
    return dt.withTz(this);
  }
  localize(dt: unknown): PyDateTime {
    if (!(dt instanceof PyDateTime)) throw new Error('TypeError: localize() expects a datetime');
    if (dt.tz !== null) throw new Error('ValueError: Not naive datetime (tzinfo is already set)');
    return dt.withTz(this);
  }
  normalize(dt: unknown): PyDateTime {
    if (!(dt instanceof PyDateTime)) throw new Error('TypeError: normalize() expects a datetime');
    if (dt.tz === null) throw new Error('ValueError: Naive time - no tzinfo set');
    return dt.astimezone(this);
  }
  toString(): string {
    return 'UTC';
  }
}

export const PYTZ_UTC = new PytzUtc();

/** `modules.pytz`. */
export const pytzModule = {
  utc: PYTZ_UTC,
  UTC: PYTZ_UTC,
  timezone: (name: unknown): PyTzInfo => {
    const zone = String(name);
    return zone.toUpperCase() === 'UTC' ? PYTZ_UTC : PytzZone.named(zone);
  },
  FixedOffset: (offset: unknown): PyTzInfo => new PyFixedTimezone(minutes(Number(offset))),
  all_timezones: Intl.supportedValuesOf('timeZone'),
  common_timezones: Intl.supportedValuesOf('timeZone'),
};
