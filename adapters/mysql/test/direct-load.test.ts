import { createReadStream } from 'node:fs';
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { withDefaults, type ColumnSpec, type CompleteConnection, type CsvSpec } from '@dvt/core';
import adapter, { mysqlDialect } from '../src/index.js';
import mysql from 'mysql2/promise';
import { checkedChunks, directLoadFile, directLoadSql, layoutOf } from '../src/direct-load.js';
import { NotDirectlyLoadable } from '../src/load-check.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

const SEED_CSV: CsvSpec = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };
const COLUMNS: ColumnSpec[] = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'amount', type: { kind: 'decimal', precision: 12, scale: 2 } },
  { name: 'at', type: { kind: 'timestamp' } },
  { name: 'note', type: { kind: 'text' } },
];

/**
 * Feeds `text` (a header and rows of two columns) to the checker in chunks of each size (default: 1
 * to 9 bytes), with the columns `direct` marks loaded without a variable; returns what each found.
 */
async function verdicts(text: string, lineEnd: '\n' | '\r\n' = '\n', sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9], direct: boolean[] = []): Promise<string[]> {
  const found = new Set<string>();
  const bytes = Buffer.from(text, 'utf8');
  for (const size of sizes) {
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    const out: Buffer[] = [];
    try {
      for await (const c of checkedChunks(chunks(), { delimiter: 0x2c, lineEnd, header: true, direct }, 2)) out.push(c);
      expect(Buffer.concat(out).equals(bytes)).toBe(true);
      found.add('ok');
    } catch (e) {
      if (!(e instanceof NotDirectlyLoadable)) throw e;
      found.add(`${e.constructor.name}: ${e.message}`);
    }
  }
  return [...found];
}

