import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { once } from 'node:events';
import {
  CsvWriter,
  insertBulkLoad,
  isTextLikeKind,
  parseCsv,
  streamExtract,
  textToValue,
  valueToText,
  type ColumnSpec,
  type CsvSpec,
  type ExtractSink,
  type Value,
} from '@dvt/core';
import type { ConformanceContext, ConformanceSuite } from '../context.js';
import { sameValue, show } from '../samples.js';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

/** The table every data-movement case loads: one column per kind movers carry, edge values included. */
export const MOVEMENT_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: { kind: 'bigint' } },
  { name: 'qty', type: { kind: 'integer' } },
  { name: 'amount', type: { kind: 'decimal', precision: 18, scale: 4 } },
  { name: 'ratio', type: { kind: 'double' } },
  { name: 'flag', type: { kind: 'boolean' } },
  { name: 'note', type: { kind: 'text' } },
  { name: 'day', type: { kind: 'date' } },
  { name: 'at', type: { kind: 'timestamp' } },
  { name: 'at_utc', type: { kind: 'timestamptz' } },
  { name: 'payload', type: { kind: 'binary' } },
];

const NOTES = ['', 'plain', 'comma, inside', 'quote " inside', `it's`, 'line\nbreak', 'crlf\r\nend', 'back\\slash', '\\N', 'NULL', 'null', 'ünïcødé 😀', '   padded   ', '"', ',', 'tab\there'];

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Fractions of a second in the contract's form: none, or up to 6 digits without trailing zeros. */
function fraction(i: number): string {
  if (i % 5 === 0) return '';
  const digits = pad((i * 7919) % 1000000, 6).replace(/0+$/, '');
  return digits ? `.${digits}` : '';
}

/** Deterministic rows: row i has the same values on every run and engine. */
export function movementRow(i: number): Value[] {
  const nullable = <T extends Value>(v: T): T | null => (i % 17 === 3 ? null : v);
  const day = `${1970 + (i % 80)}-${pad((i % 12) + 1)}-${pad((i % 28) + 1)}`;
  const micros = fraction(i);
  const extremes: bigint[] = [9223372036854775807n, -9223372036854775807n];
  return [
    i < 2 ? extremes[i] : BigInt(i) * 1000003n,
    nullable(i % 2 === 0 ? i : -i),
    nullable(`${i % 3 === 0 ? '-' : ''}${i * 37}.${pad(i % 10000, 4)}`),
    nullable(i / 8),
    nullable(i % 3 === 0),
    i % 17 === 3 ? null : NOTES[i % NOTES.length],
    nullable(day),
    nullable(`${day} ${pad(i % 24)}:${pad(i % 60)}:${pad((i * 7) % 60)}${micros}`),
    nullable(`${day} ${pad((i + 5) % 24)}:${pad(i % 60)}:00${micros}+00`),
    nullable(new Uint8Array([i % 256, 0, 255, 34, 44, 10].slice(0, (i % 6) + 1))),
  ];
}

function csvText(rows: Value[][], spec: CsvSpec): string {
  const writer = new CsvWriter(spec, { textColumns: MOVEMENT_COLUMNS.map((c) => isTextLikeKind(c.type)) });
  let out = writer.header(MOVEMENT_COLUMNS.map((c) => c.name));
  for (const row of rows) out += writer.row(row.map((v) => (v === null ? null : valueToText(v))));
  return out;
}

async function createMovementTable(ctx: ConformanceContext, prefix: string) {
  const relation = ctx.relation(ctx.uniqueName(prefix));
  const columns = MOVEMENT_COLUMNS.map((c) => `${ctx.dialect.quoteIdentifier(c.name)} ${ctx.dialect.fromCanonicalType(c.type)}`);
  await ctx.connection.query(`create table ${ctx.dialect.renderRelation(relation)} (${columns.join(', ')})`);
  return relation;
}

function selectAllSql(ctx: ConformanceContext, relation: ReturnType<ConformanceContext['relation']>): string {
  return `select ${MOVEMENT_COLUMNS.map((c) => ctx.dialect.quoteIdentifier(c.name)).join(', ')} from ${ctx.dialect.renderRelation(relation)} order by ${ctx.dialect.quoteIdentifier('id')}`;
}

