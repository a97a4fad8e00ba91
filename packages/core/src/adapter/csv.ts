import { StringDecoder } from 'node:string_decoder';
import type { CsvSpec } from './contract.js';

/**
 * RFC 4180 CSV as dvt's movers, seed loader and bulk-load default exchange it.
 *
 * A record is `(string | null)[]`: an unquoted field equal to the spec's
 * `nullString` is SQL NULL; a quoted field never is (so with the default
 * nullString '' an empty field is NULL and `""` is the empty string).
 * Records end at LF or CRLF outside quotes; line breaks inside quotes are data.
 * Every line break ends a record, so an empty line is a one-field record; only
 * the end of input right after a line break adds nothing.
 */
export type CsvRecord = (string | null)[];

export class CsvFormatError extends Error {
  constructor(
    message: string,
    /** 1-based line where the offending record starts. */
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
    this.name = 'CsvFormatError';
  }
}

const LF = 10;
const CR = 13;
const QUOTE = 34;

function countLineFeeds(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

/** Incremental parser: feed text chunks of any size, take completed records. */
export class CsvParser {
  private readonly delimiterCode: number;
  private readonly nullString: string;
  private field = '';
  private fieldQuoted = false;
  private inQuotes = false;
  /** A quote seen inside a quoted field: either a doubled quote or the closing one. */
  private quotePending = false;
  private afterQuote = false;
  private pendingCR = false;
  private record: CsvRecord = [];
  private recordHasContent = false;
  private line = 1;
  private recordLine = 1;

  constructor(spec: Pick<CsvSpec, 'delimiter' | 'nullString'>) {
    if (spec.delimiter.length !== 1) throw new RangeError(`CSV delimiter must be one character, got ${JSON.stringify(spec.delimiter)}`);
    if (spec.delimiter === '"' || spec.delimiter === '\n' || spec.delimiter === '\r') throw new RangeError('CSV delimiter cannot be a quote or a line break');
    this.delimiterCode = spec.delimiter.charCodeAt(0);
    this.nullString = spec.nullString;
  }

  /** Parses `chunk` and returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    const n = chunk.length;
    const delimiter = this.delimiterCode;
    let i = 0;
    while (i < n) {
      if (this.pendingCR) {
        this.pendingCR = false;
        if (chunk.charCodeAt(i) === LF) {
          i++;
          continue;
        }
      }
      if (this.inQuotes) {
        if (!this.quotePending) {
          // Copy everything up to the next quote in one slice.
          const q = chunk.indexOf('"', i);
          const end = q < 0 ? n : q;
          const piece = chunk.slice(i, end);
          this.field += piece;
          this.line += countLineFeeds(piece);
          if (q >= 0) this.quotePending = true;
          i = end + (q >= 0 ? 1 : 0);
          continue;
        }
        this.quotePending = false;
        if (chunk.charCodeAt(i) === QUOTE) {
          this.field += '"';
          i++;
          continue;
        }
        this.inQuotes = false;
        this.afterQuote = true;
        // fall through: chunk[i] is the character after the closing quote
      }
      const c = chunk.charCodeAt(i);
      if (c === delimiter) {
        this.endField();
        i++;
      } else if (c === LF || c === CR) {
        if (c === CR) this.pendingCR = true;
        this.endField();
        out.push(this.takeRecord());
        this.line++;
        this.recordLine = this.line;
        i++;
      } else if (this.afterQuote) {
        throw new CsvFormatError(`unexpected ${JSON.stringify(chunk[i])} after a closing quote`, this.line);
      } else if (c === QUOTE) {
        if (this.field !== '') throw new CsvFormatError('a quote inside an unquoted field', this.line);
        this.inQuotes = true;
        this.fieldQuoted = true;
        this.recordHasContent = true;
        i++;
      } else {
        // A run of plain characters, copied in one slice.
        let j = i + 1;
        while (j < n) {
          const d = chunk.charCodeAt(j);
          if (d === delimiter || d === LF || d === CR || d === QUOTE) break;
          j++;
        }
        this.field += chunk.slice(i, j);
        this.recordHasContent = true;
        i = j;
      }
    }
    return out;
  }

  /** Finishes the input; returns the last record if it had no trailing line break. */
  end(): CsvRecord[] {
    if (this.inQuotes && !this.quotePending) throw new CsvFormatError('unterminated quoted field', this.recordLine);
    if (this.quotePending) {
      this.quotePending = false;
      this.inQuotes = false;
    }
    if (!this.recordHasContent && this.record.length === 0) return [];
    this.endField();
    return [this.takeRecord()];
  }

  /** Line on which the next record starts (for error messages). */
  get currentLine(): number {
    return this.recordLine;
  }

  private endField(): void {
    const value = !this.fieldQuoted && this.field === this.nullString ? null : this.field;
    this.record.push(value);
    this.field = '';
    this.fieldQuoted = false;
    this.afterQuote = false;
  }

  private takeRecord(): CsvRecord {
    const r = this.record;
    this.record = [];
    this.recordHasContent = false;
    return r;
  }
}

/** Parses a whole CSV text (tests, small seeds). The header, if any, is the first record. */
export function parseCsv(text: string, spec: Pick<CsvSpec, 'delimiter' | 'nullString'>): CsvRecord[] {
  const parser = new CsvParser(spec);
  return [...parser.push(text), ...parser.end()];
}

/**
 * Streams records out of a byte or text stream with bounded memory: records
 * are yielded in batches as chunks arrive. UTF-8 characters split across
 * chunks are reassembled.
 */
export async function* readCsvBatches(
  input: AsyncIterable<string | Uint8Array>,
  spec: Pick<CsvSpec, 'delimiter' | 'nullString'>,
): AsyncGenerator<CsvRecord[]> {
  const parser = new CsvParser(spec);
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of input) {
    let text = typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    const records = parser.push(text);
    if (records.length > 0) yield records;
  }
  const tail = parser.push(decoder.end());
  const last = [...tail, ...parser.end()];
  if (last.length > 0) yield last;
}

/** Options for writing: which fields `forceQuoteText` applies to. */
export interface CsvWriteOptions {
  /** Per column: quote every non-null value under `spec.forceQuoteText` (text-like columns). */
  textColumns?: boolean[];
}

/** Formats records as CSV lines (LF endings) following `spec`. Pure. */
export class CsvWriter {
  private readonly needsQuote: RegExp;

  constructor(
    private readonly spec: CsvSpec,
    private readonly options: CsvWriteOptions = {},
  ) {
    const d = spec.delimiter.replace(/[\\\]^-]/g, '\\$&');
    this.needsQuote = new RegExp(`[${d}"\\r\\n]`);
  }

  header(names: string[]): string {
    if (!this.spec.header) return '';
    return `${names.map((n) => (n === '' || this.needsQuote.test(n) ? this.quote(n) : n)).join(this.spec.delimiter)}\n`;
  }

  row(values: CsvRecord): string {
    let line = '';
    for (let i = 0; i < values.length; i++) {
      if (i > 0) line += this.spec.delimiter;
      line += this.field(values[i], i);
    }
    return `${line}\n`;
  }

  private field(value: string | null, column: number): string {
    if (value === null) return this.spec.nullString;
    const force = this.spec.forceQuoteText && this.options.textColumns?.[column] === true;
    // A value spelled like the null marker must be quoted, or it would read back as NULL.
    if (force || value === this.spec.nullString || this.needsQuote.test(value)) return this.quote(value);
    return value;
  }

  private quote(value: string): string {
    return `"${value.replace(/"/g, '""')}"`;
  }
}
