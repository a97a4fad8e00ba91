import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { DEFAULT_CSV, DvtError } from '@dvt/core';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import adapter, { PostgresConnection } from '../src/index.js';
import { ctx, localConfig, uniqueSchema } from './helpers.js';

const skip = await serviceSkipReason(POSTGRES);

describe.skipIf(skip)(`PostgreSQL connection${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = uniqueSchema('dvt_pg_conn');
  const q = (t: string) => `"${schema}"."${t}"`;
  let conn: PostgresConnection;
  let tmp: string;

  beforeAll(async () => {
    conn = (await adapter.connect({ ...localConfig, schema }, ctx)) as PostgresConnection;
    await conn.query(`CREATE SCHEMA "${schema}"`);
    tmp = mkdtempSync(path.join(tmpdir(), 'dvt-pg-'));
  });

  afterAll(async () => {
    await conn?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn?.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('reports the server version and merge support from it', async () => {
    const v = Number(conn.serverVersion);
    expect(v).toBeGreaterThan(90000);
    expect(conn.capabilities.merge).toBe(v >= 150000);
  });

  it('returns every type in the contract representation, through query and stream', async () => {
    await conn.query(`CREATE TABLE ${q('types')} (
      i2 smallint, i4 integer, i8 bigint, n numeric, n38 numeric(38,10), r real, d double precision,
      t text, vc varchar(10), c char(3), b boolean, dt date, tm time, ttz timetz, ts timestamp, tstz timestamptz,
      iv interval, j json, jb jsonb, u uuid, by bytea, arr integer[])`);
    const rows = [
      [-32768, -2147483648, -9223372036854775808n, 'NaN', '-1234567890123456789012345678.0123456789', -0, Number.NaN,
        'line1\r\nline2', '\\N', 'NUL', true, '0001-01-01', '00:00:00', '12:00:00+02', '-infinity', 'infinity',
        '1 year 2 mons 3 days 04:05:06.789', '{"a": [1, 2]}', '{"b": "é"}', '123e4567-e89b-12d3-a456-426614174000', new Uint8Array([0, 1, 254, 255]), '{1,NULL,3}'],
      [32767, 2147483647, 9223372036854775807n, '0.000000000000000000000000000001', '9999999999999999999999999999.9999999999', 3.4028234663852886e38, Number.MAX_VALUE,
        'NULL', 'ünïcödé 🎉', 'a  ', false, '9999-12-31', '23:59:59.999999', '00:00:00-05:30', '2024-02-29 23:59:59.123456', '1970-01-01 00:00:00.5+00',
        '-00:00:00.000001', 'null', '[]', '00000000-0000-0000-0000-000000000000', new Uint8Array([]), '{}'],
      Array.from({ length: 22 }, () => null),
    ];
    const placeholders = rows[0].map((_, i) => `$${i + 1}`).join(', ');
    for (const row of rows) {
      const res = await conn.query(`INSERT INTO ${q('types')} VALUES (${placeholders})`, row);
      expect(res.rowsAffected).toBe(1);
    }
    await conn.query(`INSERT INTO ${q('types')} (t, ts, tstz) VALUES ('', '2000-01-01 00:00:00', '2000-01-01 12:00:00+05')`);

    const expected = [
      [-32768, -2147483648, -9223372036854775808n, 'NaN', '-1234567890123456789012345678.0123456789', -0, Number.NaN,
        'line1\r\nline2', '\\N', 'NUL', true, '0001-01-01', '00:00:00', '12:00:00+02', '-infinity', 'infinity',
        '1 year 2 mons 3 days 04:05:06.789', '{"a": [1, 2]}', '{"b": "é"}', '123e4567-e89b-12d3-a456-426614174000', new Uint8Array([0, 1, 254, 255]), '{1,NULL,3}'],
      [32767, 2147483647, 9223372036854775807n, '0.000000000000000000000000000001', '9999999999999999999999999999.9999999999', 3.4028234663852886e38, Number.MAX_VALUE,
        'NULL', 'ünïcödé 🎉', 'a  ', false, '9999-12-31', '23:59:59.999999', '00:00:00-05:30', '2024-02-29 23:59:59.123456', '1970-01-01 00:00:00.5+00',
        '-00:00:00.000001', 'null', '[]', '00000000-0000-0000-0000-000000000000', new Uint8Array([]), '{}'],
      Array.from({ length: 22 }, () => null),
    ];
    const sql = `SELECT * FROM ${q('types')} ORDER BY i2 NULLS LAST, t NULLS FIRST`;
    const res = await conn.query(sql);
    expect(res.rows.slice(0, 3)).toEqual(expected);
    expect(Object.is(res.rows[0][5], -0)).toBe(true);
    // An empty string stays empty; a timestamptz comes back in UTC.
    expect(res.rows[3][7]).toBe('');
    expect(res.rows[3][15]).toBe('2000-01-01 07:00:00+00');
    expect(res.columns.map((c) => c.type.kind)).toEqual([
      'smallint', 'integer', 'bigint', 'decimal', 'decimal', 'real', 'double', 'text', 'text', 'text', 'boolean', 'date', 'time',
      'unknown', 'timestamp', 'timestamptz', 'interval', 'json', 'json', 'uuid', 'binary', 'unknown',
    ]);
    expect(res.columns.find((c) => c.name === 'n38')?.nativeType).toBe('numeric(38,10)');
    expect(res.columns.find((c) => c.name === 'arr')?.nativeType).toBe('integer[]');

    // The catalog names the same types the result columns carry.
    const described = await conn.catalog.describe({ schema, identifier: 'types' });
    expect(described?.map((c) => ({ name: c.name, nativeType: c.nativeType, type: c.type }))).toEqual(res.columns);

    const streamed = [];
    for await (const batch of conn.stream(sql, [], { batchSize: 2 })) {
      expect(batch.columns).toEqual(res.columns.map((c) => (c.name === 'arr' ? c : c)));
      streamed.push(...batch.rows);
    }
    expect(streamed).toEqual(res.rows);
  });

  it('names user-defined types in results, in a stream too', async () => {
    await conn.query(`CREATE TYPE ${q('mood')} AS ENUM ('sad', 'ok', 'happy'); CREATE DOMAIN ${q('positive')} AS integer CHECK (VALUE > 0)`);
    const sql = `SELECT 'ok'::${q('mood')} AS m, 5::${q('positive')} AS p, ARRAY['a']::text[] AS a`;
    const batches = [];
    // The stream comes first, so nothing is cached yet: the names come from a second session.
    for await (const b of conn.stream(sql)) batches.push(b);
    // A domain travels as its base type; the enum and the array are looked up.
    expect(batches[0].columns.map((c) => c.nativeType)).toEqual([`${schema}.mood`, 'integer', 'text[]']);
    expect(batches[0].rows).toEqual([['ok', 5, '{a}']]);
    const res = await conn.query(sql);
    expect(res.columns.map((c) => c.type)).toEqual([
      { kind: 'unknown', native: `${schema}.mood` },
      { kind: 'integer' },
      { kind: 'unknown', native: 'text[]' },
    ]);
  });

  it('binds parameters of every kind losslessly', async () => {
    const res = await conn.query(
      'SELECT $1::int8 AS a, $2::numeric AS b, $3::text AS c, $4::bytea AS d, $5::float8 AS e, $6::boolean AS f, $7::text AS g',
      [-9223372036854775808n, '-0.00000000000000000000000000000000000001', "it's \\ \"q\"", new Uint8Array([9, 0, 10]), Number.NEGATIVE_INFINITY, false, null],
    );
    expect(res.rows[0]).toEqual([-9223372036854775808n, '-0.00000000000000000000000000000000000001', "it's \\ \"q\"", new Uint8Array([9, 0, 10]), -Infinity, false, null]);
  });

  it('agrees with the dialect: literals read back as the values they quote', async () => {
    const values = ["it's", 'back\\slash', 'ünï 🎉', '\r\n', 12345678901234567890n, -0, Number.NaN, true, new Uint8Array([255, 0])];
    const select = values.map((v, i) => `${adapter.dialect.quoteLiteral(v)} AS c${i}`).join(', ');
    const res = await conn.query(`SELECT ${select}`);
    expect(res.rows[0].map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? BigInt(v) : v))).toEqual(values);
    // A fractional JS number is written as a numeric constant, exact in its decimal digits.
    expect((await conn.query(`SELECT ${adapter.dialect.quoteLiteral(0.1)} AS x`)).rows).toEqual([['0.1']]);
  });

  it('runs several statements at once and returns the last result', async () => {
    const res = await conn.query(`CREATE TEMP TABLE multi (x int); INSERT INTO multi VALUES (1), (2); SELECT count(*) AS n FROM multi`);
    expect(res.rows).toEqual([[2n]]);
  });

  it('yields one batch with the columns for an empty result', async () => {
    const batches = [];
    for await (const b of conn.stream('SELECT 1::int AS x WHERE false')) batches.push(b);
    expect(batches).toHaveLength(1);
    expect(batches[0].rows).toEqual([]);
    expect(batches[0].columns.map((c) => c.name)).toEqual(['x']);
  });

  it('streams in bounded batches and frees the session on break', async () => {
    let seen = 0;
    let largest = 0;
    for await (const b of conn.stream('SELECT g FROM generate_series(1, 1000000) g', [], { batchSize: 500 })) {
      seen += b.rows.length;
      largest = Math.max(largest, b.rows.length);
      if (seen >= 2000) break;
    }
    expect(seen).toBe(2000);
    expect(largest).toBe(500);
    // The portal was closed: the session answers the next query at once.
    const res = await conn.query('SELECT 42 AS answer');
    expect(res.rows).toEqual([[42]]);
  });

  it('refuses other statements while a stream is open, and accepts them once it is done', async () => {
    let refused: unknown;
    let rowsSeen = 0;
    for await (const batch of conn.stream('SELECT g FROM generate_series(1, 250) g', [], { batchSize: 100 })) {
      rowsSeen += batch.rows.length;
      if (rowsSeen === 100) refused = await conn.query('SELECT 1').catch((e: unknown) => e);
      // the last, short batch means the portal is complete: the session is free
      if (batch.rows.length < 100) expect((await conn.query('SELECT 5 AS x')).rows).toEqual([[5]]);
    }
    expect(rowsSeen).toBe(250);
    expect(refused).toBeInstanceOf(DvtError);
    expect((refused as Error).message).toMatch(/a stream is still open on this connection/);
    expect((await conn.query('SELECT 6 AS x')).rows).toEqual([[6]]);
  });

  it('cancels a running query when the signal aborts', async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error('stop now')), 200);
    await expect(conn.query('SELECT pg_sleep(10)', [], { signal: controller.signal })).rejects.toThrow('stop now');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await conn.query('SELECT 1 AS ok')).rows).toEqual([[1]]);
  });

  it('a cancel that arrives while the session is idle does not hit the next statement', async () => {
    for (let i = 0; i < 5; i++) {
      await conn.cancel();
      expect((await conn.query('SELECT pg_sleep(0.01), 1 AS x')).rows[0][1]).toBe(1);
    }
  });

  it('cancels a stream when the signal aborts, mid-batch or between batches', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const consume = async () => {
      let n = 0;
      for await (const b of conn.stream('SELECT g, pg_sleep(CASE WHEN g = 3 THEN 10 ELSE 0 END) FROM generate_series(1, 5) g', [], {
        batchSize: 1,
        signal: controller.signal,
      })) {
        n += b.rows.length;
        if (n === 2) setTimeout(() => controller.abort(new Error('abort stream')), 100);
      }
    };
    await expect(consume()).rejects.toThrow('abort stream');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await conn.query('SELECT 2 AS ok')).rows).toEqual([[2]]);

    const second = new AbortController();
    const early = async () => {
      for await (const b of conn.stream('SELECT g FROM generate_series(1, 100) g', [], { batchSize: 10, signal: second.signal })) {
        expect(b.rows).toHaveLength(10);
        second.abort(new Error('between batches'));
      }
    };
    await expect(early()).rejects.toThrow('between batches');
    expect((await conn.query('SELECT 3 AS ok')).rows).toEqual([[3]]);
  });

  it('reports server errors with SQLSTATE and without the password', async () => {
    const err = await conn.query('SELECT * FROM no_such_table_here').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DvtError);
    expect((err as DvtError).kind).toBe('database');
    expect((err as DvtError).message).toMatch(/relation "no_such_table_here" does not exist \(SQLSTATE 42P01\)/);
    expect((err as DvtError).message).toMatch(/at character 15/);

    const secret = 'not-the-real-password-x9';
    const failed = await adapter
      .connect({ ...localConfig, port: 1, password: secret, connect_timeout: 2 }, ctx)
      .catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(DvtError);
    expect((failed as Error).message).toMatch(/cannot connect to 127\.0\.0\.1:1\/test/);
    expect(JSON.stringify(failed)).not.toContain(secret);
    expect((failed as Error).message).not.toContain(secret);
  });

  it('retries the connection as many times as the profile says', async () => {
    const started = Date.now();
    await expect(adapter.connect({ ...localConfig, port: 1, retries: 2, connect_timeout: 1 }, ctx)).rejects.toThrow(/cannot connect to 127\.0\.0\.1:1\/test as/);
    // one pause of a second between the two attempts
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('keeps timestamptz in UTC even when a hook changes the session time zone', async () => {
    const other = await adapter.connect(localConfig, ctx);
    try {
      await other.query(`SET TIME ZONE 'Asia/Kolkata'`);
      const res = await other.query(`SELECT '2024-06-01 12:00:00.5+00'::timestamptz AS t, now() - now() AS zero`);
      expect(res.rows[0][0]).toBe('2024-06-01 12:00:00.5+00');
    } finally {
      await other.close();
    }
  });

  it('applies search_path and role from the profile', async () => {
    const other = await adapter.connect({ ...localConfig, search_path: `"${schema}", public`, role: localConfig.user }, ctx);
    try {
      const res = await other.query(`SELECT current_setting('search_path'), current_user, current_setting('TimeZone')`);
      expect(res.rows[0]).toEqual([`"${schema}", public`, localConfig.user, 'UTC']);
    } finally {
      await other.close();
    }
  });

  it('reads the catalog: schemas, relations with kinds and stats, columns with native types and comments', async () => {
    await conn.query(`CREATE TABLE ${q('cat_t')} (id bigint NOT NULL, "Amount" numeric(12,2), note varchar(20));
      COMMENT ON TABLE ${q('cat_t')} IS 'a table';
      COMMENT ON COLUMN ${q('cat_t')}.id IS 'the key';
      INSERT INTO ${q('cat_t')} SELECT g, g / 100.0, 'n' || g FROM generate_series(1, 1000) g;
      ANALYZE ${q('cat_t')};
      CREATE VIEW ${q('cat_v')} AS SELECT id FROM ${q('cat_t')};
      CREATE MATERIALIZED VIEW ${q('cat_m')} AS SELECT id FROM ${q('cat_t')};
      CREATE TABLE ${q('cat_p')} (id int, at date) PARTITION BY RANGE (at);
      CREATE TABLE ${q('cat_p_2024')} PARTITION OF ${q('cat_p')} FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')`);
    expect(await conn.catalog.listSchemas()).toContain(schema);
    const rels = await conn.catalog.listRelations(schema);
    const byName = Object.fromEntries(rels.map((r) => [r.identifier, r]));
    expect(byName.cat_t).toMatchObject({ schema, database: 'test', kind: 'table', comment: 'a table', stats: { rowCount: 1000 } });
    expect(byName.cat_t.stats?.bytes).toBeGreaterThan(0);
    expect(byName.cat_v.kind).toBe('view');
    expect(byName.cat_m.kind).toBe('materialized_view');
    // a partitioned table is one table; its partitions are not listed
    expect(byName.cat_p.kind).toBe('table');
    expect(byName.cat_p_2024).toBeUndefined();
    expect(await conn.catalog.describe({ schema, identifier: 'cat_t' })).toEqual([
      { name: 'id', nativeType: 'bigint', type: { kind: 'bigint' }, nullable: false, comment: 'the key' },
      { name: 'Amount', nativeType: 'numeric(12,2)', type: { kind: 'decimal', precision: 12, scale: 2 }, nullable: true },
      { name: 'note', nativeType: 'character varying(20)', type: { kind: 'text', length: 20 }, nullable: true },
    ]);
    expect(await conn.catalog.describe({ schema, identifier: 'nope' })).toBeUndefined();
    await conn.query(`DROP VIEW ${q('cat_v')}`);
    expect((await conn.catalog.listRelations(schema)).map((r) => r.identifier)).not.toContain('cat_v');
    await expect(conn.catalog.listSchemas('some_other_db')).rejects.toThrow(/cannot read the catalog of database 'some_other_db'/);
  });

  it('loads 100k rows with COPY FROM STDIN from a file, with a matching checksum', async () => {
    await conn.query(`CREATE UNLOGGED TABLE ${q('load')} (id bigint, amount numeric(12,2), note text, at timestamp)`);
    const file = path.join(tmp, 'load.csv');
    const hash = createHash('sha256');
    const lines = ['id,amount,note,at'];
    for (let i = 1; i <= 100_000; i++) {
      const amount = i % 7 === 0 ? '' : `${Math.floor(i / 3)}.${String(i % 100).padStart(2, '0')}`;
      const note = i % 11 === 0 ? '""' : i % 13 === 0 ? '"say ""hi"",\nthere"' : `n${i}`;
      lines.push(`${i},${amount},${note},2024-01-01 00:00:${String(i % 60).padStart(2, '0')}`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
    const progress: number[] = [];
    const stats = await conn.bulkLoad(
      { schema, identifier: 'load' },
      {
        path: file,
        csv: DEFAULT_CSV,
        columns: [
          { name: 'id', type: { kind: 'bigint' } },
          { name: 'amount', type: { kind: 'decimal', precision: 12, scale: 2 } },
          { name: 'note', type: { kind: 'text' } },
          { name: 'at', type: { kind: 'timestamp' } },
        ],
      },
      { onProgress: (n) => progress.push(n) },
    );
    expect(stats.rows).toBe(100_000);
    expect(progress.at(-1)).toBe(100_000);
    // reported while loading too, in order
    expect(progress.length).toBeGreaterThan(5);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    const res = await conn.query(`SELECT count(*), count(amount), sum(amount)::text, count(*) FILTER (WHERE note = ''),
      count(*) FILTER (WHERE note = E'say "hi",\\nthere'), md5(string_agg(id::text || ':' || coalesce(amount::text, '~') || ':' || note, '|' ORDER BY id))
      FROM ${q('load')}`);
    let expectedSum = 0n;
    const parts: string[] = [];
    for (let i = 1; i <= 100_000; i++) {
      const amount = i % 7 === 0 ? undefined : BigInt(Math.floor(i / 3)) * 100n + BigInt(i % 100);
      if (amount !== undefined) expectedSum += amount;
      const note = i % 11 === 0 ? '' : i % 13 === 0 ? 'say "hi",\nthere' : `n${i}`;
      parts.push(`${i}:${amount === undefined ? '~' : `${amount / 100n}.${String(amount % 100n).padStart(2, '0')}`}:${note}`);
    }
    hash.update(parts.join('|'));
    const md5 = createHash('md5').update(parts.join('|')).digest('hex');
    expect(res.rows[0]).toEqual([
      100_000n,
      BigInt(100_000 - Math.floor(100_000 / 7)),
      `${expectedSum / 100n}.${String(expectedSum % 100n).padStart(2, '0')}`,
      BigInt(Math.floor(100_000 / 11)),
      BigInt(Math.floor(100_000 / 13) - Math.floor(100_000 / 143)),
      md5,
    ]);
  });

  it('loads from a stream with backpressure, and a bad row fails the whole load', async () => {
    await conn.query(`CREATE TABLE ${q('load2')} (id int, label text)`);
    const source = {
      csv: { delimiter: '|', header: false, nullString: 'NULL', forceQuoteText: false },
      columns: [
        { name: 'id', type: { kind: 'integer' } as const },
        { name: 'label', type: { kind: 'text' } as const },
      ],
    };
    const stats = await conn.bulkLoad({ schema, identifier: 'load2' }, { ...source, open: () => Readable.from(['1|NULL\n2|"NULL"\n', '3|x\n']) });
    expect(stats.rows).toBe(3);
    expect((await conn.query(`SELECT id, label FROM ${q('load2')} ORDER BY id`)).rows).toEqual([[1, null], [2, 'NULL'], [3, 'x']]);

    const err = await conn
      .bulkLoad({ schema, identifier: 'load2' }, { ...source, open: () => Readable.from(['4|ok\n', 'five|bad\n']) })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DvtError);
    expect((err as Error).message).toMatch(/invalid input syntax for type integer: "five".*SQLSTATE 22P02/s);
    expect((await conn.query(`SELECT count(*) FROM ${q('load2')}`)).rows).toEqual([[3n]]);
    await expect(conn.bulkLoad({ schema, identifier: 'load2' }, { ...source, columns: [], open: () => Readable.from(['x\n']) })).rejects.toThrow(/no columns given/);
  });

  it('extracts with COPY TO STDOUT in the requested CSV spec, losslessly round-tripping through bulkLoad', async () => {
    await conn.query(`CREATE TABLE ${q('ex')} (id int, flag boolean, note text, amount numeric, at timestamptz, raw bytea);
      INSERT INTO ${q('ex')} VALUES (1, true, 'NULL', 1.10, '2024-01-01 00:00:00+02', '\\x00ff'),
        (2, false, E'a,"b"\\r\\nc', NULL, 'infinity', NULL), (3, NULL, '', -0.000001, NULL, '\\x'), (4, NULL, NULL, 'NaN', NULL, NULL)`);
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const spec = { delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true };
    const stats = await conn.extract(`SELECT * FROM ${q('ex')} ORDER BY id;`, { csv: spec, stream: sink });
    expect(stats.rows).toBe(4);
    expect(stats.columns.map((c) => c.name)).toEqual(['id', 'flag', 'note', 'amount', 'at', 'raw']);
    expect(Buffer.concat(chunks).toString()).toBe(
      'id,flag,note,amount,at,raw\n' +
        '1,true,"NULL",1.10,2023-12-31 22:00:00+00,\\x00ff\n' +
        '2,false,"a,""b""\r\nc",NULL,infinity,NULL\n' +
        '3,NULL,"",-0.000001,NULL,\\x\n' +
        '4,NULL,NULL,NaN,NULL,NULL\n',
    );

    await conn.query(`CREATE TABLE ${q('ex_copy')} (LIKE ${q('ex')})`);
    const pipe = new PassThrough();
    const extracting = conn.extract(`SELECT * FROM ${q('ex')}`, { csv: DEFAULT_CSV, stream: pipe });
    const buffered: Buffer[] = [];
    pipe.on('data', (c: Buffer) => buffered.push(c));
    await extracting;
    const loaded = await conn.bulkLoad(
      { schema, identifier: 'ex_copy' },
      { csv: DEFAULT_CSV, columns: stats.columns.map((c) => ({ name: c.name, type: c.type })), open: () => Readable.from(buffered) },
    );
    expect(loaded.rows).toBe(4);
    const diff = await conn.query(`(SELECT * FROM ${q('ex')} EXCEPT SELECT * FROM ${q('ex_copy')}) UNION ALL (SELECT * FROM ${q('ex_copy')} EXCEPT SELECT * FROM ${q('ex')})`);
    expect(diff.rows).toEqual([]);
  });

  it('aborts a load (nothing appended) and an extraction, leaving the session usable', async () => {
    await conn.query(`CREATE TABLE ${q('abort_load')} (id int)`);
    const controller = new AbortController();
    async function* slowRows() {
      for (let i = 0; ; i++) {
        yield `${i}\n`;
        if (i === 100) controller.abort(new Error('load aborted'));
        await new Promise((r) => setTimeout(r, 1));
      }
    }
    const load = conn.bulkLoad(
      { schema, identifier: 'abort_load' },
      { csv: { ...DEFAULT_CSV, header: false }, columns: [{ name: 'id', type: { kind: 'integer' } }], open: () => Readable.from(slowRows()) },
      { signal: controller.signal },
    );
    await expect(load).rejects.toThrow('load aborted');
    expect((await conn.query(`SELECT count(*) FROM ${q('abort_load')}`)).rows).toEqual([[0n]]);

    const stop = new AbortController();
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    setTimeout(() => stop.abort(new Error('extract aborted')), 200);
    const started = Date.now();
    await expect(
      conn.extract('SELECT g, pg_sleep(CASE WHEN g = 2 THEN 10 ELSE 0 END) FROM generate_series(1, 3) g', { csv: DEFAULT_CSV, stream: sink }, { signal: stop.signal }),
    ).rejects.toThrow('extract aborted');
    expect(Date.now() - started).toBeLessThan(5000);
    expect((await conn.query('SELECT 4 AS ok')).rows).toEqual([[4]]);
  });

  it('extracts a query that ends in a line comment', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        chunks.push(chunk);
        cb();
      },
    });
    const stats = await conn.extract('SELECT 1 AS one, true AS yes -- the answer', { csv: DEFAULT_CSV, stream: sink });
    expect(stats.rows).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe('one,yes\n1,true\n');
  });

  it('pings and closes; a closed connection refuses work clearly', async () => {
    const c = await adapter.connect(localConfig, ctx);
    await c.ping();
    await c.close();
    await c.close();
    await expect(c.query('SELECT 1')).rejects.toThrow(/connection is closed/);
  });
});
