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

  /** A value of 1 to 9 digits (optionally signed): only a number can hold it, and it has no fraction. */
  observeSmallInteger(): void {
    this.nonNullCount++;
    this.date = this.datetime = this.isoDatetime = this.boolean = false;
  }

  /** Only text is left: values no longer change the type (NULL markers still matter). */
  get settled(): boolean {
    return !(this.number || this.date || this.datetime || this.isoDatetime || this.boolean);
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
