import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdapterContext, Connection } from '@dvt/core';
import adapter from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

/**
 * Against a real Redshift cluster or Serverless workgroup, only when
 * DVT_TEST_REDSHIFT_HOST, DVT_TEST_REDSHIFT_USER, DVT_TEST_REDSHIFT_PASSWORD
 * and DVT_TEST_REDSHIFT_DATABASE are set (DVT_TEST_REDSHIFT_PORT defaults to 5439).
 */
const env = process.env;
const missing = ['DVT_TEST_REDSHIFT_HOST', 'DVT_TEST_REDSHIFT_USER', 'DVT_TEST_REDSHIFT_PASSWORD', 'DVT_TEST_REDSHIFT_DATABASE'].filter((k) => !env[k]);
const skip = missing.length > 0 ? `live Redshift tests need ${missing.join(', ')}` : undefined;
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug() {}, info() {}, warn() {} } };

describe.skipIf(skip)(`Redshift live${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = `dvt_live_${Date.now().toString(36)}`;
  let conn: Connection;
  beforeAll(async () => {
    const config: RedshiftConfig = {
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
    await conn.query(`MERGE INTO "${schema}".tgt USING "${schema}".src AS s ON "${schema}".tgt.id = s.id
      WHEN MATCHED THEN UPDATE SET v = s.v WHEN NOT MATCHED THEN INSERT (id, v) VALUES (s.id, s.v)`);
    expect((await conn.query(`SELECT id, v FROM "${schema}".tgt ORDER BY id`)).rows).toEqual([[1, 'b'], [2, 'c']]);
  });

  it('reads literals with backslashes exactly', async () => {
    const v = 'C:\\dir\\x';
    expect((await conn.query(`SELECT ${adapter.dialect.quoteLiteral(v)}`)).rows).toEqual([[v]]);
  });
});