/** Compares a table with the generated rows, value by value (a checksum that says where it differs). */
async function assertTableHolds(ctx: ConformanceContext, relation: ReturnType<ConformanceContext['relation']>, expected: Value[][]): Promise<void> {
  const count = await ctx.connection.query(`select count(*) from ${ctx.dialect.renderRelation(relation)}`);
  assert(Number(count.rows[0][0]) === expected.length, `table holds ${count.rows[0][0]} rows, expected ${expected.length}`);
  const byId = new Map(expected.map((r) => [String(r[0]), r]));
  let checked = 0;
  const problems: string[] = [];
  for await (const batch of ctx.connection.stream(selectAllSql(ctx, relation), [], { batchSize: 1000 })) {
    for (const row of batch.rows) {
      const want = byId.get(String(row[0]));
      if (!want) {
        problems.push(`unexpected id ${show(row[0])}`);
        continue;
      }
      checked++;
      MOVEMENT_COLUMNS.forEach((c, i) => {
        if (problems.length < 10 && !sameValue(c.type, want[i], row[i])) problems.push(`id ${show(row[0])} ${c.name}: expected ${show(want[i])}, got ${show(row[i])}`);
      });
    }
  }
  assert(problems.length === 0, problems.join('; '));
  assert(checked === expected.length, `read back ${checked} of ${expected.length} rows`);
}

function memorySink(csv: CsvSpec): { sink: ExtractSink; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, done) {
      chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
      done();
    },
  });
  return { sink: { csv, stream }, text: () => Buffer.concat(chunks).toString('utf8') };
}

/** Checks extracted CSV against the generated rows (parsed back with the same spec). */
function assertCsvHolds(text: string, csv: CsvSpec, expected: Value[][]): void {
  const records = parseCsv(text, csv);
  if (csv.header) {
    const header = records.shift();
    assert(JSON.stringify(header) === JSON.stringify(MOVEMENT_COLUMNS.map((c) => c.name)), `header ${JSON.stringify(header)}`);
  }
  assert(records.length === expected.length, `extracted ${records.length} records, expected ${expected.length}`);
  const byId = new Map(expected.map((r) => [String(r[0]), r]));
  const problems: string[] = [];
  for (const record of records) {
    const want = byId.get(String(record[0]));
    if (!want) {
      problems.push(`unexpected id ${record[0]}`);
      continue;
    }
    MOVEMENT_COLUMNS.forEach((c, i) => {
      const field = record[i];
      const got = field === null ? null : textToValue(field, c.type);
      if (problems.length < 10 && !sameValue(c.type, want[i], got)) problems.push(`id ${record[0]} ${c.name}: expected ${show(want[i])}, got ${show(got)}`);
    });
  }
  assert(problems.length === 0, problems.join('; '));
}

const EXTRACT_SPECS: { name: string; csv: CsvSpec }[] = [
  { name: 'default', csv: { delimiter: ',', header: true, nullString: '', forceQuoteText: false } },
  { name: 'null-word-forced-quotes', csv: { delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true } },
  { name: 'tab-no-header', csv: { delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false } },
];

