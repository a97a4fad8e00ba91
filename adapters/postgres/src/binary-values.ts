/**
 * Binary COPY encodings of single CSV field values, for the column types whose
 * text input the encoder can reproduce exactly. Each encoder reads the field's
 * bytes `[start, end)` and either appends the value (int32 length + bytes) to
 * the output or returns false, leaving the output untouched: false means
 * "PostgreSQL's text input might read this differently (or refuse it)", and
 * the caller hands the record to a text-mode COPY instead.
 *
 * Pure code: no I/O.
 */

/** Where encoded values are appended; the caller guarantees room for the record. */
export interface BinaryOut {
  buf: Buffer;
  view: DataView;
  pos: number;
}

type ValueEncoder = (src: Buffer, start: number, end: number, out: BinaryOut) => boolean;

/** The type OIDs the encoder handles (pg_type.oid of the built-in types). */
export const TypeOid = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  float8: 701,
  varchar: 1043,
  date: 1082,
  timestamp: 1114,
  numeric: 1700,
} as const;

const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= ZERO + 9;
}

/** The index of the first non-digit at or after `from` (or `end`). */
function digitsEnd(src: Buffer, from: number, end: number): number {
  let i = from;
  while (i < end && isDigit(src[i]!)) i++;
  return i;
}

/**
 * A plain decimal integer (`-?[0-9]+`) as a number, or undefined when it is
 * anything else or has more than 15 significant digits (callers needing more
 * use BigInt). Leading zeros are accepted, as int4in does.
 */
function smallInteger(src: Buffer, start: number, end: number): number | undefined {
  let i = start;
  const negative = src[i] === MINUS;
  if (negative) i++;
  if (i === end) return undefined;
  while (i < end - 1 && src[i] === ZERO) i++;
  if (end - i > 15) return undefined;
  let value = 0;
  for (; i < end; i++) {
    const d = src[i]! - ZERO;
    if (d < 0 || d > 9) return undefined;
    value = value * 10 + d;
  }
  return negative ? -value : value;
}

function plainDigits(src: Buffer, start: number, end: number): boolean {
  let i = src[start] === MINUS ? start + 1 : start;
  if (i === end) return false;
  for (; i < end; i++) if (!isDigit(src[i]!)) return false;
  return true;
}

const encodeInt2: ValueEncoder = (src, start, end, out) => {
  const v = smallInteger(src, start, end);
  if (v === undefined || v < -32768 || v > 32767) return false;
  out.view.setInt32(out.pos, 2);
  out.view.setInt16(out.pos + 4, v);
  out.pos += 6;
  return true;
};

const encodeInt4: ValueEncoder = (src, start, end, out) => {
  const v = smallInteger(src, start, end);
  if (v === undefined || v < -2147483648 || v > 2147483647) return false;
  out.view.setInt32(out.pos, 4);
  out.view.setInt32(out.pos + 4, v);
  out.pos += 8;
  return true;
};

const TWO_32 = 4294967296;
const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;

/** Writes an integer below 2^53 in magnitude as a big-endian int64, without BigInt. */
function writeInt64(view: DataView, pos: number, v: number): void {
  const high = Math.floor(v / TWO_32);
  view.setInt32(pos, high);
  view.setUint32(pos + 4, v - high * TWO_32);
}

const encodeInt8: ValueEncoder = (src, start, end, out) => {
  const small = smallInteger(src, start, end);
  if (small !== undefined) {
    out.view.setInt32(out.pos, 8);
    writeInt64(out.view, out.pos + 4, small);
    out.pos += 12;
    return true;
  }
  if (end - start > 40 || !plainDigits(src, start, end)) return false;
  const big = BigInt(src.toString('latin1', start, end));
  if (big < INT8_MIN || big > INT8_MAX) return false;
  out.view.setInt32(out.pos, 8);
  out.view.setBigInt64(out.pos + 4, big);
  out.pos += 12;
  return true;
};

/**
 * `-?(digits[.digits]|.digits)([eE][+-]?digits)?`: the decimal forms on which
 * strtod (float8in) and JavaScript's Number agree, both rounding correctly.
 * Excludes what only one of them reads: hex, 'Infinity', 'NaN', blanks, '+'.
 */
