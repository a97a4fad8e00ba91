import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '@dvt/core';
import adapter, { canonicalToRedshift, quoteRedshiftLiteral, redshiftBuild, redshiftClientConfig, redshiftToCanonical } from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

const base: RedshiftConfig = { host: 'c1.abc.eu-west-1.redshift.amazonaws.com', user: 'u', password: 'pw', dbname: 'dev', schema: 'analytics' };

describe('Redshift dialect', () => {
  it('keeps literals independent of backslash escaping', () => {
    expect(quoteRedshiftLiteral("it's")).toBe("'it''s'");
    expect(quoteRedshiftLiteral('C:\\tmp\\')).toBe("('C:' || chr(92) || 'tmp' || chr(92) || '')");
    expect(quoteRedshiftLiteral(new Uint8Array([1, 171]))).toBe("from_hex('01ab')");
    expect(quoteRedshiftLiteral(7n)).toBe('7');
    expect(quoteRedshiftLiteral(null)).toBe('NULL');
  });

  it('declares Redshift limits and fast paths', () => {
    const caps = adapter.dialect.capabilities;
    expect(caps.maxIdentifierLength).toBe(127);
    expect(caps.bulkLoad).toBe('insert');
    expect(caps.extract).toBe('stream');
    expect(caps.merge).toBe(true);
    expect(caps.incrementalStrategies).toEqual(['append', 'delete+insert', 'merge', 'microbatch']);
    expect(adapter.parentTypes).toEqual(['postgres']);
  });

  const reads: [string, CanonicalType][] = [
    ['super', { kind: 'json' }],
    ['varbyte', { kind: 'binary' }],
    ['varbyte(1024)', { kind: 'binary' }],
    ['numeric', { kind: 'decimal', precision: 18, scale: 0 }],
    ['numeric(38,6)', { kind: 'decimal', precision: 38, scale: 6 }],
    ['text', { kind: 'text', length: 256 }],
    ['varchar(max)', { kind: 'text', length: 65535 }],
    ['character varying(65535)', { kind: 'text', length: 65535 }],
    ['timestamp with time zone', { kind: 'timestamptz' }],
    ['timestamptz', { kind: 'timestamptz' }],
    ['geometry', { kind: 'unknown', native: 'geometry' }],
  ];
  it.each(reads)('reads %s', (native, type) => expect(redshiftToCanonical(native)).toEqual(type));

  const writes: [CanonicalType, string][] = [
    [{ kind: 'text' }, 'character varying(65535)'],
    [{ kind: 'text', length: 100000 }, 'character varying(65535)'],
    [{ kind: 'decimal' }, 'numeric(38,10)'],
    [{ kind: 'decimal', precision: 50, scale: 4 }, 'numeric(38,4)'],
    [{ kind: 'json' }, 'super'],
    [{ kind: 'binary' }, 'varbyte'],
    [{ kind: 'uuid' }, 'character(36)'],
    [{ kind: 'interval' }, 'character varying(64)'],
    [{ kind: 'timestamptz' }, 'timestamp with time zone'],
  ];
  it.each(writes.map(([t, n]) => [JSON.stringify(t), t, n] as const))('writes %s', (_, type, native) => expect(canonicalToRedshift(type)).toBe(native));

  it('round-trips the kinds Redshift stores as themselves', () => {
    const kinds: CanonicalType[] = [
      { kind: 'boolean' }, { kind: 'smallint' }, { kind: 'integer' }, { kind: 'bigint' }, { kind: 'decimal', precision: 12, scale: 2 },
      { kind: 'real' }, { kind: 'double' }, { kind: 'text', length: 10 }, { kind: 'date' }, { kind: 'time' }, { kind: 'timestamp' },
      { kind: 'timestamptz' }, { kind: 'json' }, { kind: 'binary' },
    ];
    for (const k of kinds) expect(redshiftToCanonical(canonicalToRedshift(k))).toEqual(k);
  });

  it('reads the Redshift build from version()', () => {
    expect(redshiftBuild('PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc (GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.62312')).toBe('1.0.62312');
    expect(redshiftBuild('PostgreSQL 15.8 on x86_64-pc-linux-gnu')).toBeUndefined();
  });
});

describe('Redshift profile', () => {
  it('declares dbt-redshift keys plus the S3 staging extras', () => {
    const names = adapter.configSchema.map((p) => p.name);
    for (const key of ['host', 'port', 'user', 'password', 'dbname', 'schema', 'method', 'cluster_id', 'iam_profile', 'iam_duration_seconds', 'autocreate', 'db_groups', 'region', 'sslmode', 'ra3_node', 'autocommit', 'connect_timeout', 'role', 's3_bucket', 'iam_role']) {
      expect(names).toContain(key);
    }
    expect(adapter.configSchema.find((p) => p.name === 'port')?.default).toBe(5439);
    expect(adapter.configSchema.find((p) => p.name === 'password')?.secret).toBe(true);
  });

  it('connects on 5439 by default and refuses what it cannot do, clearly', () => {
    expect(redshiftClientConfig(base, '/')).toMatchObject({ port: 5439, database: 'dev', ssl: false });
    expect(() => redshiftClientConfig({ ...base, method: 'iam', cluster_id: 'c1' }, '/')).toThrow(/needs the temporary credentials/);
    expect(redshiftClientConfig({ ...base, method: 'iam', cluster_id: 'c1' }, '/', { user: 'IAM:u', password: 'tmp' })).toMatchObject({ user: 'IAM:u', password: 'tmp' });
    expect(() => redshiftClientConfig({ ...base, method: 'kerberos' as never }, '/')).toThrow(/method must be 'database' or 'iam'/);
    expect(() => redshiftClientConfig({ ...base, autocommit: false }, '/')).toThrow(/autocommit: false is not supported/);
  });

  it('sees relations on the same cluster and database only', () => {
    expect(adapter.canSee!(base, { type: 'redshift', config: { ...base, schema: 'raw' } })).toBe(true);
    expect(adapter.canSee!(base, { type: 'redshift', config: { ...base, port: 5439 } })).toBe(true);
    expect(adapter.canSee!(base, { type: 'redshift', config: { ...base, dbname: 'other' } })).toBe(false);
    expect(adapter.canSee!(base, { type: 'postgres', config: { ...base } })).toBe(false);
  });

  it('sees the other databases of the cluster on RA3 nodes', () => {
    const ra3 = { ...base, ra3_node: true };
    expect(adapter.canSee!(ra3, { type: 'redshift', config: { ...base, dbname: 'raw' } })).toBe(true);
    expect(adapter.canSee!(ra3, { type: 'redshift', config: { ...base, dbname: undefined, database: 'raw' } })).toBe(true);
    expect(adapter.canSee!(ra3, { type: 'redshift', config: { ...base, host: 'other-cluster', dbname: 'raw' } })).toBe(false);
    expect(adapter.canSee!(ra3, { type: 'postgres', config: { ...base, dbname: 'raw' } })).toBe(false);
  });

  it('describes its target', () => {
    expect(adapter.describeTarget(base)).toEqual({ database: 'dev', schema: 'analytics' });
  });
});
