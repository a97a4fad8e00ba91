/**
 * Seed column type inference, following dbt's rules (agate's type tester as
 * dbt-common configures it, then the adapter's `convert_*_type`):
 *
 * - a column takes the first kind, in this order, that accepts every value:
 *   number, date (`YYYY-MM-DD`), datetime (`YYYY-MM-DD HH:MM:SS`), ISO
 *   datetime (`YYYY-MM-DDTHH:MM[:SS[.f]][zone]`), boolean (`true`/`false`, any
 *   case), text;
 * - `""` and `null` (any case, surrounding blanks ignored) are NULL and fit
 *   every kind; a column of nothing but NULLs is a number;
 * - a number column is `integer` when no value has digits after the decimal
 *   point, else a float (`float8` in dbt's default mapping); unlike dbt, an
 *   integer column with a value outside 32 bits is a `bigint` (dbt's
 *   `integer` makes such a seed fail to load);
 * - both datetime kinds become a timestamp without time zone.
 *
 * agate also reads grouped numbers (`1,000`) and currency signs; dbt passes
 * those on as agate's parsed value. We accept the same spellings and say so
 * (`needsNormalising`), so the loader can rewrite them before the engine
 * sees them.
 */

export type SeedKind = 'integer' | 'bigint' | 'float' | 'date' | 'timestamp' | 'boolean' | 'text';


const PLAIN_NUMBER_RE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Captures the digits after the point and the exponent of a plain number. */
const NUMBER_PARTS_RE = /^[+-]?(?:\d+\.?(\d*)|\.(?=\d)(\d+))([eE][+-]?\d+)?$/;
const GROUP_OR_CURRENCY_RE = /[$€£¥,]/g;
const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})$/;
const DATETIME_RE = /^(\d{4})-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/;
const ISO_DATETIME_RE =
  /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?$/;

export function isSeedNull(raw: string): boolean {
  if (raw.length === 0) return true;
  if (raw.length > 8) return false;
  return raw.trim().toLowerCase() === 'null' || raw.trim() === '';
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= DAYS_IN_MONTH[month - 1]!) return true;
  const year = Number(y);
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

function validTime(h: string, mi: string, s: string | undefined): boolean {
  return Number(h) < 24 && Number(mi) < 60 && (s === undefined || Number(s) < 60);
}

/**
 * Tracks one column's candidates as values stream past. Hot path: a seed of a
 * million rows calls `observe` millions of times, so candidates are plain
 * flags and a candidate's test runs only while it is alive.
 */
export class ColumnInference {
  private number = true;
  private date = true;
  private datetime = true;
  private isoDatetime = true;
  private boolean = true;
  private hasFraction = false;
  private outsideInt32 = false;
  /** A value needs rewriting before an engine reads it (`1,000`, `$5`, `NULL`, `TRUE`). */
  needsNormalising = false;
  nonNullCount = 0;

  /**
   * `null` is an unquoted empty field; `''` a quoted one, which dbt also reads
   * as NULL but an engine's CSV reader keeps as an empty string.
   */
  observe(raw: string | null): void {
    if (raw === null) return;
    if (isSeedNull(raw)) {
      this.needsNormalising = true;
      return;
    }
    this.nonNullCount++;
    if (this.settled) return;
    let value = raw;
    if (raw.charCodeAt(0) <= 32 || raw.charCodeAt(raw.length - 1) <= 32) {
      value = raw.trim();
      if (value !== raw) this.needsNormalising = true;
    }
    if (this.number) this.observeNumber(value);
    if (this.date || this.datetime || this.isoDatetime) this.observeTemporal(value);
    if (this.boolean) {
      const lower = value.length === 4 || value.length === 5 ? value.toLowerCase() : '';
      if (lower !== 'true' && lower !== 'false') this.boolean = false;
      else if (value !== lower) this.needsNormalising = true;
    }
    this.settle();
  }

