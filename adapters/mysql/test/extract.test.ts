import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MARIADB, serviceSkipReason } from '@dvt/adapter-testkit';
import { DEFAULT_CSV, parseCsv, streamExtract, type CsvRecord, type CsvSpec, type ExtractStats } from '@dvt/core';
import adapter, { MysqlConnection, mysqlDialect } from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

const skipReason = await serviceSkipReason(MARIADB);
const dialect = mysqlDialect('mariadb');
const schema = uniqueSchema('dvt_mysql_extract');
const q = (id: string) => dialect.quoteIdentifier(id);
const rel = (identifier: string) => dialect.renderRelation({ schema, identifier });

const SPECS: CsvSpec[] = [
  DEFAULT_CSV,
  { delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true },
  { delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false },
];

let conn: MysqlConnection;

/** A sink that keeps what it is given; `slow` delays every write. */
function memorySink(csv: CsvSpec, opts: { slowMs?: number; failOnWrite?: number; highWaterMark?: number } = {}) {
  const chunks: Buffer[] = [];
  let writes = 0;
  let mostBuffered = 0;
  const stream = new Writable({
    highWaterMark: opts.highWaterMark,
    write(chunk: Buffer, _enc, done) {
      writes++;
      if (writes === opts.failOnWrite) return done(new Error('the disk is full'));
      chunks.push(Buffer.from(chunk));
      if (opts.slowMs) setTimeout(done, opts.slowMs);
      else done();
    },
  });
  const write = stream.write.bind(stream);
  stream.write = ((chunk: Buffer, ...rest: never[]) => {
    const ok = write(chunk, ...rest);
    mostBuffered = Math.max(mostBuffered, stream.writableLength);
    return ok;
  }) as typeof stream.write;
  return { sink: { csv, stream }, text: () => Buffer.concat(chunks).toString('utf8'), writes: () => writes, mostBuffered: () => mostBuffered };
}

/** The extraction's records, and whether it went through core's writer (`stream`) instead of the server's records. */
async function extracted(connection: MysqlConnection, sql: string, csv: CsvSpec): Promise<{ records: CsvRecord[]; stats: ExtractStats; viaCore: boolean }> {
  const spy = vi.spyOn(connection, 'stream');
  try {
    const out = memorySink(csv);
    const stats = await connection.extract(sql, out.sink);
    return { records: parseCsv(out.text(), csv), stats, viaCore: spy.mock.calls.length > 0 };
  } finally {
    spy.mockRestore();
  }
}

/** What core's CSV writer makes of the same query: the reference. */
async function referenceRecords(connection: MysqlConnection, sql: string, csv: CsvSpec): Promise<CsvRecord[]> {
  const out = memorySink(csv);
  await streamExtract(connection, sql, out.sink);
  return parseCsv(out.text(), csv);
}

