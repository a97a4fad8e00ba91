import { isUtf8 } from 'node:buffer';
import type { CsvSpec } from '@dvt/core';
import { encodePrefix, encodeValue, maxEncodedBytes, prefixEncodable } from './binary-values.js';
import type { BinaryOut, ColumnEncoding } from './binary-values.js';

/**
 * CSV bytes (as PostgreSQL's `COPY ... (FORMAT csv)` reads them) into the
 * binary COPY format, record by record, for as long as every value can be
 * proven to mean what the text form would. At the first record that cannot
 * (a value the encoders refuse, a different field count, a blank line, a
 * line end unlike the first line's, invalid UTF-8, ...) the encoder stops:
 * `stopped` is set and `remainder()` returns the input from that record's
 * first byte, for a text-mode COPY to load (or to refuse with the server's
 * own message).
 *
 * Pure code: Buffers in, Buffers out, no I/O.
 */

/** PGCOPY\n\377\r\n\0, flags 0, header extension length 0. */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const TRAILER = Buffer.from([0xff, 0xff]);

/** Encoded rows are gathered into chunks of about this size (fewer socket writes and CopyData messages). */
const OUT_CHUNK_BYTES = 1 << 20;
/** The first chunk is smaller: most of a large one would be wasted on a small load. */
const FIRST_OUT_CHUNK_BYTES = 1 << 16;
/**
 * How much of a new chunk is joined to the record the last one left
 * unfinished: a little first (records are mostly short, and each try copies),
 * then more; longer records take the slow path.
 */
const STRADDLE_JOINS = [1 << 10, 1 << 16];

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

/** 1 for the bytes a quoted field's scan must look at: quote, CR, LF. */
const QUOTED_STOPS = new Uint8Array(256);
for (const c of [QUOTE, CR, LF]) QUOTED_STOPS[c] = 1;

const enum LineEnd {
  Unknown,
  Lf,
  CrLf,
}

/** Output bytes reserved per field before its length is known (any fixed-size value, or NULL). */
const FIELD_BYTES = maxEncodedBytes(0);
/**
 * Output room made at a row's start for its text, besides FIELD_BYTES per
 * field: only rows with more text move to a new output chunk midway.
 */
const ROW_TEXT_BYTES = 1 << 13;

/** `quotedEnd` ran out of output room while copying (a negative number unlike any `Scan`). */
const NO_ROOM = -3;

/** Negative, so that a position or a `Scan` fits one number. */
const enum Scan {
  /** A whole record was read: `recordEnd` is past its line end. */
  Record = 0,
  /** The record continues past the bytes at hand. */
  Incomplete = -1,
  /** Something only a text COPY may judge. */
  Refused = -2,
}

/**
 * Which physical line of the file each encoded row ended on, kept sparsely:
 * most records are one line, so only records spanning more are noted.
 */
class RowLines {
  private readonly rows: number[] = [];
  private readonly extraAfter: number[] = [];
  private extra = 0;

  note(row: number, extraLines: number): void {
    this.extra += extraLines;
    this.rows.push(row);
    this.extraAfter.push(this.extra);
  }

  /** The file line (1-based) on which 1-based row `row` ends, given the lines before the first row. */
  lineOf(row: number, linesBefore: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.rows[mid]! <= row) lo = mid + 1;
      else hi = mid;
    }
    return linesBefore + row + (lo === 0 ? 0 : this.extraAfter[lo - 1]!);
  }
}

/** See `BinaryCopyEncoder.textCopyStart`. */
export interface TextCopyStart {
  /** Bytes to send before the remainder. */
  prefix: Buffer;
  /** Whether that COPY skips a header line. */
  header: boolean;
  lineOffset: number;
}

export class BinaryCopyEncoder {
  /** Rows encoded so far. */
  rows = 0;
  /** True once a record was refused (or the end of input seen): no further input is taken. */
  stopped = false;
  /** Physical lines consumed (the header included): the line count before `remainder()`. */
  lines = 0;