export const dataMovementSuite: ConformanceSuite = {
  id: 'movement',
  title: 'data movement (bulk load and extract)',
  needsConnection: true,
  define(defineCase, options) {
    const total = options.bulkRows ?? 3000;
    const rows = Array.from({ length: total }, (_, i) => movementRow(i));

    defineCase(
      'movement.bulk-load.file',
      `bulk load of a ${total}-row CSV file in the engine's loadCsv spec`,
      async (ctx) => {
        const spec = ctx.dialect.capabilities.loadCsv;
        const dir = await mkdtemp(path.join(os.tmpdir(), 'dvt-kit-'));
        try {
          const file = path.join(dir, 'rows.csv');
          const out = createWriteStream(file);
          out.end(csvText(rows, spec));
          await once(out, 'close');
          const relation = await createMovementTable(ctx, 'load_file');
          const progress: number[] = [];
          const stats = await ctx.connection.bulkLoad(relation, { columns: MOVEMENT_COLUMNS, csv: spec, path: file }, { onProgress: (n) => progress.push(n) });
          assert(stats.rows === total, `bulkLoad reported ${stats.rows} rows`);
          assert(progress.length > 0 && progress[progress.length - 1] === total, `onProgress reported ${JSON.stringify(progress.slice(-3))}`);
          await assertTableHolds(ctx, relation, rows);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      },
      { timeout: 120_000 },
    );

    defineCase('movement.bulk-load.stream', 'bulk load from a byte stream, in small chunks', async (ctx) => {
      const spec = ctx.dialect.capabilities.loadCsv;
      const some = rows.slice(0, 300);
      const bytes = Buffer.from(csvText(some, spec), 'utf8');
      const chunks = Array.from({ length: Math.ceil(bytes.length / 777) }, (_, i) => bytes.subarray(i * 777, (i + 1) * 777));
      const relation = await createMovementTable(ctx, 'load_stream');
      const stats = await ctx.connection.bulkLoad(relation, { columns: MOVEMENT_COLUMNS, csv: spec, open: () => Readable.from(chunks) });
      assert(stats.rows === some.length, `bulkLoad reported ${stats.rows} rows`);
      await assertTableHolds(ctx, relation, some);
    });

    defineCase('movement.bulk-load.other-spec', 'bulk load of CSV with a NULL word, forced quotes and no header', async (ctx) => {
      const spec: CsvSpec = { delimiter: ',', header: false, nullString: 'NULL', forceQuoteText: true };
      const some = rows.slice(0, 200);
      const relation = await createMovementTable(ctx, 'load_spec');
      const stats = await ctx.connection.bulkLoad(relation, { columns: MOVEMENT_COLUMNS, csv: spec, open: () => Readable.from([csvText(some, spec)]) });
      assert(stats.rows === some.length, `bulkLoad reported ${stats.rows} rows`);
      await assertTableHolds(ctx, relation, some);
    });

    defineCase('movement.bulk-load.insert-default', "core's INSERT bulk-load default works on this engine", async (ctx) => {
      const spec = ctx.dialect.capabilities.loadCsv;
      const some = rows.slice(0, 500);
      const relation = await createMovementTable(ctx, 'load_insert');
      const stats = await insertBulkLoad(ctx.connection, ctx.dialect, relation, { columns: MOVEMENT_COLUMNS, csv: spec, open: () => Readable.from([csvText(some, spec)]) });
      assert(stats.rows === some.length, `insertBulkLoad reported ${stats.rows} rows`);
      await assertTableHolds(ctx, relation, some);
    });

    defineCase('movement.bulk-load.bad-input', 'a malformed CSV fails the load with an Error', async (ctx) => {
      const spec = ctx.dialect.capabilities.loadCsv;
      const relation = await createMovementTable(ctx, 'load_bad');
      const broken = `${csvText(rows.slice(0, 3), spec)}"unterminated,1\n`;
      let failed = false;
      try {
        await ctx.connection.bulkLoad(relation, { columns: MOVEMENT_COLUMNS, csv: spec, open: () => Readable.from([broken]) });
      } catch (e) {
        failed = e instanceof Error;
      }
      assert(failed, 'a malformed CSV loaded without error');
    });

    for (const { name, csv } of EXTRACT_SPECS) {
      defineCase(`movement.extract.${name}`, `extract writes CSV (${JSON.stringify(csv)})`, async (ctx) => {
        const relation = await createMovementTable(ctx, `extract_${name.replace(/-/g, '_')}`);
        const some = rows.slice(0, 400);
        await insertBulkLoad(ctx.connection, ctx.dialect, relation, { columns: MOVEMENT_COLUMNS, csv: csv, open: () => Readable.from([csvText(some, csv)]) });
        const { sink, text } = memorySink(csv);
        const stats = await ctx.connection.extract(selectAllSql(ctx, relation), sink);
        assert(stats.rows === some.length, `extract reported ${stats.rows} rows`);
        assert(stats.columns.map((c) => c.name).join(',') === MOVEMENT_COLUMNS.map((c) => c.name).join(','), 'extract reported other columns');
        assertCsvHolds(text(), csv, some);
        const fallback = memorySink(csv);
        const viaDefault = await streamExtract(ctx.connection, selectAllSql(ctx, relation), fallback.sink);
        assert(viaDefault.rows === some.length, `core's streamed extract reported ${viaDefault.rows} rows`);
        assertCsvHolds(fallback.text(), csv, some);
      });
    }
  },
};
