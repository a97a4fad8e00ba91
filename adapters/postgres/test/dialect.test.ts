import { describe, expect, it } from 'vitest';
import type { CanonicalType } from '@dvt/core';
import { DEFAULT_CSV } from '@dvt/core';
import adapter, {
  builtinTypeName,
  canonicalToPostgres,
  clientConfig,
  copyFromStdinSql,
  copyToStdoutSql,
  decoderFor,
  OID,
  postgresToCanonical,
  quotePostgresIdentifier,
  quotePostgresLiteral,
  sslOptions,
  stripTrailingSemicolons,
  toDriverParam,
} from '../src/index.js';
import type { PostgresConfig } from '../src/index.js';

const base: PostgresConfig = { host: 'db.example', user: 'u', password: 's3cret', dbname: 'analytics', schema: 'dbt' };

describe('quoting', () => {
  it('doubles embedded double quotes and keeps case', () => {
    expect(quotePostgresIdentifier('Orders')).toBe('"Orders"');
    expect(quotePostgresIdentifier('a"b')).toBe('"a""b"');
    expect(() => quotePostgresIdentifier('a\0b')).toThrow(/NUL/);
  });

  it('writes literals for standard_conforming_strings', () => {
    expect(quotePostgresLiteral("it's")).toBe("'it''s'");
    expect(quotePostgresLiteral('C:\\temp')).toBe("'C:\\temp'");
    expect(quotePostgresLiteral(null)).toBe('NULL');
    expect(quotePostgresLiteral(true)).toBe('TRUE');
    expect(quotePostgresLiteral(12345678901234567890n)).toBe('12345678901234567890');
    expect(quotePostgresLiteral(1.5)).toBe('1.5');
    expect(quotePostgresLiteral(Number.NaN)).toBe("'NaN'::double precision");
    expect(quotePostgresLiteral(-Infinity)).toBe("'-Infinity'::double precision");
    expect(quotePostgresLiteral(-0)).toBe("'-0'::double precision");
    expect(quotePostgresLiteral(new Uint8Array([0, 255, 16]))).toBe("'\\x00ff10'::bytea");
    expect(() => quotePostgresLiteral('a\0')).toThrow(/NUL/);
  });

  it('renders relations part by part and uses $n placeholders', () => {
    expect(adapter.dialect.renderRelation({ database: 'db', schema: 'My Schema', identifier: 't' })).toBe('"db"."My Schema"."t"');
    expect(adapter.dialect.renderRelation({ schema: 's', identifier: 't' })).toBe('"s"."t"');
    expect(adapter.dialect.placeholder(3)).toBe('$3');
  });
});

describe('type map', () => {
  const cases: [string, CanonicalType][] = [
    ['smallint', { kind: 'smallint' }],
    ['int2', { kind: 'smallint' }],
    ['integer', { kind: 'integer' }],
    ['int4', { kind: 'integer' }],
    ['serial', { kind: 'integer' }],
    ['bigint', { kind: 'bigint' }],
    ['int8', { kind: 'bigint' }],
    ['numeric', { kind: 'decimal' }],
    ['numeric(38,10)', { kind: 'decimal', precision: 38, scale: 10 }],
    ['NUMERIC( 12 , 2 )', { kind: 'decimal', precision: 12, scale: 2 }],
    ['decimal(9)', { kind: 'decimal', precision: 9, scale: 0 }],
    ['real', { kind: 'real' }],
    ['float4', { kind: 'real' }],
    ['float(10)', { kind: 'real' }],
    ['double precision', { kind: 'double' }],
    ['float8', { kind: 'double' }],
    ['float(53)', { kind: 'double' }],
    ['text', { kind: 'text' }],
    ['character varying(20)', { kind: 'text', length: 20 }],
    ['varchar', { kind: 'text' }],
    ['character(3)', { kind: 'text', length: 3 }],
    ['char', { kind: 'text', length: 1 }],
    ['boolean', { kind: 'boolean' }],
    ['date', { kind: 'date' }],
    ['time without time zone', { kind: 'time' }],
    ['time(3)', { kind: 'time' }],
    ['timestamp without time zone', { kind: 'timestamp' }],
    ['timestamp(6)', { kind: 'timestamp' }],
    ['timestamp(3) with time zone', { kind: 'timestamptz' }],
    ['timestamptz', { kind: 'timestamptz' }],
    ['interval', { kind: 'interval' }],
    ['interval day to second', { kind: 'interval' }],
    ['json', { kind: 'json' }],
    ['jsonb', { kind: 'json' }],
    ['uuid', { kind: 'uuid' }],
    ['bytea', { kind: 'binary' }],
    ['time with time zone', { kind: 'unknown', native: 'time with time zone' }],
    ['timetz', { kind: 'unknown', native: 'timetz' }],
    ['integer[]', { kind: 'unknown', native: 'integer[]' }],
    ['_int4', { kind: 'unknown', native: '_int4' }],
    ['inet', { kind: 'unknown', native: 'inet' }],
  ];
  it.each(cases)('reads %s', (native, canonical) => {
    expect(postgresToCanonical(native)).toEqual(canonical);
  });

  const kinds: CanonicalType[] = [
    { kind: 'boolean' },
    { kind: 'smallint' },
    { kind: 'integer' },
    { kind: 'bigint' },
    { kind: 'decimal' },
    { kind: 'decimal', precision: 38, scale: 9 },
    { kind: 'real' },
    { kind: 'double' },
    { kind: 'text' },
    { kind: 'text', length: 255 },
    { kind: 'date' },
    { kind: 'time' },
    { kind: 'timestamp' },
    { kind: 'timestamptz' },
    { kind: 'interval' },
    { kind: 'json' },
    { kind: 'uuid' },
    { kind: 'binary' },
    { kind: 'unknown', native: 'time with time zone' },
  ];
  it.each(kinds.map((k) => [JSON.stringify(k), k] as const))('round-trips %s', (_, type) => {
    expect(postgresToCanonical(canonicalToPostgres(type))).toEqual(type);
  });

  it('names built-in result types from OID and modifier like format_type', () => {
    expect(builtinTypeName(OID.numeric, ((12 << 16) | 2) + 4)).toBe('numeric(12,2)');
    expect(builtinTypeName(OID.numeric, -1)).toBe('numeric');
    expect(builtinTypeName(OID.varchar, 24)).toBe('character varying(20)');
    expect(builtinTypeName(OID.timestamptz, -1)).toBe('timestamp with time zone');
    expect(builtinTypeName(1007, -1)).toBeUndefined();
  });
});