  private readonly columns: readonly ColumnEncoding[];
  private readonly delimiter: number;
  /** 1 for the bytes that end an unquoted field's data: delimiter, quote, CR, LF. */
  private readonly stops = new Uint8Array(256);
  /** 1 for the bytes that may follow a field: delimiter, CR, LF. */
  private readonly fieldEnds = new Uint8Array(256);
  /** Whether values may be read by `encodePrefix` (the delimiter is not a byte of theirs). */
  private readonly prefixes: boolean;
  private readonly nullBytes: Buffer;
  private headerPending: boolean;
  private headerLines = 0;
  /** The line end of the records taken so far: PostgreSQL holds a file to its first line's. */
  private lineEnd = LineEnd.Unknown;
  private pending: Buffer = Buffer.alloc(0);
  private readonly out: BinaryOut;
  private readonly ready: Buffer[] = [];
  private readonly rowLines = new RowLines();
  /** Where the row being encoded begins in the output. */
  private rowStart = 0;
  /** Whether the quoted field just read has doubled quotes. */
  private doubledQuote = false;
  /** Where the quoted field just copied ends in the output. */
  private copiedTo = 0;
  private recordEnd = 0;
  /** The line end of the record scanned (it becomes the file's once a record is taken). */
  private recordLineEnd = LineEnd.Unknown;
  private recordLines = 0;

  constructor(columns: readonly ColumnEncoding[], csv: Pick<CsvSpec, 'delimiter' | 'header' | 'nullString'>) {
    if (!BinaryCopyEncoder.supports(csv)) throw new RangeError(`binary COPY cannot read CSV delimited by ${JSON.stringify(csv.delimiter)}`);
    this.columns = columns;
    this.delimiter = csv.delimiter.charCodeAt(0);
    for (const c of [this.delimiter, QUOTE, CR, LF]) this.stops[c] = 1;
    for (const c of [this.delimiter, CR, LF]) this.fieldEnds[c] = 1;
    this.prefixes = prefixEncodable(this.delimiter);
    this.nullBytes = Buffer.from(csv.nullString, 'utf8');
    this.headerPending = csv.header;
    const buf = Buffer.allocUnsafe(FIRST_OUT_CHUNK_BYTES);
    this.out = { buf, view: new DataView(buf.buffer, buf.byteOffset, buf.byteLength), pos: 0 };
    SIGNATURE.copy(buf, 0);
    this.out.pos = SIGNATURE.length;
  }

  /** Whether the CSV spec is one this encoder reads (a one-byte delimiter other than a quote, backslash or line break). */
  static supports(csv: Pick<CsvSpec, 'delimiter'>): boolean {
    const c = csv.delimiter.charCodeAt(0);
    return csv.delimiter.length === 1 && c < 0x80 && c !== QUOTE && c !== LF && c !== CR && c !== BACKSLASH;
  }

  /**
   * Encodes the complete records in `chunk` (with what is left from earlier
   * chunks) and returns the finished output chunks, if any.
   */
  push(chunk: Buffer): Buffer[] {
    if (this.stopped) throw new Error('BinaryCopyEncoder: push after stop');
    const carried = this.pending;
    if (carried.length > 0) {
      // The record begun in the last chunk is finished on a small joined copy,
      // so the rest of this chunk is read in place rather than copied.
      let scan = Scan.Incomplete;
      for (const bytes of STRADDLE_JOINS) {
        scan = this.takeRecord(Buffer.concat([carried, chunk.subarray(0, bytes)]), 0, false, 0);
        if (scan !== Scan.Incomplete || bytes >= chunk.length) break;
      }
      if (scan === Scan.Incomplete) {
        this.consume(Buffer.concat([carried, chunk]), false);
        return this.take(false);
      }
      if (scan === Scan.Refused) {
        this.stopped = true;
        this.pending = Buffer.concat([carried, chunk]);
        return this.take(false);
      }
      chunk = chunk.subarray(this.recordEnd - carried.length);
    }
    this.consume(chunk, false);
    return this.take(false);
  }

  /** Encodes what is left at the end of input; returns the last output chunks, trailer included. */
  end(): Buffer[] {
    if (!this.stopped) this.consume(this.pending, true);
    this.stopped = true;
    return this.take(true);
  }

  /** The input from the first record not encoded (empty when every record was). */
  remainder(): Buffer {
    return this.pending;
  }

  /**
   * How a text COPY reads `remainder()` as a COPY of the whole file would
   * have read it. PostgreSQL takes the line end of a COPY's first line as the
   * file's (refusing others, and counting lines inside quotes by it), so once
   * the file's is known the remainder is preceded by an empty header line
   * ending that way. `lineOffset` turns that COPY's `line N` into the file's.
   */
  textCopyStart(): TextCopyStart {
    if (this.headerPending) return { prefix: Buffer.alloc(0), header: true, lineOffset: 0 };
    if (this.lineEnd === LineEnd.Unknown) return { prefix: Buffer.alloc(0), header: false, lineOffset: this.lines };
    return { prefix: Buffer.from(this.lineEnd === LineEnd.Lf ? '\n' : '\r\n'), header: true, lineOffset: this.lines - 1 };
  }

