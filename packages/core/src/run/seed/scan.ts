import { createReadStream } from 'node:fs';
import { CsvFormatError, readCsvBatches, type CsvRecord } from '../../adapter/csv.js';
import { DvtError } from '../../errors.js';
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
 * after that many data rows (the rest is validated by the engine's typed load).
 */
export async function scanSeed(file: string, displayPath: string, delimiter: string, maxRows?: number): Promise<SeedScan> {
  let header: string[] | undefined;
  let inference: SeedInference | undefined;
  // Line on which the next record starts: records can span lines inside quotes.
  let line = 1;
  const stream = createReadStream(file);
  try {
    for await (const batch of readCsvBatches(stream, { delimiter, nullString: '' })) {
      for (const record of batch) {
        const startLine = line;
        line += 1 + embeddedLineBreaks(record);
        if (header === undefined) {
          header = record.map((name) => (name ?? '').trim());
          if (header.every((h) => h === '')) {
            throw new DvtError('config', `seed ${displayPath} has an empty header line`, { location: { file: displayPath, line: startLine } });
          }
          inference = new SeedInference(header);
          continue;
        }
        if (record.length === 1 && record[0] === null) continue; // blank line
        if (record.length !== header.length) {
          throw new DvtError(
            'config',
            `seed ${displayPath}: row has ${record.length} value${record.length === 1 ? '' : 's'} but the header has ${header.length} columns`,
            { location: { file: displayPath, line: startLine } },
          );
        }
        inference!.observeRecord(record);
        if (maxRows !== undefined && inference!.rows >= maxRows) return { header, inference: inference!, complete: false };
      }
    }
  } catch (e) {
    if (e instanceof CsvFormatError) {
      throw new DvtError('config', `seed ${displayPath}: ${e.message.replace(/ \(line \d+\)$/, '')}`, {
        location: { file: displayPath, line: e.line },
        cause: e,
      });
    }
    throw e;
  } finally {
    stream.destroy();
  }
  if (header === undefined) throw new DvtError('config', `seed ${displayPath} is empty (no header line)`, { location: { file: displayPath } });
  return { header, inference: inference!, complete: true };
}

function embeddedLineBreaks(record: CsvRecord): number {
  let n = 0;
  for (const field of record) {
    if (field === null || field.length === 0) continue;
    let i = field.indexOf('\n');
    while (i !== -1) {
      n++;
      i = field.indexOf('\n', i + 1);
    }
  }
  return n;
}
