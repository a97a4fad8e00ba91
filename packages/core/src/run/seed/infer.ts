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

const ORDER = ['number', 'date', 'datetime', 'isodatetime', 'boolean', 'text'] as const;
type Candidate = (typeof ORDER)[number];

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

function validDate(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  const daysInMonth = new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
  return day <= daysInMonth;
}

function validTime(h: string, mi: string, s: string | undefined): boolean {
  return Number(h) < 24 && Number(mi) < 60 && (s === undefined || Number(s) < 60);
}

/** Tracks one column's candidates as values stream past. */
export class ColumnInference {
  private alive = new Set<Candidate>(ORDER);
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
    const value = raw.trim();
    if (value !== raw) this.needsNormalising = true;
    if (this.alive.has('number')) {
      const plain = PLAIN_NUMBER_RE.test(value) ? value : value.replace(GROUP_OR_CURRENCY_RE, '');
      const m = plain === '' ? null : NUMBER_PARTS_RE.exec(plain);
      if (m === null) this.alive.delete('number');
      else {
        if (plain !== value) this.needsNormalising = true;
        // agate keeps the written precision: `1.0` has decimals; an exponent we
        // count as decimals too (a float column loads it; an integer one would not).
        if ((m[1] ?? '').length > 0 || m[2] !== undefined || m[3] !== undefined) this.hasFraction = true;
        if (plain.endsWith('.')) this.needsNormalising = true;
        if (!this.outsideInt32 && plain.length >= 10 && Math.abs(Number.parseFloat(plain)) > 2147483647) this.outsideInt32 = true;
      }
    }
    if (this.alive.has('date')) {
      const m = DATE_RE.exec(value);
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!)) this.alive.delete('date');
    }
    if (this.alive.has('datetime')) {
      const m = DATETIME_RE.exec(value);
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!) || !validTime(m[4]!, m[5]!, m[6])) this.alive.delete('datetime');
    }
    if (this.alive.has('isodatetime')) {
      const m = ISO_DATETIME_RE.exec(value);
      if (m === null || !validDate(m[1]!, m[2]!, m[3]!) || !validTime(m[4]!, m[5]!, m[6])) this.alive.delete('isodatetime');
    }
    if (this.alive.has('boolean')) {
      const lower = value.toLowerCase();
      if (lower !== 'true' && lower !== 'false') this.alive.delete('boolean');
      else if (value !== lower) this.needsNormalising = true;
    }
  }

  result(): SeedKind {
    const first = ORDER.find((c) => this.alive.has(c))!;
    switch (first) {
      case 'number':
        if (this.hasFraction) return 'float';
        return this.outsideInt32 ? 'bigint' : 'integer';
      case 'date':
        return 'date';
      case 'datetime':
      case 'isodatetime':
        return 'timestamp';
      case 'boolean':
        return 'boolean';
      default:
        return 'text';
    }
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
