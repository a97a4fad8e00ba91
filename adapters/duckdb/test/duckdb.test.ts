import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isDvtError, type AdapterContext, type Connection } from '@dvt/core';
import adapter, { databaseNameForPath, type DuckDBConfig } from '../src/index.js';

const logger = { debug() {}, info() {}, warn() {} };
const work = mkdtempSync(path.join(os.tmpdir(), 'dvt-duckdb-test-'));
const ctx: AdapterContext = { projectDir: work, logger };
const open: Connection[] = [];

async function connect(config: DuckDBConfig): Promise<Connection> {
  const c = await adapter.connect(config, ctx);
  open.push(c);
  return c;
}

afterAll(async () => {
  for (const c of open) await c.close();
  rmSync(work, { recursive: true, force: true });
});

describe('profile', () => {
  it('derives the database name from the file name, as dbt-duckdb does', () => {
    expect(databaseNameForPath(':memory:')).toBe('memory');
    expect(databaseNameForPath('/a/b/jaffle_shop.duckdb')).toBe('jaffle_shop');
    expect(databaseNameForPath('dev.db')).toBe('dev');
    expect(adapter.describeTarget({ path: 'data/warehouse.duckdb', schema: 'analytics' })).toEqual({ database: 'warehouse', schema: 'analytics' });
    expect(adapter.describeTarget({})).toEqual({ database: 'memory', schema: 'main' });
  });

  it('resolves a relative path against the project directory and creates parent directories', async () => {
    const c = await connect({ path: 'nested/dir/project.duckdb' });
    const r = await c.query('select current_database()');
    expect(r.rows[0][0]).toBe('project');
    expect(existsSync(path.join(work, 'nested/dir/project.duckdb'))).toBe(true);
  });

  it('refuses a database name that does not match the file, naming both', async () => {
    const e = await adapter.connect({ path: 'x.duckdb', database: 'other' }, ctx).catch((err: unknown) => err);
    expect(isDvtError(e) && e.kind).toBe('config');
    expect((e as Error).message).toMatch(/`database` is 'other' but the file x.duckdb is attached as 'x'/);
  });

  it('rejects malformed keys with a config error', async () => {
    for (const bad of [{ threads: 0 }, { settings: 'x' }, { extensions: ['json; drop'] }, { attach: [{}] }] as DuckDBConfig[]) {
      const e = await adapter.connect(bad, ctx).catch((err: unknown) => err);
      expect(isDvtError(e) && e.kind, JSON.stringify(bad)).toBe('config');
    }
  });

  it('applies settings to every connection and works in UTC', async () => {
    const c = await connect({ settings: { default_null_order: 'nulls_first_on_asc_last_on_desc', errors_as_json: false } });
    const r = await c.query("select current_setting('default_null_order'), current_setting('TimeZone')");
    expect(r.rows[0]).toEqual(['NULLS_FIRST_ON_ASC_LAST_ON_DESC', 'UTC']);
  });

  it('loads built-in extensions and explains an unavailable one', async () => {
    const c = await connect({ extensions: ['json', 'parquet'] });
    const r = await c.query("select json_extract('{\"a\": 3}', '$.a')::int");
    expect(r.rows[0][0]).toBe(3);
    const e = await adapter.connect({ extensions: ['no_such_extension_dvt'] }, ctx).catch((err: unknown) => err);
    expect(isDvtError(e) && e.kind).toBe('config');
    expect((e as Error).message).toMatch(/extension 'no_such_extension_dvt' is not built in and could not be installed/);
  }, 60_000);
});

