import { describeAdapterConformance, MARIADB, materializationSuite } from '@dvt/adapter-testkit';
import { MYSQL_TIMESTAMP_RANGE_SKIPS, mysqlKitStatements, NO_INTERVAL_SKIPS } from '@dvt/adapter-mysql';
import adapter from '../src/index.js';

describeAdapterConformance({
  adapter,
  config: {
    server: MARIADB.host,
    port: MARIADB.port,
    username: process.env.DVT_TEST_MARIADB_USER ?? 'root',
    password: process.env.DVT_TEST_MARIADB_PASSWORD,
    schema: process.env.DVT_TEST_MARIADB_DATABASE ?? 'test',
  },
  requires: MARIADB,
  statements: mysqlKitStatements,
  suites: [materializationSuite],
  skip: { ...MYSQL_TIMESTAMP_RANGE_SKIPS, ...NO_INTERVAL_SKIPS },
});
