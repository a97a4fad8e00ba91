import type { CanonicalType, Value } from './contract.js';

/**
 * Normalisers from what drivers hand back to the representation documented
 * on `Value`. Fractions of seconds are written without trailing zeros and
 * omitted when zero (PostgreSQL's text form), so two engines holding the same
 * instant produce the same string.
 */

const TIMESTAMP_RE = /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(?:\s*(BC))?$/i;

function trimFraction(fraction: string | undefined): string {
  if (!fraction) return '';
  const kept = fraction.slice(0, 6).replace(/0+$/, '');
  return kept ? `.${kept}` : '';
}

function pad(n: number, width = 2): string {
  const s = String(Math.abs(n)).padStart(width, '0');
  return n < 0 ? `-${s}` : s;
}

/** 'YYYY-MM-DD'. Accepts a JS Date (read in UTC) or text with a trailing time part. */
export function normalizeDate(value: string | Date): string {
  if (value instanceof Date) return `${pad(value.getUTCFullYear(), 4)}-${pad(value.getUTCMonth() + 1)}-${pad(value.getUTCDate())}`;
  const text = value.trim();
  const m = /^(-?\d{4,}-\d{2}-\d{2})/.exec(text);
  return m ? m[1] : text;
}

/** 'HH:MM:SS[.ffffff]'. */
export function normalizeTime(value: string): string {
  const m = /^(\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(value.trim());
  return m ? `${m[1]}${trimFraction(m[2])}` : value.trim();
}

/**
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]' for a timestamp without time zone. Text that
 * is not a timestamp (e.g. 'infinity') is returned unchanged.
 */
export function normalizeTimestamp(value: string | Date): string {
  if (value instanceof Date) return dateToUtcText(value);
  const m = TIMESTAMP_RE.exec(value.trim());
  if (!m) return value.trim();
  const [, y, mo, d, h, mi, s, frac] = m;
  return `${y}-${mo}-${d} ${h}:${mi}:${s}${trimFraction(frac)}`;
}

/**
 * 'YYYY-MM-DD HH:MM:SS[.ffffff]+00': the same instant in UTC. Text without an
 * offset is taken to be UTC already; a JS Date is exact to the millisecond only.
 */
export function normalizeTimestampTz(value: string | Date): string {
  if (value instanceof Date) return `${dateToUtcText(value)}+00`;
  const m = TIMESTAMP_RE.exec(value.trim());
  if (!m) return value.trim();
  const [, y, mo, d, h, mi, s, frac, offset] = m;
  const offsetSeconds = parseOffsetSeconds(offset);
  if (offsetSeconds === 0) return `${y}-${mo}-${d} ${h}:${mi}:${s}${trimFraction(frac)}+00`;
  // Shift whole seconds with Date arithmetic; the sub-second fraction is untouched by an offset.
  // setUTCFullYear, unlike Date.UTC, does not map years 0-99 to 1900-1999.
  const shifted = new Date(0);
  shifted.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  shifted.setUTCHours(Number(h), Number(mi), Number(s) - offsetSeconds);
  return `${dateToUtcText(shifted, false)}${trimFraction(frac)}+00`;
}

function parseOffsetSeconds(offset: string | undefined): number {
  if (!offset || offset.toUpperCase() === 'Z') return 0;
  const sign = offset.startsWith('-') ? -1 : 1;
  const digits = offset.slice(1).replace(/:/g, '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  const seconds = Number(digits.slice(4, 6) || '0');
  return sign * (hours * 3600 + minutes * 60 + seconds);
}

function dateToUtcText(date: Date, withMillis = true): string {
  const base = `${normalizeDate(date)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  return withMillis ? `${base}${trimFraction(pad(date.getUTCMilliseconds(), 3))}` : base;
}

/** Exact integer from whatever a driver returns for a 64-bit (or wider) integer. */
export function normalizeBigint(value: bigint | number | string): bigint {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not an exact integer; the driver must return 64-bit integers as bigint or text`);
    return BigInt(value);
  }
  return BigInt(value.trim());
}

/**
 * Exact decimal text: '-12.50' stays '-12.50' (scale is preserved), '+1' -> '1',
 * '1e3' -> '1000'. Numbers are accepted only when the driver gives nothing
 * better; they are exact only up to 15 significant digits.
 */
export function normalizeDecimal(value: string | number | bigint): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return expandExponent(String(value));
  return expandExponent(value.trim().replace(/^\+/, ''));
}

function expandExponent(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?[eE]([+-]?\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, intPart, fracPart = '', expText] = m;
  const exp = Number(expText);
  const digits = intPart + fracPart;
  const point = intPart.length + exp;
  let body: string;
  if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  body = body.replace(/^0+(?=\d)/, '');
  return `${sign}${body}`;
}

/** Text of a binary value as CSV carries it: PostgreSQL's hex form `\xdeadbeef`. */
export function binaryToHex(bytes: Uint8Array): string {
  return `\\x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex')}`;
}

/** Inverse of `binaryToHex`; accepts the hex digits with or without the `\x` prefix. */
export function hexToBinary(text: string): Uint8Array {
  const hex = text.startsWith('\\x') ? text.slice(2) : text;
  if (hex.length % 2 !== 0 || /[^0-9a-fA-F]/.test(hex)) throw new RangeError(`not a hex-encoded binary value: ${text.slice(0, 40)}`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * The text a CSV field carries for a value (null is the caller's business:
 * it becomes the spec's nullString). Booleans are 'true'/'false'; binary is
 * hex as in `binaryToHex`.
 */
export function valueToText(value: Exclude<Value, null>): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return binaryToHex(value);
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  }
  return String(value);
}

function integerText(text: string): string {
  const t = text.trim();
  if (!/^[+-]?\d+$/.test(t)) throw new RangeError(`not an integer: ${JSON.stringify(text.slice(0, 40))}`);
  return t;
}

/**
 * Turns CSV text back into the `Value` a driver binds best for a column of
 * `type`: numbers and booleans as JS values, binary as bytes, everything else
 * as text (the engine casts text into its own temporal and decimal types).
 */
export function textToValue(text: string, type: CanonicalType): Value {
  switch (type.kind) {
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 'true' || t === 't' || t === '1' || t === 'yes' || t === 'y') return true;
      if (t === 'false' || t === 'f' || t === '0' || t === 'no' || t === 'n') return false;
      throw new RangeError(`not a boolean: ${text.slice(0, 40)}`);
    }
    case 'smallint':
    case 'integer':
      return Number(integerText(text));
    case 'bigint':
      return BigInt(integerText(text));
    case 'real':
    case 'double': {
      // Number('') is 0: an empty or non-numeric field must fail, not load a zero.
      const n = Number(text);
      if (text.trim() === '' || (Number.isNaN(n) && !/^\s*[+-]?nan\s*$/i.test(text))) throw new RangeError(`not a number: ${JSON.stringify(text.slice(0, 40))}`);
      return n;
    }
    case 'binary':
      return hexToBinary(text);
    default:
      return text;
  }
}
