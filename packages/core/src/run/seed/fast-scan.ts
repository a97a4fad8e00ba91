import { createReadStream } from 'node:fs';

/**
 * A byte-level CSV reader made for type inference: it finds records and
 * fields with the native `Buffer.indexOf` and hands a column's fields over
 * only while the column still needs a look (a column already known to be
 * text is never decoded); unquoted fields go over as bytes, so the sink
 * decodes only what it cannot judge on the bytes. RFC 4180 quoting, doubled
 * quotes, line breaks inside quotes, CRLF and a UTF-8 BOM are handled.
 */

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

export interface FieldSink {
  /** Whether the column still needs its values (false once it can only be text). */
  wants(column: number): boolean;
  /** An unquoted, non-empty field of a wanted column: its bytes are `buf[start, end)`. */
  bytes(column: number, buf: Buffer, start: number, end: number): void;
  /**
   * A quoted field as text, or `null` for an unquoted empty field. Columns
   * that are not wanted still get quoted empty fields and possible `null`
   * markers.
   */
  value(column: number, text: string | null): void;
}

export interface ScanCallbacks {
  header(names: string[]): void;
  /** Called at the end of each data record (0 fields: a blank line); returns false to stop reading. */
  endRecord(fieldCount: number, startLine: number): boolean;
  sink: FieldSink;
}

export class CsvScanError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** `parse` result: the callbacks asked to stop. */
const STOPPED = -1;
/** `quotedRecord` result: the record goes on past the end of the buffer. */
const INCOMPLETE = -2;

/** A quoted record's fields, located before any reaches the sink: where each starts and ends, and how it is written. */
const UNQUOTED = 0;
const QUOTED = 1;
/** Quoted, with doubled quotes inside. */
const ESCAPED = 2;

class RecordParser {
  line = 1;
  headerDone = false;
  private names: string[] = [];
  // Where the next delimiter, LF, CR and quote at or after the parse position are in the current
  // buffer (its length when there is none; -1 when not yet searched). Kept across the records of
  // one buffer, so no byte is searched twice for the same thing.
  private nextDelimiter = -1;
  private nextLF = -1;
  private nextCR = -1;
  private nextQuote = -1;
  private fieldStarts = new Int32Array(64);
  private fieldEnds = new Int32Array(64);
  private fieldKinds = new Uint8Array(64);

  constructor(
    private readonly d: number,
    private readonly callbacks: ScanCallbacks,
  ) {}

  /** Parses whole records from `from`; returns the offset after the last one, or STOPPED. */
  parse(buf: Buffer, atEnd: boolean, from = 0): number {
    let pos = from;
    const n = buf.length;
    this.nextDelimiter = this.nextLF = this.nextCR = this.nextQuote = -1;
    while (pos < n) {
      const lineEnd = this.lf(buf, pos);
      if (lineEnd === n && !atEnd) return pos;
      let end: number;
      if (this.quote(buf, pos) >= lineEnd) {
        end = this.simpleRecord(buf, pos, lineEnd);
      } else {
        end = this.quotedRecord(buf, pos, atEnd);
        if (end === INCOMPLETE) return pos;
      }
      if (end === STOPPED) return STOPPED;
      pos = end;
    }
    return pos;
  }

  private lf(buf: Buffer, at: number): number {
    if (this.nextLF < at) this.nextLF = found(buf.indexOf(LF, at), buf.length);
    return this.nextLF;
  }

  private quote(buf: Buffer, at: number): number {
    if (this.nextQuote < at) this.nextQuote = found(buf.indexOf(QUOTE, at), buf.length);
    return this.nextQuote;
  }

  private delimiter(buf: Buffer, at: number): number {
    if (this.nextDelimiter < at) this.nextDelimiter = found(buf.indexOf(this.d, at), buf.length);
    return this.nextDelimiter;
  }

  private cr(buf: Buffer, at: number): number {
    if (this.nextCR < at) this.nextCR = found(buf.indexOf(CR, at), buf.length);
    return this.nextCR;
  }

