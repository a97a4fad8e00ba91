import { describe, expect, it } from 'vitest';
import { BinaryCopyEncoder } from '../src/binary-copy.js';
import type { TextCopyStart } from '../src/binary-copy.js';
import { columnEncoding, TypeOid } from '../src/binary-values.js';

type Csv = { delimiter: string; header: boolean; nullString: string };
const CSV: Csv = { delimiter: ',', header: false, nullString: '' };

/** numeric(p,s)'s atttypmod. */
const numericTypmod = (precision: number, scale: number) => ((precision << 16) | scale) + 4;

interface Encoded {
  /** Each row's fields as raw binary values (null for NULL). */
  rows: (Buffer | null)[][];
  /** The bytes left for a text COPY. */
  remainder: string;
  textStart: TextCopyStart;
  lines: number;
  encoder: BinaryCopyEncoder;
  bytes: Buffer;
}

/** Reads PostgreSQL's binary COPY format back into fields (checking its framing). */
function decodeCopy(bytes: Buffer): (Buffer | null)[][] {
  expect(bytes.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(bytes.readInt32BE(11)).toBe(0);
  expect(bytes.readInt32BE(15)).toBe(0);
  let p = 19;
  const rows: (Buffer | null)[][] = [];
  for (;;) {
    const count = bytes.readInt16BE(p);
    p += 2;
    if (count === -1) break;
    const row: (Buffer | null)[] = [];
    for (let f = 0; f < count; f++) {
      const n = bytes.readInt32BE(p);
      p += 4;
      row.push(n < 0 ? null : bytes.subarray(p, p + n));
      if (n > 0) p += n;
    }
    rows.push(row);
  }
  expect(p).toBe(bytes.length);
  return rows;
}

function encode(types: [number, number?][], input: string | Buffer, csv: Partial<Csv> = {}, pieces: Buffer[] | undefined = undefined): Encoded {
  const encoder = new BinaryCopyEncoder(
    types.map(([oid, typmod]) => columnEncoding(oid, typmod ?? -1)!),
    { ...CSV, ...csv },
  );
  const out: Buffer[] = [];
  const unread: Buffer[] = [];
  for (const piece of pieces ?? [Buffer.from(input)]) {
    if (encoder.stopped) unread.push(piece);
    else out.push(...encoder.push(piece));
  }
  out.push(...encoder.end());
  const bytes = Buffer.concat(out);
  const remainder = Buffer.concat([encoder.remainder(), ...unread]).toString('latin1');
  return { rows: decodeCopy(bytes), remainder, textStart: encoder.textCopyStart(), lines: encoder.lines, encoder, bytes };
}

/** The single value of a one-column, one-row load, or 'refused'. */
function one(oid: number, field: string, typmod = -1): Buffer | null | 'refused' {
  const r = encode([[oid, typmod]], `${field}\n`);
  if (r.rows.length === 0) {
    expect(r.remainder).toBe(`${field}\n`);
    return 'refused';
  }
  expect(r.remainder).toBe('');
  return r.rows[0]![0]!;
}

const int = (b: Buffer | null | 'refused') => (b instanceof Buffer ? (b.length === 2 ? b.readInt16BE() : b.length === 4 ? b.readInt32BE() : b.readBigInt64BE()) : b);
const float = (b: Buffer | null | 'refused') => (b instanceof Buffer ? b.readDoubleBE() : b);

/** A binary numeric back to its text form, as numeric_out prints it. */
function numericText(b: Buffer | null | 'refused'): string | null {
  if (!(b instanceof Buffer)) return b as null;
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  // Digit i is the coefficient of 10000^(weight - i).
  const group = (power: number) => {
    const i = weight - power;
    return String(i >= 0 && i < ndigits ? b.readInt16BE(8 + 2 * i) : 0).padStart(4, '0');
  };
  let intPart = '';
  for (let power = weight; power >= 0; power--) intPart += group(power);
  intPart = intPart.replace(/^0+/, '') || '0';
  let frac = '';
  for (let power = -1; frac.length < dscale; power--) frac += group(power);
  frac = frac.slice(0, dscale);
  return `${sign === 0x4000 ? '-' : ''}${intPart}${dscale > 0 ? `.${frac}` : ''}`;
}

describe('binary COPY value encodings', () => {
  it('encodes integers at their limits and refuses what integer input would read differently', () => {
    expect(int(one(TypeOid.int2, '-32768'))).toBe(-32768);
    expect(int(one(TypeOid.int2, '32767'))).toBe(32767);
    expect(one(TypeOid.int2, '32768')).toBe('refused');
    expect(one(TypeOid.int2, '-32769')).toBe('refused');
    expect(int(one(TypeOid.int4, '-2147483648'))).toBe(-2147483648);
    expect(int(one(TypeOid.int4, '2147483647'))).toBe(2147483647);
    expect(one(TypeOid.int4, '2147483648')).toBe('refused');
    expect(one(TypeOid.int4, '-2147483649')).toBe('refused');
    expect(int(one(TypeOid.int8, '9223372036854775807'))).toBe(9223372036854775807n);
    expect(int(one(TypeOid.int8, '-9223372036854775808'))).toBe(-9223372036854775808n);
    expect(one(TypeOid.int8, '9223372036854775808')).toBe('refused');
    expect(one(TypeOid.int8, '-9223372036854775809')).toBe('refused');
    for (const v of ['4294967296', '-4294967297', '9007199254740993', '-999999999999999', '123456789012345678']) expect(int(one(TypeOid.int8, v))).toBe(BigInt(v));
    expect(int(one(TypeOid.int4, '007'))).toBe(7);
    expect(int(one(TypeOid.int8, '-0'))).toBe(0n);
    for (const bad of ['+5', ' 5', '5 ', '1e3', '1.0', '0x10', '1_000', '-', '""', '"5"x']) expect(one(TypeOid.int4, bad)).toBe('refused');
    expect(int(one(TypeOid.int4, '"42"'))).toBe(42);
  });

  it('encodes doubles exactly as strtod rounds them and refuses overflow, underflow and non-decimal forms', () => {
    expect(Object.is(float(one(TypeOid.float8, '-0')), -0)).toBe(true);
    expect(float(one(TypeOid.float8, '4.9e-324'))).toBe(5e-324);
    // Between the largest denormal and the smallest normal: rounds up to the normal.
    expect(float(one(TypeOid.float8, '2.2250738585072011e-308'))).toBe(Number('2.2250738585072011e-308'));
    expect(float(one(TypeOid.float8, '1e308'))).toBe(1e308);
    expect(float(one(TypeOid.float8, '1.7976931348623157e308'))).toBe(Number.MAX_VALUE);
    expect(float(one(TypeOid.float8, '0.30000000000000004'))).toBe(0.30000000000000004);
    expect(float(one(TypeOid.float8, '.5'))).toBe(0.5);
    expect(float(one(TypeOid.float8, '5.'))).toBe(5);
    expect(float(one(TypeOid.float8, '0e400'))).toBe(0);
    for (const bad of ['1e309', '-1e309', '1e-400', 'NaN', 'Infinity', '-inf', ' 1', '1 ', '+1', '0x1p3', '.', '-', '1e', '1.2.3', '1,5']) {
      expect(one(TypeOid.float8, bad)).toBe('refused');
    }
    // Random doubles printed shortest, with 17 digits and in fixed notation all read back exactly.
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const texts: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 40 - 20);
      texts.push(String(x), x.toPrecision(17), x.toFixed(6), x.toFixed(2));
    }
    const r = encode([[TypeOid.float8]], texts.join('\n'));
    expect(r.remainder).toBe('');
    expect(r.rows.map(([b]) => float(b!))).toEqual(texts.map(Number));
  });

  it('encodes the spellings of true and false it is sure of', () => {
    for (const t of ['true', 'TRUE', 'True', 't', 'T', '1']) expect(one(TypeOid.bool, t)).toEqual(Buffer.from([1]));
    for (const f of ['false', 'FALSE', 'f', 'F', '0']) expect(one(TypeOid.bool, f)).toEqual(Buffer.from([0]));
    for (const bad of ['yes', 'no', 'on', 'off', 'tr', 'fals', ' t', '2', 'truee']) expect(one(TypeOid.bool, bad)).toBe('refused');
  });

  it('encodes ISO dates as days from 2000-01-01 in the proleptic Gregorian calendar', () => {
    const day = (s: string) => int(one(TypeOid.date, s));
    expect(day('2000-01-01')).toBe(0);
    expect(day('1999-12-31')).toBe(-1);
    expect(day('2000-03-01')).toBe(60);
    expect(day('1970-01-01')).toBe(-10957);
    expect(day('0001-01-01')).toBe(-730119);
    expect(day('9999-12-31')).toBe(2921939);
    expect(day('2024-02-29')).toBe(Math.round((Date.UTC(2024, 1, 29) - Date.UTC(2000, 0, 1)) / 86400000));
    for (const bad of ['1900-02-29', '2001-02-29', '2023-04-31', '0000-01-01', '2020-13-01', '2020-00-10', '2020-1-01', 'epoch', 'infinity', '20200101', '2020-01-01 ']) {
      expect(one(TypeOid.date, bad)).toBe('refused');
    }
  });

  it('encodes timestamps as microseconds from 2000-01-01 with 0 to 6 fraction digits', () => {
    const us = (s: string) => int(one(TypeOid.timestamp, s));
    const expected = (iso: string, micros = 0n) => BigInt(Date.parse(`${iso}Z`) - Date.UTC(2000, 0, 1)) * 1000n + micros;
    expect(us('2000-01-01 00:00:00')).toBe(0n);
    expect(us('2000-01-01T00:00:00.000001')).toBe(1n);
    expect(us('1999-12-31 23:59:59.999999')).toBe(-1n);
    expect(us('1970-01-01 00:00:00')).toBe(-946684800000000n);
    expect(us('2024-02-29 12:34')).toBe(expected('2024-02-29T12:34:00'));
    expect(us('2024-02-29')).toBe(expected('2024-02-29T00:00:00'));
    const fractions = ['.1', '.12', '.123', '.1234', '.12345', '.123456'];
    for (const f of fractions) expect(us(`2021-06-30 01:02:03${f}`)).toBe(expected('2021-06-30T01:02:03') + BigInt(f.slice(1).padEnd(6, '0')));
    expect(us('0001-01-01 00:00:00')).toBe(-730119n * 86400000000n);
    expect(us('9999-12-31 23:59:59.999999')).toBe(2921940n * 86400000000n - 1n);
    expect(us('1500-07-04 10:00:00.5')).toBe(expected('1500-07-04T10:00:00', 500000n));
    for (const bad of ['2020-01-01 24:00:00', '2020-01-01 23:59:60', '2020-01-01 23:60:00', '2020-01-01 01:02:03.1234567', '2020-01-01 01:02:03.', '2020-01-01 01:02:03+00', '2020-01-01 01:02:03Z', '2020-01-01 1:02:03', '2020-01-01  01:02:03', 'epoch', 'now', '2019-02-29 00:00:00']) {
      expect(one(TypeOid.timestamp, bad)).toBe('refused');
    }
  });

  it('encodes numerics with the scale written, or the column scale when it is fixed', () => {
    const n = (s: string, typmod = -1) => numericText(one(TypeOid.numeric, s, typmod));
    for (const v of ['0', '1', '-1', '10000', '9999', '12345678.9', '0.0001', '0.00001', '-0.000001', '1.50', '100000000', '123456789012345678901234567890.123456789012345678901234567890']) expect(n(v)).toBe(v);
    expect(n('007.10')).toBe('7.10');
    expect(n('-0.00')).toBe('0.00');
    expect(n('.5')).toBe('0.5');
    expect(n('5.')).toBe('5');
    const typed = numericTypmod(12, 2);
    expect(n('1234567890.12', typed)).toBe('1234567890.12');
    expect(n('1.5', typed)).toBe('1.50');
    expect(n('-3', typed)).toBe('-3.00');
    expect(one(TypeOid.numeric, '1.234', typed)).toBe('refused');
    expect(one(TypeOid.numeric, '12345678901', typed)).toBe('refused');
    expect(n('0.99', numericTypmod(2, 2))).toBe('0.99');
    expect(one(TypeOid.numeric, '1.00', numericTypmod(2, 2))).toBe('refused');
    for (const bad of ['NaN', 'Infinity', '1e5', '+1', ' 1', '1.2.3', '.', '-']) expect(one(TypeOid.numeric, bad)).toBe('refused');
    // The zero value has no digits and a positive sign, as numeric_in stores it.
    expect(one(TypeOid.numeric, '-0.00')).toEqual(Buffer.from([0, 0, 0, 0, 0, 0, 0, 2]));
  });

  it('reads a value found while scanning as it reads the same value judged whole', () => {
    // Unquoted, these values are read as the record is scanned; quoted, the field is found first and then encoded.
    const cases: [number, string[]][] = [
      [TypeOid.int2, ['0', '-0', '32767', '32768', '-32769', '007', '12a', '1.0', '-']],
      [TypeOid.int4, ['2147483647', '-2147483648', '2147483648', '0000000000000000042', '999999999999999', '1e3', '5 ']],
      [TypeOid.int8, ['999999999999999', '1000000000000000', '-4294967297', '9223372036854775807', '9223372036854775808', '00000000000000000001']],
      [TypeOid.float8, ['1', '1.', '.5', '-.5', '-0', '0.1', '123456789012345', '1234567890123456', '0.000000000000001', '1.5e3', '1e-400', '1..2', '.', '-', '00000000000000001.5']],
      [TypeOid.timestamp, ['2020-01-01 00:00:00', '2020-01-01T23:59:59', '2020-02-30 00:00:00', '2020-01-01 24:00:00', '2020-01-01 00:00:00.123456', '2020-01-01 00:00', '2020-01-01', '2020-01-01 00:00:00+02', '2020-01-01 00:00:00x']],
      [TypeOid.date, ['2020-02-29', '2021-02-29', '0000-01-01', '2020-01-01x', '2020-01-01 00:00:00']],
    ];
    for (const [oid, values] of cases) {
      for (const v of values) expect(one(oid, v), `${oid} ${v}`).toEqual(one(oid, `"${v}"`));
    }
  });

  it('uses binary only for the types whose binary input matches text input', () => {
    for (const oid of [700, 1184, 1042, 114, 3802, 2950, 17, 1083, 1186]) expect(columnEncoding(oid, -1)).toBeUndefined();
    expect(columnEncoding(TypeOid.varchar, 14)).toBeUndefined();
    expect(columnEncoding(TypeOid.timestamp, 3)).toBeUndefined();
    expect(columnEncoding(TypeOid.numeric, ((5 << 16) | (-2 & 0x7ff)) + 4)).toBeUndefined();
    expect(columnEncoding(TypeOid.varchar, -1)).toBeDefined();
  });
});