  private observeNumber(value: string): void {
    const isPlain = PLAIN_NUMBER_RE.test(value);
    // Once the column is a float, another plain number changes nothing.
    if (isPlain && this.hasFraction) return;
    const plain = isPlain ? value : value.replace(GROUP_OR_CURRENCY_RE, '');
    const m = plain === '' ? null : NUMBER_PARTS_RE.exec(plain);
    if (m === null) {
      this.number = false;
      return;
    }
    if (plain !== value) this.needsNormalising = true;
    // agate keeps the written precision: `1.0` has decimals; an exponent we
    // count as decimals too (a float column loads it; an integer one would not).
    if ((m[1] ?? '').length > 0 || m[2] !== undefined || m[3] !== undefined) this.hasFraction = true;
    if (plain.endsWith('.')) this.needsNormalising = true;
    if (!this.outsideInt32 && plain.length >= 10 && Math.abs(Number.parseFloat(plain)) > 2147483647) this.outsideInt32 = true;
  }

  private observeTemporal(value: string): void {
    if (this.date) {
      const m = DATE_RE.exec(value);
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!)) this.date = false;
    }
    if (this.datetime) {
      const m = DATETIME_RE.exec(value);
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!) || !validTime(m[4]!, m[5]!, m[6])) this.datetime = false;
    }
    if (this.isoDatetime) {
      const m = ISO_DATETIME_RE.exec(value);
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!) || !validTime(m[4]!, m[5]!, m[6])) this.isoDatetime = false;
    }
  }

  /**
   * An unquoted, non-empty field as bytes of the file. The shapes that make up most seeds (plain
   * decimals, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`) are judged on the bytes, with the same outcome
   * as `observe` on their text; anything else is decoded and observed as text. A million-row seed
   * then makes no string for most of its values.
   */
  observeBytes(buf: Uint8Array, start: number, end: number): void {
    const shape = byteShape(buf, start, end);
    if (shape === OTHER) {
      this.observe(textDecoder.decode(buf.subarray(start, end)));
      return;
    }
    this.nonNullCount++;
    if (this.settled) return;
    this.boolean = this.isoDatetime = false;
    if (shape === DATE) {
      this.number = this.datetime = false;
      if (this.date && !validDateDigits(buf, start)) this.date = false;
    } else if (shape === DATETIME) {
      this.number = this.date = false;
      if (this.datetime && !(validDateDigits(buf, start) && validTimeDigits(buf, start + 11))) this.datetime = false;
    } else {
      this.date = this.datetime = false;
      if (this.number) this.observeDecimalBytes(buf, start, end, shape === DECIMAL_WITH_FRACTION, buf[end - 1] === DOT);
    }
    this.settle();
  }

  /** `observeNumber` for a plain decimal without exponent, given as bytes. */
  private observeDecimalBytes(buf: Uint8Array, start: number, end: number, withFraction: boolean, trailingPoint: boolean): void {
    if (this.hasFraction) return;
    if (withFraction) this.hasFraction = true;
    if (trailingPoint) this.needsNormalising = true;
    if (!this.outsideInt32 && end - start >= 10) {
      const text = textDecoder.decode(buf.subarray(start, end));
      if (Math.abs(Number.parseFloat(text)) > 2147483647) this.outsideInt32 = true;
    }
  }

  /**
   * Only text is left: values no longer change the type (NULL markers still matter). A field, not
   * a getter: the scanner asks for every field of the column.
   */
  settled = false;

  private settle(): void {
    this.settled = !(this.number || this.date || this.datetime || this.isoDatetime || this.boolean);
  }

  result(): SeedKind {
    if (this.number) {
      if (this.hasFraction) return 'float';
      return this.outsideInt32 ? 'bigint' : 'integer';
    }
    if (this.date) return 'date';
    if (this.datetime || this.isoDatetime) return 'timestamp';
    if (this.boolean) return 'boolean';
    return 'text';
  }
}

// ignoreBOM: a field's own U+FEFF is kept, as Buffer#toString keeps it.
const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });

