import { PY_OPERATORS, PyFloat, pyNumber, tuple, type PyOperator } from '@dvt/jinja';
import { splitArgs } from './kwargs.js';
import { civilFromDays, daysFromCivil, isoCalendar } from './pycalendar.js';
import { formatTime, parseTime, type TimeFields } from './pystrftime.js';

/**
 * The slice of Python's `datetime` module templates use (`modules.datetime`): `date`,
 * `datetime`, `timedelta` and `timezone`, with Python's arithmetic and comparisons
 * (`date.today() - timedelta(3)`, `end - start`, `a < b`), `str()` and `isoformat()`.
 * Times are microseconds held as bigint so the whole range 0001..9999 is exact.
 * `now()`/`today()` answer in UTC: dvt treats the machine's local zone as UTC.
 */

const US_PER_SECOND = 1_000_000n;
const US_PER_DAY = 86_400n * US_PER_SECOND;
/** Python's date.toordinal() of 1970-01-01. */
const EPOCH_ORDINAL = 719_163;

function valueError(message: string): Error {
  return new Error(`ValueError: ${message}`);
}

function typeError(message: string): Error {
  return new Error(`TypeError: ${message}`);
}

/** A Python float: integral values keep their `.0` when printed. */
function float(value: number): number | PyFloat {
  return Number.isInteger(value) ? new PyFloat(value) : value;
}

function int(value: unknown, name: string): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw typeError(`'${name}' must be an integer, got ${value === undefined ? 'nothing' : String(value)}`);
  return n;
}

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);
}

function checkDate(year: number, month: number, day: number): void {
  if (year < 1 || year > 9999) throw valueError(`year ${year} is out of range`);
  if (month < 1 || month > 12) throw valueError('month must be in 1..12');
  if (day < 1 || day > daysInMonth(year, month)) throw valueError('day is out of range for month');
}

const floorDiv = (a: bigint, b: bigint): bigint => (a % b !== 0n && a < 0n !== b < 0n ? a / b - 1n : a / b);

// ---------------------------------------------------------------------------
// timedelta

/** Python's `datetime.timedelta`: a signed duration, normalized to days, seconds, microseconds. */
export class PyTimeDelta {
  constructor(readonly totalMicroseconds: bigint) {}

  static of(...args: unknown[]): PyTimeDelta {
    const { positional, kwargs } = splitArgs(args);
    const names = ['days', 'seconds', 'microseconds', 'milliseconds', 'minutes', 'hours', 'weeks'] as const;
    const unit: Record<(typeof names)[number], number> = { days: 86_400e6, seconds: 1e6, microseconds: 1, milliseconds: 1e3, minutes: 60e6, hours: 3_600e6, weeks: 604_800e6 };
    let us = 0;
    names.forEach((name, i) => {
      const value = positional[i] ?? kwargs[name];
      if (value === undefined || value === null) return;
      const amount = pyNumber(value);
      if (Number.isNaN(amount)) throw typeError(`unsupported type for timedelta ${name} component: ${typeof value}`);
      us += amount * unit[name];
    });
    return new PyTimeDelta(BigInt(Math.round(us)));
  }

  get days(): number {
    return Number(floorDiv(this.totalMicroseconds, US_PER_DAY));
  }
  get seconds(): number {
    return Number(floorDiv(this.totalMicroseconds - BigInt(this.days) * US_PER_DAY, US_PER_SECOND));
  }
  get microseconds(): number {
    return Number(this.totalMicroseconds - BigInt(this.days) * US_PER_DAY - BigInt(this.seconds) * US_PER_SECOND);
  }

  total_seconds(): number | PyFloat {
    return float(Number(this.totalMicroseconds) / 1e6);
  }

