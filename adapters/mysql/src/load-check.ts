/**
 * The byte check of a file sent to `LOAD DATA` as it is (see
 * direct-load.ts). LOAD DATA reads three things differently from the seed
 * convention (an empty unquoted field is NULL): a quoted empty field (an
 * empty string, but LOAD DATA cannot tell it from an empty field), an
 * unquoted `NULL` (text, but LOAD DATA reads SQL NULL), and a line end other
 * than the file's first one outside quotes. A column the statement loads
 * without a variable (no NULLIF) also reads an empty field as an empty
 * string or zero, not NULL. Pure.
 */
export class NotDirectlyLoadable extends Error {}

/** An empty field in a column loaded without a variable: only the statement is wrong, the file still goes as it is. */
export class EmptyDirectField extends NotDirectlyLoadable {}

export type LineEnd = '\n' | '\r\n';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const N = 0x4e;
const U = 0x55;
const L = 0x4c;

/** Bytes `check` leaves unjudged at the end of a chunk that is not the last: enough to see `NULL` end its field. */
const CHECK_LOOKAHEAD = 5;

/** The line end of the first line (outside quotes) of `buf`, the start of a file; LF when none ends there. */
export function lineEndOf(buf: Uint8Array): LineEnd {
  let inQuotes = false;
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i];
    if (b === QUOTE) inQuotes = !inQuotes;
    else if (b === LF && !inQuotes) return i > 0 && buf[i - 1] === CR ? '\r\n' : '\n';
  }
  return '\n';
}

export interface CheckLayout {
  delimiter: number;
  lineEnd: LineEnd;
  /** Whether the first line is a header (its fields are names, not values). */
  header: boolean;
  /** Per column: loaded without a variable, so an empty field in it is refused. */
  direct: readonly boolean[];
}

/**
 * Reads a file's bytes chunk by chunk, carrying its place (column, quotes)
 * from one chunk to the next, and throws NotDirectlyLoadable at the first
 * byte LOAD DATA would read differently. Records which columns held an empty
 * field (`emptySeen`), so a look at the start of a file can tell which
 * columns may go without a variable.
 */
export class LoadDataChecker {
  /** Per column: an empty unquoted field was seen (header excluded). */
  readonly emptySeen: Uint8Array;
  private readonly delimiter: number;
  private readonly crlf: boolean;
  private readonly direct: Uint8Array;
  /** 1 at the bytes that end an unquoted field: one load and compare per byte instead of three. */
  private readonly stops = new Uint8Array(256);
  private column = 0;
  private inQuotes = false;
  private fieldStart = true;
  private inHeader: boolean;

  constructor(layout: CheckLayout, columnCount: number) {
    this.delimiter = layout.delimiter;
    this.crlf = layout.lineEnd === '\r\n';
    this.inHeader = layout.header;
    // One slot more than the columns: a record's surplus fields all land there (the server's
    // warnings refuse such a record anyway).
    this.direct = new Uint8Array(columnCount + 1);
    layout.direct.forEach((d, i) => {
      if (i < columnCount) this.direct[i] = d ? 1 : 0;
    });
    this.emptySeen = new Uint8Array(columnCount + 1);
    this.stops[this.delimiter] = this.stops[CR] = this.stops[LF] = 1;
  }

  /**
   * Checks `buf` from `from` to CHECK_LOOKAHEAD bytes before its end (to its
   * end when `final`); returns where it stopped. State lives in locals in the
   * loop (fields and closures cost a memory access per byte).
   */
  check(buf: Buffer, final: boolean, from = 0): number {
    const end = final ? buf.length : buf.length - CHECK_LOOKAHEAD;
    const d = this.delimiter;
    const crlf = this.crlf;
    const direct = this.direct;
    const last = direct.length - 1;
    const stops = this.stops;
    let column = this.column;
    let inQuotes = this.inQuotes;
    let fieldStart = this.fieldStart;
    let inHeader = this.inHeader;
    let i = from;
    while (i < end) {
      if (inQuotes) {
        // Inside quotes only a quote matters: jump to the next one (a native search, not a byte loop).
        const q = buf.indexOf(QUOTE, i);
        if (q === -1 || q >= end) {
          i = end;
          break;
        }
        if (buf[q + 1] === QUOTE) i = q + 2;
        else {
          inQuotes = false;
          i = q + 1;
        }
        continue;
      }
      if (fieldStart) {
        fieldStart = false;
        const b = buf[i];
        if (b === QUOTE) {
          if (buf[i + 1] === QUOTE && isBoundary(buf, i + 2, d)) throw new NotDirectlyLoadable('a quoted empty field');
          inQuotes = true;
          i++;
          continue;
        }
        if (b === N && buf[i + 1] === U && buf[i + 2] === L && buf[i + 3] === L && isBoundary(buf, i + 4, d)) {
          throw new NotDirectlyLoadable('an unquoted NULL');
        }
        if ((b === d || b === LF || b === CR) && !inHeader) {
          this.emptySeen[column] = 1;
          if (direct[column] === 1) throw new EmptyDirectField(`an empty field in column ${column + 1}`);
        }
      }
      // The rest of an unquoted field, up to its delimiter or line end.
      for (; i < end; i++) {
        const b = buf[i]!;
        if (stops[b] === 0) continue;
        if (b === d) {
          if (column < last) column++;
          fieldStart = true;
          i++;
          break;
        }
        if (b === CR) {
          if (!crlf || buf[i + 1] !== LF) throw new NotDirectlyLoadable('a carriage return outside quotes');
          column = 0;
          inHeader = false;
          fieldStart = true;
          i += 2;
          break;
        }
        if (b === LF) {
          if (crlf) throw new NotDirectlyLoadable('a line feed without carriage return');
          column = 0;
          inHeader = false;
          fieldStart = true;
          i++;
          break;
        }
      }
    }
    // (A throw leaves the state stale: the checker is not used after one.)
    this.column = column;
    this.inQuotes = inQuotes;
    this.fieldStart = fieldStart;
    this.inHeader = inHeader;
    return i;
  }

  /** The end of the input, after the last byte was checked: a last line without line end may end in an empty field. */
  finish(): void {
    if (this.fieldStart && this.column > 0 && !this.inHeader) {
      this.emptySeen[this.column] = 1;
      if (this.direct[this.column] === 1) throw new EmptyDirectField(`an empty field in column ${this.column + 1}`);
    }
  }
}

/** Whether a field ends before byte `k` (the end of the input counts). */
function isBoundary(buf: Buffer, k: number, delimiter: number): boolean {
  return k >= buf.length || buf[k] === delimiter || buf[k] === LF || buf[k] === CR;
}
