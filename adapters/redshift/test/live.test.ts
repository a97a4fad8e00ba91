import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterContext, Connection } from '@dvt/core';
import { DEFAULT_CSV } from '@dvt/core';
import { Readable } from 'node:stream';
import adapter from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

/**
 * Against a real Redshift cluster or Serverless workgroup, only when
 * DVT_TEST_REDSHIFT_HOST, DVT_TEST_REDSHIFT_USER, DVT_TEST_REDSHIFT_PASSWORD
 * and DVT_TEST_REDSHIFT_DATABASE are set (DVT_TEST_REDSHIFT_PORT defaults to 5439).
 * The S3-staged load runs too when DVT_TEST_REDSHIFT_S3_BUCKET,
 * DVT_TEST_REDSHIFT_IAM_ROLE and DVT_TEST_REDSHIFT_REGION are set (upload
 * credentials from the AWS SDK's own chain).
 */
const env = process.env;
const missing = ['DVT_TEST_REDSHIFT_HOST', 'DVT_TEST_REDSHIFT_USER', 'DVT_TEST_REDSHIFT_PASSWORD', 'DVT_TEST_REDSHIFT_DATABASE'].filter((k) => !env[k]);
const skip = missing.length > 0 ? `live Redshift tests need ${missing.join(', ')}` : undefined;
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug() {}, info() {}, warn() {} } };

describe.skipIf(skip)(`Redshift live${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = `dvt_live_${Date.now().toString(36)}`;
  let conn: Connection;
  let config: RedshiftConfig;
  beforeAll(async () => {
    config = {
      host: env.DVT_TEST_REDSHIFT_HOST!,
      port: Number(env.DVT_TEST_REDSHIFT_PORT ?? 5439),
      user: env.DVT_TEST_REDSHIFT_USER!,
      password: env.DVT_TEST_REDSHIFT_PASSWORD!,
      dbname: env.DVT_TEST_REDSHIFT_DATABASE!,
      schema,
      sslmode: 'require',
    };
    conn = await adapter.connect(config, ctx);
    await conn.query(`CREATE SCHEMA "${schema}"`);
  });
  afterAll(async () => {
    await conn?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn?.close();
  });

  it('maps SUPER, VARBYTE and timestamptz', async () => {
    await conn.query(`CREATE TABLE "${schema}".t (s super, b varbyte, ts timestamptz, n numeric)`);
    const cols = await conn.catalog!.describe({ schema, identifier: 't' });
    expect(cols?.map((c) => c.type.kind)).toEqual(['json', 'binary', 'timestamptz', 'decimal']);
  });

  it('runs MERGE without a target alias', async () => {
    await conn.query(`CREATE TABLE "${schema}".tgt (id int, v varchar(10)); CREATE TABLE "${schema}".src (id int, v varchar(10));
      INSERT INTO "${schema}".tgt VALUES (1, 'a'); INSERT INTO "${schema}".src VALUES (1, 'b'), (2, 'c')`);
    await conn.query(`MERGE INTO "${schema}".tgt USING "${schema}".src AS s ON tgt.id = s.id
      WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)`);
    expect((await conn.query(`SELECT id, v FROM "${schema}".tgt ORDER BY id`)).rows).toEqual([[1, 'b'], [2, 'c']]);
  });

  it('reads literals with backslashes exactly', async () => {
    const v = 'C:\\dir\\x';
    expect((await conn.query(`SELECT ${adapter.dialect.quoteLiteral(v)}`)).rows).toEqual([[v]]);
  });

  it.skipIf(!env.DVT_TEST_REDSHIFT_S3_BUCKET || !env.DVT_TEST_REDSHIFT_IAM_ROLE)('loads through S3 with COPY', async () => {
    const staged = await adapter.connect(
      { ...config, s3_bucket: env.DVT_TEST_REDSHIFT_S3_BUCKET, iam_role: env.DVT_TEST_REDSHIFT_IAM_ROLE, region: env.DVT_TEST_REDSHIFT_REGION },
      ctx,
    );
    try {
      await staged.query(`CREATE TABLE "${schema}".staged (id int, note varchar(100), at timestamp)`);
      const stats = await staged.bulkLoad!(
        { schema, identifier: 'staged' },
        {
          csv: DEFAULT_CSV,
          columns: [
            { name: 'id', type: { kind: 'integer' } },
            { name: 'note', type: { kind: 'text', length: 100 } },
            { name: 'at', type: { kind: 'timestamp' } },
          ],
          open: () => Readable.from(['id,note,at\n1,"a, ""b""",2024-01-01 00:00:00.5\n2,,2024-01-02 00:00:00\n3,"",\n']),
        },
      );
      expect(stats.rows).toBe(3);
      expect((await staged.query(`SELECT id, note, at FROM "${schema}".staged ORDER BY id`)).rows).toEqual([
        [1, 'a, "b"', '2024-01-01 00:00:00.5'],
        [2, null, '2024-01-02 00:00:00'],
        [3, '', null],
      ]);
    } finally {
      await staged.close();
    }
  });
});
