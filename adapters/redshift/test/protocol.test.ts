import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import type { AdapterContext, Connection } from '@dvt/core';
import { DEFAULT_CSV, withDefaults } from '@dvt/core';
import { Readable } from 'node:stream';
import adapter from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

/**
 * Redshift speaks PostgreSQL's wire protocol: these tests run the Redshift
 * adapter's session setup, literals, catalog queries and fallbacks against
 * the local PostgreSQL. What only a real cluster can show (SUPER, VARBYTE,
 * MERGE's Redshift rules, S3 COPY) is in live.test.ts.
 */
const skip = await serviceSkipReason(POSTGRES);

const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug() {}, info() {}, warn() {} } };

describe.skipIf(skip)(`Redshift adapter over the PostgreSQL protocol${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = `dvt_rs_${process.pid}_${Date.now().toString(36)}`;
  const config: RedshiftConfig = {
    host: POSTGRES.host,
    port: POSTGRES.port,
    user: process.env.DVT_TEST_PG_USER ?? 'postgres',
    dbname: process.env.DVT_TEST_PG_DATABASE ?? 'test',
    schema,
    search_path: `${schema}, public`,
  };
  let conn: Connection;

  beforeAll(async () => {
    conn = await adapter.connect(config, ctx);
    await conn.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await conn?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn?.close();
  });

  it('prepares the session: UTC, ISO dates, search_path', async () => {
    const res = await conn.query(`SELECT current_setting('TimeZone'), current_setting('DateStyle'), current_setting('search_path')`);
    expect(res.rows[0]).toEqual(['UTC', 'ISO, MDY', `${schema}, public`]);
  });

  it('has no COPY STDIN/STDOUT fast paths: core fills them with INSERT and the stream', async () => {
    expect(conn.bulkLoad).toBeUndefined();
    expect(conn.extract).toBeUndefined();
    const full = withDefaults(conn, adapter.dialect);
    await conn.query(`CREATE TABLE loaded (id integer, label character varying(65535), amount numeric(18,2))`);
    const stats = await full.bulkLoad(
      { schema, identifier: 'loaded' },
      {
        csv: DEFAULT_CSV,
        columns: [
          { name: 'id', type: { kind: 'integer' } },
          { name: 'label', type: { kind: 'text' } },
          { name: 'amount', type: { kind: 'decimal', precision: 18, scale: 2 } },
        ],
        open: () => Readable.from(['id,label,amount\n1,"a\\b ""q""",1.50\n2,,\n3,"",-0.01\n']),
      },
    );
    expect(stats.rows).toBe(3);
    expect((await conn.query('SELECT id, label, amount FROM loaded ORDER BY id')).rows).toEqual([
      [1, 'a\\b "q"', '1.50'],
      [2, null, null],
      [3, '', '-0.01'],
    ]);
  });

  it('writes literals the server reads back exactly, backslashes included', async () => {
    const values = ['plain', "o'clock", 'C:\\dir\\', '\\', '\\\\n'];
    const res = await conn.query(`SELECT ${values.map((v, i) => `${adapter.dialect.quoteLiteral(v)} AS c${i}`).join(', ')}`);
    expect(res.rows[0]).toEqual(values);
  });

  it('reads the catalog with the queries Redshift answers', async () => {
    await conn.query(`CREATE TABLE cat (id bigint NOT NULL, note character varying(30)); COMMENT ON TABLE cat IS 'events';
      COMMENT ON COLUMN cat.note IS 'free text'; CREATE VIEW cat_v AS SELECT id FROM cat`);
    const rels = await conn.catalog!.listRelations(schema);
    expect(rels.map((r) => [r.identifier, r.kind, r.comment])).toEqual([
      ['cat', 'table', 'events'],
      ['cat_v', 'view', undefined],
      ['loaded', 'table', undefined],
    ]);
    expect(await conn.catalog!.describe({ schema, identifier: 'cat' })).toEqual([
      { name: 'id', nativeType: 'bigint', type: { kind: 'bigint' }, nullable: false },
      { name: 'note', nativeType: 'character varying(30)', type: { kind: 'text', length: 30 }, nullable: true, comment: 'free text' },
    ]);
    expect(await conn.catalog!.listSchemas()).toContain(schema);
  });

  it('streams with early break and leaves the session usable', async () => {
    let n = 0;
    for await (const batch of conn.stream('SELECT g FROM generate_series(1, 100000) g', [], { batchSize: 100 })) {
      n += batch.rows.length;
      if (n >= 300) break;
    }
    expect(n).toBe(300);
    expect((await conn.query('SELECT 1 AS one')).rows).toEqual([[1]]);
  });

  it('reports merge support statically (the server version says nothing about Redshift patches)', () => {
    expect(adapter.dialect.capabilities.merge).toBe(true);
    expect((conn as unknown as { capabilities: object }).capabilities).toEqual({});
  });

  it.skip('SUPER and VARBYTE columns (Redshift-only types; see live.test.ts)', () => undefined);
});
