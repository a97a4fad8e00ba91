import { isUtf8 } from 'node:buffer';
import type { CsvSpec } from '@dvt/core';
import { encodeValue, maxEncodedBytes } from './binary-values.js';
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
/** How much of a new chunk is joined to the record the last one left unfinished (longer records take the slow path). */
const STRADDLE_BYTES = 1 << 16;

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DOT = 0x2e;

const enum LineEnd {
  Unknown,
  Lf,
  CrLf,
}

/** Field flags from the scan. */
const QUOTED = 1;
const DOUBLED_QUOTE = 2;

const enum Scan {
  /** A whole record was read: `recordEnd` is past its line end. */
  Record,
  /** The record continues past the bytes at hand. */
  Incomplete,
  /** Something only a text COPY may judge. */
  Refused,
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
  private readonly nullBytes: Buffer;
  private headerPending: boolean;
  private headerLines = 0;
  /** The line end of the records taken so far: PostgreSQL holds a file to its first line's. */
  private lineEnd = LineEnd.Unknown;
  private pending: Buffer = Buffer.alloc(0);
  private readonly out: BinaryOut;
  private readonly ready: Buffer[] = [];
  private readonly rowLines = new RowLines();
  // Per-record scan results, reused.
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;
  private readonly flags: Uint8Array;
  private recordEnd = 0;
  /** The line end of the record scanned (it becomes the file's once a record is taken). */
  private recordLineEnd = LineEnd.Unknown;
  private recordLines = 0;

  constructor(columns: readonly ColumnEncoding[], csv: Pick<CsvSpec, 'delimiter' | 'header' | 'nullString'>) {
    if (!BinaryCopyEncoder.supports(csv)) throw new RangeError(`binary COPY cannot read CSV delimited by ${JSON.stringify(csv.delimiter)}`);
    this.columns = columns;
    this.delimiter = csv.delimiter.charCodeAt(0);
    for (const c of [this.delimiter, QUOTE, CR, LF]) this.stops[c] = 1;
    this.nullBytes = Buffer.from(csv.nullString, 'utf8');
    this.headerPending = csv.header;
    this.starts = new Int32Array(columns.length + 1);
    this.ends = new Int32Array(columns.length + 1);
    this.flags = new Uint8Array(columns.length + 1);
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
      const head = Buffer.concat([carried, chunk.subarray(0, STRADDLE_BYTES)]);
      const scan = this.scanRecord(head, 0, false);
      if (scan === Scan.Incomplete) {
        this.consume(Buffer.concat([carried, chunk]), false);
        return this.take(false);
      }
      if (!this.accept(head, 0, scan, 0)) {
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
    const buf = Buffer.allocUnsafe(OUT_CHUNK_BYTES);
    out.buf = buf;
    out.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    out.pos = 0;
  }

  private ensureRoom(bytes: number): void {
    const out = this.out;
    if (out.pos + bytes <= out.buf.length) return;
    this.flushOut();
    if (bytes > out.buf.length) {
      out.buf = Buffer.allocUnsafe(bytes);
      out.view = new DataView(out.buf.buffer, out.buf.byteOffset, out.buf.byteLength);
    }
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
      const scan = this.scanRecord(src, p, final);
      if (scan === Scan.Incomplete) break;
      if (!this.accept(src, p, scan, checked)) return this.stop(src, p);
      p = this.recordEnd;
    }
    this.pending = p === n ? Buffer.alloc(0) : src.subarray(p);
  }

  /**
   * Takes the record just scanned at `p` (the header, or a row to encode)
   * unless it must go to text COPY. Bytes before `checked` are known to be
   * valid UTF-8 without NUL.
   */
  private accept(src: Buffer, p: number, scan: Scan, checked: number): boolean {
    const end = this.recordEnd;
    if (scan === Scan.Refused || (end > checked && !cleanText(src, p, end))) return false;
    if (this.headerPending) {
      this.headerPending = false;
      this.headerLines = this.recordLines;
    } else if (!this.encodeRecord(src, p)) {
      return false;
    }
    this.lines += this.recordLines;
    this.lineEnd = this.recordLineEnd;
    return true;
  }

  /**
   * Finds the fields of the record starting at `p`. Refuses what a text COPY
   * reads differently from plain RFC 4180 (a quote inside an unquoted field,
   * text after a closing quote, a `\.` line, a bare CR or a line end that
   * differs from the first one).
   */
  private scanRecord(src: Buffer, p: number, final: boolean): Scan {
    const n = src.length;
    const delimiter = this.delimiter;
    const stops = this.stops;
    const maxFields = this.columns.length;
    const header = this.headerPending;
    const { starts, ends, flags } = this;
    if (src[p] === BACKSLASH) {
      if (p + 1 >= n && !final) return Scan.Incomplete;
      if (src[p + 1] === DOT) return Scan.Refused;
    }
    let field = 0;
    let i = p;
    let lines = 1;
    for (;;) {
      if (field > maxFields && !header) return Scan.Refused;
      let flag = 0;
      let start = i;
      let fieldEnd: number;
      if (src[i] === QUOTE) {
        flag = QUOTED;
        start = ++i;
        // PostgreSQL counts LF as a line in LF files, else CR (also before it knows the file's line end).
        const lineBreak = this.lineEnd === LineEnd.Lf ? LF : CR;
        for (;;) {
          if (i + 2 >= n && !final) return Scan.Incomplete;
          if (i >= n) return Scan.Refused;
          const c = src[i]!;
          if (c === QUOTE) {
            if (src[i + 1] === QUOTE) {
              flag |= DOUBLED_QUOTE;
              i += 2;
              continue;
            }
            fieldEnd = i++;
            break;
          }
          if (c === lineBreak) lines++;
          // A `\.` line inside quotes: some servers read it as the end of data.
          if ((c === LF || c === CR) && src[i + 1] === BACKSLASH && src[i + 2] === DOT) return Scan.Refused;
          i++;
        }
      } else {
        while (i < n && stops[src[i]!] === 0) i++;
        if (src[i] === QUOTE) return Scan.Refused;
        fieldEnd = i;
      }
      if (field < maxFields) {
        starts[field] = start;
        ends[field] = fieldEnd;
        flags[field] = flag;
      }
      field++;
      if (i >= n) {
        if (!final) return Scan.Incomplete;
        // The last record without a line end.
        this.recordEnd = n;
        this.recordLineEnd = this.lineEnd;
        break;
      }
      const c = src[i]!;
      if (c === delimiter) {
        i++;
        continue;
      }
      if (c === LF) {
        if (this.lineEnd === LineEnd.CrLf) return Scan.Refused;
        this.recordLineEnd = LineEnd.Lf;
        this.recordEnd = i + 1;
        break;
      }
      if (c === CR) {
        if (i + 1 >= n && !final) return Scan.Incomplete;
        if (this.lineEnd === LineEnd.Lf || src[i + 1] !== LF) return Scan.Refused;
        this.recordLineEnd = LineEnd.CrLf;
        this.recordEnd = i + 2;
        break;
      }
      return Scan.Refused;
    }
    this.recordLines = lines;
    // The header's field count is not checked (HEADER true skips the line unread).
    if (!header && field !== maxFields) return Scan.Refused;
    return Scan.Record;
  }

  private encodeRecord(src: Buffer, recordStart: number): boolean {
    const columns = this.columns;
    const count = columns.length;
    const out = this.out;
    this.ensureRoom(2 + count * maxEncodedBytes(0) + 2 * (this.recordEnd - recordStart));
    const rowStart = out.pos;
    out.view.setInt16(out.pos, count);
    out.pos += 2;
    const nullBytes = this.nullBytes;
    const { starts, ends, flags } = this;
    for (let f = 0; f < count; f++) {
      const start = starts[f]!;
      const end = ends[f]!;
      const flag = flags[f]!;
      const column = columns[f]!;
      if (flag === 0 && end - start === nullBytes.length && (nullBytes.length === 0 || src.subarray(start, end).equals(nullBytes))) {
        out.view.setInt32(out.pos, -1);
        out.pos += 4;
        continue;
      }
      let ok: boolean;
      if (flag & DOUBLED_QUOTE) ok = column.text && writeUndoubled(src, start, end, out);
      else ok = (column.text || end > start) && encodeValue(column, src, start, end, out);
      if (!ok) {
        out.pos = rowStart;
        return false;
      }
    }
    this.rows++;
    if (this.recordLines > 1) this.rowLines.note(this.rows, this.recordLines - 1);
    return true;
  }
}

/** True when the bytes are valid UTF-8 without NUL (which every PostgreSQL encoding check refuses). */
function cleanText(src: Buffer, start: number, end: number): boolean {
  const bytes = src.subarray(start, end);
  return isUtf8(bytes) && bytes.indexOf(0) < 0;
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