describe('binary COPY record framing', () => {
  const textInt: [number][] = [[TypeOid.int4], [TypeOid.text]];

  it('reads quoted fields, doubled quotes, line breaks in quotes, NULL markers and the header', () => {
    const r = encode(textInt, 'id,note\n1,"say ""hi"",\nthere"\n2,\n3,""\n4,"a\r\nb"\n', { header: true });
    expect(r.remainder).toBe('');
    expect(r.rows.map(([i, t]) => [int(i!), t === null ? null : t.toString()])).toEqual([
      [1, 'say "hi",\nthere'],
      [2, null],
      [3, ''],
      [4, 'a\r\nb'],
    ]);
    expect(r.lines).toBe(7);
    expect(r.encoder.fileLineOfRow(1)).toBe(3);
    expect(r.encoder.fileLineOfRow(2)).toBe(4);
    expect(r.encoder.fileLineOfRow(4)).toBe(7);
  });

  it('treats an unquoted nullString as NULL and a quoted one as text, with other delimiters', () => {
    const r = encode(textInt, '1|NULL\n2|"NULL"\n3|\nNULL|x', { delimiter: '|', nullString: 'NULL' });
    expect(r.remainder).toBe('');
    expect(r.rows.map(([i, t]) => [int(i), t?.toString() ?? null])).toEqual([
      [1, null],
      [2, 'NULL'],
      [3, ''],
      [null, 'x'],
    ]);
    const tab = encode(textInt, '1\ta,b\n', { delimiter: '\t' });
    expect(tab.rows[0]![1]!.toString()).toBe('a,b');
  });

  it('reads CRLF files and stops at a line end unlike the first line`s', () => {
    const crlf = encode(textInt, 'id,n\r\n1,a\r\n2,"x\r\ny"\r\n', { header: true });
    expect(crlf.rows).toHaveLength(2);
    expect(crlf.remainder).toBe('');
    expect(encode(textInt, '1,a\r\n2,b\n3,c\n').remainder).toBe('2,b\n3,c\n');
    expect(encode(textInt, '1,a\n2,b\r\n').remainder).toBe('2,b\r\n');
    expect(encode(textInt, '1,a\n2,b\rc\n').remainder).toBe('2,b\rc\n');
    expect(encode(textInt, '1,a\r2,b\r').remainder).toBe('1,a\r2,b\r');
  });

  it('stops before the first record a text COPY must judge, keeping every byte from it', () => {
    const cases: [string, number][] = [
      ['1,a\n2,b,c\n3,d\n', 1], // too many fields
      ['1,a\n2\n3,d\n', 1], // too few
      ['1,a\n\n3,d\n', 1], // blank line
      ['1,a\n\\.\n3,d\n', 1], // end-of-data marker
      ['1,a\n2,"x\n\\.\ny"\n', 1], // end-of-data marker inside quotes
      ['1,a\n2,b"c\n', 1], // quote inside an unquoted field
      ['1,a\n2,"b"c\n', 1], // text after the closing quote
      ['1,a\n2,"unterminated\n', 1],
      ['1,a\n2,b\u0000\n', 1],
      ['x,a\n2,b\n', 0],
      ['1,a\n2,b\n3,c', 3], // no final line break: fine
    ];
    for (const [input, rows] of cases) {
      const r = encode(textInt, input);
      expect(r.rows, input).toHaveLength(rows);
      expect(r.remainder, input).toBe(input.split('\n').slice(rows).join('\n'));
      if (rows < 3) expect(r.lines).toBe(rows);
    }
    const badUtf8 = Buffer.concat([Buffer.from('1,a\n2,'), Buffer.from([0xc3, 0x28]), Buffer.from('\n3,c\n')]);
    const r = encode(textInt, badUtf8);
    expect(r.rows).toHaveLength(1);
    expect(r.remainder).toBe(badUtf8.subarray(4).toString('latin1'));
  });

  it('keeps the header for the text COPY when it stops there', () => {
    const r = encode(textInt, Buffer.concat([Buffer.from('id,n'), Buffer.from([0xff]), Buffer.from('\n1,a\n')]), { header: true });
    expect(r.rows).toHaveLength(0);
    expect(r.textStart).toEqual({ prefix: Buffer.alloc(0), header: true, lineOffset: 0 });
    const ok = encode(textInt, 'id,n,extra,fields\n1,a\n', { header: true });
    expect(ok.rows).toHaveLength(1);
  });

  it('starts the text COPY with an empty header line ending as the file`s lines do, once that is known', () => {
    expect(encode(textInt, '1,a\n2,"x\ny"\n+3,c\n').textStart).toEqual({ prefix: Buffer.from('\n'), header: true, lineOffset: 2 });
    expect(encode(textInt, 'id,n\r\n1,a\r\n+3,c\n', { header: true }).textStart).toEqual({ prefix: Buffer.from('\r\n'), header: true, lineOffset: 1 });
    expect(encode(textInt, '+1,a\n').textStart).toEqual({ prefix: Buffer.alloc(0), header: false, lineOffset: 0 });
  });

  it('finds field ends byte by byte when the delimiter could be part of a value', () => {
    expect(encode([[TypeOid.int4], [TypeOid.int4]], '152\n', { delimiter: '5' }).rows.map((r) => r.map(int))).toEqual([[1, 2]]);
    expect(encode([[TypeOid.float8], [TypeOid.int4]], '1.5\n', { delimiter: '.' }).rows.map(([a, b]) => [float(a!), int(b!)])).toEqual([[1, 5]]);
    const spaced = encode([[TypeOid.timestamp]], '2020-01-01 00:00:00\n', { delimiter: ' ' });
    expect(spaced.rows).toEqual([]);
    expect(spaced.remainder).toBe('2020-01-01 00:00:00\n');
  });

  it('moves a row begun at the end of an output chunk to the next one', () => {
    // Each value is longer than half the first output chunk; odd rows quote theirs (with a doubled quote).
    const long = (i: number) => `${String(i % 10).repeat(40_000)}${i % 2 ? '"' : ''}`;
    const input = [1, 2, 3, 4, 5].map((i) => `${i},${i % 2 ? `"${long(i).replaceAll('"', '""')}"` : long(i)}\n`).join('');
    const r = encode([[TypeOid.int4], [TypeOid.text]], input);
    expect(r.remainder).toBe('');
    expect(r.rows.map(([i, t]) => [int(i!), t!.toString()])).toEqual([1, 2, 3, 4, 5].map((i) => [i, long(i)]));
    // A value ending at or near the end of the first output chunk (64 KiB) leaves room for the field after it.
    for (let length = 65_440; length < 65_520; length++) {
      for (const quoted of [false, true]) {
        const text = 'x'.repeat(length);
        const edge = encode([[TypeOid.int4], [TypeOid.text], [TypeOid.int4]], `1,${quoted ? `"${text}"` : text},2\n3,y,4\n`);
        expect(edge.rows.map(([a, t, b]) => [int(a!), t!.length, int(b!)]), `${length} ${quoted}`).toEqual([
          [1, length, 2],
          [3, 1, 4],
        ]);
      }
    }
  });

  it('joins a record longer than the straddle window across chunks', () => {
    const long = 'é'.repeat(50_000);
    const input = Buffer.from(`1,a\n2,"${long}"\n3,b\n+4,c\n`);
    for (const at of [2, 5, 9, 70_000, input.length - 4]) {
      const r = encode([[TypeOid.int4], [TypeOid.text]], input, {}, [input.subarray(0, at), input.subarray(at, at + 80_000), input.subarray(at + 80_000)]);
      expect(r.rows.map(([i, t]) => [int(i), t!.toString()])).toEqual([
        [1, 'a'],
        [2, long],
        [3, 'b'],
      ]);
      expect(r.remainder).toBe('+4,c\n');
    }
  });

  it('gives the same bytes and remainder whatever the chunk boundaries', () => {
    const types: [number, number?][] = [[TypeOid.int8], [TypeOid.float8], [TypeOid.text], [TypeOid.timestamp], [TypeOid.numeric, numericTypmod(12, 2)], [TypeOid.bool], [TypeOid.date]];
    const input = Buffer.from(
      'id,amount,note,at,price,flag,day\r\n' +
        '1,1.5,"a ""b""\r\nc",2020-01-01 00:00:00.5,12.34,true,2020-02-29\r\n' +
        '2,,,,,,\r\n' +
        '3,-0,"ü€😀",1999-12-31T23:59:59,-0.01,F,0001-01-01\r\n' +
        '4,1e308,"",2000-01-01,0,1,9999-12-31\r\n' +
        '5,NaN,x,2000-01-01,1,t,2000-01-01\r\n' +
        '6,1,y,2000-01-01,1,t,2000-01-01',
    );
    const whole = encode(types, input, { header: true });
    expect(whole.rows).toHaveLength(4);
    for (let a = 0; a <= input.length; a++) {
      for (const b of [a, Math.min(input.length, a + 1), Math.min(input.length, a + 7)]) {
        const split = encode(types, input, { header: true }, [input.subarray(0, a), input.subarray(a, b), input.subarray(b)]);
        expect(split.bytes.equals(whole.bytes), `split at ${a}/${b}`).toBe(true);
        expect(split.remainder).toBe(whole.remainder);
        expect(split.lines).toBe(whole.lines);
      }
    }
  });
});