const DOT = 0x2e;
/** What `byteShape` recognises; OTHER needs the text. */
const OTHER = 0;
const DECIMAL = 1;
const DECIMAL_WITH_FRACTION = 2;
const DATE = 3;
const DATETIME = 4;

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The digits at [at, at + count) as a number. */
function digitsValue(buf: Uint8Array, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) v = v * 10 + (buf[i]! - 0x30);
  return v;
}

/**
 * Which fast shape the bytes have: `[+-]digits[.digits]` (a plain number, digits after the point
 * or not), `dddd-dd-dd`, `dddd-dd-dd dd:dd:dd`, else OTHER. Reads only bytes in [start, end).
 */
function byteShape(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  const c0 = buf[i]!;
  if (c0 === 0x2b || c0 === 0x2d) i++;
  const intStart = i;
  while (i < end && isDigit(buf[i]!)) i++;
  if (i === intStart) return OTHER;
  if (i === end) return DECIMAL;
  if (buf[i] === DOT) {
    const fractionStart = ++i;
    while (i < end && isDigit(buf[i]!)) i++;
    if (i !== end) return OTHER;
    return i > fractionStart ? DECIMAL_WITH_FRACTION : DECIMAL;
  }
  const length = end - start;
  if (intStart !== start || i - start !== 4 || (length !== 10 && length !== 19)) return OTHER;
  if (buf[start + 4] !== 0x2d || !isDigit(buf[start + 5]!) || !isDigit(buf[start + 6]!) || buf[start + 7] !== 0x2d) return OTHER;
  if (!isDigit(buf[start + 8]!) || !isDigit(buf[start + 9]!)) return OTHER;
  if (length === 10) return DATE;
  if (buf[start + 10] !== 0x20 || buf[start + 13] !== 0x3a || buf[start + 16] !== 0x3a) return OTHER;
  const timeDigits =
    isDigit(buf[start + 11]!) && isDigit(buf[start + 12]!) && isDigit(buf[start + 14]!) && isDigit(buf[start + 15]!) && isDigit(buf[start + 17]!) && isDigit(buf[start + 18]!);
  return timeDigits ? DATETIME : OTHER;
}

/** `validDate` for the `dddd-dd-dd` at `at`. */
function validDateDigits(buf: Uint8Array, at: number): boolean {
  const year = digitsValue(buf, at, 4);
  const month = digitsValue(buf, at + 5, 2);
  const day = digitsValue(buf, at + 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  if (day <= DAYS_IN_MONTH[month - 1]!) return true;
  return month === 2 && day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

/** `validTime` for the `dd:dd:dd` at `at`. */
function validTimeDigits(buf: Uint8Array, at: number): boolean {
  return digitsValue(buf, at, 2) < 24 && digitsValue(buf, at + 3, 2) < 60 && digitsValue(buf, at + 6, 2) < 60;
}

export interface InferredColumn {
  name: string;
  kind: SeedKind;
}

export class SeedInference {
  readonly columns: ColumnInference[];
  rows = 0;

  constructor(readonly names: readonly string[]) {
    this.columns = names.map(() => new ColumnInference());
  }

  observeRecord(values: readonly (string | null)[]): void {
    this.rows++;
    for (let i = 0; i < this.columns.length; i++) this.columns[i]!.observe(values[i] ?? null);
  }

  get needsNormalising(): boolean {
    return this.columns.some((c) => c.needsNormalising);
  }

  result(): InferredColumn[] {
    return this.names.map((name, i) => ({ name, kind: this.columns[i]!.result() }));
  }
}

/**
 * A value as the engine should read it for a column of `kind`: NULL markers
 * become null, grouped or currency numbers become plain digits, booleans
 * lower-case. Only called when the column `needsNormalising`.
 */
export function normaliseSeedValue(raw: string | null, kind: SeedKind): string | null {
  if (raw === null || isSeedNull(raw)) return null;
  switch (kind) {
    case 'integer':
    case 'bigint':
    case 'float':
      return raw.trim().replace(GROUP_OR_CURRENCY_RE, '').replace(/\.$/, '');
    case 'boolean':
      return raw.trim().toLowerCase();
    case 'date':
    case 'timestamp':
      return raw.trim();
    default:
      return raw;
  }
}