  /** The file line on which encoded row `row` (1-based, as a binary COPY's error context counts) ends. */
  fileLineOfRow(row: number): number {
    return this.rowLines.lineOf(row, this.headerLines);
  }

  private take(final: boolean): Buffer[] {
    const out = this.out;
    if (final) {
      this.ensureRoom(TRAILER.length);
      TRAILER.copy(out.buf, out.pos);
      out.pos += TRAILER.length;
    }
    if (final || out.pos >= OUT_CHUNK_BYTES / 2) this.flushOut();
    return this.ready.splice(0);
  }

  private flushOut(): void {
    const out = this.out;
    if (out.pos === 0) return;
    this.ready.push(out.buf.subarray(0, out.pos));
    this.newOutChunk(OUT_CHUNK_BYTES);
  }

  private newOutChunk(bytes: number): void {
    const out = this.out;
    out.buf = Buffer.allocUnsafe(bytes);
    out.view = new DataView(out.buf.buffer, out.buf.byteOffset, out.buf.byteLength);
    out.pos = 0;
  }

  private ensureRoom(bytes: number): void {
    const out = this.out;
    if (out.pos + bytes <= out.buf.length) return;
    this.flushOut();
    if (bytes > out.buf.length) this.newOutChunk(bytes);
  }

  private stop(src: Buffer, at: number): void {
    this.stopped = true;
    this.pending = src.subarray(at);
  }

  private consume(src: Buffer, final: boolean): void {
    // One native check covers every record ending before the last line feed
    // (a line feed is always a character boundary); records past it are checked alone.
    const checkedTo = src.lastIndexOf(LF) + 1;
    const checked = checkedTo > 0 && cleanText(src, 0, checkedTo) ? checkedTo : 0;
    let p = 0;
    const n = src.length;
    while (p < n) {
      const scan = this.takeRecord(src, p, final, checked);
      if (scan === Scan.Incomplete) break;
      if (scan === Scan.Refused) return this.stop(src, p);
      p = this.recordEnd;
    }
    this.pending = src.subarray(p);
  }

  /**
   * Takes the record at `p` (the header, or a row to encode) unless it is
   * incomplete or must go to text COPY. Bytes before `checked` are known to
   * be valid UTF-8 without NUL.
   */
  private takeRecord(src: Buffer, p: number, final: boolean, checked: number): Scan {
    if (src[p] === BACKSLASH) {
      if (p + 1 >= src.length && !final) return Scan.Incomplete;
      if (src[p + 1] === DOT) return Scan.Refused;
    }
    this.recordLines = 1;
    const scan = this.headerPending ? this.scanHeader(src, p, final) : this.encodeRow(src, p, final);
    if (scan !== Scan.Record) return scan;
    if (this.recordEnd > checked && !cleanText(src, p, this.recordEnd)) {
      if (!this.headerPending) this.out.pos = this.rowStart;
      return Scan.Refused;
    }
    if (this.headerPending) {
      this.headerPending = false;
      this.headerLines = this.recordLines;
    } else {
      this.rows++;
      if (this.recordLines > 1) this.rowLines.note(this.rows, this.recordLines - 1);
    }
    this.lines += this.recordLines;
    this.lineEnd = this.recordLineEnd;
    return Scan.Record;
  }

  /** Finds the end of the header line (its fields are not counted: HEADER true skips the line unread). */
  private scanHeader(src: Buffer, p: number, final: boolean): Scan {
    const n = src.length;
    const stops = this.stops;
    let i = p;
    for (;;) {
      if (src[i] === QUOTE) {
        const close = this.quotedEnd(src, i + 1, final);
        if (close < 0) return close;
        i = close + 1;
      } else {
        while (i < n && stops[src[i]!] === 0) i++;
        if (src[i] === QUOTE) return Scan.Refused;
      }
      if (i < n && src[i] === this.delimiter) {
        i++;
        continue;
      }
      return this.endLine(src, i, final);
    }
  }

