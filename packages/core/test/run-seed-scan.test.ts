import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../src/adapter/csv.js';
import { scanCsvFile } from '../src/run/seed/fast-scan.js';
import { scanSeed } from '../src/run/seed/scan.js';

const dir = mkdtempSync(join(tmpdir(), 'dvt-seed-scan-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `f${++n}.csv`);
  writeFileSync(path, text);
  return path;
}

/** Every field as the scanner reports it (every column wanted), per record. */
async function records(path: string, chunkSize: number, delimiter = ','): Promise<{ header: string[]; rows: (string | null)[][]; lines: number[] }> {
  let header: string[] = [];
  const rows: (string | null)[][] = [];
  const lines: number[] = [];
  let current: (string | null)[] = [];
  await scanCsvFile(
    path,
    delimiter,
    {
      header: (names) => (header = names),
      sink: {
        wants: () => true,
        bytes: (_c, buf, start, end) => current.push(buf.toString('utf8', start, end)),
        value: (_c, text) => current.push(text),
      },
      endRecord: (count, line) => {
        if (count > 0) {
          rows.push(current);
          lines.push(line);
        }
        current = [];
        return true;
      },
    },
    chunkSize,
  );
  return { header, rows, lines };
}

const TRICKY =
  '\ufeffid,"na""me",note\r\n' +
  '1,plain,"multi\nline ""quoted"", with comma"\r\n' +
  '\r\n' +
  '22,"",\n' +
  '-3,x y,"ends at eof"';

describe('fast seed scanner', () => {
  it('agrees with the reference CSV parser at every chunk size', async () => {
    const path = file(TRICKY);
    const reference = parseCsv(TRICKY.replace(/^\ufeff/, ''), { delimiter: ',', nullString: '' }).filter((r) => !(r.length === 1 && r[0] === null));
    for (const chunk of [1, 2, 3, 5, 8, 13, 64, 1 << 20]) {
      const got = await records(path, chunk);
      expect(got.header).toEqual(reference[0]);
      expect(got.rows, `chunk ${chunk}`).toEqual(reference.slice(1));
      expect(got.lines, `chunk ${chunk}`).toEqual([2, 5, 6]);
    }
  });

  it('agrees with the reference parser when a record spans chunks by far (the carried record is completed piecemeal)', async () => {
    const long = `"${'lorem, "" ipsum\n'.repeat(400)}"`;
    const text = `a,b,c\n${Array.from({ length: 60 }, (_, i) => (i % 7 === 3 ? `${i},${long},x` : `${i},"q${i}",${i % 2 ? '' : 'y'}`)).join('\r\n')}\n`;
    const path = file(text);
    const reference = parseCsv(text, { delimiter: ',', nullString: '' }).filter((r) => !(r.length === 1 && r[0] === null));
    for (const chunk of [7, 100, 255, 700, 3000, 1 << 20]) {
      const got = await records(path, chunk);
      expect(got.rows, `chunk ${chunk}`).toEqual(reference.slice(1));
    }
  });

  it('agrees with the reference parser on wide quoted records, CRLF line ends and quotes at chunk ends', async () => {
    const wide = (r: number) => Array.from({ length: 150 }, (_, c) => ((r + c) % 3 === 0 ? `"v""${c}\r\n,"` : (r + c) % 3 === 1 ? '' : `${c}.5`)).join(',');
    const text = `${Array.from({ length: 150 }, (_, c) => `c${c}`).join(',')}\r\n${Array.from({ length: 12 }, (_, r) => wide(r)).join('\r\n')}\r\n`;
    const path = file(text);
    const reference = parseCsv(text, { delimiter: ',', nullString: '' }).filter((r) => !(r.length === 1 && r[0] === null));
    for (const chunk of [1, 3, 64, 509, 4096, 1 << 20]) {
      const got = await records(path, chunk);
      expect(got.rows, `chunk ${chunk}`).toEqual(reference.slice(1));
      expect(got.lines, `chunk ${chunk}`).toEqual(Array.from({ length: 12 }, (_, r) => 2 + r * 51));
    }
  });

  it('reads a one-column file (no delimiter anywhere) with quoted values and blank lines', async () => {
    const text = `v\n${Array.from({ length: 200 }, (_, i) => (i % 5 === 0 ? '' : i % 5 === 1 ? `"q\n${i}"` : String(i))).join('\n')}\n`;
    const path = file(text);
    const reference = parseCsv(text, { delimiter: ',', nullString: '' }).filter((r) => !(r.length === 1 && r[0] === null));
    for (const chunk of [1, 7, 64, 1 << 20]) {
      const got = await records(path, chunk);
      expect(got.rows, `chunk ${chunk}`).toEqual(reference.slice(1));
    }
  });

  it('reports ragged rows and bad quoting with the line where the record starts', async () => {
    const ragged = file('a,b\n1,"two\nlines"\n3\n');
    await expect(scanSeed(ragged, 'seeds/r.csv', ',')).rejects.toMatchObject({ location: { file: 'seeds/r.csv', line: 4 } });
    const quote = file('a,b\n1,2\n3,x"y\n');
    await expect(scanSeed(quote, 'seeds/q.csv', ',')).rejects.toMatchObject({ message: expect.stringContaining('a quote inside an unquoted field'), location: { line: 3 } });
    const open = file('a,b\n1,"never closed\n');
    await expect(scanSeed(open, 'seeds/o.csv', ',')).rejects.toMatchObject({ message: expect.stringContaining('unterminated quoted field'), location: { line: 2 } });
  });

  it('stops after maxRows and says the scan is incomplete', async () => {
    const path = file('id,v\n1,a\n2,b\n3,2.5\n');
    const sample = await scanSeed(path, 's.csv', ',', 2);
    expect(sample.complete).toBe(false);
    expect(sample.inference.result().map((c) => c.kind)).toEqual(['integer', 'text']);
    const whole = await scanSeed(path, 's.csv', ',');
    expect(whole.complete).toBe(true);
    expect(whole.inference.rows).toBe(3);
  });

  it('still sees NULL markers and quoted empties in text columns it no longer decodes', async () => {
    const path = file('t\nabc\nNull\n');
    expect((await scanSeed(path, 't.csv', ',')).inference.needsNormalising).toBe(true);
    const quoted = file('t\nabc\n""\n');
    expect((await scanSeed(quoted, 't.csv', ',')).inference.needsNormalising).toBe(true);
    const clean = file('t\nabc\nnothing\n');
    expect((await scanSeed(clean, 't.csv', ',')).inference.needsNormalising).toBe(false);
  });

  it('honours another delimiter', async () => {
    const got = await records(file('a;b\n"x;y";2\n'), 4, ';');
    expect(got.rows).toEqual([['x;y', '2']]);
  });
});