describe.skipIf(skipReason !== undefined)(`extract with server-written CSV records${skipReason ? ` (${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    conn = (await adapter.connect({ ...localConfig }, ctx)) as MysqlConnection;
    await conn.query(`create schema ${q(schema)}`);
  });

  afterAll(async () => {
    await conn?.query(`drop schema if exists ${q(schema)}`);
    await conn?.close();
  });

  it("spells every value as core's CSV writer does, in each spec", async () => {
    const table = rel('all_types');
    await conn.query(
      `create table ${table} (id int, b tinyint(1), bo boolean, bt bit(1), ti tinyint, usi smallint unsigned, zf int(5) zerofill, ` +
        `ubi bigint unsigned, bi bigint, d decimal(65,30), d38 decimal(38,10), f float, dbl double, ` +
        `vc varchar(20) collate utf8mb4_bin, lat varchar(20) character set latin1, uc varchar(20) collate utf8mb4_unicode_ci, txt mediumtext, ` +
        `en enum('x','y',''), st set('p','q'), dt date, tm time(6), tm0 time, dtt datetime(6), dt0 datetime, ts timestamp(6) null, ts0 timestamp null, ` +
        `yr year, js json, bn varbinary(8), bl blob, u uuid, \`we\`\`ird, "name"\` int)`,
    );
    // Zero dates need a lenient sql_mode; the session's own mode comes back after.
    await conn.query(
      `set @dvt_mode = @@session.sql_mode; set session sql_mode = ''; insert into ${table} values ` +
        `(1, 5, true, b'1', -128, 65535, 42, 18446744073709551615, -9223372036854775808, '-99999999999999999999999999999999999.000000000000000000000000000001', ` +
        `1234567890123456789012345678.0123456789, 0.1, 1e20, 'a"b,c', 'ünï', 'x\\r\\ny', 'back\\\\slash "q" 😀 \\n', 'y', 'p,q', '1000-01-01', '-838:59:59', '838:59:59', ` +
        `'9999-12-31 23:59:59.999999', '2024-01-01 00:00:00', '2038-01-19 03:14:07.5', '1970-01-01 00:00:01', 0, '{"a": [1, null]}', X'00ff220a2c', X'5c78', ` +
        `'123e4567-e89b-12d3-a456-426614174000', 1), ` +
        `(2, 0, false, b'0', 127, 0, 0, 0, 9223372036854775807, 0, -0.5, -1.5e-10, 2.5e-300, '', '', '', '', '', '', '0000-00-00', '00:00:00.000000', '-00:00:01', ` +
        `'0000-00-00 00:00:00', '2024-01-01 00:00:00', '2024-01-01 00:00:00.000000', '2024-06-01 12:00:00', 2155, '[]', X'', X'', null, 2), ` +
        `(3, ${Array.from({ length: 31 }, () => 'null').join(', ')}), ` +
        `(4, 1, 1, b'1', 1, 1, 1, 1, 1, 1.5, 1.5, 3.4028235e38, -1.7976931348623157e308, 'NULL', '\\\\N', 'null', '"', ',', '', '2024-02-29', '12:34:56.100000', ` +
        `'12:00:00', '2024-01-01 00:00:00.120000', '2024-01-01 00:00:00', '2024-01-01 00:00:00.000001', '2024-01-01 00:00:00', 1901, '"s"', X'22', X'0d0a', ` +
        `'00000000-0000-0000-0000-000000000000', 4); ` +
        `set session sql_mode = @dvt_mode`,
    );
    const sql = `select * from ${table}`;
    for (const csv of SPECS) {
      const { records, stats, viaCore } = await extracted(conn, sql, csv);
      const want = await referenceRecords(conn, sql, csv);
      expect(viaCore, JSON.stringify(csv)).toBe(false);
      expect(stats.rows).toBe(4);
      expect(stats.columns.map((c) => c.name)).toEqual(['id', 'b', 'bo', 'bt', 'ti', 'usi', 'zf', 'ubi', 'bi', 'd', 'd38', 'f', 'dbl', 'vc', 'lat', 'uc', 'txt', 'en', 'st', 'dt', 'tm', 'tm0', 'dtt', 'dt0', 'ts', 'ts0', 'yr', 'js', 'bn', 'bl', 'u', 'we`ird, "name"']);
      expect(records.length).toBe(want.length);
      const floats = new Set(stats.columns.flatMap((c, i) => (c.type.kind === 'real' || c.type.kind === 'double' ? [i] : [])));
      // FLOAT and DOUBLE keep the server's spelling (1e20 where JavaScript writes 100000000000000000000): the same numbers.
      const comparable = (rs: CsvRecord[]) => rs.map((r) => r.map((v, i) => (floats.has(i) && v !== null && !Number.isNaN(Number(v)) ? Number(v) : v)));
      expect(comparable(records), JSON.stringify(csv)).toEqual(comparable(want));
    }
    const { records } = await extracted(conn, sql, DEFAULT_CSV);
    const byName = (row: number) => Object.fromEntries(records[0].map((name, i) => [name, records[row][i]]));
    expect(byName(1)).toMatchObject({ b: 'true', bt: 'true', zf: '42', ubi: '18446744073709551615', vc: 'a"b,c', txt: 'back\\slash "q" 😀 \n', tm: '-838:59:59', ts: '2038-01-19 03:14:07.5+00', yr: '0', bn: '\\x00ff220a2c', 'we`ird, "name"': '1' });
    expect(byName(2)).toMatchObject({ bt: 'false', vc: '', dt: '0000-00-00', tm: '00:00:00', dtt: '0000-00-00 00:00:00', ts: '2024-01-01 00:00:00+00', bn: '\\x', u: null });
    expect(Object.entries(byName(3)).filter(([name, v]) => name !== 'id' && v !== null)).toEqual([]);
    expect(byName(4)).toMatchObject({ vc: 'NULL', lat: '\\N', tm: '12:34:56.1', dtt: '2024-01-01 00:00:00.12', ts: '2024-01-01 00:00:00.000001+00' });
  });

  it('keeps values longer than a write chunk, in time linear in their quotes, and a bare NULL column', async () => {
    const table = rel('long_values');
    await conn.query(`create table ${table} (id int, body longtext, raw longblob)`);
    // 3 MB with 600,000 quotes, and 1 MB of nothing but quotes: REPLACE() on the server would take minutes.
    await conn.query(
      `insert into ${table} values (1, repeat('ab",\\n', 600000), repeat(x'00ff', 1000000)), (2, 'short', x'01'), (3, null, null), (4, repeat('"', 1000000), '')`,
    );
    const started = Date.now();
    const { records, viaCore } = await extracted(conn, `select id, body, null as nothing, raw from ${table}`, DEFAULT_CSV);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(viaCore).toBe(false);
    expect(records.slice(1).map((r) => [r[0], r[1]?.length, r[2]])).toEqual([
      ['1', 5 * 600000, null],
      ['2', 5, null],
      ['3', undefined, null],
      ['4', 1000000, null],
    ]);
    expect(records[1][1]?.slice(0, 12)).toBe('ab",\nab",\nab');
    expect(records[4][1]).toBe('"'.repeat(1000000));
    expect(records.slice(1).map((r) => r[3])).toEqual([`\\x${'00ff'.repeat(1000000)}`, '\\x01', null, '\\x']);
  }, 30_000);

  it("falls back to core's writer where the server cannot write the records, with the same result", async () => {
    const table = rel('fallbacks');
    await conn.query(`create table ${table} (id int, g point, ip inet4, flags bit(5), note text)`);
    await conn.query(`insert into ${table} values (2, point(1, 2), '10.0.0.1', b'10101', 'b'), (1, null, null, null, 'a')`);
    const cases: [string, CsvSpec][] = [
      // Types without a spelling of their own: geometry, inet4, bit(n > 1).
      [`select id, g from ${table}`, DEFAULT_CSV],
      [`select id, ip from ${table}`, DEFAULT_CSV],
      [`select id, flags from ${table}`, DEFAULT_CSV],
      // A derived table cannot hold two columns of one name.
      [`select id, note, id from ${table}`, DEFAULT_CSV],
      // A derived table would drop the ordering.
      [`select id, note from ${table} order by id`, DEFAULT_CSV],
      // A delimiter that occurs in numbers.
      [`select id, note from ${table}`, { ...DEFAULT_CSV, delimiter: '0' }],
    ];
    for (const [sql, csv] of cases) {
      const { records, stats, viaCore } = await extracted(conn, sql, csv);
      expect(viaCore, sql).toBe(true);
      expect(stats.rows).toBe(2);
      expect(records).toEqual(await referenceRecords(conn, sql, csv));
    }
    const ordered = await extracted(conn, `select id, note from ${table} order by id`, DEFAULT_CSV);
    expect(ordered.records.map((r) => r[0])).toEqual(['id', '1', '2']);
    const duplicated = await extracted(conn, `select id, note, id from ${table}`, DEFAULT_CSV);
    expect(duplicated.records[0]).toEqual(['id', 'note', 'id']);
  });

  it('a query the server refuses fails with its message, and the session goes on', async () => {
    await expect(conn.extract(`select no_such_column from ${rel('all_types')}`, memorySink(DEFAULT_CSV).sink)).rejects.toThrow(/Unknown column 'no_such_column'/);
    expect(Number((await conn.query('select 1 as one')).rows[0][0])).toBe(1);
  });

  it("a connection whose text does not arrive as UTF-8 goes through core's writer", async () => {
    const latin = (await adapter.connect({ ...localConfig, charset: 'latin1' }, ctx)) as MysqlConnection;
    try {
      const sql = `select vc, lat, uc from ${rel('all_types')} where id in (1, 4)`;
      const { records, viaCore } = await extracted(latin, sql, DEFAULT_CSV);
      expect(viaCore).toBe(true);
      expect(records[1]).toEqual(['a"b,c', 'ünï', 'x\r\ny']);
    } finally {
      await latin.close();
    }
  });

  it('waits for a slow sink instead of buffering the result', async () => {
    // About 12 MB of records into a sink that takes 20 ms per write.
    const sql = 'select seq as id, repeat(\'x\', 100) as pad from seq_1_to_120000';
    const out = memorySink(DEFAULT_CSV, { slowMs: 20, highWaterMark: 64 * 1024 });
    const stats = await conn.extract(sql, out.sink);
    expect(stats.rows).toBe(120000);
    expect(parseCsv(out.text(), DEFAULT_CSV).length).toBe(120001);
    // One chunk (1 MiB) waits beyond a full sink at most.
    expect(out.mostBuffered()).toBeLessThan(2.5 * 1024 * 1024);
  }, 60_000);

  it('an AbortSignal mid-stream stops the statement, and the session goes on', async () => {
    // MariaDB's sequence engine: a billion rows the server would take minutes to send.
    const big = 'select a.seq * 1000000 + b.seq * 1000 + c.seq as n from seq_0_to_999 a, seq_0_to_999 b, seq_0_to_999 c';
    const controller = new AbortController();
    const out = memorySink(DEFAULT_CSV);
    const started = Date.now();
    const writes = setInterval(() => {
      if (out.writes() >= 3) controller.abort();
    }, 5);
    try {
      await expect(conn.extract(big, out.sink, { signal: controller.signal })).rejects.toThrow(/abort/i);
    } finally {
      clearInterval(writes);
    }
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(out.writes()).toBeGreaterThanOrEqual(3);
    expect(Number((await conn.query('select 2 as two')).rows[0][0])).toBe(2);
  }, 30_000);

  it('a sink that fails mid-stream fails the extraction with its error, and the session goes on', async () => {
    const big = 'select a.seq * 1000000 + b.seq * 1000 + c.seq as n from seq_0_to_999 a, seq_0_to_999 b, seq_0_to_999 c';
    const out = memorySink(DEFAULT_CSV, { failOnWrite: 4 });
    const started = Date.now();
    await expect(conn.extract(big, out.sink)).rejects.toThrow(/the disk is full/);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(Number((await conn.query('select 3 as three')).rows[0][0])).toBe(3);
  }, 30_000);
});
