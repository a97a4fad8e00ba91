import type { ConformanceContext, ConformanceSuite } from '../context.js';
import { assertSameValues, numbersSql, show, TYPE_SAMPLES } from '../samples.js';
import { AWKWARD_IDENTIFIERS, AWKWARD_STRINGS } from './dialect.js';
import { typedLiteral, type RowBatch, type Value } from '@dvt/core';

function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

async function collect(batches: AsyncIterable<RowBatch>): Promise<{ rows: Value[][]; batches: number; columns: string[] }> {
  const rows: Value[][] = [];
  let count = 0;
  let columns: string[] = [];
  for await (const batch of batches) {
    count++;
    columns = batch.columns.map((c) => c.name);
    rows.push(...batch.rows);
  }
  return { rows, batches: count, columns };
}

async function stillWorks(ctx: ConformanceContext, what: string): Promise<void> {
  const r = await ctx.connection.query('select 1 as one');
  assert(Number(r.rows[0]?.[0]) === 1, `the connection no longer answers after ${what}`);
}

async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected a rejection');
}

export const connectionSuite: ConformanceSuite = {
  id: 'connection',
  title: 'connection',
  needsConnection: true,
  define(defineCase) {
    defineCase('connection.ping', 'ping answers', async (ctx) => {
      await ctx.connection.ping();
    });

    for (const sample of TYPE_SAMPLES) {
      defineCase(`connection.values.${sample.name}`, `${sample.name} values round-trip through query and stream`, async (ctx) => {
        const { connection, dialect } = ctx;
        const table = ctx.relation(ctx.uniqueName(`v_${sample.name}`));
        const target = dialect.renderRelation(table);
        const native = dialect.fromCanonicalType(sample.type);
        await connection.query(`create table ${target} (id integer, v ${native})`);
        for (const [i, v] of sample.values.entries()) {
          await connection.query(`insert into ${target} (id, v) values (${dialect.placeholder(1)}, ${dialect.placeholder(2)})`, [i, v]);
        }
        const sql = `select v from ${target} order by id`;
        const result = await connection.query(sql);
        assert(result.columns[0]?.type.kind === sample.type.kind, `result column type: expected ${sample.type.kind}, got ${JSON.stringify(result.columns[0]?.type)} (${result.columns[0]?.nativeType})`);
        assertSameValues(`query of ${native}`, sample.type, sample.values, result.rows.map((r) => r[0]));
        const streamed = await collect(connection.stream(sql, [], { batchSize: 2 }));
        assertSameValues(`stream of ${native}`, sample.type, sample.values, streamed.rows.map((r) => r[0]));
        // What query hands out binds back unchanged.
        const echoed = await connection.query(`select v from ${target} where id = ${dialect.placeholder(1)}`, [0]);
        await connection.query(`insert into ${target} (id, v) values (${dialect.placeholder(1)}, ${dialect.placeholder(2)})`, [1000, echoed.rows[0][0]]);
        const again = await connection.query(`select v from ${target} where id = 1000`);
        assertSameValues(`re-bound ${native}`, sample.type, [sample.values[0]], [again.rows[0][0]]);
      });
    }

    defineCase('connection.values.timestamptz-offset', 'a timestamptz bound with an offset comes back in UTC', async (ctx) => {
      const { connection, dialect } = ctx;
      const table = dialect.renderRelation(ctx.relation(ctx.uniqueName('tz_offset')));
      await connection.query(`create table ${table} (v ${dialect.fromCanonicalType({ kind: 'timestamptz' })})`);
      await connection.query(`insert into ${table} (v) values (${dialect.placeholder(1)})`, ['2024-01-01 01:30:00.25+05:30']);
      const r = await connection.query(`select v from ${table}`);
      assert(r.rows[0][0] === '2023-12-31 20:00:00.25+00', `got ${show(r.rows[0][0])}`);
    });

    defineCase('connection.quoted-identifiers', 'awkward identifiers survive as column and table names', async (ctx) => {
      const { connection, dialect } = ctx;
      const select = AWKWARD_IDENTIFIERS.map((id, i) => `${i} as ${dialect.quoteIdentifier(id)}`).join(', ');
      const r = await connection.query(`select ${select}`);
      assert(JSON.stringify(r.columns.map((c) => c.name)) === JSON.stringify(AWKWARD_IDENTIFIERS), `column names came back as ${JSON.stringify(r.columns.map((c) => c.name))}`);
      const relation = ctx.relation(`${ctx.uniqueName('Odd')} "name" ü`);
      const integer = dialect.fromCanonicalType({ kind: 'integer' });
      await connection.query(`create table ${dialect.renderRelation(relation)} (${AWKWARD_IDENTIFIERS.map((id) => `${dialect.quoteIdentifier(id)} ${integer}`).join(', ')})`);
      const columns = await connection.catalog.describe(relation);
      assert(columns, `catalog does not find ${relation.identifier}`);
      assert(JSON.stringify(columns.map((c) => c.name)) === JSON.stringify(AWKWARD_IDENTIFIERS), `described columns: ${JSON.stringify(columns.map((c) => c.name))}`);
    });

    defineCase('connection.literals', 'quoted literals read back as the same values', async (ctx) => {
      const { connection, dialect } = ctx;
      const select = AWKWARD_STRINGS.map((s, i) => `${dialect.quoteLiteral(s)} as c${i}`).join(', ');
      const r = await connection.query(`select ${select}`);
      AWKWARD_STRINGS.forEach((s, i) => assert(r.rows[0][i] === s, `literal ${JSON.stringify(s)} read back as ${show(r.rows[0][i])}`));
      const typed = await connection.query(
        `select ${dialect.quoteLiteral(null)} as n, ${dialect.quoteLiteral(true)} as t, ${dialect.quoteLiteral(-9223372036854775807n)} as b, ${dialect.quoteLiteral(0.5)} as d`,
      );
      const [n, t, b, d] = typed.rows[0];
      assert(n === null, `null literal read back as ${show(n)}`);
      assert(t === true || t === 1 || t === 1n, `true literal read back as ${show(t)}`);
      assert(BigInt(b as bigint) === -9223372036854775807n, `bigint literal read back as ${show(b)}`);
      assert(Number(d) === 0.5, `0.5 literal read back as ${show(d)}`);
    });

    defineCase('connection.typed-literals', "core's typed literals of dates and times insert and compare as the values they spell", async (ctx) => {
      const { connection, dialect } = ctx;
      const table = dialect.renderRelation(ctx.relation(ctx.uniqueName('typed_lit')));
      // Two increasing values per kind, with fractions of seconds; a timestamptz in the contract's UTC form.
      const values = {
        date: ['2024-03-01', '2024-03-02'],
        timestamp: ['2024-03-01 10:00:00.25', '2024-03-01 10:00:00.5'],
        timestamptz: ['2024-03-01 10:00:00.25+00', '2024-03-01 10:00:00.5+00'],
      } as const;
      const kinds = Object.keys(values) as (keyof typeof values)[];
      const literal = (kind: keyof typeof values, i: 0 | 1) => typedLiteral(dialect, values[kind][i], { kind });
      const columns = kinds.map((kind) => `${dialect.quoteIdentifier(kind)} ${dialect.fromCanonicalType({ kind })}`).join(', ');
      await connection.query(`create table ${table} (k ${dialect.fromCanonicalType({ kind: 'integer' })}, ${columns})`);
      for (const i of [0, 1] as const) {
        await connection.query(`insert into ${table} (k, ${kinds.map((k) => dialect.quoteIdentifier(k)).join(', ')}) values (${i}, ${kinds.map((k) => literal(k, i)).join(', ')})`);
      }
      const stored = await connection.query(`select ${kinds.map((k) => dialect.quoteIdentifier(k)).join(', ')} from ${table} order by k`);
      kinds.forEach((kind, c) => assertSameValues(`${kind} inserted as ${literal(kind, 0)}`, { kind }, [...values[kind]], stored.rows.map((r) => r[c]!)));
      for (const kind of kinds) {
        const keys = async (condition: string) => (await connection.query(`select k from ${table} where ${condition} order by k`)).rows.map((r) => Number(r[0]));
        const column = dialect.quoteIdentifier(kind);
        for (const [condition, expected] of [
          [`${column} = ${literal(kind, 1)}`, [1]],
          [`${column} > ${literal(kind, 0)}`, [1]],
          [`${column} < ${literal(kind, 1)}`, [0]],
        ] as const) {
          const found = await keys(condition);
          assert(JSON.stringify(found) === JSON.stringify(expected), `where ${condition}: rows ${JSON.stringify(found)}, expected ${JSON.stringify(expected)}`);
        }
      }
    });

    defineCase('connection.identifier-length', 'a table named with the longest declared identifier works', async (ctx) => {
      const { connection, dialect } = ctx;
      const max = Math.min(dialect.capabilities.maxIdentifierLength, 255);
      const base = ctx.uniqueName('long');
      const name = base + 'x'.repeat(max - base.length);
      await connection.query(`create table ${dialect.renderRelation(ctx.relation(name))} (a ${dialect.fromCanonicalType({ kind: 'integer' })})`);
      const listed = await connection.catalog.listRelations(ctx.schema);
      assert(listed.some((r) => r.identifier === name), `a ${max}-character table name was not kept whole`);
    });

    defineCase('connection.query.error', 'a failing statement rejects with an Error and leaves the connection usable', async (ctx) => {
      const e = await rejects(ctx.connection.query('select * from this_table_does_not_exist_dvt_kit'));
      assert(e instanceof Error && e.message.length > 0, `rejected with ${String(e)}`);
      await stillWorks(ctx, 'an error');
    });

    defineCase('connection.stream.batches', '10,000 rows stream in order, in bounded batches', async (ctx) => {
      const { rows, batches } = await collect(ctx.connection.stream(numbersSql(4), [], { batchSize: 1000 }));
      assert(rows.length === 10000, `streamed ${rows.length} rows`);
      assert(rows.every((r, i) => Number(r[0]) === i), 'rows out of order or wrong');
      assert(batches >= 5, `10,000 rows came in ${batches} batch(es): stream does not batch`);
    });

    defineCase('connection.stream.empty', 'an empty result yields its columns', async (ctx) => {
      const { rows, batches, columns } = await collect(ctx.connection.stream('select 1 as a, 2 as b from (select 1 as x) t where 1 = 0'));
      assert(rows.length === 0, 'rows from an empty result');
      assert(batches >= 1 && JSON.stringify(columns) === '["a","b"]', `columns of the empty result: ${JSON.stringify(columns)} in ${batches} batch(es)`);
    });

    defineCase('connection.stream.break', 'breaking out of a stream releases it', async (ctx) => {
      for (let i = 0; i < 3; i++) {
        let seen = 0;
        for await (const batch of ctx.connection.stream(numbersSql(5), [], { batchSize: 100 })) {
          seen += batch.rows.length;
          break;
        }
        assert(seen > 0 && seen < 100000, `first batch had ${seen} rows`);
        await stillWorks(ctx, 'a break');
      }
      const { rows } = await collect(ctx.connection.stream(numbersSql(2)));
      assert(rows.length === 100, 'a stream after breaking others is incomplete');
    });

    defineCase('connection.stream.interleaved', 'a statement issued while a stream is open never truncates the stream silently', async (ctx) => {
      // Either outcome is fine: the statement is refused with an Error, or it runs
      // and the stream still delivers every row. Not fine: rows lost, or a hang.
      const iterator = ctx.connection.stream(numbersSql(4), [], { batchSize: 100 })[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert(!first.done, 'the stream yielded nothing');
      let seen = first.value.rows.length;
      const interleaved = ctx.connection.query('select 1 as one').then(
        () => 'ran' as const,
        (e: unknown) => (e instanceof Error ? ('refused' as const) : ('rejected with a non-Error' as const)),
      );
      const outcome = await Promise.race([interleaved, new Promise<'hang'>((resolve) => setTimeout(() => resolve('hang'), 10_000))]);
      if (outcome === 'hang') {
        await iterator.return?.();
        await interleaved;
        throw new Error('a query issued during an open stream waited for the stream to end: code that reads a stream and queries in its loop deadlocks');
      }
      assert(outcome !== 'rejected with a non-Error', 'the interleaved statement rejected with something that is not an Error');
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) seen += next.value.rows.length;
      assert(seen === 10000, `the stream delivered ${seen} of 10000 rows after a statement ${outcome === 'ran' ? 'ran' : 'was refused'} in the middle of it`);
      await stillWorks(ctx, 'an interleaved statement');
    }, { timeout: 60_000 });

    defineCase('connection.stream.abort', 'an AbortSignal stops a stream and a query', async (ctx) => {
      const controller = new AbortController();
      let seen = 0;
      const e = await rejects(
        (async () => {
          for await (const batch of ctx.connection.stream(numbersSql(5), [], { batchSize: 100, signal: controller.signal })) {
            seen += batch.rows.length;
            controller.abort();
          }
        })(),
      );
      assert(e instanceof Error, `aborted stream rejected with ${String(e)}`);
      assert(seen < 100000, 'the stream ran to the end despite the abort');
      await stillWorks(ctx, 'an abort');
      const aborted = new AbortController();
      aborted.abort();
      await rejects(ctx.connection.query('select 1 as one', [], { signal: aborted.signal }));
      await stillWorks(ctx, 'a pre-aborted query');
    });

    defineCase('connection.catalog', 'the catalog sees tables and views appear and disappear', async (ctx) => {
      const { connection, dialect } = ctx;
      const table = ctx.relation(ctx.uniqueName('cat_t'));
      const view = ctx.relation(ctx.uniqueName('cat_v'));
      const t = (kind: Parameters<typeof dialect.fromCanonicalType>[0]) => dialect.fromCanonicalType(kind);
      const q = (name: string) => dialect.quoteIdentifier(name);
      await connection.query(
        `create table ${dialect.renderRelation(table)} (${q('id')} ${t({ kind: 'bigint' })}, ${q('amount')} ${t({ kind: 'decimal', precision: 12, scale: 2 })}, ${q('name')} ${t({ kind: 'text' })}, ${q('at')} ${t({ kind: 'timestamp' })})`,
      );
      await connection.query(`create view ${dialect.renderRelation(view)} as select ${q('id')}, ${q('name')} from ${dialect.renderRelation(table)}`);

      const schemas = await connection.catalog.listSchemas();
      assert(schemas.includes(ctx.schema), `listSchemas lacks ${ctx.schema}`);
      const listed = await connection.catalog.listRelations(ctx.schema);
      const kindOf = (id: string) => listed.find((r) => r.identifier === id)?.kind;
      assert(kindOf(table.identifier) === 'table', `${table.identifier} listed as ${kindOf(table.identifier)}`);
      assert(kindOf(view.identifier) === 'view', `${view.identifier} listed as ${kindOf(view.identifier)}`);

      const columns = await connection.catalog.describe(table);
      assert(columns, 'describe found no table');
      const got = columns.map((c) => `${c.name}:${c.type.kind}`).join(',');
      assert(got === 'id:bigint,amount:decimal,name:text,at:timestamp', `described as ${got}`);
      const amount = columns[1].type;
      assert(amount.kind === 'decimal' && amount.precision === 12 && amount.scale === 2, `amount described as ${JSON.stringify(amount)}`);
      const viewColumns = await connection.catalog.describe(view);
      assert(viewColumns?.map((c) => c.name).join(',') === 'id,name', 'view columns');

      await connection.query(`drop view ${dialect.renderRelation(view)}`);
      await connection.query(`drop table ${dialect.renderRelation(table)}`);
      assert((await connection.catalog.describe(table)) === undefined, 'describe of a dropped table is not undefined');
      const after = await connection.catalog.listRelations(ctx.schema);
      assert(!after.some((r) => r.identifier === table.identifier || r.identifier === view.identifier), 'dropped relations still listed');
    });

    defineCase('connection.second-connection', 'a second connection sees committed tables', async (ctx) => {
      const { connection, dialect } = ctx;
      const table = ctx.relation(ctx.uniqueName('shared'));
      await connection.query(`create table ${dialect.renderRelation(table)} (a ${dialect.fromCanonicalType({ kind: 'integer' })})`);
      await connection.query(`insert into ${dialect.renderRelation(table)} (a) values (7)`);
      const other = await ctx.openConnection();
      const r = await other.query(`select a from ${dialect.renderRelation(table)}`);
      assert(Number(r.rows[0]?.[0]) === 7, 'the second connection does not see the row');
    });

    defineCase('connection.rows-affected', 'DML reports rows affected', async (ctx) => {
      const { connection, dialect } = ctx;
      const table = dialect.renderRelation(ctx.relation(ctx.uniqueName('affected')));
      await connection.query(`create table ${table} (a ${dialect.fromCanonicalType({ kind: 'integer' })})`);
      const inserted = await connection.query(`insert into ${table} (a) select n from (${numbersSql(1)}) t`);
      const deleted = await connection.query(`delete from ${table} where a < 3`);
      if (inserted.rowsAffected === undefined && deleted.rowsAffected === undefined) return 'the adapter does not report rowsAffected';
      assert(inserted.rowsAffected === 10 && deleted.rowsAffected === 3, `rowsAffected ${inserted.rowsAffected} / ${deleted.rowsAffected}`);
    });

  },
};