  [PY_OPERATORS](op: PyOperator, other: unknown, reflected: boolean): unknown {
    if (op === '==') return other instanceof PyTimeDelta ? other.totalMicroseconds === this.totalMicroseconds : undefined;
    if (op === 'cmp') return other instanceof PyTimeDelta ? orient(Number(this.totalMicroseconds - other.totalMicroseconds), reflected) : undefined;
    if (other instanceof PyTimeDelta) {
      const [a, b] = reflected ? [other.totalMicroseconds, this.totalMicroseconds] : [this.totalMicroseconds, other.totalMicroseconds];
      if (op === '+') return new PyTimeDelta(a + b);
      if (op === '-') return new PyTimeDelta(a - b);
      if (op === '/') return float(Number(a) / Number(b));
      if (op === '//') return Number(floorDiv(a, b));
      return undefined;
    }
    const factor = typeof other === 'boolean' || typeof other === 'string' ? NaN : pyNumber(other);
    if (Number.isNaN(factor)) return undefined;
    if (op === '*') return new PyTimeDelta(BigInt(Math.round(Number(this.totalMicroseconds) * factor)));
    if (op === '/' && !reflected) return new PyTimeDelta(BigInt(Math.round(Number(this.totalMicroseconds) / factor)));
    if (op === '//' && !reflected && Number.isInteger(factor)) return new PyTimeDelta(floorDiv(this.totalMicroseconds, BigInt(factor)));
    return undefined;
  }

  toString(): string {
    const { days, seconds, microseconds } = this;
    const clock = `${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}${microseconds ? `.${pad(microseconds, 6)}` : ''}`;
    return days ? `${days} day${Math.abs(days) === 1 ? '' : 's'}, ${clock}` : clock;
  }
}