  /**
   * Finds the fields of the row at `p` and encodes them in the same walk;
   * on anything but `Scan.Record` the output is as it was. Refuses what a
   * text COPY reads differently from plain RFC 4180 (a quote inside an
   * unquoted field, text after a closing quote, a `\.` line, a bare CR or a
   * line end that differs from the first one), a field count other than the
   * table's, and values the encoders refuse.
   */
  private encodeRow(src: Buffer, p: number, final: boolean): Scan {
    const n = src.length;
    const columns = this.columns;
    const count = columns.length;
    const { stops, fieldEnds, nullBytes, out } = this;
    if (count === 0) return Scan.Refused;
    const nullLength = nullBytes.length;
    const firstNullByte = nullLength === 0 ? -1 : nullBytes[0]!;
    this.ensureRoom(2 + count * FIELD_BYTES + ROW_TEXT_BYTES);
    this.rowStart = out.pos;
    out.view.setInt16(out.pos, count);
    out.pos += 2;
    let i = p;
    let scan: Scan = Scan.Refused;
    for (let f = 0; ; f++) {
      const column = columns[f]!;
      let ok = true;
      // Reads stay inside `src`: V8 recompiles the whole function after the first read past an array's end.
      const first = i < n ? src[i]! : -1;
      if (first === QUOTE) {
        const start = i + 1;
        // Text is copied to its place in the output as it is scanned, when the chunk has room.
        let copied = column.text;
        let close = copied ? this.quotedEnd(src, start, final, out.buf, out.pos + 4, out.buf.length - (count - f - 1) * FIELD_BYTES) : this.quotedEnd(src, start, final);
        if (close === NO_ROOM) {
          copied = false;
          close = this.quotedEnd(src, start, final);
        }
        if (close < 0) {
          scan = close;
          break;
        }
        i = close + 1;
        if (copied) {
          out.view.setInt32(out.pos, this.copiedTo - out.pos - 4);
          out.pos = this.copiedTo;
        } else if (this.doubledQuote) ok = column.text && this.roomFor(close - start, count - f) && writeUndoubled(src, start, close, out);
        else ok = (column.text || close > start) && this.roomFor(close - start, count - f) && encodeValue(column, src, start, close, out);
      } else {
        const end = this.prefixes && !column.text && first >= 0 && first !== firstNullByte ? encodePrefix(column, src, i, n, out, fieldEnds) : -1;
        if (end >= 0) {
          i = end;
        } else {
          const start = i;
          // Text is copied to its place in the output as it is scanned, as far as the chunk has room.
          if (column.text) i = copyToStop(src, i, Math.min(n, i + out.buf.length - out.pos - (count - f) * FIELD_BYTES), out.buf, out.pos + 4, stops);
          const copied = i - start;
          while (i < n && stops[src[i]!] === 0) i++;
          if (i >= n && !final) {
            scan = Scan.Incomplete;
            break;
          }
          if (i < n && src[i] === QUOTE) break;
          const length = i - start;
          if (length === nullLength && (nullLength === 0 || src.subarray(start, i).equals(nullBytes))) {
            out.view.setInt32(out.pos, -1);
            out.pos += 4;
          } else if (column.text && copied === length) {
            out.view.setInt32(out.pos, length);
            out.pos += 4 + length;
          } else {
            ok = (column.text || length > 0) && this.roomFor(length, count - f) && encodeValue(column, src, start, i, out);
          }
        }
      }
      if (!ok) break;
      if (f === count - 1) {
        scan = this.endLine(src, i, final);
        break;
      }
      if (i < n && src[i] === this.delimiter) {
        i++;
      } else {
        if (i >= n && !final) scan = Scan.Incomplete;
        break;
      }
    }
    // Every way out passes here, so a way first taken late (at a chunk's end) costs V8 no recompile.
    if (scan !== Scan.Record) out.pos = this.rowStart;
    return scan;
  }

  /**
   * Makes room for a field of `length` input bytes and the `fields - 1`
   * after it, moving the row begun so far to a new output chunk if need be.
   */
  private roomFor(length: number, fields: number): true {
    const out = this.out;
    const bytes = maxEncodedBytes(length) + (fields - 1) * FIELD_BYTES;
    if (out.pos + bytes <= out.buf.length) return true;
    const begun = out.buf.subarray(this.rowStart, out.pos);
    if (this.rowStart > 0) this.ready.push(out.buf.subarray(0, this.rowStart));
    this.newOutChunk(Math.max(OUT_CHUNK_BYTES, begun.length + bytes));
    begun.copy(out.buf, 0);
    out.pos = begun.length;
    this.rowStart = 0;
    return true;
  }