describe('the direct LOAD DATA check', () => {
  it('passes what LOAD DATA reads as the seed convention does, at every chunk boundary', async () => {
    expect(await verdicts('id,note\n1,\n2,"a ""quoted"" word"\n3,"line\r\nbreak, comma"\n4,"NULL"\n5,NULLS\n6,xNULL\n7,"a""""b"\n')).toEqual(['ok']);
    expect(await verdicts('id,note\r\n1,"lf\ninside"\r\n2,\r\n', '\r\n')).toEqual(['ok']);
  });

  it('stops at what LOAD DATA would read differently, at every chunk boundary', async () => {
    expect(await verdicts('id,note\n1,a\n2,""\n3,b\n')).toEqual(['NotDirectlyLoadable: a quoted empty field']);
    expect(await verdicts('id,note\n1,"",x\n')).toEqual(['NotDirectlyLoadable: a quoted empty field']);
    expect(await verdicts('id,note\n1,NULL\n')).toEqual(['NotDirectlyLoadable: an unquoted NULL']);
    expect(await verdicts('id,note\nNULL,x\n')).toEqual(['NotDirectlyLoadable: an unquoted NULL']);
    expect(await verdicts('id,note\n1,a\r\n')).toEqual(['NotDirectlyLoadable: a carriage return outside quotes']);
    expect(await verdicts('id,note\r\n1,a\n', '\r\n')).toEqual(['NotDirectlyLoadable: a line feed without carriage return']);
  });

  it('judges the bytes held back at a chunk boundary with the start of a long next chunk', async () => {
    const sizes = [64, 65, 66, 70, 97, 100, 127, 128, 129, 300];
    const rows = (n: number, eol = '\n') => Array.from({ length: n }, (_, i) => `${i},"a ""b"", c${eol}d"`).join(eol);
    for (const at of [1, 7, 20]) {
      expect(await verdicts(`id,note\n${rows(at)}\n${rows(40)}\n`, '\n', sizes), `ok ${at}`).toEqual(['ok']);
      expect(await verdicts(`id,note\n${rows(at)}\n9,""\n${rows(40)}\n`, '\n', sizes)).toEqual(['NotDirectlyLoadable: a quoted empty field']);
      expect(await verdicts(`id,note\n${rows(at)}\nNULL,x\n${rows(40)}\n`, '\n', sizes)).toEqual(['NotDirectlyLoadable: an unquoted NULL']);
      expect(await verdicts(`id,note\n${rows(at)}\n9,x\r\n${rows(40)}\n`, '\n', sizes)).toEqual(['NotDirectlyLoadable: a carriage return outside quotes']);
      expect(await verdicts(`id,note\r\n${rows(at, '\r\n')}\r\n9,x\n${rows(40, '\r\n')}\r\n`, '\r\n', sizes)).toEqual(['NotDirectlyLoadable: a line feed without carriage return']);
    }
  });

  it('refuses an empty field in a column loaded without a variable, at every chunk boundary and at the end', async () => {
    const both = [true, true];
    const sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9, 100];
    expect(await verdicts('id,note\n1,"a"\n2,"b ""c"""\n3,NULLS\n', '\n', sizes, both)).toEqual(['ok']);
    // The header's own empty names are not values.
    expect(await verdicts(',\n1,a\n', '\n', sizes, both)).toEqual(['ok']);
    expect(await verdicts('id,note\n1,a\n2,\n3,b\n', '\n', sizes, both)).toEqual(['EmptyDirectField: an empty field in column 2']);
    expect(await verdicts('id,note\n1,a\n2,', '\n', sizes, both)).toEqual(['EmptyDirectField: an empty field in column 2']);
    expect(await verdicts('id,note\r\n1,a\r\n2,\r\n', '\r\n', sizes, both)).toEqual(['EmptyDirectField: an empty field in column 2']);
    expect(await verdicts('id,note\n1,a\n,b\n', '\n', sizes, both)).toEqual(['EmptyDirectField: an empty field in column 1']);
    // Through a variable (NULLIF) an empty field is NULL, as the seed convention reads it.
    expect(await verdicts('id,note\n1,a\n2,\n,b\n', '\n', sizes, [false, false])).toEqual(['ok']);
    expect(await verdicts('id,note\n1,a\n2,\n', '\n', sizes, [true, false])).toEqual(['ok']);
    expect(await verdicts('id,note\n1,a\n,b\n', '\n', sizes, [true, false])).toEqual(['EmptyDirectField: an empty field in column 1']);
  });

  it('chooses the line end and the direct columns from the start of a file', () => {
    const start = (text: string, whole = true) => layoutOf(Buffer.from(text), whole, 0x2c, true, 3);
    expect(start('a,b,c\n1,,x\n2,y,\n')).toEqual({ delimiter: 0x2c, lineEnd: '\n', header: true, direct: [true, false, false] });
    expect(start('a,b,c\r\n1,"",x\r\n')).toBeUndefined();
    expect(start('a,,c\r\n1,"q\n",x\r\n2,y,')).toEqual({ delimiter: 0x2c, lineEnd: '\r\n', header: true, direct: [true, true, false] });
    // The last bytes of a file's start are left to the load's own check.
    expect(start('a,b,c\n1,y,z\n2,y,', false)?.direct).toEqual([true, true, true]);
  });

  it('takes only files in the seed convention whose columns need no rewriting', () => {
    expect(directLoadFile({ columns: COLUMNS, csv: SEED_CSV, path: '/x.csv' })).toEqual({ path: '/x.csv', delimiter: 0x2c });
    expect(directLoadFile({ columns: COLUMNS, csv: SEED_CSV, open: () => process.stdin })).toBeUndefined();
    expect(directLoadFile({ columns: COLUMNS, csv: { ...SEED_CSV, nullString: 'NULL' }, path: '/x.csv' })).toBeUndefined();
    expect(directLoadFile({ columns: [...COLUMNS, { name: 'flag', type: { kind: 'boolean' } }], csv: SEED_CSV, path: '/x.csv' })).toBeUndefined();
    expect(directLoadFile({ columns: COLUMNS, csv: { ...SEED_CSV, delimiter: '"' }, path: '/x.csv' })).toBeUndefined();
  });

  it('writes the statement with fields through NULLIF unless direct, and the header skipped', () => {
    const mixed = directLoadSql({ schema: 's', identifier: 't' }, COLUMNS, SEED_CSV, '\n', [true, false, true]);
    expect(mixed).toContain("(`id`, @dvt_c1, `at`, @dvt_c3) SET `amount` = NULLIF(@dvt_c1, ''), `note` = NULLIF(@dvt_c3, '')");
    expect(directLoadSql({ schema: 's', identifier: 't' }, COLUMNS.slice(0, 2), SEED_CSV, '\n', [true, true])).toMatch(/\(`id`, `amount`\)$/);
    const sql = directLoadSql({ schema: 's', identifier: 't' }, COLUMNS.slice(0, 2), { ...SEED_CSV, delimiter: ';' }, '\r\n');
    expect(sql).toContain("FIELDS TERMINATED BY ';' OPTIONALLY ENCLOSED BY '\"' ESCAPED BY '' LINES TERMINATED BY '\\r\\n' IGNORE 1 LINES (@dvt_c0, @dvt_c1) SET `id` = NULLIF(@dvt_c0, ''), `amount` = NULLIF(@dvt_c1, '')");
  });
});

