import { DvtError } from '../../errors.js';
import { CsvScanError, scanCsvFile } from './fast-scan.js';
import { SeedInference } from './infer.js';

export interface SeedScan {
  header: string[];
  inference: SeedInference;
  /** True when every row was read; false when only the first `maxRows` were. */
  complete: boolean;
}

/**
 * Reads a seed CSV once, streaming, and infers its column types. Ragged rows
 * and malformed quoting fail with the file and line. With `maxRows`, stops
 * after that many data rows. `chunkSize`: bytes read (and parsed without a
 * break) at a time.
 */
export async function scanSeed(file: string, displayPath: string, delimiter: string, maxRows?: number, chunkSize?: number): Promise<SeedScan> {
  let header: string[] | undefined;
  let inference: SeedInference | undefined;
  let complete = true;
  try {
    await scanCsvFile(file, delimiter, {
      header(names) {
        header = names.map((n) => n.trim());
        if (header.every((h) => h === '')) {
          throw new DvtError('config', `seed ${displayPath} has an empty header line`, { location: { file: displayPath, line: 1 } });
        }
        inference = new SeedInference(header);
      },
      sink: {
        wants: (column) => inference!.columns[column]?.settled === false,
        bytes: (column, buf, start, end) => inference!.columns[column]?.observeBytes(buf, start, end),
        value: (column, text) => inference!.columns[column]?.observe(text),
      },
      endRecord(fieldCount, startLine) {
        if (fieldCount === 0) return true; // blank line
        if (fieldCount !== header!.length) {
          throw new DvtError(
            'config',
            `seed ${displayPath}: row has ${fieldCount} value${fieldCount === 1 ? '' : 's'} but the header has ${header!.length} columns`,
            { location: { file: displayPath, line: startLine } },
          );
        }
        inference!.rows++;
        if (maxRows !== undefined && inference!.rows >= maxRows) {
          complete = false;
          return false;
        }
        return true;
      },
    }, chunkSize);
  } catch (e) {
    if (e instanceof CsvScanError) {
      throw new DvtError('config', `seed ${displayPath}: ${e.message}`, { location: { file: displayPath, line: e.line }, cause: e });
    }
    throw e;
  }
  if (header === undefined) throw new DvtError('config', `seed ${displayPath} is empty (no header line)`, { location: { file: displayPath } });
  return { header, inference: inference!, complete };
}

/** A seed's column names (its header, trimmed), read from the start of the file. */
export async function seedHeader(file: string, displayPath: string, delimiter: string): Promise<string[]> {
  return (await scanSeed(file, displayPath, delimiter, 0, 64 * 1024)).header;
}