  /** A record without quotes on [start, lineEnd); returns the offset after its line break. */
  private simpleRecord(buf: Buffer, start: number, lineEnd: number): number {
    const contentEnd = lineEnd > start && buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const startLine = this.line;
    this.line++;
    let column = 0;
    let fieldStart = start;
    for (;;) {
      let fieldEnd = this.delimiter(buf, fieldStart);
      if (fieldEnd > contentEnd) fieldEnd = contentEnd;
      this.field(buf, column, fieldStart, fieldEnd);
      column++;
      if (fieldEnd >= contentEnd) break;
      fieldStart = fieldEnd + 1;
    }
    const blank = column === 1 && contentEnd === start;
    return this.endRecord(blank ? 0 : column, startLine) ? lineEnd + 1 : STOPPED;
  }

  private field(buf: Buffer, column: number, start: number, end: number): void {
    if (!this.headerDone) {
      this.names.push(buf.toString('utf8', start, end));
      return;
    }
    const sink = this.callbacks.sink;
    if (sink.wants(column)) {
      if (end === start) sink.value(column, null);
      else sink.bytes(column, buf, start, end);
    } else if (end - start <= 8 && end > start && mayBeNullMarker(buf, start, end)) {
      sink.value(column, buf.toString('utf8', start, end));
    }
  }

  /**
   * A record with quotes from `start`: its fields are located first (native
   * searches, no byte loop), and reach the sink only once the record is known
   * to end within `buf` (or the input ends there). Returns the offset after
   * it, STOPPED, or INCOMPLETE. An unquoted field ends at a delimiter, LF or
   * CR, as in the reference parser.
   */
  private quotedRecord(buf: Buffer, start: number, atEnd: boolean): number {
    const n = buf.length;
    const d = this.d;
    const startLine = this.line;
    let breaks = 0;
    let count = 0;
    let i = start;
    for (;;) {
      if (count === this.fieldKinds.length) this.growFields();
      let fieldStart: number;
      let fieldEnd: number;
      let kind = UNQUOTED;
      if (buf[i] === QUOTE) {
        kind = QUOTED;
        let close = -1;
        for (let j = i + 1; ; ) {
          const q = this.quote(buf, j);
          if (q === n) {
            if (!atEnd) return INCOMPLETE;
            throw new CsvScanError('unterminated quoted field', startLine);
          }
          if (q + 1 === n && !atEnd) return INCOMPLETE; // the next chunk may double it
          if (buf[q + 1] === QUOTE) {
            kind = ESCAPED;
            j = q + 2;
            continue;
          }
          close = q;
          break;
        }
        for (let k = this.lf(buf, i + 1); k < close; k = this.lf(buf, k + 1)) breaks++;
        fieldStart = i + 1;
        fieldEnd = close;
        i = close + 1;
        if (i < n && buf[i] !== d && buf[i] !== LF && buf[i] !== CR) {
          throw new CsvScanError(`unexpected ${JSON.stringify(String.fromCharCode(buf[i]!))} after a closing quote`, startLine + breaks);
        }
      } else {
        fieldStart = i;
        fieldEnd = Math.min(this.delimiter(buf, i), this.lf(buf, i), this.cr(buf, i));
        if (this.quote(buf, i) < fieldEnd) throw new CsvScanError('a quote inside an unquoted field', startLine + breaks);
        i = fieldEnd;
      }
      this.fieldStarts[count] = fieldStart;
      this.fieldEnds[count] = fieldEnd;
      this.fieldKinds[count] = kind;
      count++;
      if (i < n && buf[i] === d) {
        i++;
        continue;
      }
      if (i === n && !atEnd) return INCOMPLETE;
      if (i < n && buf[i] === CR) {
        i++;
        if (i === n && !atEnd) return INCOMPLETE; // an LF may follow in the next chunk
      }
      if (i < n && buf[i] === LF) i++;
      break;
    }
    this.line = startLine + 1 + breaks;
    this.emitFields(buf, count);
    return this.endRecord(count, startLine) ? i : STOPPED;
  }