describe('instances and attach', () => {
  it('shares one instance per file: a second connection sees uncommitted-free writes at once', async () => {
    const a = await connect({ path: 'shared.duckdb' });
    const b = await connect({ path: './shared.duckdb' });
    await a.query('create table t_shared as select 42 as x');
    expect((await b.query('select x from t_shared')).rows).toEqual([[42]]);
  });

  it('releases the file when the last connection closes', async () => {
    const first = await adapter.connect({ path: 'released.duckdb' }, ctx);
    await first.query('create table kept as select 1 as y');
    await first.close();
    const again = await connect({ path: 'released.duckdb' });
    expect((await again.query('select y from kept')).rows).toEqual([[1]]);
  });

  it('attaches other files, read-only when asked, and canSee follows the attachments', async () => {
    const other = await adapter.connect({ path: 'other.duckdb' }, ctx);
    await other.query('create table facts as select 1 as id');
    await other.close();
    const config: DuckDBConfig = { path: 'main_attach.duckdb', attach: [{ path: 'other.duckdb', alias: 'lake', read_only: true }] };
    const c = await connect(config);
    expect((await c.query('select id from lake.main.facts')).rows).toEqual([[1]]);
    await expect(c.query('create table lake.main.nope as select 1')).rejects.toThrow(/read-only|read only/i);
    const second = await connect(config);
    expect((await second.query('select count(*) from lake.main.facts')).rows[0][0]).toBe(1n);

    expect(adapter.canSee!(config, { type: 'duckdb', config: { path: 'other.duckdb' } })).toBe(true);
    expect(adapter.canSee!(config, { type: 'duckdb', config: { path: './main_attach.duckdb' } })).toBe(true);
    expect(adapter.canSee!(config, { type: 'duckdb', config: { path: 'unrelated.duckdb' } })).toBe(false);
    expect(adapter.canSee!(config, { type: 'postgres', config: { path: 'other.duckdb' } })).toBe(false);
    expect(adapter.canSee!({}, { type: 'duckdb', config: { path: ':memory:' } })).toBe(true);
  });
});

describe('values DuckDB has beyond the canonical set', () => {
  it('converts wide integers, nanosecond timestamps, infinities and nested types', async () => {
    const c = await connect({});
    const r = await c.query(
      `select 170141183460469231731687303715884105727::hugeint h, 18446744073709551615::ubigint ub, 4294967295::uinteger ui, 200::utinyint ut,
              timestamp_ns '2024-01-02 03:04:05.123456789' tns, 'infinity'::date dinf, '-infinity'::timestamp tinf,
              [1, 2] l, {'a': 1} s, 'sad'::enum('sad', 'ok') e, timestamp_ms '2024-01-02 03:04:05.120' tms`,
    );
    expect(r.rows[0]).toEqual([
      170141183460469231731687303715884105727n,
      18446744073709551615n,
      4294967295n,
      200,
      '2024-01-02 03:04:05.123456',
      'infinity',
      '-infinity',
      '[1, 2]',
      "{'a': 1}",
      'sad',
      '2024-01-02 03:04:05.12',
    ]);
    expect(r.columns.map((col) => col.type.kind)).toEqual(['bigint', 'bigint', 'bigint', 'smallint', 'timestamp', 'date', 'timestamp', 'unknown', 'unknown', 'text', 'timestamp']);
  });

  it('reports rowsAffected for DML only', async () => {
    const c = await connect({});
    await c.query('create or replace table ra as select * from range(5) t(i)');
    expect((await c.query('update ra set i = i + 1 where i < 2')).rowsAffected).toBe(2);
    expect((await c.query('select * from ra')).rowsAffected).toBeUndefined();
  });
});

