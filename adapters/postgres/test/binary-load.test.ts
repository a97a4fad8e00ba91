import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import type { CsvSpec, LoadSource } from '@dvt/core';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import adapter, { PostgresConnection } from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

const skip = await serviceSkipReason(POSTGRES);

const COLUMNS = ['i2', 'i4', 'i8', 'f8', 'b', 'd', 'ts', 't', 'vc', 'n', 'n2'];
const TABLE_DDL = `(i2 smallint, i4 integer, i8 bigint, f8 double precision, b boolean, d date, ts timestamp,
  t text, vc varchar, n numeric, n2 numeric(12,2))`;
const CSV: CsvSpec = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };

/** Values of each column the binary encoder takes, edge cases first. */
const EXACT: string[][] = [
  ['-32768', '32767', '0', '-0', '007'],
  ['-2147483648', '2147483647', '0', '-1', '"42"'],
  ['-9223372036854775808', '9223372036854775807', '4294967296', '-4294967297', '9007199254740993'],
  ['-0', '4.9e-324', '2.2250738585072011e-308', '1e308', '1.7976931348623157e308', '0.30000000000000004', '.5', '5.', '123456.789', '-1e-300'],
  ['true', 'FALSE', 't', 'F', '1', '0'],
  ['0001-01-01', '9999-12-31', '2000-01-01', '1999-12-31', '2000-02-29', '1900-03-01', '1970-01-01'],
  ['2000-01-01 00:00:00', '1999-12-31 23:59:59.999999', '0001-01-01 00:00:00', '9999-12-31 23:59:59.999999', '1969-07-20T20:17:40.5', '2024-02-29 12:34', '2021-06-30 01:02:03.123', '2021-06-30'],
  ['plain', '"say ""hi"", then\nleave"', '"crlf\r\ninside"', '""', 'ü€😀', '"NULL"', 'x'.repeat(3000)],
  ['v', '""', '"a,b"'],
  ['0', '-0.00', '123456789012345678901234567890.0123456789', '0.00001', '1.50', '-7', '.5'],
  ['1234567890.12', '-0.01', '0', '1.5', '7'],
];

/** Values PostgreSQL's text input accepts that the encoder leaves to a text COPY. */
const TEXT_ONLY: string[][] = [
  ['+5', ' 7'],
  ['"  12  "', '+3'],
  ['+9', ' 10 '],
  ['1e3', ' 2.5', 'NaN', 'Infinity', '-inf'],
  ['yes', 'off', ' t'],
  ['epoch', '2020-1-2', '20200102'],
  ['2020-01-01 24:00:00', '2020-01-01 01:02:03.1234567', '2020-01-01 01:02:03+05', 'epoch'],
  ['\\.x', '"\\.x"'],
  ['y'],
  ['1e5', 'NaN', ' 3'],
  ['1.234', '+1'],
];

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random row: mostly random values, sometimes an edge value, sometimes NULL. */
function randomRow(random: () => number, pool: string[][]): string[] {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]!;
  const ts = new Date(Date.UTC(1900, 0, 1) + Math.floor(random() * 200 * 365.25 * 86400000));
  const iso = ts.toISOString().replace('T', ' ').replace('Z', '');
  const fresh = [
    String(Math.floor(random() * 65536) - 32768),
    String(Math.floor(random() * 2 ** 32) - 2 ** 31),
    String(BigInt(Math.floor(random() * 2 ** 52)) * 2048n - 2n ** 62n),
    String((random() - 0.5) * 10 ** Math.floor(random() * 30 - 15)),
    random() < 0.5 ? 'true' : 'false',
    iso.slice(0, 10),
    iso.slice(0, pick([19, 21, 22, 23])),
    `"note ${Math.floor(random() * 1e6)}, ""quoted""\nline"`,
    `v${Math.floor(random() * 100)}`,
    (random() * 1e6 - 5e5).toFixed(Math.floor(random() * 6)),
    (random() * 1e6).toFixed(2),
  ];
  return fresh.map((value, c) => (random() < 0.1 ? '' : random() < 0.2 ? pick(pool[c]!) : value));
}