describe('values', () => {
  it('decodes the server text into the contract representation', () => {
    expect(decoderFor(OID.int8)('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(decoderFor(OID.int4)('2147483647')).toBe(2147483647);
    expect(decoderFor(OID.numeric)('123456789012345678901234567890.12345678')).toBe('123456789012345678901234567890.12345678');
    expect(decoderFor(OID.float8)('NaN')).toBeNaN();
    expect(Object.is(decoderFor(OID.float8)('-0'), -0)).toBe(true);
    expect(decoderFor(OID.float8)('-Infinity')).toBe(-Infinity);
    expect(decoderFor(OID.float4)('3.4028235e+38')).toBe(3.4028234663852886e38);
    expect(decoderFor(OID.bool)('f')).toBe(false);
    expect(decoderFor(OID.bytea)('\\x00ff')).toEqual(new Uint8Array([0, 255]));
    expect(decoderFor(OID.bytea)('a\\\\b\\000')).toEqual(new Uint8Array([97, 92, 98, 0]));
    expect(decoderFor(OID.timestamp)('infinity')).toBe('infinity');
    expect(decoderFor(OID.timestamptz)('2024-01-01 05:30:00.123456+05:30')).toBe('2024-01-01 00:00:00.123456+00');
    expect(decoderFor(OID.timestamptz)('2024-01-01 00:00:00+00')).toBe('2024-01-01 00:00:00+00');
    expect(decoderFor(OID.timestamptz)('0044-03-15 12:00:00+00 BC')).toBe('0044-03-15 12:00:00+00 BC');
    expect(decoderFor(OID.timestamptz)('infinity')).toBe('infinity');
  });

  it('prepares parameters the driver cannot take as they are', () => {
    expect(toDriverParam(2n ** 63n - 1n)).toBe('9223372036854775807');
    expect(toDriverParam(Number.NaN)).toBe('NaN');
    expect(toDriverParam(-0)).toBe('-0');
    expect(Buffer.isBuffer(toDriverParam(new Uint8Array([1, 2])))).toBe(true);
    expect(toDriverParam(null)).toBeNull();
  });
});

describe('COPY statements', () => {
  it('loads CSV in the requested spec', () => {
    expect(copyFromStdinSql('"s"."t"', ['id', 'Name'], DEFAULT_CSV)).toBe(
      `COPY "s"."t" ("id", "Name") FROM STDIN (FORMAT csv, HEADER true, DELIMITER ',', NULL '')`,
    );
    expect(copyFromStdinSql('"t"', ['a'], { delimiter: '|', header: false, nullString: 'NULL', forceQuoteText: true })).toBe(
      `COPY "t" ("a") FROM STDIN (FORMAT csv, HEADER false, DELIMITER '|', NULL 'NULL')`,
    );
  });

  it('extracts with booleans spelled out and text force-quoted on request', () => {
    const cols = [
      { name: 'id', nativeType: 'integer', type: { kind: 'integer' } as const },
      { name: 'ok', nativeType: 'boolean', type: { kind: 'boolean' } as const },
      { name: 'note', nativeType: 'text', type: { kind: 'text' } as const },
    ];
    const sql = copyToStdoutSql('select * from t;\n', cols, { delimiter: ',', header: true, nullString: 'NULL', forceQuoteText: true });
    expect(sql).toBe(
      `COPY (\nSELECT _dvt_q."id", CASE WHEN _dvt_q."ok" THEN 'true' WHEN NOT _dvt_q."ok" THEN 'false' END AS "ok", _dvt_q."note" FROM (\nselect * from t\n) AS _dvt_q\n) TO STDOUT (FORMAT csv, HEADER true, DELIMITER ',', NULL 'NULL', FORCE_QUOTE ("note"))`,
    );
    expect(copyToStdoutSql('select 1 as a', [cols[0]], DEFAULT_CSV)).toBe(
      `COPY (\nselect 1 as a\n) TO STDOUT (FORMAT csv, HEADER true, DELIMITER ',', NULL '')`,
    );
    expect(stripTrailingSemicolons('select 1 ; ;\n')).toBe('select 1');
  });
});

describe('profile', () => {
  it('declares dbt-postgres keys with the password secret', () => {
    const names = adapter.configSchema.map((p) => p.name);
    for (const key of ['host', 'port', 'user', 'password', 'dbname', 'schema', 'threads', 'keepalives_idle', 'connect_timeout', 'search_path', 'role', 'sslmode', 'sslcert', 'sslkey', 'sslrootcert', 'application_name', 'retries']) {
      expect(names).toContain(key);
    }
    expect(adapter.configSchema.find((p) => p.name === 'password')?.secret).toBe(true);
    expect(adapter.configSchema.find((p) => p.name === 'dbname')?.aliases).toContain('database');
  });

  it('describes the target from dbname or database', () => {
    expect(adapter.describeTarget(base)).toEqual({ database: 'analytics', schema: 'dbt' });
    expect(adapter.describeTarget({ ...base, dbname: undefined, database: 'other' })).toEqual({ database: 'other', schema: 'dbt' });
    expect(() => adapter.describeTarget({ ...base, dbname: undefined })).toThrow(/dbname/);
  });

  it('sees relations of outputs on the same server and database only', () => {
    const canSee = adapter.canSee!;
    expect(canSee(base, { type: 'postgres', config: { ...base, schema: 'other', user: 'x' } })).toBe(true);
    expect(canSee(base, { type: 'postgres', config: { ...base, port: 5432, host: 'DB.example' } })).toBe(true);
    expect(canSee(base, { type: 'postgres', config: { ...base, dbname: 'raw' } })).toBe(false);
    expect(canSee(base, { type: 'postgres', config: { ...base, port: 5433 } })).toBe(false);
    expect(canSee(base, { type: 'postgres', config: { ...base, host: 'elsewhere' } })).toBe(false);
    expect(canSee(base, { type: 'mysql', config: { ...base } })).toBe(false);
    expect(canSee({ ...base, host: 'localhost' }, { type: 'postgres', config: { ...base, host: '127.0.0.1' } })).toBe(true);
  });

  it('maps sslmode to TLS options', () => {
    expect(sslOptions({ ...base, sslmode: 'disable' }, '/')).toBe(false);
    expect(sslOptions(base, '/')).toBe(false);
    expect(sslOptions({ ...base, sslmode: 'require' }, '/')).toEqual({ rejectUnauthorized: false });
    expect(sslOptions({ ...base, sslmode: 'verify-full' }, '/')).toEqual({ rejectUnauthorized: true });
    expect(() => sslOptions({ ...base, sslmode: 'bogus' as never }, '/')).toThrow(/sslmode must be one of/);
    expect(() => sslOptions({ ...base, sslmode: 'verify-ca', sslrootcert: 'missing-ca.pem' }, '/nowhere')).toThrow(/sslrootcert file \/nowhere\/missing-ca.pem/);
  });

  it('builds driver options with defaults', () => {
    const c = clientConfig({ ...base, keepalives_idle: 30, connect_timeout: 3 }, '/');
    expect(c).toMatchObject({ host: 'db.example', port: 5432, database: 'analytics', connectionTimeoutMillis: 3000, keepAliveInitialDelayMillis: 30000, application_name: 'dvt' });
  });
});