describe('errors and cancellation', () => {
  it('turns engine errors into database DvtErrors', async () => {
    const c = await connect({});
    const e = await c.query('select * from missing_table').catch((err: unknown) => err);
    expect(isDvtError(e) && e.kind).toBe('database');
    expect((e as Error).message).toMatch(/missing_table/);
  });

  it('cancel() interrupts a long query and the connection stays usable', async () => {
    const c = await connect({});
    const long = c.query('select count(*) from range(10000000000) a');
    setTimeout(() => void c.cancel!(), 200);
    await expect(long).rejects.toThrow(/interrupt/i);
    expect((await c.query('select 1')).rows).toEqual([[1]]);
  }, 30_000);

  it('an abort signal interrupts a running query', async () => {
    const c = await connect({});
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    await expect(c.query('select count(*) from range(10000000000) a', [], { signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 30_000);
});

describe('Parquet', () => {
  it('exports a query to Parquet and loads it back by column name', async () => {
    const c = await connect({});
    const file = path.join(work, 'out.parquet');
    const exported = await c.exportFile!("select i as id, 'n' || i as name, i * 1.5 as amount from range(1000) t(i)", { path: file, format: 'parquet' });
    expect(exported.rows).toBe(1000);
    expect(exported.columns.map((col) => col.name)).toEqual(['id', 'name', 'amount']);
    await c.query('create table from_parquet (name varchar, id bigint, amount decimal(18,1))');
    const loaded = await c.loadFile!({ schema: 'main', identifier: 'from_parquet' }, { path: file, format: 'parquet' });
    expect(loaded.rows).toBe(1000);
    expect((await c.query('select sum(id), max(name), sum(amount) from from_parquet')).rows[0]).toEqual([499500n, 'n999', '749250.0']);
  });
});

describe('secrets', () => {
  it('masks secret config values that an engine error echoes', async () => {
    const c = await connect({ password: 'hunter2-in-profile' });
    const e = await c.query("select 'hunter2-in-profile'::integer").catch((err: unknown) => err);
    expect(isDvtError(e) && e.kind).toBe('database');
    expect((e as Error).message).toMatch(/Could not convert string '\*\*\*\*' to INT32/);
  });
});

describe('database name of a file with several dots', () => {
  it('matches what DuckDB itself calls the catalog', async () => {
    const c = await connect({ path: 'my.data.duckdb' });
    expect((await c.query('select current_database()')).rows[0][0]).toBe(databaseNameForPath('my.data.duckdb'));
  });
});

describe('extract and export of model SQL as written', () => {
  it('accepts a trailing semicolon and a trailing line comment', async () => {
    const c = await connect({});
    const chunks: Buffer[] = [];
    const { Writable } = await import('node:stream');
    const stream = new Writable({
      write(chunk: Buffer, _e, done) {
        chunks.push(chunk);
        done();
      },
    });
    const sql = "select 1 as a, 'x' as b -- the model's last line is a comment\n;\n";
    const stats = await c.extract!(sql, { csv: { delimiter: ',', header: true, nullString: '', forceQuoteText: false }, stream });
    expect(stats.rows).toBe(1);
    expect(Buffer.concat(chunks).toString()).toBe('a,b\n1,x\n');
    const exported = await c.exportFile!(sql, { path: path.join(work, 'commented.parquet'), format: 'parquet' });
    expect(exported.rows).toBe(1);
  });
});

describe('catalog', () => {
  it('finds relations case-insensitively, as DuckDB resolves names, and reports their real spelling', async () => {
    const c = await connect({});
    await c.query('create schema if not exists "Sales"; create or replace table "Sales"."Orders" as select 1 as "Id" from range(3)');
    const columns = await c.catalog!.describe({ schema: 'sales', identifier: 'orders' });
    expect(columns?.map((col) => col.name)).toEqual(['Id']);
    const listed = await c.catalog!.listRelations('SALES');
    expect(listed.map((r) => [r.identifier, r.kind, r.stats?.rowCount])).toEqual([['Orders', 'table', 3]]);
  });
});

describe('as core sees it', () => {
  it('passes validateAdapter', async () => {
    const { validateAdapter } = await import('@dvt/core');
    expect(validateAdapter(await import('../src/index.js'), '@dvt/adapter-duckdb')).toBe(adapter);
  });

  it("core's INSERT bulk load names the source and record of a ragged line", async () => {
    const { insertBulkLoad } = await import('@dvt/core');
    const { Readable } = await import('node:stream');
    const c = await connect({});
    await c.query('create or replace table ragged (a integer, b varchar)');
    const columns = [
      { name: 'a', type: { kind: 'integer' as const } },
      { name: 'b', type: { kind: 'text' as const } },
    ];
    const csv = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };
    const e = await insertBulkLoad(c, adapter.dialect, { schema: 'main', identifier: 'ragged' }, { columns, csv, open: () => Readable.from(['a,b\n1,x\n2\n']) }).catch((err: unknown) => err);
    expect(isDvtError(e) && e.message).toBe('the load stream: record 3 has 1 fields, expected 2 (a, b)');
  });
});

describe('stream batching', () => {
  it.each([
    [1, 5, [1, 1, 1, 1, 1]],
    [5000, 12345, [5000, 5000, 2345]],
    [2048, 4096, [2048, 2048]],
    [700, 2100, [700, 700, 700]],
  ])('batchSize %i over %i rows', async (batchSize, total, sizes) => {
    const c = await connect({});
    const seen: number[] = [];
    const values: number[] = [];
    for await (const batch of c.stream(`select i::integer from range(${total}) t(i)`, [], { batchSize })) {
      seen.push(batch.rows.length);
      for (const row of batch.rows) values.push(row[0] as number);
    }
    expect(seen).toEqual(sizes);
    expect(values.every((v, i) => v === i)).toBe(true);
  });
});
