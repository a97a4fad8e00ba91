import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { withDefaults, type ColumnSpec, type CompleteConnection, type CsvSpec } from '@dvt/core';
import adapter, { mysqlDialect } from '../src/index.js';
import { checkedChunks, directLoadFile, directLoadSql, NotDirectlyLoadable } from '../src/direct-load.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

const SEED_CSV: CsvSpec = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };
const COLUMNS: ColumnSpec[] = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'amount', type: { kind: 'decimal', precision: 12, scale: 2 } },
  { name: 'at', type: { kind: 'timestamp' } },
  { name: 'note', type: { kind: 'text' } },
];

/** Feeds `text` to the checker in chunks of each size (default: 1 to 9 bytes); returns what each found. */
async function verdicts(text: string, lineEnd: '\n' | '\r\n' = '\n', sizes = [1, 2, 3, 4, 5, 6, 7, 8, 9]): Promise<string[]> {
  const found = new Set<string>();
  const bytes = Buffer.from(text, 'utf8');
  for (const size of sizes) {
    async function* chunks() {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    }
    const out: Buffer[] = [];
    try {
      for await (const c of checkedChunks(chunks(), 0x2c, lineEnd)) out.push(c);
      expect(Buffer.concat(out).equals(bytes)).toBe(true);
      found.add('ok');
    } catch (e) {
      if (!(e instanceof NotDirectlyLoadable)) throw e;
      found.add(e.message);
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
    expect(await verdicts('id,note\n1,a\n2,""\n3,b\n')).toEqual(['a quoted empty field']);
    expect(await verdicts('id,note\n1,"",x\n')).toEqual(['a quoted empty field']);
    expect(await verdicts('id,note\n1,NULL\n')).toEqual(['an unquoted NULL']);
    expect(await verdicts('id,note\nNULL,x\n')).toEqual(['an unquoted NULL']);
    expect(await verdicts('id,note\n1,a\r\n')).toEqual(['a carriage return outside quotes']);
    expect(await verdicts('id,note\r\n1,a\n', '\r\n')).toEqual(['a line feed without carriage return']);
  });

  it('judges the bytes held back at a chunk boundary with the start of a long next chunk', async () => {
    const sizes = [64, 65, 66, 70, 97, 100, 127, 128, 129, 300];
    const rows = (n: number, eol = '\n') => Array.from({ length: n }, (_, i) => `${i},"a ""b"", c${eol}d"`).join(eol);
    for (const at of [1, 7, 20]) {
      expect(await verdicts(`id,note\n${rows(at)}\n${rows(40)}\n`, '\n', sizes), `ok ${at}`).toEqual(['ok']);
      expect(await verdicts(`id,note\n${rows(at)}\n9,""\n${rows(40)}\n`, '\n', sizes)).toEqual(['a quoted empty field']);
      expect(await verdicts(`id,note\n${rows(at)}\nNULL,x\n${rows(40)}\n`, '\n', sizes)).toEqual(['an unquoted NULL']);
      expect(await verdicts(`id,note\n${rows(at)}\n9,x\r\n${rows(40)}\n`, '\n', sizes)).toEqual(['a carriage return outside quotes']);
      expect(await verdicts(`id,note\r\n${rows(at, '\r\n')}\r\n9,x\n${rows(40, '\r\n')}\r\n`, '\r\n', sizes)).toEqual(['a line feed without carriage return']);
    }
  });

  it('takes only files in the seed convention whose columns need no rewriting', () => {
    expect(directLoadFile({ columns: COLUMNS, csv: SEED_CSV, path: '/x.csv' })).toEqual({ path: '/x.csv', delimiter: 0x2c });
    expect(directLoadFile({ columns: COLUMNS, csv: SEED_CSV, open: () => process.stdin })).toBeUndefined();
    expect(directLoadFile({ columns: COLUMNS, csv: { ...SEED_CSV, nullString: 'NULL' }, path: '/x.csv' })).toBeUndefined();
    expect(directLoadFile({ columns: [...COLUMNS, { name: 'flag', type: { kind: 'boolean' } }], csv: SEED_CSV, path: '/x.csv' })).toBeUndefined();
    expect(directLoadFile({ columns: COLUMNS, csv: { ...SEED_CSV, delimiter: '"' }, path: '/x.csv' })).toBeUndefined();
  });

  it('writes the statement with every field through NULLIF and the header skipped', () => {
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
});
