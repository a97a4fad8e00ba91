import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import type { AdapterContext, Connection, LoadSource } from '@dvt/core';
import { DEFAULT_CSV, DvtError } from '@dvt/core';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import adapter, { copyCanRead, copyFromS3Sql, stagingFromConfig } from '../src/index.js';
import type { RedshiftConfig, S3Staging } from '../src/index.js';

describe('S3 staging settings and COPY text', () => {
  it('reads bucket, prefix, role and keys from the profile', () => {
    expect(stagingFromConfig({})).toBeUndefined();
    expect(stagingFromConfig({ s3_bucket: 's3://my-bucket/dvt/loads', iam_role: 'arn:aws:iam::1:role/r', region: 'eu-west-1' })).toEqual({
      bucket: 'my-bucket',
      prefix: 'dvt/loads/',
      iamRole: 'arn:aws:iam::1:role/r',
      region: 'eu-west-1',
      endpoint: undefined,
      credentials: undefined,
    });
    expect(stagingFromConfig({ s3_bucket: 'b', iam_role: 'r' })?.prefix).toBe('');
    expect(() => stagingFromConfig({ s3_bucket: 'b' })).toThrow(/s3_bucket needs iam_role/);
    expect(() => stagingFromConfig({ s3_bucket: 'b', iam_role: 'r', s3_access_key_id: 'AK' })).toThrow(/go together/);
    expect(adapter.configSchema.find((p) => p.name === 's3_secret_access_key')?.secret).toBe(true);
  });

  it('writes COPY from S3 in the CSV spec of the file', () => {
    const staging: S3Staging = { bucket: 'b', prefix: '', iamRole: "arn:aws:iam::123:role/it's", region: 'eu-west-1' };
    expect(copyFromS3Sql({ schema: 's', identifier: 't' }, ['id', 'Note'], DEFAULT_CSV, 's3://b/k.csv', staging)).toBe(
      [
        `COPY "s"."t" ("id", "Note")`,
        `FROM 's3://b/k.csv'`,
        `IAM_ROLE 'arn:aws:iam::123:role/it''s'`,
        `FORMAT AS CSV`,
        `DELIMITER ','`,
        `NULL AS ''`,
        `IGNOREHEADER 1`,
        `REGION 'eu-west-1'`,
        `DATEFORMAT 'auto'`,
        `TIMEFORMAT 'auto'`,
      ].join('\n'),
    );
    expect(copyCanRead(DEFAULT_CSV)).toBe(true);
    expect(copyCanRead({ delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false })).toBe(false);
  });
});

/** Enough of S3's REST API for one PutObject and one DeleteObject, path-style. */
function fakeS3() {
  const objects = new Map<string, Buffer>();
  const log: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = decodeURIComponent((req.url ?? '').split('?')[0]);
      log.push(`${req.method} ${path}`);
      if (req.method === 'PUT') {
        objects.set(path, Buffer.concat(chunks));
        res.writeHead(200, { ETag: '"fake"' }).end();
      } else if (req.method === 'DELETE') {
        objects.delete(path);
        res.writeHead(204).end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  return { server, objects, log };
}

const skip = await serviceSkipReason(POSTGRES);
const ctx: AdapterContext = { projectDir: process.cwd(), logger: { debug() {}, info() {}, warn() {} } };

describe.skipIf(skip)(`S3-staged load against an S3 stand-in and the local PostgreSQL${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const schema = `dvt_rs_stage_${process.pid}_${Date.now().toString(36)}`;
  const s3 = fakeS3();
  let conn: Connection;

  beforeAll(async () => {
    await new Promise<void>((resolve) => s3.server.listen(0, '127.0.0.1', resolve));
    const config: RedshiftConfig = {
      host: POSTGRES.host,
      port: POSTGRES.port,
      user: process.env.DVT_TEST_PG_USER ?? 'postgres',
      dbname: process.env.DVT_TEST_PG_DATABASE ?? 'test',
      schema,
      s3_bucket: 'staging-bucket/dvt',
      iam_role: 'arn:aws:iam::123456789012:role/dvt-load',
      region: 'us-east-1',
      s3_endpoint: `http://127.0.0.1:${(s3.server.address() as AddressInfo).port}`,
      s3_access_key_id: 'AKIDEXAMPLE',
      s3_secret_access_key: 'not-a-real-secret-key',
    };
    conn = await adapter.connect(config, ctx);
    await conn.query(`CREATE SCHEMA "${schema}"; CREATE TABLE "${schema}".t (id integer, note character varying(100))`);
  });
  afterAll(async () => {
    await conn?.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await conn?.close();
    s3.server.close();
  });

  it('reports the staged load capability', () => {
    expect((conn as unknown as { capabilities: object }).capabilities).toEqual({ bulkLoad: 'stage' });
    expect(conn.bulkLoad).toBeTypeOf('function');
  });

  it('uploads the file, issues COPY FROM S3 with the role, and deletes the object even when COPY fails', async () => {
    const csv = 'id,note\n1,"a, b"\n2,\n';
    const source: LoadSource = {
      csv: DEFAULT_CSV,
      columns: [
        { name: 'id', type: { kind: 'integer' } },
        { name: 'note', type: { kind: 'text', length: 100 } },
      ],
      open: () => Readable.from([Buffer.from(csv)]),
    };
    // PostgreSQL does not know COPY FROM 's3://...': the statement reaches the
    // server (and fails there) only after the upload succeeded.
    const err = await conn.bulkLoad!({ schema, identifier: 't' }, source).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DvtError);
    expect((err as Error).message).toMatch(/syntax error at or near "IAM_ROLE".*SQLSTATE 42601/s);
    expect((err as Error).message).toMatch(/FROM 's3:\/\/staging-bucket\/dvt\/dvt-load-t-[0-9a-f-]+\.csv'/);
    const put = s3.log.find((l) => l.startsWith('PUT '));
    expect(put).toMatch(/^PUT \/staging-bucket\/dvt\/dvt-load-t-[0-9a-f-]+\.csv$/);
    expect(s3.log).toContain(put!.replace('PUT', 'DELETE'));
    expect(s3.objects.size).toBe(0);
  });

  it('keeps the uploaded bytes exactly', async () => {
    const bytes = Buffer.from('id,note\n3,"ünï ""q""\r\nx"\n');
    s3.log.length = 0;
    let seen: Buffer | undefined;
    const originalDelete = s3.objects.delete.bind(s3.objects);
    s3.objects.delete = (key: string) => {
      seen = s3.objects.get(key);
      return originalDelete(key);
    };
    await conn.bulkLoad!(
      { schema, identifier: 't' },
      { csv: DEFAULT_CSV, columns: [{ name: 'id', type: { kind: 'integer' } }, { name: 'note', type: { kind: 'text' } }], open: () => Readable.from([bytes]) },
    ).catch(() => undefined);
    expect(seen?.equals(bytes)).toBe(true);
  });

  it('loads specs COPY cannot state through INSERT instead', async () => {
    s3.log.length = 0;
    const stats = await conn.bulkLoad!(
      { schema, identifier: 't' },
      {
        csv: { delimiter: '\t', header: false, nullString: '\\N', forceQuoteText: false },
        columns: [{ name: 'id', type: { kind: 'integer' } }, { name: 'note', type: { kind: 'text' } }],
        open: () => Readable.from(['7\tseven\n8\t\\N\n']),
      },
    );
    expect(stats.rows).toBe(2);
    expect(s3.log).toEqual([]);
    expect((await conn.query(`SELECT id, note FROM "${schema}".t ORDER BY id`)).rows).toEqual([[7, 'seven'], [8, null]]);
  });
});
