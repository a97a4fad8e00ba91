/**
 * Python's strftime/strptime directives (C locale), for `modules.datetime` values.
 * Kept apart from the value classes: pure text in, text or fields out.
 */
import { civilFromDays, daysFromCivil, isoCalendar } from './pycalendar.js';
import type { PyTimeDelta } from './pydatetime.js';

export interface TimeFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** days since 1970-01-01 */
  epochDay: number;
}

/** The zone part of an aware value: what %z and %Z print. */
export interface ZoneFields {
  offset: PyTimeDelta | null;
  name: string | null;
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function weekday(f: TimeFields): number {
  return (((f.epochDay + 3) % 7) + 7) % 7; // Monday 0
}

function dayOfYear(f: TimeFields): number {
  return f.epochDay - daysFromCivil(f.year, 1, 1) + 1;
}

/** Week of the year with weeks starting on `firstDay` (0 Monday, 6 Sunday); days before the first such day are week 0. */
function weekOfYear(f: TimeFields, firstDay: number): number {
  const yday = dayOfYear(f) - 1;
  const wd = (weekday(f) - firstDay + 7) % 7;
  return Math.floor((yday + 7 - wd) / 7);
}

function offsetText(offset: PyTimeDelta | null): string {
  if (offset === null) return '';
  const us = offset.totalMicroseconds;
  const abs = Number(us < 0n ? -us : us);
  const seconds = Math.floor(abs / 1e6);
  let text = `${us < 0n ? '-' : '+'}${pad(Math.floor(seconds / 3600))}${pad(Math.floor(seconds / 60) % 60)}`;
  if (seconds % 60 || abs % 1e6) text += pad(seconds % 60);
  if (abs % 1e6) text += `.${pad(abs % 1e6, 6)}`;
  return text;
}

/** Python's strftime. `%-d`-style (no padding) directives are the glibc extension Python passes through. */
export function formatTime(format: string, f: TimeFields, zone: ZoneFields | null): string {
  return format.replace(/%(-?)([a-zA-Z%])/g, (whole, noPad: string, code: string) => {
    const p = (n: number, width = 2): string => (noPad ? String(n) : pad(n, width));
    switch (code) {
      case 'Y': return noPad ? String(f.year) : pad(f.year, 4);
      case 'y': return p(f.year % 100);
      case 'C': return p(Math.floor(f.year / 100));
      case 'm': return p(f.month);
      case 'd': return p(f.day);
      case 'e': return String(f.day).padStart(2, ' ');
      case 'H': return p(f.hour);
      case 'I': return p(f.hour % 12 === 0 ? 12 : f.hour % 12);
      case 'p': return f.hour < 12 ? 'AM' : 'PM';
      case 'M': return p(f.minute);
      case 'S': return p(f.second);
      case 'f': return pad(f.microsecond, 6);
      case 'j': return p(dayOfYear(f), 3);
      case 'a': return DAYS[weekday(f)].slice(0, 3);
      case 'A': return DAYS[weekday(f)];
      case 'w': return String((weekday(f) + 1) % 7);
      case 'u': return String(weekday(f) + 1);
      case 'b': case 'h': return MONTHS[f.month - 1].slice(0, 3);
      case 'B': return MONTHS[f.month - 1];
      case 'U': return p(weekOfYear(f, 6));
      case 'W': return p(weekOfYear(f, 0));
      case 'G': return pad(isoCalendar(f.epochDay).year, 4);
      case 'V': return p(isoCalendar(f.epochDay).week);
      case 'z': return offsetText(zone?.offset ?? null);
      case 'Z': return zone?.name ?? '';
      case 'c': return `${DAYS[weekday(f)].slice(0, 3)} ${MONTHS[f.month - 1].slice(0, 3)} ${String(f.day).padStart(2, ' ')} ${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)} ${pad(f.year, 4)}`;
      case 'x': return `${pad(f.month)}/${pad(f.day)}/${pad(f.year % 100)}`;
      case 'X': return `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
      case 'D': return `${pad(f.month)}/${pad(f.day)}/${pad(f.year % 100)}`;
      case 'F': return `${pad(f.year, 4)}-${pad(f.month)}-${pad(f.day)}`;
      case 'T': return `${pad(f.hour)}:${pad(f.minute)}:${pad(f.second)}`;
      case 'R': return `${pad(f.hour)}:${pad(f.minute)}`;
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return '%';
      default: return whole;
    }
  });
}

export interface ParsedTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  microsecond: number;
  /** `+HHMM`-style text of a %z, or null */
  offset: string | null;
}

const NAME_ALTERNATIVES = (names: string[]): string => names.map((n) => `${n}|${n.slice(0, 3)}`).join('|');

/** What each strptime directive matches, and which field it sets. */
const DIRECTIVES: Record<string, { pattern: string; field: string }> = {
  Y: { pattern: '\\d{4}', field: 'year' },
  y: { pattern: '\\d{2}', field: 'year2' },
  m: { pattern: '\\d{1,2}', field: 'month' },
  d: { pattern: '\\d{1,2}', field: 'day' },
  H: { pattern: '\\d{1,2}', field: 'hour' },
  I: { pattern: '\\d{1,2}', field: 'hour12' },
  M: { pattern: '\\d{1,2}', field: 'minute' },
  S: { pattern: '\\d{1,2}', field: 'second' },
  f: { pattern: '\\d{1,6}', field: 'fraction' },
  j: { pattern: '\\d{1,3}', field: 'yday' },
  p: { pattern: 'AM|PM', field: 'ampm' },
  b: { pattern: NAME_ALTERNATIVES(MONTHS), field: 'monthName' },
  B: { pattern: NAME_ALTERNATIVES(MONTHS), field: 'monthName' },
  a: { pattern: NAME_ALTERNATIVES(DAYS), field: 'ignored' },
  A: { pattern: NAME_ALTERNATIVES(DAYS), field: 'ignored' },
  z: { pattern: 'Z|[+-]\\d{2}:?\\d{2}(?::?\\d{2}(?:\\.\\d{1,6})?)?', field: 'offset' },
  Z: { pattern: 'UTC|GMT|[A-Z]{3,5}', field: 'ignored' },
};

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Python's strptime: the whole text must match the format (case-insensitive, as Python's). */
export function parseTime(text: string, format: string): ParsedTime {
  const fields: string[] = [];
  let source = '';
  for (let i = 0; i < format.length; i++) {
    const ch = format[i];
    if (ch === '%' && i + 1 < format.length) {
      const code = format[++i];
      if (code === '%') {
        source += '%';
        continue;
      }
      const directive = DIRECTIVES[code];
      if (!directive) throw new Error(`ValueError: '${code}' is a bad directive in format '${format}'`);
      fields.push(directive.field);
      source += `(${directive.pattern})`;
    } else if (/\s/.test(ch)) {
      source += '\\s+';
    } else {
      source += escapeRegex(ch);
    }
  }
  const m = new RegExp(`^${source}$`, 'i').exec(text);
  if (!m) throw new Error(`ValueError: time data '${text}' does not match format '${format}'`);
  const out: ParsedTime = { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0, microsecond: 0, offset: null };
  let hour12: number | null = null;
  let pm: boolean | null = null;
  let yday: number | null = null;
  fields.forEach((field, index) => {
    const value = m[index + 1];
    switch (field) {
      case 'year': out.year = Number(value); break;
      case 'year2': out.year = Number(value) + (Number(value) < 69 ? 2000 : 1900); break;
      case 'month': out.month = Number(value); break;
      case 'day': out.day = Number(value); break;
      case 'hour': out.hour = Number(value); break;
      case 'hour12': hour12 = Number(value); break;
      case 'minute': out.minute = Number(value); break;
      case 'second': out.second = Number(value); break;
      case 'fraction': out.microsecond = Number(value.padEnd(6, '0')); break;
      case 'yday': yday = Number(value); break;
      case 'ampm': pm = value.toUpperCase() === 'PM'; break;
      case 'monthName': out.month = MONTHS.findIndex((name) => name.slice(0, 3).toLowerCase() === value.slice(0, 3).toLowerCase()) + 1; break;
      case 'offset': out.offset = /^z$/i.test(value) ? '+00:00' : value; break;
    }
  });
  if (hour12 !== null) out.hour = (hour12 % 12) + (pm ? 12 : 0);
  if (yday !== null) {
    const date = civilFromDays(daysFromCivil(out.year, 1, 1) + yday - 1);
    out.month = date.month;
    out.day = date.day;
  }
  return out;
}