function csvOf(rows: string[][]): string {
  return [COLUMNS.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

/** Rows where every value is exact; `textAt` rows get one text-only value. */
function corpus(rows: number, textAt: number[] = [], seed = 1): string[][] {
  const random = prng(seed);
  const out: string[][] = [];
  for (let i = 0; i < rows; i++) out.push(randomRow(random, EXACT));
  // Edge values in the first rows, so every one is loaded.
  for (let c = 0; c < COLUMNS.length; c++) EXACT[c]!.forEach((v, k) => (out[k % rows]![c] = v));
  // Columns whose TEXT_ONLY values really are refused (any string suits the text columns).
  const refusing = [0, 1, 2, 3, 4, 5, 6, 9, 10];
  textAt.forEach((at, k) => {
    const c = refusing[(at + k) % refusing.length]!;
    out[at]![c] = TEXT_ONLY[c]![k % TEXT_ONLY[c]!.length]!;
  });
  return out;
}

describe.skipIf(skip)(`PostgreSQL binary COPY loads${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = uniqueSchema('dvt_pg_bin');
  const q = (t: string) => `"${schema}"."${t}"`;
  let conn: PostgresConnection;
  let reference: pg.Client;
  let tableNo = 0;

  beforeAll(async () => {
    conn = (await adapter.connect({ ...localConfig, schema }, ctx)) as PostgresConnection;
    await conn.query(`CREATE SCHEMA "${schema}"`);
    reference = new pg.Client({ host: localConfig.host, port: localConfig.port, user: localConfig.user, password: localConfig.password, database: localConfig.dbname });
    await reference.connect();
  });

  afterAll(async () => {
    await conn?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn?.close();
    await reference?.end();
  });

  const source = (csv: string, spec: CsvSpec = CSV, chunk = 4096): LoadSource => ({
    csv: spec,
    columns: COLUMNS.map((name) => ({ name, type: { kind: 'text' } })),
    // Small chunks so records straddle chunk boundaries.
    open: () => Readable.from(Array.from({ length: Math.ceil(csv.length / chunk) }, (_, i) => Buffer.from(csv.slice(i * chunk, (i + 1) * chunk)))),
  });

  async function twoTables(ddl = TABLE_DDL): Promise<[string, string]> {
    const n = ++tableNo;
    await conn.query(`CREATE TABLE ${q(`a${n}`)} ${ddl}; CREATE TABLE ${q(`b${n}`)} ${ddl}`);
    return [`a${n}`, `b${n}`];
  }

  /** What the server's own CSV COPY makes of `csv` (rows, or its error). */
  async function referenceLoad(table: string, csv: string, spec: CsvSpec = CSV): Promise<{ rows?: number; error?: Error & { where?: string } }> {
    const sink = reference.query(copyFrom(`COPY ${q(table)} (${COLUMNS.join(', ')}) FROM STDIN (FORMAT csv, HEADER ${spec.header}, DELIMITER '${spec.delimiter}', NULL '${spec.nullString}')`));
    try {
      await pipeline(Readable.from([Buffer.from(csv)]), sink);
      return { rows: sink.rowCount };
    } catch (e) {
      return { error: e as Error };
    }
  }

  async function expectSameRows(a: string, b: string): Promise<void> {
    const diff = await conn.query(
      `SELECT (SELECT count(*) FROM (SELECT * FROM ${q(a)} EXCEPT ALL SELECT * FROM ${q(b)}) x), (SELECT count(*) FROM (SELECT * FROM ${q(b)} EXCEPT ALL SELECT * FROM ${q(a)}) y)`,
    );
    expect(diff.rows).toEqual([[0n, 0n]]);
  }

  const cases: [string, number, number[]][] = [
    ['never switches to text', 3000, []],
    ['switches at the first row', 3000, [0]],
    ['switches midway', 3000, [1700, 1701, 2500]],
    ['switches at the last row', 3000, [2999]],
  ];
  for (const [title, rows, textAt] of cases) {
    it(`stores what a CSV COPY stores when it ${title}`, async () => {
      const csv = csvOf(corpus(rows, textAt));
      const [ours, theirs] = await twoTables();
      const progress: number[] = [];
      const stats = await conn.bulkLoad({ schema, identifier: ours }, source(csv), { onProgress: (n) => progress.push(n) });
      const expected = await referenceLoad(theirs, csv);
      expect(expected.error).toBeUndefined();
      expect(stats.rows).toBe(rows);
      expect(expected.rows).toBe(rows);
      expect(progress.at(-1)).toBe(rows);
      expect([...progress].sort((x, y) => x - y)).toEqual(progress);
      await expectSameRows(ours, theirs);
    });
  }

  it('stores every text-only value as the CSV COPY does, with another delimiter and NULL marker, CRLF lines', async () => {
    const spec: CsvSpec = { delimiter: '|', header: false, nullString: 'NULL', forceQuoteText: false };
    const rows = corpus(400, [5, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63]).map((r) => r.map((v) => (v === '' ? 'NULL' : v.replaceAll(',', ';'))));
    const csv = rows.map((r) => r.join('|')).join('\r\n') + '\r\n';
    const [ours, theirs] = await twoTables();
    const stats = await conn.bulkLoad({ schema, identifier: ours }, source(csv, spec, 1000));
    const expected = await referenceLoad(theirs, csv, spec);
    expect(expected.error).toBeUndefined();
    expect(stats.rows).toBe(400);
    await expectSameRows(ours, theirs);
  });

  it('fails a bad value with the server`s message and the file line a CSV COPY names, leaving the table as it was', async () => {
    // Multi-line quoted notes before the bad record make file lines differ from row numbers.
    const rows = corpus(2000, [300]);
    rows[1500]![1] = 'five';
    const csv = csvOf(rows);
    const [ours, theirs] = await twoTables();
    await conn.query(`INSERT INTO ${q(ours)} (i4) VALUES (1), (2)`);
    const err = (await conn.bulkLoad({ schema, identifier: ours }, source(csv)).catch((e: unknown) => e)) as Error;
    const expected = await referenceLoad(theirs, csv);
    const line = /line (\d+)/.exec(expected.error!.where!)![1];
    expect(Number(line)).toBeGreaterThan(1502);
    expect(err.message).toMatch(/invalid input syntax for type integer: "five" \(SQLSTATE 22P02\)/);
    expect(err.message).toContain(`CONTEXT: COPY ${ours}, line ${line}, column i4: "five"`);
    expect((await conn.query(`SELECT count(*) FROM ${q(ours)}`)).rows).toEqual([[2n]]);
  });

  it('fails a line end unlike the first line`s as a CSV COPY of the whole file does', async () => {
    const lines = [COLUMNS.join(','), ...corpus(300).map((r) => r.join(','))];
    const lastLineCrlf = lines.join('\n') + '\r\n';
    const oneBareLf = lines.slice(0, 200).join('\r\n') + '\n' + lines.slice(200).join('\r\n') + '\r\n';
    for (const csv of [lastLineCrlf, oneBareLf]) {
      const [ours, theirs] = await twoTables();
      const expected = await referenceLoad(theirs, csv);
      expect(expected.error?.message).toMatch(/unquoted (carriage return|newline) found in data/);
      const err = (await conn.bulkLoad({ schema, identifier: ours }, source(csv)).catch((e: unknown) => e)) as Error;
      const line = /line (\d+)/.exec(expected.error!.where!)![1];
      expect(err.message).toContain(expected.error!.message);
      expect(err.message).toMatch(new RegExp(`CONTEXT: COPY ${ours}, line ${line}\\b`));
      expect((await conn.query(`SELECT count(*) FROM ${q(ours)}`)).rows).toEqual([[0n]]);
    }
  });

  it('names the file line of a row the binary COPY refuses (a constraint), leaving the table as it was', async () => {
    const rows = corpus(2000);
    rows[1200]![0] = '';
    const csv = csvOf(rows);
    const ddl = TABLE_DDL.replace('i2 smallint', 'i2 smallint NOT NULL');
    const [ours, theirs] = await twoTables(ddl);
    const err = (await conn.bulkLoad({ schema, identifier: ours }, source(csv)).catch((e: unknown) => e)) as Error;
    const expected = await referenceLoad(theirs, csv);
    const line = /line (\d+)/.exec(expected.error!.where!)![1];
    expect(err.message).toMatch(/null value in column "i2"/);
    expect(err.message).toMatch(new RegExp(`CONTEXT: COPY ${ours}, line ${line}\\b`));
    expect((await conn.query(`SELECT count(*) FROM ${q(ours)}`)).rows).toEqual([[0n]]);
  });

  it('joins a caller`s transaction without committing it, whether the load succeeds or fails', async () => {
    const [ours] = await twoTables();
    const good = csvOf(corpus(500, [250]));
    await conn.query('BEGIN');
    expect((await conn.bulkLoad({ schema, identifier: ours }, source(good))).rows).toBe(500);
    await conn.query('ROLLBACK');
    expect((await conn.query(`SELECT count(*) FROM ${q(ours)}`)).rows).toEqual([[0n]]);

    await conn.query(`INSERT INTO ${q(ours)} (i4) VALUES (1)`);
    const bad = corpus(500, [100]);
    bad[400]![2] = 'many';
    await conn.query('BEGIN');
    await conn.query(`INSERT INTO ${q(ours)} (i4) VALUES (2)`);
    await expect(conn.bulkLoad({ schema, identifier: ours }, source(csvOf(bad)))).rejects.toThrow(/invalid input syntax for type bigint: "many"/);
    // The caller's transaction is failed, not ended: only its ROLLBACK ends it.
    await expect(conn.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
    await conn.query('ROLLBACK');
    expect((await conn.query(`SELECT i4 FROM ${q(ours)}`)).rows).toEqual([[1]]);
  });

  it('aborts a binary load (nothing appended) and leaves the session usable', async () => {
    const [ours] = await twoTables();
    const controller = new AbortController();
    const csv = csvOf(corpus(200));
    async function* slow() {
      yield Buffer.from(csv);
      for (let i = 0; ; i++) {
        if (i === 20) controller.abort(new Error('load aborted'));
        await new Promise((r) => setTimeout(r, 2));
        yield Buffer.from(`${i},1,1,1,t,2000-01-01,2000-01-01,x,y,1,1\n`);
      }
    }
    const load = conn.bulkLoad({ schema, identifier: ours }, { ...source(''), open: () => Readable.from(slow()) }, { signal: controller.signal });
    await expect(load).rejects.toThrow('load aborted');
    expect((await conn.query(`SELECT count(*) FROM ${q(ours)}`)).rows).toEqual([[0n]]);
  });

  it('keeps loads into types it does not encode on the CSV COPY', async () => {
    await conn.query(`CREATE TABLE ${q('other')} (r real, tz timestamptz, c char(3), v varchar(4))`);
    const stats = await conn.bulkLoad(
      { schema, identifier: 'other' },
      { csv: CSV, columns: ['r', 'tz', 'c', 'v'].map((name) => ({ name, type: { kind: 'text' } })), open: () => Readable.from(['r,tz,c,v\n0.1,2020-01-01 00:00:00+02,ab,abc\n']) },
    );
    expect(stats.rows).toBe(1);
    expect((await conn.query(`SELECT r::text, tz::text, c, v FROM ${q('other')}`)).rows).toEqual([['0.1', '2019-12-31 22:00:00+00', 'ab ', 'abc']]);
  });
});