  /**
   * The index of the quote closing a quoted field whose content starts at
   * `i`, or `Scan.Incomplete` / `Scan.Refused`. Notes in `doubledQuote`
   * whether the content has doubled quotes, and counts the lines it spans
   * into `recordLines`. Given `copy`, also writes the content there from
   * `at` with each doubled quote made single, leaving `copiedTo` past it,
   * or returns `NO_ROOM` (having counted nothing) before writing at `copyLimit`.
   */
  private quotedEnd(src: Buffer, i: number, final: boolean, copy: Buffer | null = null, at = 0, copyLimit = 0): number {
    const n = src.length;
    // PostgreSQL counts LF as a line in LF files, else CR (also before it knows the file's line end).
    const lineBreak = this.lineEnd === LineEnd.Lf ? LF : CR;
    let lines = 0;
    let o = at;
    this.doubledQuote = false;
    for (;;) {
      if (copy === null) {
        while (i < n - 2 && QUOTED_STOPS[src[i]!] === 0) i++;
      } else {
        const spanEnd = Math.min(n - 2, i + copyLimit - o);
        for (; i < spanEnd; i++) {
          const c = src[i]!;
          if (QUOTED_STOPS[c] !== 0) break;
          copy[o++] = c;
        }
        if (o >= copyLimit) return NO_ROOM;
      }
      if (i + 2 >= n && !final) return Scan.Incomplete;
      if (i >= n) return Scan.Refused;
      const c = src[i]!;
      if (c === QUOTE) {
        if (src[i + 1] !== QUOTE) {
          this.recordLines += lines;
          this.copiedTo = o;
          return i;
        }
        this.doubledQuote = true;
        if (copy !== null) copy[o++] = QUOTE;
        i += 2;
        continue;
      }
      if (c === lineBreak) lines++;
      // A `\.` line inside quotes: some servers read it as the end of data.
      if ((c === LF || c === CR) && src[i + 1] === BACKSLASH && src[i + 2] === DOT) return Scan.Refused;
      if (copy !== null) copy[o++] = c;
      i++;
    }
  }

  /** Reads the line end at `i`, after a record's last field, into `recordEnd` and `recordLineEnd`. */
  private endLine(src: Buffer, i: number, final: boolean): Scan {
    const n = src.length;
    if (i >= n) {
      if (!final) return Scan.Incomplete;
      // The last record without a line end.
      this.recordEnd = n;
      this.recordLineEnd = this.lineEnd;
      return Scan.Record;
    }
    const c = src[i]!;
    if (c === LF) {
      if (this.lineEnd === LineEnd.CrLf) return Scan.Refused;
      this.recordLineEnd = LineEnd.Lf;
      this.recordEnd = i + 1;
      return Scan.Record;
    }
    if (c === CR) {
      if (i + 1 >= n && !final) return Scan.Incomplete;
      if (this.lineEnd === LineEnd.Lf || src[i + 1] !== LF) return Scan.Refused;
      this.recordLineEnd = LineEnd.CrLf;
      this.recordEnd = i + 2;
      return Scan.Record;
    }
    return Scan.Refused;
  }
}

/** True when the bytes are valid UTF-8 without NUL (which every PostgreSQL encoding check refuses). */
function cleanText(src: Buffer, start: number, end: number): boolean {
  const bytes = src.subarray(start, end);
  return isUtf8(bytes) && bytes.indexOf(0) < 0;
}

/**
 * Copies `src` from `i` to `buf` at `at` up to the first byte in `stops` or
 * `limit`, whichever comes first; returns where it stopped.
 */
function copyToStop(src: Buffer, i: number, limit: number, buf: Buffer, at: number, stops: Uint8Array): number {
  let o = at;
  for (; i < limit; i++) {
    const c = src[i]!;
    if (stops[c] !== 0) break;
    buf[o++] = c;
  }
  return i;
}

/** Appends a quoted text field's content with each doubled quote made single. */
function writeUndoubled(src: Buffer, start: number, end: number, out: BinaryOut): true {
  const buf = out.buf;
  const at = out.pos + 4;
  let n = at;
  for (let i = start; i < end; i++) {
    buf[n++] = src[i]!;
    if (src[i] === QUOTE) i++;
  }
  out.view.setInt32(out.pos, n - at);
  out.pos = n;
  return true;
}