function isDecimalFloat(src: Buffer, start: number, end: number): boolean {
  let i = start;
  if (src[i] === MINUS) i++;
  const intEnd = digitsEnd(src, i, end);
  let mantissaDigits = intEnd - i;
  i = intEnd;
  if (i < end && src[i] === DOT) {
    const fracEnd = digitsEnd(src, i + 1, end);
    mantissaDigits += fracEnd - i - 1;
    i = fracEnd;
  }
  if (mantissaDigits === 0) return false;
  if (i < end && (src[i] === 0x65 || src[i] === 0x45)) {
    i++;
    if (i < end && (src[i] === 0x2b || src[i] === MINUS)) i++;
    if (i === end) return false;
    i = digitsEnd(src, i, end);
  }
  return i === end;
}

/** True when the mantissa of a decimal float has a non-zero digit. */
function hasNonZeroDigit(src: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = src[i]!;
    if (c === 0x65 || c === 0x45) return false;
    if (c > ZERO && c <= ZERO + 9) return true;
  }
  return false;
}

/** Exact powers of ten as doubles (10^22 is the largest). */
const POWERS_OF_TEN = Array.from({ length: 23 }, (_, k) => 10 ** k);

/**
 * `-?digits[.digits]` with at most 15 digits in all, as a double, or undefined.
 * Both the digits as an integer and 10^fraction-digits are exact doubles, so
 * one division rounds correctly (as strtod does) without making a string.
 */
function shortDecimal(src: Buffer, start: number, end: number): number | undefined {
  let i = start;
  const negative = src[i] === MINUS;
  if (negative) i++;
  if (end - i > 16 || i === end) return undefined;
  let mantissa = 0;
  let fractionDigits = -1;
  for (; i < end; i++) {
    const c = src[i]!;
    if (c === DOT && fractionDigits < 0) {
      fractionDigits = 0;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) return undefined;
    mantissa = mantissa * 10 + d;
    if (fractionDigits >= 0) fractionDigits++;
  }
  const digits = end - start - (negative ? 1 : 0) - (fractionDigits >= 0 ? 1 : 0);
  if (digits === 0 || digits > 15) return undefined;
  const v = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa;
  return negative ? -v : v;
}

const encodeFloat8: ValueEncoder = (src, start, end, out) => {
  let v = shortDecimal(src, start, end);
  if (v === undefined) {
    if (!isDecimalFloat(src, start, end)) return false;
    v = Number(src.toString('latin1', start, end));
  }
  // float8in refuses overflow and underflow to zero (it keeps denormals).
  if (!Number.isFinite(v)) return false;
  if (v === 0 && hasNonZeroDigit(src, start, end)) return false;
  out.view.setInt32(out.pos, 8);
  out.view.setFloat64(out.pos + 4, v);
  out.pos += 12;
  return true;
};

/**
 * The spellings of true and false accepted here, lower-cased. boolin takes
 * more (yes/no/on/off and prefixes), which go through text COPY.
 */
function boolValue(src: Buffer, start: number, end: number): number {
  const n = end - start;
  const c = src[start]! | 0x20;
  if (n === 1) {
    if (c === 0x74 || src[start] === 0x31) return 1; // t, 1
    if (c === 0x66 || src[start] === ZERO) return 0; // f, 0
    return -1;
  }
  const word = n === 4 || n === 5 ? src.toString('latin1', start, end).toLowerCase() : '';
  return word === 'true' ? 1 : word === 'false' ? 0 : -1;
}

const encodeBool: ValueEncoder = (src, start, end, out) => {
  const v = boolValue(src, start, end);
  if (v < 0) return false;
  out.view.setInt32(out.pos, 1);
  out.buf[out.pos + 4] = v;
  out.pos += 5;
  return true;
};

const DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

