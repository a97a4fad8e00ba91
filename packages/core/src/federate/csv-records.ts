import { Transform } from 'node:stream';
import type { TransformCallback, TransformOptions } from 'node:stream';

const QUOTE = 0x22;
const LF = 0x0a;

/**
 * Counts CSV records in bytes passing through, for progress while rows move
 * (the movers' pipe, PostgreSQL's COPY FROM). A line
 * feed ends a record exactly when the quotes seen so far are balanced (a
 * doubled quote inside a field counts twice), so embedded line breaks are
 * not miscounted. Bytes pass through untouched.
 */
export class CsvRecordCounter extends Transform {
  private quotes = 0;
  private records = 0;
  private pendingPartial = false;

  constructor(
    private readonly onRecords: (records: number) => void,
    private readonly everyRecords = 10_000,
    options?: TransformOptions,
  ) {
    super(options);
  }

  /** Records completed so far (a last line without a trailing newline counts at the end). */
  get count(): number {
    return this.records;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const before = this.records;
    let i = 0;
    // The next quote is searched once past the last one, not from each line: searching from
    // every line start rescans the rest of the chunk each time when quotes are rare (quadratic).
    let quote = chunk.indexOf(QUOTE);
    while (i < chunk.length) {
      const lf = chunk.indexOf(LF, i);
      const end = lf === -1 ? chunk.length : lf;
      for (; quote !== -1 && quote < end; quote = chunk.indexOf(QUOTE, quote + 1)) this.quotes++;
      if (lf === -1) {
        this.pendingPartial = this.pendingPartial || end > i;
        break;
      }
      if (this.quotes % 2 === 0) {
        this.records++;
        this.pendingPartial = false;
      }
      i = lf + 1;
    }
    if (Math.floor(this.records / this.everyRecords) > Math.floor(before / this.everyRecords)) this.onRecords(this.records);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.pendingPartial) this.records++;
    callback();
  }
}
