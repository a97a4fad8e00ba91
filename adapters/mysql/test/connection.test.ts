import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { CsvWriter, isTextLikeKind, valueToText, withDefaults, type ColumnSpec, type CompleteConnection, type Value } from '@dvt/core';
import adapter, { MysqlConnection, mysqlDialect } from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

const skipReason = await serviceSkipReason(MARIADB);
const dialect = mysqlDialect('mysql');
const schema = uniqueSchema('dvt_mysql');
const q = (id: string) => dialect.quoteIdentifier(id);
const rel = (identifier: string) => dialect.renderRelation({ schema, identifier });

let conn: CompleteConnection;

describe.skipIf(skipReason !== undefined)(`MySQL adapter on MariaDB${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    conn = withDefaults(await adapter.connect({ ...localConfig }, ctx), dialect);
    await conn.query(`create schema ${q(schema)}`);
  });

  afterAll(async () => {
    await conn?.query(`drop schema if exists ${q(schema)}`);
    await conn?.close();
  });

  it('returns every native type in the contract representation, edge values included', async () => {
    const columns: [string, string, string, Value][] = [
      ['b', 'tinyint(1)', '1', true],
      ['ti', 'tinyint', '-128', -128],
      ['usi', 'smallint unsigned', '65535', 65535],
      ['mi', 'mediumint', '-8388608', -8388608],
      ['ui', 'int unsigned', '4294967295', 4294967295n],
      ['bi', 'bigint', '-9223372036854775808', -9223372036854775808n],
      ['ubi', 'bigint unsigned', '18446744073709551615', '18446744073709551615'],
      ['d', 'decimal(65,30)', "'-99999999999999999999999999999999999.000000000000000000000000000001'", '-99999999999999999999999999999999999.000000000000000000000000000001'],
      ['f', 'float', '-0.25', -0.25],
      ['dbl', 'double', '2.5e-300', 2.5e-300],
      ['vc', 'varchar(10)', "'ünï 😀'", 'ünï 😀'],
      ['ch', 'char(3)', "'ab'", 'ab'],
      ['txt', 'mediumtext', "'a\\\\b\\nc'", 'a\\b\nc'],
      ['en', "enum('x','y')", "'y'", 'y'],
      ['st', "set('p','q')", "'p,q'", 'p,q'],
      ['dt', 'date', "'1000-01-01'", '1000-01-01'],
      ['tm', 'time(6)', "'-838:59:59'", '-838:59:59'],
      ['tm2', 'time(6)', "'23:59:59.5'", '23:59:59.5'],
      ['dtt', 'datetime(6)', "'9999-12-31 23:59:59.999999'", '9999-12-31 23:59:59.999999'],
      ['ts', 'timestamp(6) null', "'2038-01-19 03:14:07.999999'", '2038-01-19 03:14:07.999999+00'],
      ['yr', 'year', '2155', 2155],
      ['js', 'json', `'{"a": [1, null]}'`, '{"a": [1, null]}'],
      ['bn', 'varbinary(4)', "X'00ff0a'", new Uint8Array([0, 255, 10])],
      ['bt', 'bit(1)', "b'1'", true],
    ];
    const table = rel('all_types');
    await conn.query(`create table ${table} (${columns.map(([n, t]) => `${q(n)} ${t}`).join(', ')})`);
    await conn.query(`insert into ${table} values (${columns.map((c) => c[2]).join(', ')})`);
    await conn.query(`insert into ${table} () values ()`);
    const result = await conn.query(`select * from ${table}`);
    const got = Object.fromEntries(result.columns.map((c, i) => [c.name, result.rows[0][i]]));
    const nulls = result.rows[1].filter((v) => v !== null).length;
    expect(nulls).toBe(0);
    for (const [name, , , want] of columns) {
      if (want instanceof Uint8Array) expect([...(got[name] as Uint8Array)], name).toEqual([...want]);
      else expect(got[name], name).toEqual(want);
    }
    const kinds = Object.fromEntries(result.columns.map((c) => [c.name, c.type.kind]));
    expect(kinds).toMatchObject({ b: 'boolean', usi: 'integer', ui: 'bigint', ubi: 'decimal', f: 'real', en: 'text', ts: 'timestamptz', js: 'json', bn: 'binary' });
    const described = await conn.catalog.describe({ schema, identifier: 'all_types' });
    expect(described?.map((c) => c.type.kind)).toEqual(result.columns.map((c) => c.type.kind));
  });

  it('several statements in one call answer with the last one (hooks send them so)', async () => {
    const r = await conn.query("set @dvt_a = 41; select @dvt_a + 1 as b, 'x' as c");
    expect(r.columns.map((c) => c.name)).toEqual(['b', 'c']);
    expect(r.rows.map((row) => [Number(row[0]), row[1]])).toEqual([[42, 'x']]);
    const table = rel('multi');
    const d = await conn.query(`create table ${table} (a int); insert into ${table} values (1), (2), (3)`);
    expect(d.rowsAffected).toBe(3);
    const bound = await conn.query(`insert into ${table} values (?); select count(*) from ${table} where a = ?`, [9, 9]);
    expect(bound.rows).toEqual([[1n]]);
  });

  it('a refused login names server and user, never the password', async () => {
    const password = 'sEcr3t-dvt-pw';
    const error = await adapter.connect({ ...localConfig, username: 'dvt_no_such_user', password }, ctx).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/cannot connect to \S+ as dvt_no_such_user: Access denied/);
    expect(`${error?.message}\n${error?.stack}`).not.toContain(password);
  });

  it('the catalog reads comments, row estimates and MariaDB JSON columns', async () => {
    await conn.query(`create table ${rel('commented')} (id int primary key comment 'the key', doc json) comment 'a table'`);
    await conn.query(`insert into ${rel('commented')} values (1, '[]'), (2, '{}')`);
    await conn.query(`analyze table ${rel('commented')}`);
    const listed = await conn.catalog.listRelations(schema);
    const info = listed.find((r) => r.identifier === 'commented');
    expect(info).toMatchObject({ schema, kind: 'table', comment: 'a table' });
    expect(info?.stats?.rowCount).toBe(2);
    const columns = await conn.catalog.describe({ database: 'ignored', schema, identifier: 'commented' });
    expect(columns).toEqual([
      { name: 'id', nativeType: 'int(11)', type: { kind: 'integer' }, nullable: false, comment: 'the key' },
      { name: 'doc', nativeType: 'json', type: { kind: 'json' }, nullable: true },
    ]);
    expect(await conn.catalog.describe({ schema, identifier: 'nope' })).toBeUndefined();
  });

  it('an AbortSignal kills a running statement and the session goes on', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 200);
    await expect(conn.query('select sleep(20)', [], { signal: controller.signal })).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(Number((await conn.query('select 1 as one')).rows[0][0])).toBe(1);
  });

  it('breaking out of a large stream stops the statement instead of reading it to the end', async () => {
    // MariaDB's sequence engine: a billion rows the server would take minutes to send.
    const big = `select a.seq * 1000000 + b.seq * 1000 + c.seq as n from seq_0_to_999 a, seq_0_to_999 b, seq_0_to_999 c`;
    const started = Date.now();
    for await (const batch of conn.stream(big, [], { batchSize: 500 })) {
      expect(batch.rows.length).toBe(500);
      break;
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(Number((await conn.query('select 2 as two')).rows[0][0])).toBe(2);
  });

  describe('bulk load (LOAD DATA LOCAL INFILE)', () => {
    const COLUMNS: ColumnSpec[] = [
      { name: 'id', type: { kind: 'bigint' } },
      { name: 'note', type: { kind: 'text' } },
      { name: 'amount', type: { kind: 'decimal', precision: 18, scale: 4 } },
      { name: 'flag', type: { kind: 'boolean' } },
      { name: 'at', type: { kind: 'timestamp' } },
      { name: 'at_utc', type: { kind: 'timestamptz' } },
      { name: 'payload', type: { kind: 'binary' } },
    ];
    const NOTES = ['', 'NULL', 'null', '\\N', 'back\\slash\\', 'quote " and ""', "it's", 'line\nbreak', 'cr\rlf\r\nend', 'comma, inside', 'ünïcødé 😀', '  padded  ', '"', '\\', 'tab\there'];

    function row(i: number): Value[] {
      const pad = (n: number) => String(n).padStart(2, '0');
      const day = `${1971 + (i % 60)}-${pad((i % 12) + 1)}-${pad((i % 28) + 1)}`;
      const frac = i % 3 === 0 ? '' : `.${String((i * 7919) % 1000000).padStart(6, '0')}`.replace(/0+$/, '').replace(/\.$/, '');
      return [
        BigInt(i) * 1000003n - 9223372036854775807n,
        i % 19 === 7 ? null : NOTES[i % NOTES.length],
        i % 23 === 5 ? null : `${i % 2 ? '-' : ''}${i * 3}.${String(i % 10000).padStart(4, '0')}`,
        i % 29 === 3 ? null : i % 2 === 0,
        `${day} ${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)}${frac}`,
        `${day} ${pad((i + 3) % 24)}:${pad(i % 60)}:00${frac}+00`,
        i % 31 === 11 ? null : new Uint8Array([i % 256, 0, 34, 44, 10, 13, 92].slice(0, i % 8)),
      ];
    }

    function digest(rows: Iterable<Value[]>): string {
      const hash = createHash('sha256');
      for (const r of rows) hash.update(JSON.stringify(r.map((v) => (v instanceof Uint8Array ? `bytes:${Buffer.from(v).toString('hex')}` : typeof v === 'bigint' ? `${v}n` : v))) + '\n');
      return hash.digest('hex');
    }

    async function createTable(name: string): Promise<void> {
      await conn.query(`create table ${rel(name)} (${COLUMNS.map((c) => `${q(c.name)} ${dialect.fromCanonicalType(c.type)}`).join(', ')})`);
    }

    it('100,000 rows round-trip exactly (checksum), awkward text included', async () => {
      const total = 100_000;
      const rows = Array.from({ length: total }, (_, i) => row(i));
      const spec = dialect.capabilities.loadCsv;
      const dir = await mkdtemp(path.join(os.tmpdir(), 'dvt-mysql-'));
      try {
        const file = path.join(dir, 'rows.csv');
        const writer = new CsvWriter(spec, { textColumns: COLUMNS.map((c) => isTextLikeKind(c.type)) });
        const out = createWriteStream(file);
        out.write(writer.header(COLUMNS.map((c) => c.name)));
        for (const r of rows) out.write(writer.row(r.map((v) => (v === null ? null : valueToText(v)))));
        out.end();
        await once(out, 'close');
        await createTable('load_100k');
        const progress: number[] = [];
        const started = performance.now();
        const stats = await conn.bulkLoad({ schema, identifier: 'load_100k' }, { columns: COLUMNS, csv: spec, path: file }, { onProgress: (n) => progress.push(n) });
        const seconds = (performance.now() - started) / 1000;
        console.info(`LOAD DATA of ${total} rows: ${seconds.toFixed(2)} s`);
        expect(stats.rows).toBe(total);
        expect(progress[progress.length - 1]).toBe(total);
        const back: Value[][] = [];
        for await (const batch of conn.stream(`select ${COLUMNS.map((c) => q(c.name)).join(', ')} from ${rel('load_100k')} order by id`, [], { batchSize: 5000 })) back.push(...batch.rows);
        expect(back.length).toBe(total);
        const expected = rows;
        const firstDiff = back.findIndex((r, i) => digest([r]) !== digest([expected[i]]));
        expect(firstDiff === -1 ? 'none' : { at: firstDiff, got: back[firstDiff], want: expected[firstDiff] }).toBe('none');
        expect(digest(back)).toBe(digest(expected));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }, 120_000);

    it('extracts CSV that loads back into the same rows, in each spec', async () => {
      const rows = Array.from({ length: 2000 }, (_, i) => row(i));
      await createTable('extract_src');
      const writer = new CsvWriter(dialect.capabilities.loadCsv, { textColumns: COLUMNS.map((c) => isTextLikeKind(c.type)) });
      const csv = writer.header(COLUMNS.map((c) => c.name)) + rows.map((r) => writer.row(r.map((v) => (v === null ? null : valueToText(v))))).join('');
      await conn.bulkLoad({ schema, identifier: 'extract_src' }, { columns: COLUMNS, csv: dialect.capabilities.loadCsv, open: () => Readable.from([csv]) });
      const select = (table: string) => `select ${COLUMNS.map((c) => q(c.name)).join(', ')} from ${rel(table)} order by id`;
      const specs = [
        { delimiter: ',', header: true, nullString: '', forceQuoteText: false },
        { delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false },
        dialect.capabilities.loadCsv,
      ];
      for (const [i, spec] of specs.entries()) {
        const chunks: Buffer[] = [];
        const sink = new Writable({ write: (chunk, _enc, done) => (chunks.push(Buffer.from(chunk)), done()) });
        // No ORDER BY: the server writes the records (an outer ORDER BY goes through core's writer).
        const stats = await conn.extract(`select ${COLUMNS.map((c) => q(c.name)).join(', ')} from ${rel('extract_src')}`, { csv: spec, stream: sink });
        expect(stats.rows).toBe(rows.length);
        const copy = `extract_copy_${i}`;
        await createTable(copy);
        await conn.bulkLoad({ schema, identifier: copy }, { columns: COLUMNS, csv: spec, open: () => Readable.from([Buffer.concat(chunks)]) });
        const back = (await conn.query(select(copy))).rows;
        expect(digest(back), JSON.stringify(spec)).toBe(digest(rows));
      }
    }, 60_000);

    it('loads with INSERTs where the server refuses LOAD DATA LOCAL (local_infile OFF, MySQL 8 default)', async () => {
      const raw = await adapter.connect({ ...localConfig }, ctx);
      try {
        expect(raw).toBeInstanceOf(MysqlConnection);
        const c = raw as MysqlConnection;
        c.loadDataLocal = false;
        await createTable('load_insert');
        const rows = Array.from({ length: 300 }, (_, i) => row(i));
        const spec = dialect.capabilities.loadCsv;
        const writer = new CsvWriter(spec, { textColumns: COLUMNS.map((col) => isTextLikeKind(col.type)) });
        const csv = writer.header(COLUMNS.map((col) => col.name)) + rows.map((r) => writer.row(r.map((v) => (v === null ? null : valueToText(v))))).join('');
        const stats = await c.bulkLoad({ schema, identifier: 'load_insert' }, { columns: COLUMNS, csv: spec, open: () => Readable.from([csv]) });
        expect(stats.rows).toBe(rows.length);
        const back = (await c.query(`select ${COLUMNS.map((col) => q(col.name)).join(', ')} from ${rel('load_insert')} order by id`)).rows;
        expect(digest(back)).toBe(digest(rows));
      } finally {
        await raw.close();
      }
    });

    it('reads other CSV specs: empty-field NULL, quoted empty string, CRLF line ends', async () => {
      await createTable('load_spec');
      const csv = 'id,note,amount,flag,at,at_utc,payload\r\n1,,,,,,\r\n2,"",1.5,yes,2024-01-01 00:00:00,2024-01-01 05:30:00+05:30,\\x0a\r\n';
      const stats = await conn.bulkLoad({ schema, identifier: 'load_spec' }, { columns: COLUMNS, csv: { delimiter: ',', header: true, nullString: '', forceQuoteText: false }, open: () => Readable.from([csv]) });
      expect(stats.rows).toBe(2);
      const r = await conn.query(`select * from ${rel('load_spec')} order by id`);
      expect(r.rows[0]).toEqual([1n, null, null, null, null, null, null]);
      expect(r.rows[1].slice(0, 6)).toEqual([2n, '', '1.5000', true, '2024-01-01 00:00:00', '2024-01-01 00:00:00+00']);
      expect([...(r.rows[1][6] as Uint8Array)]).toEqual([10]);
    });

    it('a value the server would have to change fails the load and loads nothing', async () => {
      await createTable('load_warn');
      const spec = dialect.capabilities.loadCsv;
      const csv = 'id,note,amount,flag,at,at_utc,payload\n1,"ok",1,true,2024-01-01 00:00:00,NULL,NULL\n2,"bad",not-a-number,true,2024-02-30 00:00:00,NULL,NULL\n';
      await expect(conn.bulkLoad({ schema, identifier: 'load_warn' }, { columns: COLUMNS, csv: spec, open: () => Readable.from([csv]) })).rejects.toThrow(
        /produced \d+ warning\(s\); nothing was loaded.*(Incorrect|Truncated|Data truncated)/,
      );
      expect((await conn.query(`select count(*) from ${rel('load_warn')}`)).rows[0][0]).toBe(0n);
      // Inside the caller's transaction, only the load is undone.
      await conn.query('start transaction');
      await conn.query(`insert into ${rel('load_warn')} (id) values (7)`);
      await expect(conn.bulkLoad({ schema, identifier: 'load_warn' }, { columns: COLUMNS, csv: spec, open: () => Readable.from([csv]) })).rejects.toThrow(/warning/);
      await conn.query('commit');
      expect((await conn.query(`select id from ${rel('load_warn')}`)).rows).toEqual([[7n]]);
    });

    it('text cut to its column fails the load, but 2.5 rounds into an INT silently (so strictLoad is false)', async () => {
      expect(dialect.capabilities.strictLoad).toBe(false);
      await conn.query(`create table ${rel('load_strict')} (n int, s varchar(3))`);
      const columns: ColumnSpec[] = [
        { name: 'n', type: { kind: 'integer' } },
        { name: 's', type: { kind: 'text', length: 3 } },
      ];
      const load = (csv: string) => conn.bulkLoad({ schema, identifier: 'load_strict' }, { columns, csv: dialect.capabilities.loadCsv, open: () => Readable.from([csv]) });
      await expect(load('n,s\n1,"abcd"\n')).rejects.toThrow(/warning/);
      expect((await conn.query(`select count(*) from ${rel('load_strict')}`)).rows[0][0]).toBe(0n);
      await load('n,s\n2.5,"abc"\n');
      expect((await conn.query(`select n from ${rel('load_strict')}`)).rows).toEqual([[3]]);
    });

    it('a malformed record fails with its number', async () => {
      await createTable('load_bad');
      const csv = 'id,note,amount,flag,at,at_utc,payload\n1,"a",1,maybe,NULL,NULL,NULL\n';
      await expect(conn.bulkLoad({ schema, identifier: 'load_bad' }, { columns: COLUMNS, csv: dialect.capabilities.loadCsv, open: () => Readable.from([csv]) })).rejects.toThrow(
        /CSV record 1, column flag: not a boolean/,
      );
    });
  });
});
