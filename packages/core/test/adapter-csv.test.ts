import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CSV } from '../src/adapter/contract.js';
import { CsvFormatError, CsvParser, CsvWriter, parseCsv, readCsvBatches, type CsvRecord } from '../src/adapter/csv.js';

const spec = DEFAULT_CSV;

describe('CsvParser', () => {
  it('reads quoted fields with delimiters, doubled quotes and line breaks', () => {
    expect(parseCsv('a,b,c\n"x,1","say ""hi""","two\nlines"\n', spec)).toEqual([
      ['a', 'b', 'c'],
      ['x,1', 'say "hi"', 'two\nlines'],
    ]);
  });

  it('tells NULL (unquoted nullString) from the empty string (quoted)', () => {
    expect(parseCsv('1,,""\n', spec)).toEqual([['1', null, '']]);
    const custom = { delimiter: ',', nullString: 'NULL' };
    expect(parseCsv('NULL,"NULL",\n', custom)).toEqual([[null, 'NULL', '']]);
  });

  it('accepts CRLF, keeps CR inside quotes, and adds no record for a final line break', () => {
    expect(parseCsv('a,b\r\n"c\r\nd",e\r\n', spec)).toEqual([
      ['a', 'b'],
      ['c\r\nd', 'e'],
    ]);
    expect(parseCsv('a\nb', spec)).toEqual([['a'], ['b']]);
  });

  it('reads an empty line as a one-field record (a single NULL column)', () => {
    expect(parseCsv('x\n\ny\n', spec)).toEqual([['x'], [null], ['y']]);
  });

  it('gives the same records whatever the chunking', () => {
    const text = 'id,note\n1,"a ""b"", c\r\nd"\r\n2,\n3,""\n4,"é😀"';
    const whole = parseCsv(text, spec);
    for (let size = 1; size <= 7; size++) {
      const parser = new CsvParser(spec);
      const got: CsvRecord[] = [];
      for (let i = 0; i < text.length; i += size) got.push(...parser.push(text.slice(i, i + size)));
      got.push(...parser.end());
      expect(got).toEqual(whole);
    }
  });

  it('supports another delimiter', () => {
    expect(parseCsv('a\tb,c\t"d\te"\n', { delimiter: '\t', nullString: '' })).toEqual([['a', 'b,c', 'd\te']]);
  });

  it('reports malformed input with its line', () => {
    expect(() => parseCsv('a\n"open', spec)).toThrow(CsvFormatError);
    expect(() => parseCsv('a\n"x"y\n', spec)).toThrow(/line 2/);
    expect(() => parseCsv('a"b\n', spec)).toThrow(/quote inside an unquoted field/);
  });
});

describe('readCsvBatches', () => {
  it('reassembles UTF-8 characters split across byte chunks and drops a BOM', async () => {
    const bytes = Buffer.from('\ufeffname\n"😀 ü"\n', 'utf8');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    const records: CsvRecord[] = [];
    for await (const batch of readCsvBatches(Readable.from(chunks), spec)) records.push(...batch);
    expect(records).toEqual([['name'], ['😀 ü']]);
  });
});

describe('CsvWriter', () => {
  it('quotes only what needs it, and quotes values spelled like the null marker', () => {
    const w = new CsvWriter(spec);
    expect(w.row(['plain', null, '', 'a,b', 'q"q', 'l\nb'])).toBe('plain,,"","a,b","q""q","l\nb"\n');
    const nullWord = new CsvWriter({ ...spec, nullString: 'NULL' });
    expect(nullWord.row([null, 'NULL', ''])).toBe('NULL,"NULL",\n');
  });

  it('force-quotes text columns only', () => {
    const w = new CsvWriter({ ...spec, forceQuoteText: true }, { textColumns: [true, false] });
    expect(w.row(['a', '1'])).toBe('"a",1\n');
    expect(w.row([null, null])).toBe(',\n');
  });

  it('writes a header only when the spec asks', () => {
    expect(new CsvWriter(spec).header(['a', 'b c'])).toBe('a,b c\n');
    expect(new CsvWriter({ ...spec, header: false }).header(['a'])).toBe('');
  });

  it('round-trips awkward values through the parser', () => {
    const rows: CsvRecord[] = [
      ['', null, ' lead', 'trail ', '\\N', 'NULL'],
      ['"', '""', ',', '\r', '\n', 'tab\there'],
    ];
    for (const s of [spec, { ...spec, nullString: 'NULL', forceQuoteText: true }, { ...spec, delimiter: ';' }]) {
      const w = new CsvWriter(s, { textColumns: rows[0].map(() => true) });
      expect(parseCsv(rows.map((r) => w.row(r)).join(''), s)).toEqual(rows);
    }
  });
});

describe('writer and parser agree on random data', () => {
  it('round-trips 300 random records through random chunkings and specs', () => {
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const alphabet = ['a', 'Z', ' ', ',', ';', '\t', '"', "'", '\n', '\r', '\\', 'N', 'U', 'L', 'é', '😀', '0'];
    const field = () => (rand(8) === 0 ? null : Array.from({ length: rand(7) }, () => alphabet[rand(alphabet.length)]).join(''));
    const specs = [
      { delimiter: ',', header: false, nullString: '', forceQuoteText: false },
      { delimiter: ';', header: false, nullString: 'NULL', forceQuoteText: true },
      { delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false },
    ];
    for (const s of specs) {
      const rows: CsvRecord[] = Array.from({ length: 300 }, () => Array.from({ length: 1 + rand(4) }, field));
      const text = rows.map((r) => new CsvWriter(s, { textColumns: r.map(() => true) }).row(r)).join('');
      const parser = new CsvParser(s);
      const got: CsvRecord[] = [];
      for (let i = 0; i < text.length; ) {
        const size = 1 + rand(40);
        got.push(...parser.push(text.slice(i, i + size)));
        i += size;
      }
      got.push(...parser.end());
      expect(got).toEqual(rows);
    }
  });
});