const skipReason = await serviceSkipReason(MARIADB);
const dialect = mysqlDialect('mariadb');
const schema = uniqueSchema('dvt_direct');
let conn: CompleteConnection;
let dir: string;

describe.skipIf(skipReason !== undefined)(`direct file loads on MariaDB${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    conn = withDefaults(await adapter.connect({ ...localConfig }, ctx), dialect);
    await conn.query(`create schema ${dialect.quoteIdentifier(schema)}`);
    dir = await mkdtemp(path.join(os.tmpdir(), 'dvt-direct-'));
  });

  afterAll(async () => {
    await conn?.query(`drop schema if exists ${dialect.quoteIdentifier(schema)}`);
    await conn?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function load(name: string, csv: string) {
    const file = path.join(dir, `${name}.csv`);
    await writeFile(file, csv);
    await conn.query(`create table ${dialect.renderRelation({ schema, identifier: name })} (id bigint, amount decimal(12,2), at datetime(6), note longtext)`);
    const stats = await conn.bulkLoad({ schema, identifier: name }, { columns: COLUMNS, csv: SEED_CSV, path: file });
    const back = await conn.query(`select id, amount, at, note from ${dialect.renderRelation({ schema, identifier: name })} order by id`);
    return { stats, rows: back.rows };
  }

  const filler = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => `${from + i},${i % 7 === 0 ? '' : `${i}.25`},2024-01-02 03:04:05,"note ${i}, ""q"" ünï"\n`).join('');

  it('loads a file as it is: empty fields NULL, quotes, line breaks in quotes, unicode', async () => {
    const { stats, rows } = await load('plain', `id,amount,at,note\n1,,2024-01-02 03:04:05.5,\n2,12.50,2024-01-02 03:04:05,"a ""b"", c\r\nd 😀"\n3,-1,,"NULL"\n`);
    expect(stats.rows).toBe(3);
    expect(rows).toEqual([
      [1n, null, '2024-01-02 03:04:05.5', null],
      [2n, '12.50', '2024-01-02 03:04:05', 'a "b", c\r\nd 😀'],
      [3n, '-1.00', null, 'NULL'],
    ]);
  });

  it('reads CRLF files', async () => {
    const { rows } = await load('crlf', 'id,amount,at,note\r\n1,1.5,,x\r\n2,,,"y\nz"\r\n');
    expect(rows).toEqual([
      [1n, '1.50', null, 'x'],
      [2n, null, null, 'y\nz'],
    ]);
  });

  it('falls back to re-encoding when a quoted empty string or an unquoted NULL turns up deep in the file, loading each row once', async () => {
    const head = `id,amount,at,note\n${filler(1, 3000)}`;
    const { stats, rows } = await load('fallback_empty', `${head}3001,1,,""\n3002,2,,NULL\n`);
    expect(stats.rows).toBe(3002);
    expect(rows).toHaveLength(3002);
    expect(rows[3000]).toEqual([3001n, '1.00', null, '']);
    expect(rows[3001]).toEqual([3002n, '2.00', null, 'NULL']);
  });

  it('redoes the load through variables when a direct column holds an empty field past the start of the file', async () => {
    // Over a MiB of rows whose `at` and `note` are never empty, then one row with both empty.
    const head = `id,amount,at,note\n${filler(1, 20_000)}`;
    expect(Buffer.byteLength(head)).toBeGreaterThan(1 << 20);
    expect(layoutOf(Buffer.from(head), false, 0x2c, true, 4)?.direct).toEqual([true, false, true, true]);
    const { stats, rows } = await load('fallback_direct', `${head}20001,1,,\n20002,2,2024-01-02 03:04:05,x\n`);
    expect(stats.rows).toBe(20_002);
    expect(rows).toHaveLength(20_002);
    expect(rows[20_000]).toEqual([20001n, '1.00', null, null]);
    expect(rows[20_001]).toEqual([20002n, '2.00', '2024-01-02 03:04:05', 'x']);
  });

  it('stores the same rows whether a column is loaded directly or through NULLIF, for every kind of seed value', async () => {
    const columns: [string, string][] = [
      ['i', 'int'],
      ['b', 'bigint'],
      ['f', 'double'],
      ['m', 'decimal(12,2)'],
      ['d', 'date'],
      ['ts', 'datetime(6)'],
      ['flag', 'tinyint(1)'],
      ['t', 'longtext'],
      ['sometimes', 'longtext'],
    ];
    const rows = [
      '0,0,0,0,1970-01-01,1970-01-01 00:00:00,0,plain,',
      '-2147483648,-9223372036854775808,-1.5e-7,-9999999999.99,2024-02-29,2024-02-29 23:59:59.999999,1,"a ""quoted"" word",x',
      '2147483647,9223372036854775807,1E+300,0.01,9999-12-31,2024-01-02 03:04:05.5,0,"line\nbreak, comma",',
      '42,4000000001,2.5E10,12.5,2000-01-01,2024-01-02 03:04:05.123,1,"crlf\r\ninside",""""',
      '-1,-1,3.141592653589793,-0.5,1999-12-31,2024-01-02T03:04:05,0,"crème brûlée ß → ∑ 日本語 😀",NULLS',
      '7,7,-0,1.,2024-1-2,2024-01-02 03:04,1,"NULL",null',
      '8,8,.5,+3,2024-01-02,2024-01-02 03:04:05.000001,0,null,"  padded  "',
      '9,9,1e3,007,2024-01-02,2024-01-02 03:04:05,1,"\\N back\\slash",\\N',
    ];
    const file = path.join(dir, 'kinds.csv');
    await writeFile(file, `${columns.map(([name]) => name).join(',')}\n${rows.join('\n')}\n`);
    const layout = layoutOf(Buffer.from(`${columns.map(([name]) => name).join(',')}\n${rows.join('\n')}\n`), true, 0x2c, true, columns.length);
    expect(layout?.direct).toEqual([true, true, true, true, true, true, true, true, false]);
    const specs: ColumnSpec[] = columns.map(([name]) => ({ name, type: { kind: 'text' } }));
    const session = await mysql.createConnection({ host: localConfig.server, port: localConfig.port, user: localConfig.username, password: localConfig.password, database: schema });
    try {
      const load = async (table: string, direct: boolean[]) => {
        await session.query(`create table ${table} (${columns.map(([name, type]) => `${name} ${type}`).join(', ')})`);
        const sql = directLoadSql({ schema, identifier: table }, specs, SEED_CSV, '\n', direct);
        const [header] = await session.query({ sql, infileStreamFactory: () => createReadStream(file) } as mysql.QueryOptions);
        return header as unknown as { affectedRows: number; warningStatus: number };
      };
      const throughVariables = await load('kinds_nullif', []);
      const direct = await load('kinds_direct', layout!.direct as boolean[]);
      const everyDirect = await load('kinds_all_direct', columns.map(() => true));
      expect([throughVariables, direct].map((h) => [h.affectedRows, h.warningStatus])).toEqual([
        [rows.length, 0],
        [rows.length, 0],
      ]);
      const read = async (table: string) => (await session.query(`select * from ${table} order by i`))[0] as Record<string, unknown>[];
      const expected = await read('kinds_nullif');
      expect(await read('kinds_direct')).toEqual(expected);
      const [sums] = (await session.query('checksum table kinds_nullif, kinds_direct')) as unknown as [{ Checksum: number }[]];
      expect(sums[0]!.Checksum).toBe(sums[1]!.Checksum);
      // What the check guards against: a direct column reads an empty field as '', not NULL.
      expect(everyDirect.affectedRows).toBe(rows.length);
      expect((await read('kinds_all_direct')).map((r) => r.sometimes)).toContain('');
      expect(expected.map((r) => r.sometimes)).toContain(null);
    } finally {
      await session.end();
    }
  });
});