  /** Hands a located record's fields to the header or the sink. */
  private emitFields(buf: Buffer, count: number): void {
    const names = this.headerDone ? null : this.names;
    const sink = this.callbacks.sink;
    for (let column = 0; column < count; column++) {
      const start = this.fieldStarts[column]!;
      const end = this.fieldEnds[column]!;
      const kind = this.fieldKinds[column]!;
      if (kind === UNQUOTED) {
        this.field(buf, column, start, end);
        continue;
      }
      // Decoded only when someone looks: the header, a wanted column, or an empty field (NULL).
      if (names || end === start || sink.wants(column)) {
        const text = buf.toString('utf8', start, end);
        const value = kind === ESCAPED ? text.replace(/""/g, '"') : text;
        if (names) names.push(value);
        else sink.value(column, value);
      }
    }
  }

  private growFields(): void {
    const size = this.fieldKinds.length * 2;
    const starts = new Int32Array(size);
    const ends = new Int32Array(size);
    const kinds = new Uint8Array(size);
    starts.set(this.fieldStarts);
    ends.set(this.fieldEnds);
    kinds.set(this.fieldKinds);
    this.fieldStarts = starts;
    this.fieldEnds = ends;
    this.fieldKinds = kinds;
  }

  private endRecord(fieldCount: number, startLine: number): boolean {
    if (!this.headerDone) {
      this.headerDone = true;
      this.callbacks.header(this.names);
      return true;
    }
    return this.callbacks.endRecord(fieldCount, startLine);
  }
}

/** Reads in 1 MiB chunks: a third of the read cost of Node's default 64 KiB over a whole seed. */
export async function scanCsvFile(file: string, delimiter: string, callbacks: ScanCallbacks, chunkSize = 1 << 20): Promise<void> {
  const delim = Buffer.from(delimiter, 'utf8');
  if (delim.length !== 1) throw new RangeError(`seed delimiter must be one byte, got ${JSON.stringify(delimiter)}`);
  const parser = new RecordParser(delim[0]!, callbacks);
  const stream = createReadStream(file, { highWaterMark: chunkSize });
  let carry: Buffer | null = null;
  let first = true;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let buf: Buffer = chunk;
      let from = 0;
      if (first) {
        buf = carry ? Buffer.concat([carry, chunk]) : chunk;
        if (buf.length < 3) {
          carry = Buffer.from(buf); // too short to tell whether it starts with a BOM
          continue;
        }
        first = false;
        if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3);
      } else if (carry) {
        const resumed = finishCarried(parser, carry, chunk);
        if (resumed === STOPPED) return;
        if (typeof resumed !== 'number') {
          carry = resumed;
          continue;
        }
        from = resumed;
      }
      const consumed = parser.parse(buf, false, from);
      if (consumed === STOPPED) return;
      carry = consumed < buf.length ? Buffer.from(buf.subarray(consumed)) : null;
      // Let other I/O (a bulk load streaming the same file) run between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (carry && carry.length > 0) parser.parse(carry, true);
  } finally {
    stream.destroy();
  }
}

/**
 * Parses the record `carry` holds the start of, completed with as little of
 * `chunk` as it takes (copying the junction, not the chunk). Returns the
 * offset in `chunk` where parsing goes on, STOPPED, or the bytes still
 * unparsed when the chunk did not complete the record.
 */
function finishCarried(parser: RecordParser, carry: Buffer, chunk: Buffer): number | Buffer {
  let pending = carry;
  for (let take = 256; ; take *= 4) {
    const junction = Buffer.concat([pending, chunk.subarray(0, take)]);
    const consumed = parser.parse(junction, false);
    if (consumed === STOPPED) return STOPPED;
    if (consumed >= pending.length) return consumed - pending.length;
    if (take >= chunk.length) return Buffer.from(junction.subarray(consumed));
    pending = Buffer.from(pending.subarray(consumed));
  }
}

/** An `indexOf` result with "none" as `none` (the buffer's length), so positions compare without a special case. */
function found(at: number, none: number): number {
  return at === -1 ? none : at;
}

/** `null` in any case, possibly padded with blanks. */
function mayBeNullMarker(buf: Buffer, start: number, end: number): boolean {
  for (let k = start; k < end; k++) {
    const c = buf[k]!;
    if (c === 0x20 || c === 0x09) continue;
    return c === 0x6e || c === 0x4e;
  }
  return true;
}
