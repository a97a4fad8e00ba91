import { describeAdapterConformance, materializationSuite, POSTGRES } from '@dvt/adapter-testkit';
import type { AdapterDefinition, CanonicalType } from '@dvt/core';
import adapter, { canonicalToRedshift } from '../src/index.js';
import type { RedshiftConfig } from '../src/index.js';

/**
 * The conformance kit with the Redshift adapter against the local PostgreSQL
 * (same wire protocol). PostgreSQL has no SUPER or VARBYTE, so for this run
 * only, json and binary columns are created as jsonb and bytea; everything
 * else is the Redshift adapter as shipped. Cases that depend on what only a
 * Redshift cluster does are skipped with their reason.
 */
const onPostgres: AdapterDefinition<RedshiftConfig> = {
  ...adapter,
  dialect: {
    ...adapter.dialect,
    fromCanonicalType: (type: CanonicalType) =>
      type.kind === 'json' ? 'jsonb' : type.kind === 'binary' ? 'bytea' : canonicalToRedshift(type),
  },
};

const onlyOnRedshift = 'needs a Redshift cluster (see live.test.ts)';

describeAdapterConformance({
  adapter: onPostgres,
  config: {
    host: POSTGRES.host,
    port: POSTGRES.port,
    user: process.env.DVT_TEST_PG_USER ?? 'postgres',
    dbname: process.env.DVT_TEST_PG_DATABASE ?? 'test',
    schema: 'public',
  },
  requires: POSTGRES,
  suites: [materializationSuite],
  skip: {
    'dialect.types.interval': 'Redshift has no storable interval type: interval is kept as varchar(64) text',
    'dialect.types.uuid': 'Redshift has no uuid type: uuid is kept as char(36) text',
    'connection.values.interval': 'Redshift has no storable interval type (varchar(64) here)',
    'connection.values.uuid': 'Redshift has no uuid type (char(36) here)',
    'connection.identifier-length': `127-byte identifiers: PostgreSQL truncates at 63; ${onlyOnRedshift}`,
  },
});
