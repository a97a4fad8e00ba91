import { readdirSync } from 'node:fs';
import os from 'node:os';
import { PassThrough, Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CSV, type Connection } from '@dvt/core';
import adapter from '../src/index.js';

// Streams reach read_csv and leave COPY TO through named pipes: these are the ways a pipe could
// hang or let a cut-off stream pass for a complete one.

const logger = { debug() {}, info() {}, warn() {} };
let c: Connection;
const columns = [
  { name: 'id', type: { kind: 'bigint' as const } },
  { name: 'note', type: { kind: 'text' as const } },
];
const csvOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${from + i},"n ""${from + i}"", x"\n`).join('');
const leftovers = () => readdirSync(os.tmpdir()).filter((f) => f.startsWith(`dvt-duckdb-${process.pid}-`));

beforeAll(async () => {
  c = await adapter.connect({ path: ':memory:' }, { projectDir: os.tmpdir(), logger });
  await c.query('create table t (id bigint, note varchar)');
});
afterAll(async () => {
  await c.close();
});

describe('bulk load of a stream through a named pipe', () => {
  it('loads a stream larger than a pipe buffer, fed in pieces', async () => {
    await c.query('delete from t');
    const body = csvOf(0, 50_000);
    const pieces = body.match(/[\s\S]{1,7000}/g)!;
    const stats = await c.bulkLoad!({ schema: 'main', identifier: 't' }, { columns, csv: { ...DEFAULT_CSV, header: false }, open: () => Readable.from(pieces) });
    expect(stats.rows).toBe(50_000);
    expect((await c.query("select count(*), max(note) from t where note like 'n \"%\", x'")).rows[0]).toEqual([50_000n, 'n "9999", x']);
    expect(leftovers()).toEqual([]);
  });

  it('a source failing midway fails the load with its error and inserts nothing, even cut at a line end', async () => {
    await c.query('delete from t');
    for (const cut of [csvOf(0, 100), csvOf(0, 100) + '100,"half']) {
      const source = new PassThrough();
      source.write(cut);
      setTimeout(() => source.destroy(new Error('the source went away')), 50);
      await expect(c.bulkLoad!({ schema: 'main', identifier: 't' }, { columns, csv: { ...DEFAULT_CSV, header: false }, open: () => source })).rejects.toThrow('the source went away');
    }
    expect((await c.query('select count(*) from t')).rows[0]![0]).toBe(0n);
  });

  it('a load DuckDB refuses before reading (no such table) fails without hanging on the pipe', async () => {
    const source = Readable.from([csvOf(0, 10)]);
    await expect(c.bulkLoad!({ schema: 'main', identifier: 'missing' }, { columns, csv: { ...DEFAULT_CSV, header: false }, open: () => source })).rejects.toThrow(/missing/);
    expect(leftovers()).toEqual([]);
  });

  it('a bad record fails with DuckDB\'s error while the source still has more to send', async () => {
    const body = csvOf(0, 10) + 'x,y\n' + csvOf(11, 200_000);
    await expect(c.bulkLoad!({ schema: 'main', identifier: 't' }, { columns, csv: { ...DEFAULT_CSV, header: false }, open: () => Readable.from(body.match(/[\s\S]{1,65536}/g)!) })).rejects.toThrow(/Line: 11|conver/i);
  });
});

describe('extraction through a named pipe', () => {
  const collect = () => {
    const chunks: Buffer[] = [];
    return { stream: new Writable({ write: (chunk: Buffer, _e, done) => (chunks.push(chunk), done()) }), text: () => Buffer.concat(chunks).toString() };
  };

  it('streams COPY output to the sink and leaves the sink open', async () => {
    const sink = collect();
    const stats = await c.extract!("select i as id, 'a,' || i as note from range(100000) t(i)", { csv: DEFAULT_CSV, stream: sink.stream });
    expect(stats.rows).toBe(100_000);
    const lines = sink.text().split('\n');
    expect(lines[0]).toBe('id,note');
    expect(lines[100_000]).toBe('99999,"a,99999"');
    expect(sink.stream.writableEnded).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('a query failing while it runs fails the extraction without hanging', async () => {
    const sink = collect();
    await expect(c.extract!("select i, case when i = 5000 then error('boom') else 'x' end as note from range(100000) t(i)", { csv: DEFAULT_CSV, stream: sink.stream })).rejects.toThrow(/boom/);
  });

  it('a sink failing midway fails the extraction with the sink\'s error', async () => {
    let written = 0;
    const sink = new Writable({
      write(chunk: Buffer, _e, done) {
        written += chunk.length;
        done(written > 200_000 ? new Error('the sink is full') : null);
      },
    });
    await expect(c.extract!('select i as id, repeat(\'x\', 50) as note from range(1000000) t(i)', { csv: DEFAULT_CSV, stream: sink })).rejects.toThrow('the sink is full');
    expect(leftovers()).toEqual([]);
  });
});
