import { open } from 'node:fs/promises';
import type { ColumnSpec, CsvSpec, LoadSource, RelationRef } from '@dvt/core';
import { quoteMysqlIdentifier, quoteMysqlString, renderMysqlRelation } from './dialect.js';
import { needsRewrite } from './load.js';

/**
 * The fast path of a CSV file load: the file's own bytes go to
 * `LOAD DATA LOCAL INFILE` untouched, as the mariadb CLI would send them,
 * instead of being parsed and re-encoded in JavaScript. It applies to a file
 * in the seed convention (an empty unquoted field is NULL) whose columns the
 * server reads as written. LOAD DATA reads three things differently from
 * that convention, so the bytes are checked as they stream and the load is
 * abandoned (rolled back, then done the slow way) when one turns up: a
 * quoted empty field (an empty string, but LOAD DATA cannot tell it from an
 * empty field), an unquoted `NULL` (text, but LOAD DATA reads SQL NULL), and
 * a line end other than the file's first one outside quotes.
 */
export class NotDirectlyLoadable extends Error {}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** The file and delimiter of a source the fast path may take, or undefined. */
export function directLoadFile(source: LoadSource): { path: string; delimiter: number } | undefined {
  const { path, csv, columns } = source;
  if (path === undefined || csv.nullString !== '') return undefined;
  const delimiter = Buffer.from(csv.delimiter, 'utf8');
  if (delimiter.length !== 1 || [QUOTE, LF, CR].includes(delimiter[0]!)) return undefined;
  if (columns.some(needsRewrite)) return undefined;
  return { path, delimiter: delimiter[0]! };
}

export type LineEnd = '\n' | '\r\n';

/** The line end of the file's first line (its header or first record), read from its first bytes. */
export async function firstLineEnd(path: string): Promise<LineEnd> {
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 16);
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    let inQuotes = false;
    for (let i = 0; i < bytesRead; i++) {
      const b = buf[i];
      if (b === QUOTE) inQuotes = !inQuotes;
      else if (b === LF && !inQuotes) return i > 0 && buf[i - 1] === CR ? '\r\n' : '\n';
    }
    return '\n';
  } finally {
    await file.close();
  }
}

/** `LOAD DATA LOCAL INFILE` reading the file as it is: every field through a variable, '' as NULL. */
export function directLoadSql(relation: RelationRef, columns: readonly ColumnSpec[], csv: CsvSpec, lineEnd: LineEnd): string {
  const variables = columns.map((_, i) => `@dvt_c${i}`);
  const sets = columns.map((c, i) => `${quoteMysqlIdentifier(c.name)} = NULLIF(${variables[i]}, '')`);
  return (
    `LOAD DATA LOCAL INFILE ${quoteMysqlString('dvt-load-file')} INTO TABLE ${renderMysqlRelation(relation)} CHARACTER SET utf8mb4 ` +
    `FIELDS TERMINATED BY ${quoteMysqlString(csv.delimiter)} OPTIONALLY ENCLOSED BY '"' ESCAPED BY '' ` +
    `LINES TERMINATED BY ${lineEnd === '\n' ? "'\\n'" : "'\\r\\n'"}${csv.header ? ' IGNORE 1 LINES' : ''} ` +
    `(${variables.join(', ')}) SET ${sets.join(', ')}`
  );
}

/**
 * Passes the file's chunks through unchanged while checking them (see
 * NotDirectlyLoadable); throws that error at the first byte LOAD DATA would
 * read differently. A byte loop over the file: far cheaper than re-encoding.
 */
export async function* checkedChunks(chunks: AsyncIterable<Buffer>, delimiter: number, lineEnd: LineEnd): AsyncGenerator<Buffer> {
  const crlf = lineEnd === '\r\n';
  let inQuotes = false;
  let fieldStart = true;
  // Bytes held back until the next chunk shows what follows them (a quote may be doubled, a CR
  // must be followed by LF, `NULL` must end its field).
  let held: Buffer = Buffer.alloc(0);
  /** Checks `buf` from `from` to 5 bytes before its end (to its end when final); returns where it stopped. */
  const check = (buf: Buffer, final: boolean, from = 0): number => {
    const end = final ? buf.length : buf.length - 5;
    let i = from;
    const boundary = (k: number) => k >= buf.length || buf[k] === delimiter || buf[k] === LF || buf[k] === CR;
    while (i < end) {
      if (inQuotes) {
        // Inside quotes only a quote matters: jump to the next one (a native search, not a byte loop).
        const q = buf.indexOf(QUOTE, i);
        if (q === -1 || q >= end) return end;
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
          if (buf[i + 1] === QUOTE && boundary(i + 2)) throw new NotDirectlyLoadable('a quoted empty field');
          inQuotes = true;
          i++;
          continue;
        }
        if (b === 0x4e && buf[i + 1] === 0x55 && buf[i + 2] === 0x4c && buf[i + 3] === 0x4c && boundary(i + 4)) {
          throw new NotDirectlyLoadable('an unquoted NULL');
        }
      }
      // The rest of an unquoted field, up to its delimiter or line end.
      for (; i < end; i++) {
        const b = buf[i];
        if (b === delimiter) {
          fieldStart = true;
          i++;
          break;
        }
        if (b === CR) {
          if (!crlf || buf[i + 1] !== LF) throw new NotDirectlyLoadable('a carriage return outside quotes');
          fieldStart = true;
          i += 2;
          break;
        }
        if (b === LF) {
          if (crlf) throw new NotDirectlyLoadable('a line feed without carriage return');
          fieldStart = true;
          i++;
          break;
        }
      }
    }
    return i;
  };
  for await (const chunk of chunks) {
    yield chunk;
    let from = 0;
    if (held.length > 0) {
      // The held bytes are checked with the start of this chunk (copying that much, not the
      // chunk); the check then goes on in the chunk itself.
      const junction = Buffer.concat([held, chunk.subarray(0, JUNCTION_BYTES)]);
      const done = check(junction, false);
      if (chunk.length <= JUNCTION_BYTES) {
        held = Buffer.from(junction.subarray(done));
        continue;
      }
      from = done - held.length;
    }
    held = Buffer.from(chunk.subarray(check(chunk, false, from)));
  }
  check(held, true);
}

/** Enough of a chunk to judge the few bytes held back from the one before. */
const JUNCTION_BYTES = 64;
