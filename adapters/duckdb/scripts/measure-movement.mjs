// Measures this adapter's data paths against DuckDB's own CSV reader/writer in
// the same run: node scripts/measure-movement.mjs [rows]  (after `pnpm build`).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { insertBulkLoad, streamExtract } from '@dvt/core';
import adapter from '../dist/index.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = mkdtempSync(path.join(os.tmpdir(), 'dvt-measure-'));
const logger = { debug() {}, info() {}, warn() {} };
const c = await adapter.connect({ path: path.join(dir, 'm.duckdb') }, { projectDir: dir, logger });
const columns = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'customer_id', type: { kind: 'integer' } },
  { name: 'amount', type: { kind: 'decimal', precision: 12, scale: 2 } },
  { name: 'status', type: { kind: 'text' } },
  { name: 'created_at', type: { kind: 'timestamp' } },
  { name: 'note', type: { kind: 'text' } },
];
const ddl = (name) => `create or replace table ${name} (id bigint, customer_id integer, amount decimal(12,2), status varchar, created_at timestamp, note varchar)`;
const csv = path.join(dir, 'rows.csv');
await c.query(`copy (select i as id, (i % 5000)::integer as customer_id, case when i % 10 = 0 then null else (i % 100000) / 100 end::decimal(12,2) as amount,
  ['new','paid','shipped'][i % 3 + 1] as status, timestamp '2020-01-01' + to_microseconds(i * 1000) as created_at,
  'note "' || i || '", with comma\nand ünïcødé' as note from range(${rows}) t(i)) to '${csv}' (format csv, header true)`);
const nullSink = () => new Writable({ write(_c, _e, done) { done(); } });
const spec = { delimiter: ',', header: true, nullString: '', forceQuoteText: false };

async function time(label, fn) {
  const start = performance.now();
  await fn();
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(58)} ${seconds.toFixed(2)} s`);
  return seconds;
}

const base = await time(`baseline: insert from read_csv (explicit columns), ${rows} rows`, async () => {
  await c.query(ddl('baseline'));
  await c.query(`insert into baseline select * from read_csv('${csv}', header = true, columns = {'id': 'BIGINT', 'customer_id': 'INTEGER', 'amount': 'DECIMAL(12,2)', 'status': 'VARCHAR', 'created_at': 'TIMESTAMP', 'note': 'VARCHAR'})`);
});
const load = await time('bulkLoad (file)', async () => {
  await c.query(ddl('loaded'));
  await c.bulkLoad({ schema: 'main', identifier: 'loaded' }, { columns, csv: spec, path: csv });
});
console.log(`  ratio to baseline: ${(load / base).toFixed(2)}x`);
const copyBase = await time('baseline: COPY table TO csv file', () => c.query(`copy loaded to '${path.join(dir, 'out.csv')}' (format csv, header true)`));
const extract = await time('extract (COPY to temp file, piped to a null sink)', () => c.extract('select * from loaded', { csv: spec, stream: nullSink() }));
console.log(`  ratio to baseline: ${(extract / copyBase).toFixed(2)}x`);
await time('stream (all rows through query values, 2048/batch)', async () => {
  let n = 0;
  for await (const b of c.stream('select * from loaded')) n += b.rows.length;
  if (n !== rows) throw new Error(`streamed ${n}`);
});
await time("core default streamExtract (stream -> CSV in JS)", () => streamExtract(c, 'select * from loaded', { csv: spec, stream: nullSink() }));
const small = Math.min(rows, 100_000);
await c.query(`copy (select * from loaded limit ${small}) to '${path.join(dir, 'small.csv')}' (format csv, header true)`);
await time(`core default insertBulkLoad (multi-row INSERT), ${small} rows`, async () => {
  await c.query(ddl('inserted'));
  await insertBulkLoad(c, adapter.dialect, { schema: 'main', identifier: 'inserted' }, { columns, csv: spec, path: path.join(dir, 'small.csv') });
});
await c.close();
rmSync(dir, { recursive: true, force: true });