/** A `cmp` answer for `this ? other` turned around when the operands were written the other way. */
function orient(difference: number, reflected: boolean): number {
  return reflected ? -difference : difference;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** `+HH:MM` (with `:SS` and `.ffffff` when present), as Python prints a UTC offset. */
export function formatOffset(offset: PyTimeDelta, separator = ':'): string {
  const us = offset.totalMicroseconds;
  const sign = us < 0n ? '-' : '+';
  const abs = us < 0n ? -us : us;
  const seconds = Number(abs / US_PER_SECOND);
  const micro = Number(abs % US_PER_SECOND);
  let text = `${sign}${pad(Math.floor(seconds / 3600))}${separator}${pad(Math.floor(seconds / 60) % 60)}`;
  if (seconds % 60 || micro) text += `${separator}${pad(seconds % 60)}`;
  if (micro) text += `.${pad(micro, 6)}`;
  return text;
}

// ---------------------------------------------------------------------------
// tzinfo

/** What a datetime asks of its tzinfo (Python's tzinfo protocol; pytz's zones implement it too). */
export interface PyTzInfo {
  utcoffset(dt: PyDateTime | null): PyTimeDelta | null;
  dst(dt: PyDateTime | null): PyTimeDelta | null;
  tzname(dt: PyDateTime | null): string | null;
  /** The same instant, given as UTC wall time, in this zone (what astimezone() calls). */
  fromutc(dt: PyDateTime): PyDateTime;
}

/** `datetime.timezone`: a fixed offset from UTC. */
export class PyFixedTimezone implements PyTzInfo {
  constructor(
    private readonly offset: PyTimeDelta,
    private readonly name: string | null = null,
  ) {}

  utcoffset(): PyTimeDelta {
    return this.offset;
  }
  dst(): null {
    return null;
  }
  tzname(): string {
    if (this.name !== null) return this.name;
    return this.offset.totalMicroseconds === 0n ? 'UTC' : `UTC${formatOffset(this.offset)}`;
  }
  fromutc(dt: PyDateTime): PyDateTime {
    return dt.shifted(this.offset.totalMicroseconds).withTz(this);
  }
  toString(): string {
    return this.tzname();
  }
}

export const UTC_TIMEZONE = new PyFixedTimezone(new PyTimeDelta(0n));

// ---------------------------------------------------------------------------
// date

/** Python's `datetime.date`. */
export class PyDate {
  /** days since 1970-01-01 */
  constructor(readonly epochDay: number) {}

  static of(...args: unknown[]): PyDate {
    const { positional, kwargs } = splitArgs(args);
    const year = int(positional[0] ?? kwargs.year, 'year');
    const month = int(positional[1] ?? kwargs.month, 'month');
    const day = int(positional[2] ?? kwargs.day, 'day');
    checkDate(year, month, day);
    return new PyDate(daysFromCivil(year, month, day));
  }

  private get civil(): { year: number; month: number; day: number } {
    return civilFromDays(this.epochDay);
  }
  get year(): number {
    return this.civil.year;
  }
  get month(): number {
    return this.civil.month;
  }
  get day(): number {
    return this.civil.day;
  }

  toordinal(): number {
    return this.epochDay + EPOCH_ORDINAL;
  }
  /** Monday is 0. */
  weekday(): number {
    return (((this.epochDay + 3) % 7) + 7) % 7;
  }
  isoweekday(): number {
    return this.weekday() + 1;
  }
  isocalendar(): unknown {
    const { year, week, weekday } = isoCalendar(this.epochDay);
    return tuple([year, week, weekday]);
  }
  replace(...args: unknown[]): PyDate {
    const { kwargs } = splitArgs(args);
    return PyDate.of(kwargs.year ?? this.year, kwargs.month ?? this.month, kwargs.day ?? this.day);
  }
  isoformat(): string {
    return `${pad(this.year, 4)}-${pad(this.month)}-${pad(this.day)}`;
  }
  strftime(format: unknown): string {
    return formatTime(String(format), this.fields(), null);
  }
  fields(): TimeFields {
    return { ...this.civil, hour: 0, minute: 0, second: 0, microsecond: 0, epochDay: this.epochDay };
  }

  [PY_OPERATORS](op: PyOperator, other: unknown, reflected: boolean): unknown {
    // A datetime is a date in Python, but the two never compare or subtract.
    const sameKind = other instanceof PyDate && !(other instanceof PyDateTime);
    if (op === '==') return sameKind ? other.epochDay === this.epochDay : undefined;
    if (op === 'cmp') return sameKind ? orient(this.epochDay - other.epochDay, reflected) : undefined;
    if (op === '-' && !reflected && sameKind) return new PyTimeDelta(BigInt(this.epochDay - other.epochDay) * US_PER_DAY);
    if ((op === '+' || (op === '-' && !reflected)) && other instanceof PyTimeDelta) {
      const days = Number(floorDiv(other.totalMicroseconds, US_PER_DAY));
      const moved = new PyDate(this.epochDay + (op === '+' ? days : -days));
      checkDate(moved.year, 1, 1);
      return moved;
    }
    return undefined;
  }

  toString(): string {
    return this.isoformat();
  }
}

// ---------------------------------------------------------------------------
// datetime

/** Python's `datetime.datetime`: wall-clock time plus an optional tzinfo. */
export class PyDateTime extends PyDate {
  constructor(
    /** wall-clock microseconds since 1970-01-01 00:00 (the fields, whatever the zone) */
    readonly wall: bigint,
    readonly tz: PyTzInfo | null = null,
  ) {
    super(Number(floorDiv(wall, US_PER_DAY)));
  }

  static override of(...args: unknown[]): PyDateTime {
    const { positional, kwargs } = splitArgs(args);
    const names = ['year', 'month', 'day', 'hour', 'minute', 'second', 'microsecond'] as const;
    const [year, month, day, hour, minute, second, microsecond] = names.map((name, i) => int(positional[i] ?? kwargs[name] ?? (i < 3 ? undefined : 0), name));
    const tz = (positional[7] ?? kwargs.tzinfo ?? null) as PyTzInfo | null;
    checkDate(year, month, day);
    if (hour < 0 || hour > 23) throw valueError('hour must be in 0..23');
    if (minute < 0 || minute > 59) throw valueError('minute must be in 0..59');
    if (second < 0 || second > 59) throw valueError('second must be in 0..59');
    if (microsecond < 0 || microsecond > 999_999) throw valueError('microsecond must be in 0..999999');
    const wall = BigInt(daysFromCivil(year, month, day)) * US_PER_DAY + BigInt(((hour * 60 + minute) * 60 + second) * 1e6 + microsecond);
    return new PyDateTime(wall, tz);
  }

  /** A datetime at a UTC instant (JS milliseconds), shown in `tz` (naive UTC without one). */
  static fromInstant(ms: number, tz: PyTzInfo | null = null): PyDateTime {
    const utc = new PyDateTime(BigInt(Math.round(ms * 1000)));
    return tz ? tz.fromutc(utc.withTz(tz)) : utc;
  }

  private get microOfDay(): number {
    return Number(this.wall - BigInt(this.epochDay) * US_PER_DAY);
  }
  get hour(): number {
    return Math.floor(this.microOfDay / 3_600e6);
  }
  get minute(): number {
    return Math.floor(this.microOfDay / 60e6) % 60;
  }
  get second(): number {
    return Math.floor(this.microOfDay / 1e6) % 60;
  }
  get microsecond(): number {
    return this.microOfDay % 1e6;
  }
  get tzinfo(): PyTzInfo | null {
    return this.tz;
  }
  get fold(): number {
    return 0;
  }

  /** The same wall clock moved by `us` microseconds, same tzinfo. */
  shifted(us: bigint): PyDateTime {
    return new PyDateTime(this.wall + us, this.tz);
  }
  /** The same wall clock with another tzinfo (Python's replace(tzinfo=...)). */
  withTz(tz: PyTzInfo | null): PyDateTime {
    return new PyDateTime(this.wall, tz);
  }

  utcoffset(): PyTimeDelta | null {
    return this.tz ? this.tz.utcoffset(this) : null;
  }
  dst(): PyTimeDelta | null {
    return this.tz ? this.tz.dst(this) : null;
  }
  tzname(): string | null {
    return this.tz ? this.tz.tzname(this) : null;
  }
  /** Microseconds since the epoch in UTC; naive values count as UTC. */
  utcMicros(): bigint {
    return this.wall - (this.utcoffset()?.totalMicroseconds ?? 0n);
  }

  date(): PyDate {
    return new PyDate(this.epochDay);
  }
  timestamp(): number | PyFloat {
    return float(Number(this.utcMicros()) / 1e6);
  }
  astimezone(...args: unknown[]): PyDateTime {
    const { positional, kwargs } = splitArgs(args);
    const target = (positional[0] ?? kwargs.tz ?? UTC_TIMEZONE) as PyTzInfo;
    return target.fromutc(new PyDateTime(this.utcMicros(), target));
  }
  override replace(...args: unknown[]): PyDateTime {
    const { kwargs } = splitArgs(args);
    const field = (name: 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second' | 'microsecond') => kwargs[name] ?? this[name];
    const tz = 'tzinfo' in kwargs ? kwargs.tzinfo : this.tz;
    return PyDateTime.of(field('year'), field('month'), field('day'), field('hour'), field('minute'), field('second'), field('microsecond'), tz);
  }
  override isoformat(...args: unknown[]): string {
    const { positional, kwargs } = splitArgs(args);
    const sep = String(positional[0] ?? kwargs.sep ?? 'T');
    const micro = this.microsecond ? `.${pad(this.microsecond, 6)}` : '';
    const offset = this.utcoffset();
    return `${super.isoformat()}${sep}${pad(this.hour)}:${pad(this.minute)}:${pad(this.second)}${micro}${offset ? formatOffset(offset) : ''}`;
  }
  override strftime(format: unknown): string {
    return formatTime(String(format), this.fields(), this.tz ? { offset: this.utcoffset(), name: this.tzname() } : null);
  }
  override fields(): TimeFields {
    return { year: this.year, month: this.month, day: this.day, hour: this.hour, minute: this.minute, second: this.second, microsecond: this.microsecond, epochDay: this.epochDay };
  }

  override [PY_OPERATORS](op: PyOperator, other: unknown, reflected: boolean): unknown {
    if (other instanceof PyDateTime) {
      const aware = this.utcoffset() !== null;
      if (aware !== (other.utcoffset() !== null)) {
        if (op === '==') return false;
        if (op === 'cmp') throw typeError("can't compare offset-naive and offset-aware datetimes");
        if (op === '-') throw typeError("can't subtract offset-naive and offset-aware datetimes");
        return undefined;
      }
      const difference = this.utcMicros() - other.utcMicros();
      if (op === '==') return difference === 0n;
      if (op === 'cmp') return orient(Number(difference), reflected);
      if (op === '-') return new PyTimeDelta(reflected ? -difference : difference);
      return undefined;
    }
    if (other instanceof PyTimeDelta && (op === '+' || (op === '-' && !reflected))) {
      const moved = this.shifted(op === '+' ? other.totalMicroseconds : -other.totalMicroseconds);
      checkDate(moved.year, 1, 1);
      return moved;
    }
    return op === '==' ? false : undefined;
  }

  override toString(): string {
    return this.isoformat(' ');
  }
}

// ---------------------------------------------------------------------------
// the module

function nowIn(tz: unknown): PyDateTime {
  return PyDateTime.fromInstant(Date.now(), (tz ?? null) as PyTzInfo | null);
}

/** Python's `datetime.fromisoformat` (3.11: `Z`, offsets, a space or `T`, 1-6 fraction digits). */
function fromIsoFormat(text: unknown): PyDateTime {
  const s = String(text);
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d{1,6})\d*)?)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2}(?:\.\d{1,6})?)?)?)?$/i.exec(s);
  if (!m) throw valueError(`Invalid isoformat string: '${s}'`);
  const [, y, mo, d, h = '0', mi = '0', sec = '0', frac = '', zone] = m;
  const tz = zone === undefined ? null : /^z$/i.test(zone) ? UTC_TIMEZONE : new PyFixedTimezone(offsetFromText(zone));
  return PyDateTime.of(+y, +mo, +d, +h, +mi, +sec, Number(frac.padEnd(6, '0')), tz);
}

