import { describe, expect, it } from 'vitest';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvRecordCounter } from '../src/federate/csv-records.js';

async function count(chunks: string[], every = 1): Promise<{ total: number; reports: number[]; bytes: string }> {
  const reports: number[] = [];
  const counter = new CsvRecordCounter((n) => reports.push(n), every);
  let bytes = '';
  await pipeline(
    Readable.from(chunks.map((c) => Buffer.from(c))),
    counter,
    new Writable({
      write(chunk: Buffer, _e, cb) {
        bytes += chunk.toString();
        cb();
      },
    }),
  );
  return { total: counter.count, reports, bytes };
}

describe('CsvRecordCounter', () => {
  it('counts records, not line feeds inside quotes, across chunk boundaries', async () => {
    const csv = 'id,note\n1,"two\nlines"\n2,"say ""hi""\n"\n3,plain\n';
    const whole = await count([csv]);
    expect(whole.total).toBe(4);
    expect(whole.bytes).toBe(csv);
    // every possible split point gives the same count
    for (let cut = 1; cut < csv.length; cut++) {
      expect((await count([csv.slice(0, cut), csv.slice(cut)])).total).toBe(4);
    }
  });

  it('counts a last record without a trailing newline, and CRLF endings', async () => {
    expect((await count(['a\r\nb\r\nc'])).total).toBe(3);
    expect((await count(['a\n', ''])).total).toBe(1);
  });

  it('counts a large chunk whose quotes are rare in one pass (searching quotes from every line start was quadratic)', async () => {
    const lines = 200_000;
    const chunk = `${'1,plain\n'.repeat(lines)}2,"quoted\nfield"\n`;
    const started = Date.now();
    expect((await count([chunk], 10_000)).total).toBe(lines + 1);
    // Linear: well under a second on a busy machine; the quadratic scan took minutes on this chunk.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('reports every N records as they pass', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `${i}\n`);
    const { reports } = await count(rows, 10);
    expect(reports).toEqual([10, 20]);
  });
});