// Per four-digit year: whether it is a leap year, and the days from 0001-01-01 to its January 1st.
// Looked up, as the divisions they take cost more than the rest of a date's reading.
const LEAP_YEAR = new Uint8Array(10_000);
const DAYS_BEFORE_YEAR = new Int32Array(10_000);
for (let y = 1; y < 10_000; y++) {
  LEAP_YEAR[y] = isLeapYear(y) ? 1 : 0;
  if (y > 1) DAYS_BEFORE_YEAR[y] = DAYS_BEFORE_YEAR[y - 1]! + 365 + LEAP_YEAR[y - 1]!;
}

/** Days from 0001-01-01 to year-month-day (year 1 to 9999) in the proleptic Gregorian calendar (PostgreSQL's). */
function daysFromYearOne(y: number, m: number, d: number): number {
  return DAYS_BEFORE_YEAR[y]! + DAYS_BEFORE_MONTH[m - 1]! + (m > 2 ? LEAP_YEAR[y]! : 0) + d - 1;
}

/** PostgreSQL's date and timestamp epoch, 2000-01-01, counted from 0001-01-01. */
const PG_EPOCH_DAYS = daysFromYearOne(2000, 1, 1);

function twoDigits(src: Buffer, i: number): number {
  const a = src[i]! - ZERO;
  const b = src[i + 1]! - ZERO;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * `YYYY-MM-DD` with a four-digit year from 0001 as a day number relative to
 * 2000-01-01, or undefined (other forms, impossible dates).
 */
function isoDate(src: Buffer, start: number): number | undefined {
  const hi = twoDigits(src, start);
  const lo = twoDigits(src, start + 2);
  if (hi < 0 || lo < 0 || src[start + 4] !== MINUS || src[start + 7] !== MINUS) return undefined;
  const y = hi * 100 + lo;
  const m = twoDigits(src, start + 5);
  const d = twoDigits(src, start + 8);
  if (y < 1 || m < 1 || m > 12 || d < 1) return undefined;
  const monthDays = m === 2 ? 28 + LEAP_YEAR[y]! : DAYS_IN_MONTH[m - 1]!;
  if (d > monthDays) return undefined;
  return daysFromYearOne(y, m, d) - PG_EPOCH_DAYS;
}

const encodeDate: ValueEncoder = (src, start, end, out) => {
  if (end - start !== 10) return false;
  const days = isoDate(src, start);
  if (days === undefined) return false;
  out.view.setInt32(out.pos, 4);
  out.view.setInt32(out.pos + 4, days);
  out.pos += 8;
  return true;
};

/** Seconds below which microseconds stay exact in a double (2^53 / 1e6). */
const EXACT_SECONDS = 9_007_199_254;

/**
 * `YYYY-MM-DD[( |T)HH:MM[:SS[.f{1,6}]]]`, hours 00-23, no zone (timestamp
 * input ignores a zone silently, but a text COPY is the judge of that), as
 * microseconds since 2000-01-01 00:00:00.
 */
const encodeTimestamp: ValueEncoder = (src, start, end, out) => {
  const n = end - start;
  if (n < 10) return false;
  const days = isoDate(src, start);
  if (days === undefined) return false;
  let seconds = days * 86400;
  let micros = 0;
  if (n > 10) {
    const sep = src[start + 10];
    if (n < 16 || (sep !== 0x20 && sep !== 0x54) || src[start + 13] !== 0x3a) return false;
    const h = twoDigits(src, start + 11);
    const mi = twoDigits(src, start + 14);
    if (h < 0 || h > 23 || mi < 0 || mi > 59) return false;
    seconds += h * 3600 + mi * 60;
    if (n > 16) {
      if (n < 19 || src[start + 16] !== 0x3a) return false;
      const s = twoDigits(src, start + 17);
      if (s < 0 || s > 59) return false;
      seconds += s;
      if (n > 19) {
        const digits = n - 20;
        if (src[start + 19] !== DOT || digits < 1 || digits > 6) return false;
        for (let i = start + 20; i < end; i++) {
          const dgt = src[i]! - ZERO;
          if (dgt < 0 || dgt > 9) return false;
          micros = micros * 10 + dgt;
        }
        for (let k = digits; k < 6; k++) micros *= 10;
      }
    }
  }
  out.view.setInt32(out.pos, 8);
  if (Math.abs(seconds) < EXACT_SECONDS) writeInt64(out.view, out.pos + 4, seconds * 1_000_000 + micros);
  else out.view.setBigInt64(out.pos + 4, BigInt(seconds) * 1_000_000n + BigInt(micros));
  out.pos += 12;
  return true;
};

/** Text as it is: the caller has checked it is valid UTF-8 without NUL bytes. */
const encodeText: ValueEncoder = (src, start, end, out) => {
  const n = end - start;
  out.view.setInt32(out.pos, n);
  const at = out.pos + 4;
  // Short values (most text fields) copy faster in this loop than through Buffer#copy's call.
  if (n < 64) for (let i = 0; i < n; i++) out.buf[at + i] = src[start + i]!;
  else src.copy(out.buf, at, start, end);
  out.pos = at + n;
  return true;
};

/** Longest numeric literal encoded in binary; longer ones (rare) go through text. */
const NUMERIC_MAX_CHARS = 1000;
const NUMERIC_NEG = 0x4000;

/**
 * A numeric in PostgreSQL's binary form (ndigits, weight, sign, dscale, then
 * base-10000 digits). `scale` is the column's (typmod) or -1 for plain
 * numeric; with one, values with more fraction digits (which numeric_in would
 * round) or more integer digits than `precision - scale` allows are left to text.
 */
function encodeNumeric(src: Buffer, start: number, end: number, out: BinaryOut, precision: number, scale: number): boolean {
  if (end - start > NUMERIC_MAX_CHARS) return false;
  let i = start;
  const negative = src[i] === MINUS;
  if (negative) i++;
  const intStart = i;
  const intEnd = digitsEnd(src, i, end);
  i = intEnd;
  let fracStart = i;
  let fracEnd = i;
  if (i < end && src[i] === DOT) {
    fracStart = i + 1;
    fracEnd = digitsEnd(src, fracStart, end);
    i = fracEnd;
  }
  if (i !== end || (intEnd === intStart && fracEnd === fracStart)) return false;
  let firstSignificant = intStart;
  while (firstSignificant < intEnd && src[firstSignificant] === ZERO) firstSignificant++;
  const intDigits = intEnd - firstSignificant;
  const fracDigits = fracEnd - fracStart;
  let dscale = fracDigits;
  if (scale >= 0) {
    if (fracDigits > scale || intDigits > precision - scale) return false;
    dscale = scale;
  }
  if (dscale > 0x3fff) return false;
  // Base-10000 groups aligned on the decimal point: the integer part padded
  // on the left, the fraction on the right; leading zero groups only lower the weight.
  const intGroups = Math.ceil(intDigits / 4);
  const groups = intGroups + Math.ceil(fracDigits / 4);
  const at = out.pos + 4;
  let count = 0;
  let weight = intGroups - 1;
  let lastNonZero = -1;
  for (let g = 0; g < groups; g++) {
    let value = 0;
    if (g < intGroups) {
      const from = intEnd - (intGroups - g) * 4;
      for (let j = from; j < from + 4; j++) value = value * 10 + (j >= firstSignificant ? src[j]! - ZERO : 0);
    } else {
      const from = fracStart + (g - intGroups) * 4;
      for (let j = from; j < from + 4; j++) value = value * 10 + (j < fracEnd ? src[j]! - ZERO : 0);
    }
    if (count === 0 && value === 0) {
      weight--;
      continue;
    }
    out.view.setInt16(at + 8 + 2 * count, value);
    if (value !== 0) lastNonZero = count;
    count++;
  }
  const ndigits = lastNonZero + 1;
  const zero = ndigits === 0;
  out.view.setInt16(at, ndigits);
  out.view.setInt16(at + 2, zero ? 0 : weight);
  out.view.setUint16(at + 4, negative && !zero ? NUMERIC_NEG : 0);
  out.view.setInt16(at + 6, dscale);
  const bytes = 8 + 2 * ndigits;
  out.view.setInt32(out.pos, bytes);
  out.pos = at + bytes;
  return true;
}

/** Most bytes an encoder appends for a field of `length` bytes (length word included). */
export function maxEncodedBytes(length: number): number {
  // numeric: 12 bytes of header, and 2 bytes per 4 digits at worst 2 per digit
  return 16 + 2 * length;
}

/** The encoders, by number (one `switch` keeps each call site monomorphic, which V8 inlines). */
const Kind = { int2: 0, int4: 1, int8: 2, float8: 3, bool: 4, date: 5, timestamp: 6, text: 7, numeric: 8 } as const;

/** How a column's values are encoded. */
export interface ColumnEncoding {
  kind: (typeof Kind)[keyof typeof Kind];
  /** Text types take any (valid UTF-8) string, including a quoted empty one. */
  text: boolean;
  /** numeric(precision, scale); both -1 for plain numeric. */
  precision: number;
  scale: number;
}

/** Appends the field `[start, end)` of a `column` value, or returns false (see the module comment). */
export function encodeValue(column: ColumnEncoding, src: Buffer, start: number, end: number, out: BinaryOut): boolean {
  switch (column.kind) {
    case Kind.int2:
      return encodeInt2(src, start, end, out);
    case Kind.int4:
      return encodeInt4(src, start, end, out);
    case Kind.int8:
      return encodeInt8(src, start, end, out);
    case Kind.float8:
      return encodeFloat8(src, start, end, out);
    case Kind.bool:
      return encodeBool(src, start, end, out);
    case Kind.date:
      return encodeDate(src, start, end, out);
    case Kind.timestamp:
      return encodeTimestamp(src, start, end, out);
    case Kind.text:
      return encodeText(src, start, end, out);
    case Kind.numeric:
      return encodeNumeric(src, start, end, out, column.precision, column.scale);
  }
}

/**
 * The bytes a field prefix encoder may read as part of a value; a delimiter
 * among them would end a field inside what the prefix encoder takes as one.
 */
const PREFIX_VALUE_CHARS = '0123456789-.: T';

/** Whether `delimiter` (one byte) leaves `encodePrefix` free to read values up to a field end. */
export function prefixEncodable(delimiter: number): boolean {
  return !PREFIX_VALUE_CHARS.includes(String.fromCharCode(delimiter));
}

/**
 * The common shape of an integer, float8, timestamp or date value read and
 * encoded in the same walk that finds where the field ends, so the record
 * scan does not pass over those bytes twice. Returns the index just past the
 * value when it is followed by a field end (`fieldEnds[byte] === 1`) inside
 * `[start, limit)`, having appended the value; otherwise -1 with nothing
 * appended, and the caller finds the field's end and uses `encodeValue`
 * (which judges every other shape). The caller has checked
 * `prefixEncodable(delimiter)` and left room for `maxEncodedBytes(0)`.
 */
export function encodePrefix(column: ColumnEncoding, src: Buffer, start: number, limit: number, out: BinaryOut, fieldEnds: Uint8Array): number {
  switch (column.kind) {
    case Kind.int2:
      return integerPrefix(src, start, limit, out, fieldEnds, 2);
    case Kind.int4:
      return integerPrefix(src, start, limit, out, fieldEnds, 4);
    case Kind.int8:
      return integerPrefix(src, start, limit, out, fieldEnds, 8);
    case Kind.float8:
      return floatPrefix(src, start, limit, out, fieldEnds);
    case Kind.timestamp:
      return fixedWidthPrefix(encodeTimestamp, 19, src, start, limit, out, fieldEnds);
    case Kind.date:
      return fixedWidthPrefix(encodeDate, 10, src, start, limit, out, fieldEnds);
    default:
      return -1;
  }
}

/** `-?[0-9]{1,15}` as an integer of `bytes` bytes, when it fits (see `encodePrefix`). */
function integerPrefix(src: Buffer, start: number, limit: number, out: BinaryOut, fieldEnds: Uint8Array, bytes: 2 | 4 | 8): number {
  let i = start;
  const negative = src[i] === MINUS;
  if (negative) i++;
  const digitsStart = i;
  let value = 0;
  for (; i < limit; i++) {
    const d = src[i]! - ZERO;
    if (d < 0 || d > 9) break;
    value = value * 10 + d;
  }
  // More than 15 digits may not be exact as a double: encodeValue takes them (leading zeros, BigInt).
  const digits = i - digitsStart;
  if (digits === 0 || digits > 15 || i >= limit || fieldEnds[src[i]!] === 0) return -1;
  if (negative) value = -value;
  const view = out.view;
  const pos = out.pos;
  if (bytes === 8) {
    view.setInt32(pos, 8);
    writeInt64(view, pos + 4, value);
  } else if (bytes === 4) {
    if (value < -2147483648 || value > 2147483647) return -1;
    view.setInt32(pos, 4);
    view.setInt32(pos + 4, value);
  } else {
    if (value < -32768 || value > 32767) return -1;
    view.setInt32(pos, 2);
    view.setInt16(pos + 4, value);
  }
  out.pos = pos + 4 + bytes;
  return i;
}

/** `-?digits[.digits]` with at most 15 digits, as `shortDecimal` reads it (see `encodePrefix`). */
function floatPrefix(src: Buffer, start: number, limit: number, out: BinaryOut, fieldEnds: Uint8Array): number {
  let i = start;
  const negative = src[i] === MINUS;
  if (negative) i++;
  let mantissa = 0;
  let digits = 0;
  let fractionDigits = -1;
  for (; i < limit; i++) {
    const c = src[i]!;
    if (c === DOT) {
      if (fractionDigits >= 0) break;
      fractionDigits = 0;
      continue;
    }
    const d = c - ZERO;
    if (d < 0 || d > 9) break;
    mantissa = mantissa * 10 + d;
    digits++;
    if (fractionDigits >= 0) fractionDigits++;
  }
  if (digits === 0 || digits > 15 || i >= limit || fieldEnds[src[i]!] === 0) return -1;
  // Both operands are exact doubles, so the one division rounds as strtod does; no under- or overflow at 15 digits.
  const v = fractionDigits > 0 ? mantissa / POWERS_OF_TEN[fractionDigits]! : mantissa;
  out.view.setInt32(out.pos, 8);
  out.view.setFloat64(out.pos + 4, negative ? -v : v);
  out.pos += 12;
  return i;
}

/** A value whose common form has `width` bytes (`YYYY-MM-DD[ HH:MM:SS]`), when a field end follows it. */
function fixedWidthPrefix(encode: ValueEncoder, width: number, src: Buffer, start: number, limit: number, out: BinaryOut, fieldEnds: Uint8Array): number {
  const end = start + width;
  if (end >= limit || fieldEnds[src[end]!] === 0) return -1;
  return encode(src, start, end, out) ? end : -1;
}

/**
 * The binary encoding for a column of type `oid` with modifier `typmod`, or
 * undefined when binary COPY cannot be proven to store what text COPY would.
 */
export function columnEncoding(oid: number, typmod: number): ColumnEncoding | undefined {
  const of = (kind: ColumnEncoding['kind'], precision = -1, scale = -1): ColumnEncoding => ({ kind, text: kind === Kind.text, precision, scale });
  switch (oid) {
    case TypeOid.int2:
      return of(Kind.int2);
    case TypeOid.int4:
      return of(Kind.int4);
    case TypeOid.int8:
      return of(Kind.int8);
    case TypeOid.float8:
      return of(Kind.float8);
    case TypeOid.bool:
      return of(Kind.bool);
    case TypeOid.date:
      return of(Kind.date);
    case TypeOid.timestamp:
      // timestamp(p) rounds fractions in both forms alike, but to stay simple only full precision is binary.
      return typmod < 0 ? of(Kind.timestamp) : undefined;
    case TypeOid.text:
      return of(Kind.text);
    case TypeOid.varchar:
      // varchar(n) truncates trailing blanks or refuses long values: its checks differ from text COPY's.
      return typmod < 0 ? of(Kind.text) : undefined;
    case TypeOid.numeric: {
      if (typmod < 0) return of(Kind.numeric);
      const precision = ((typmod - 4) >> 16) & 0xffff;
      // The scale is an 11-bit signed field; negative scales (PG 15+) and scale > precision stay on text.
      const scale = (((typmod - 4) & 0x7ff) << 21) >> 21;
      return scale >= 0 && scale <= precision ? of(Kind.numeric, precision, scale) : undefined;
    }
    default:
      return undefined;
  }
}