/** `+HH[:MM[:SS[.ffffff]]]` as a timedelta. */
export function offsetFromText(text: string): PyTimeDelta {
  const m = /^([+-])(\d{2}):?(\d{2})?(?::?(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!m) throw valueError(`Invalid UTC offset: '${text}'`);
  const [, sign, h, mi = '0', sec = '0', frac = ''] = m;
  const us = BigInt(((+h * 60 + +mi) * 60 + +sec) * 1e6 + Number(frac.padEnd(6, '0')));
  return new PyTimeDelta(sign === '-' ? -us : us);
}

function strptime(text: unknown, format: unknown): PyDateTime {
  const parsed = parseTime(String(text), String(format));
  const tz = parsed.offset === null ? null : new PyFixedTimezone(offsetFromText(parsed.offset));
  return PyDateTime.of(parsed.year, parsed.month, parsed.day, parsed.hour, parsed.minute, parsed.second, parsed.microsecond, tz);
}

function callable<T extends object>(fn: (...args: unknown[]) => unknown, members: T): ((...args: unknown[]) => unknown) & T {
  return Object.assign(fn, members);
}

const timezoneClass = callable(
  (...args: unknown[]) => {
    const { positional, kwargs } = splitArgs(args);
    const offset = positional[0] ?? kwargs.offset;
    if (!(offset instanceof PyTimeDelta)) throw typeError('timezone() argument 1 must be datetime.timedelta');
    const name = positional[1] ?? kwargs.name;
    return new PyFixedTimezone(offset, name === undefined || name === null ? null : String(name));
  },
  { utc: UTC_TIMEZONE },
);

/** `modules.datetime`. */
export const datetimeModule = {
  MINYEAR: 1,
  MAXYEAR: 9999,
  date: callable((...args) => PyDate.of(...args), {
    today: () => nowIn(null).date(),
    fromisoformat: (text: unknown) => fromIsoFormat(text).date(),
    fromordinal: (n: unknown) => new PyDate(int(n, 'ordinal') - EPOCH_ORDINAL),
    fromtimestamp: (ts: unknown) => PyDateTime.fromInstant(Number(ts) * 1000).date(),
  }),
  datetime: callable((...args) => PyDateTime.of(...args), {
    now: (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      return nowIn(positional[0] ?? kwargs.tz);
    },
    utcnow: () => nowIn(null),
    today: () => nowIn(null),
    fromisoformat: fromIsoFormat,
    strptime,
    fromtimestamp: (...args: unknown[]) => {
      const { positional, kwargs } = splitArgs(args);
      return PyDateTime.fromInstant(Number(positional[0] ?? kwargs.timestamp) * 1000, (positional[1] ?? kwargs.tz ?? null) as PyTzInfo | null);
    },
    utcfromtimestamp: (ts: unknown) => PyDateTime.fromInstant(Number(ts) * 1000),
    combine: (date: unknown, ...rest: unknown[]) => {
      const { kwargs } = splitArgs(rest);
      if (!(date instanceof PyDate)) throw typeError('combine() argument 1 must be datetime.date');
      return new PyDateTime(BigInt(date.epochDay) * US_PER_DAY, (kwargs.tzinfo ?? null) as PyTzInfo | null);
    },
  }),
  timedelta: callable((...args) => PyTimeDelta.of(...args), {}),
  timezone: timezoneClass,
};
