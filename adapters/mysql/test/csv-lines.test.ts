import { describe, expect, it } from 'vitest';
import { DEFAULT_CSV, parseCsv } from '@dvt/core';
import { hasOuterOrderBy, recordPlan, RecordWriter, serverCsvSupports } from '../src/csv-lines.js';
import { columnMetaOf, type WireField } from '../src/fields.js';

const field = (name: string, columnType: number, extra: Partial<WireField> = {}): WireField => ({ name, columnType, decimals: 0, flags: 0, characterSet: 63, encoding: 'binary', ...extra });
const utf8 = { characterSet: 45, encoding: 'utf8' };

describe('server-written CSV: which specs and queries it takes', () => {
  it('takes the specs dvt exchanges and refuses delimiters or null strings a field could hold', () => {
    expect(serverCsvSupports(DEFAULT_CSV)).toBe(true);
    expect(serverCsvSupports({ delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true })).toBe(true);
    expect(serverCsvSupports({ delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false })).toBe(true);
    expect(serverCsvSupports({ ...DEFAULT_CSV, delimiter: '|' })).toBe(true);
    // A digit, letter, point, colon, minus or space occurs in numbers, dates, true/false or \x hex.
    for (const delimiter of ['0', 'e', '.', ':', '-', ' ', '\\', '"', '\n', '§']) {
      expect(serverCsvSupports({ ...DEFAULT_CSV, delimiter }), JSON.stringify(delimiter)).toBe(false);
    }
    for (const nullString of ['0', '-1', 'true', 'false', '\\x', 'ab', 'ünset']) {
      expect(serverCsvSupports({ ...DEFAULT_CSV, nullString }), nullString).toBe(false);
    }
  });

  it('finds an ORDER BY of the query itself, not one in parentheses, strings or comments', () => {
    expect(hasOuterOrderBy('select a from t order by a')).toBe(true);
    expect(hasOuterOrderBy('select a from t union all select b from u ORDER\n  BY 1 limit 3')).toBe(true);
    expect(hasOuterOrderBy('select a from (select a from t order by a limit 5) x')).toBe(false);
    expect(hasOuterOrderBy('select row_number() over (order by a), group_concat(b order by b) from t group by c')).toBe(false);
    expect(hasOuterOrderBy("select 'order by' as x from t -- order by x\n")).toBe(false);
    expect(hasOuterOrderBy('select `order` as `by` from t /* order by */')).toBe(false);
  });
});

describe('the statement that has the server spell the fields', () => {
  it('joins each run of spelled fields on the server and sends text and binary values as they are', () => {
    const fields = [
      field('id', 8),
      field('flag', 1, { columnLength: 1 }),
      field('note', 252, { ...utf8, columnLength: 262140 }),
      field('odd`name', 253, { characterSet: 33, encoding: 'cesu8', columnLength: 60 }),
      field('at', 7, { decimals: 6 }),
      field('day', 10),
      field('bytes', 252, { columnLength: 65535 }),
    ];
    const plan = recordPlan('select * from t;', fields, fields.map((f) => columnMetaOf(f, 4)), { ...DEFAULT_CSV, nullString: '\\N' });
    expect(plan?.parts).toEqual(['run', 'text', 'text', 'run', 'binary']);
    expect(plan?.sql).toBe(
      "select convert(concat(ifnull(`id`, '\\\\N'), ',', ifnull(elt((`flag` <> 0) + 1, 'false', 'true'), '\\\\N')) using binary), " +
        '`note`, `odd``name`, ' +
        "convert(concat(ifnull(concat(trim(trailing '.' from trim(trailing '0' from `at`)), '+00'), '\\\\N'), ',', ifnull(`day`, '\\\\N')) using binary), " +
        '`bytes` from (\nselect * from t\n) as dvt_extracted',
    );
  });

  it('gives up on a type the server cannot spell as core does, and on text that does not arrive as UTF-8', () => {
    const plan = (fields: WireField[]) => recordPlan('select * from t', fields, fields.map((f) => columnMetaOf(f, 4)), DEFAULT_CSV);
    expect(plan([field('id', 3), field('shape', 255, { extendedTypeName: 'point' })])).toBeUndefined();
    expect(plan([field('id', 3), field('name', 253, { characterSet: 8, encoding: 'latin1', columnLength: 20 })])).toBeUndefined();
    // MySQL's JSON says binary but is utf8mb4 text.
    expect(plan([field('doc', 245)])?.parts).toEqual(['text']);
  });
});

describe('records from the raw values', () => {
  const bytes = (text: string) => Buffer.from(text, 'utf8');

  it('quotes text, hex-encodes binary and writes NULL values as the null string', () => {
    const csv = { ...DEFAULT_CSV, delimiter: '\t', nullString: '\\N' };
    const writer = new RecordWriter(csv, ['run', 'text', 'text', 'binary', 'run']);
    const long = `${'x"'.repeat(300)}ü😀`;
    const rows = [
      [bytes('1\ttrue'), bytes('say "hi", \r\n ok'), null, Buffer.from([0, 0xff, 0x22]), bytes('2024-01-01')],
      [bytes('2\tfalse'), bytes(''), bytes(long), null, bytes('\\N')],
      [bytes('3\t\\N'), null, bytes('"'), Buffer.alloc(0), bytes('2024-01-02')],
    ];
    const room = rows.reduce((n, r) => n + writer.maxLength(r), 0);
    const target = Buffer.alloc(room);
    let at = 0;
    for (const r of rows) at = writer.write(r, target, at);
    expect(at).toBeLessThanOrEqual(room);
    const text = target.subarray(0, at).toString('utf8');
    expect(text.split('\n')[0]).toBe('1\ttrue\t"say ""hi"", \r');
    expect(parseCsv(text, csv)).toEqual([
      ['1', 'true', 'say "hi", \r\n ok', null, '\\x00ff22', '2024-01-01'],
      ['2', 'false', '', long, null, null],
      ['3', null, null, '"', '\\x', '2024-01-02'],
    ]);
  });

  it('refuses a NULL where the server spelled fields', () => {
    const writer = new RecordWriter(DEFAULT_CSV, ['run', 'text']);
    expect(() => writer.write([null, bytes('a')], Buffer.alloc(64), 0)).toThrow(/no fields/);
  });
});
