import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES, serviceSkipReason } from '@dvt/adapter-testkit';
import { DvtError } from '@dvt/core';
import { PostgresConnection } from '@dvt/adapter-postgres';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clusterCredentialsRequest, redshiftClientConfig, redshiftFlavor, redshiftIamLogin, regionFromHost } from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

const pgSkip = await serviceSkipReason(POSTGRES);
const host = 'analytics.c0ffee123.eu-west-1.redshift.amazonaws.com';
const base: RedshiftConfig = { host, user: 'dvt', dbname: 'dev', schema: 'public', method: 'iam' };

describe('method: iam request', () => {
  it('asks GetClusterCredentials for the profile user, database and cluster', () => {
    expect(clusterCredentialsRequest({ ...base, cluster_id: 'other', autocreate: true, db_groups: ['analysts'], iam_duration_seconds: 3600 })).toEqual({
      ClusterIdentifier: 'other',
      DbUser: 'dvt',
      DbName: 'dev',
      DurationSeconds: 3600,
      AutoCreate: true,
      DbGroups: ['analysts'],
    });
    // the cluster identifier is the first label of a cluster endpoint
    expect(clusterCredentialsRequest(base)).toMatchObject({ ClusterIdentifier: 'analytics', DurationSeconds: 900, AutoCreate: false });
    expect(regionFromHost(host)).toBe('eu-west-1');
    expect(regionFromHost('db.internal')).toBeUndefined();
  });

  it('says what is missing or out of range', () => {
    expect(() => clusterCredentialsRequest({ ...base, host: 'proxy.internal' })).toThrow(/needs cluster_id/);
    expect(() => clusterCredentialsRequest({ ...base, iam_duration_seconds: 60 })).toThrow(/iam_duration_seconds must be a whole number from 900 to 3600/);
    expect(() => clusterCredentialsRequest({ ...base, host: 'wg.123.eu-west-1.redshift-serverless.amazonaws.com' })).toThrow(/Serverless workgroup use method: database/);
  });
});

/** Enough of the Redshift API (AWS query protocol) for GetClusterCredentials. */
function redshiftApiStandIn(answer: (form: URLSearchParams) => { status: number; body: string }) {
  const seen: { form: URLSearchParams; authorization: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      seen.push({ form, authorization: String(req.headers.authorization ?? '') });
      const { status, body: out } = answer(form);
      res.writeHead(status, { 'content-type': 'text/xml' }).end(out);
    });
  });
  return { server, seen };
}

const ok = (user: string, password: string) => ({
  status: 200,
  body: `<GetClusterCredentialsResponse xmlns="http://redshift.amazonaws.com/doc/2012-12-01/"><GetClusterCredentialsResult><DbUser>${user}</DbUser><DbPassword>${password}</DbPassword><Expiration>2030-01-01T00:00:00Z</Expiration></GetClusterCredentialsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetClusterCredentialsResponse>`,
});

describe('method: iam against a Redshift API stand-in', () => {
  let awsDir: string;
  const saved = { creds: process.env.AWS_SHARED_CREDENTIALS_FILE, config: process.env.AWS_CONFIG_FILE };

  beforeAll(() => {
    // A named profile, as `iam_profile` selects it from ~/.aws/credentials.
    awsDir = mkdtempSync(path.join(tmpdir(), 'dvt-aws-'));
    writeFileSync(path.join(awsDir, 'credentials'), '[dvt-test]\naws_access_key_id = AKIDDVTTEST\naws_secret_access_key = dvt-test-secret\n');
    writeFileSync(path.join(awsDir, 'config'), '');
    process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(awsDir, 'credentials');
    process.env.AWS_CONFIG_FILE = path.join(awsDir, 'config');
  });
  afterAll(() => {
    for (const [key, value] of [['AWS_SHARED_CREDENTIALS_FILE', saved.creds], ['AWS_CONFIG_FILE', saved.config]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    rmSync(awsDir, { recursive: true, force: true });
  });

  const listen = async (api: ReturnType<typeof redshiftApiStandIn>) => {
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  };

  it('signs the request with the named AWS profile and returns the temporary login', async () => {
    const api = redshiftApiStandIn(() => ok('IAM:dvt', 'temporary-pw'));
    const endpoint = await listen(api);
    try {
      const login = await redshiftIamLogin({ ...base, iam_profile: 'dvt-test', autocreate: true, db_groups: ['a', 'b'] }, { endpoint });
      expect(login).toEqual({ user: 'IAM:dvt', password: 'temporary-pw' });
      const [{ form, authorization }] = api.seen;
      expect(Object.fromEntries(form)).toMatchObject({
        Action: 'GetClusterCredentials',
        ClusterIdentifier: 'analytics',
        DbUser: 'dvt',
        DbName: 'dev',
        DurationSeconds: '900',
        AutoCreate: 'true',
        'DbGroups.DbGroup.1': 'a',
        'DbGroups.DbGroup.2': 'b',
      });
      expect(authorization).toMatch(/Credential=AKIDDVTTEST\/\d{8}\/eu-west-1\/redshift\/aws4_request/);
    } finally {
      api.server.close();
    }
  });

  it('turns an API error into a clear message', async () => {
    const api = redshiftApiStandIn(() => ({
      status: 404,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>ClusterNotFound</Code><Message>Cluster analytics not found.</Message></Error><RequestId>r2</RequestId></ErrorResponse>',
    }));
    const endpoint = await listen(api);
    try {
      const err = await redshiftIamLogin({ ...base, iam_profile: 'dvt-test' }, { endpoint }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DvtError);
      expect((err as Error).message).toMatch(/GetClusterCredentials for cluster 'analytics' failed: Cluster analytics not found/);
    } finally {
      api.server.close();
    }
  });

  it.skipIf(pgSkip)(`logs in to the server as the user the API returned${pgSkip ? ` (skipped: ${pgSkip})` : ''}`, async () => {
    const role = `IAM:dvt_${process.pid}_${Date.now().toString(36)}`;
    const admin = { host: POSTGRES.host, port: POSTGRES.port, user: process.env.DVT_TEST_PG_USER ?? 'postgres', database: process.env.DVT_TEST_PG_DATABASE ?? 'test' };
    const setup = await PostgresConnection.open(admin, redshiftFlavor({ staged: false }));
    await setup.query(`CREATE ROLE "${role}" LOGIN`);
    const api = redshiftApiStandIn(() => ok(role, 'temporary-pw'));
    const endpoint = await listen(api);
    try {
      const config: RedshiftConfig = { ...base, host: POSTGRES.host, port: POSTGRES.port, cluster_id: 'analytics', region: 'eu-west-1', dbname: admin.database, iam_profile: 'dvt-test' };
      const login = await redshiftIamLogin(config, { endpoint });
      const session = await PostgresConnection.open(redshiftClientConfig(config, process.cwd(), login), redshiftFlavor({ staged: false }));
      try {
        expect((await session.query('SELECT current_user')).rows).toEqual([[role]]);
      } finally {
        await session.close();
      }
    } finally {
      api.server.close();
      await setup.query(`DROP ROLE IF EXISTS "${role}"`);
      await setup.close();
    }
  });
});
