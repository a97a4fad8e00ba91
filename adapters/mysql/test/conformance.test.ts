import { describeAdapterConformance, MARIADB, materializationSuite } from '@dvt/adapter-testkit';
import adapter, { MYSQL_TIMESTAMP_RANGE_SKIPS, mysqlKitStatements, NO_INTERVAL_SKIPS, NO_UUID_SKIPS } from '../src/index.js';
import { localConfig } from './helpers.js';

// MySQL 8's dialect on the local MariaDB (the wire protocol and this SQL are shared).
describeAdapterConformance({
  adapter,
  config: localConfig,
  requires: MARIADB,
  statements: mysqlKitStatements,
  suites: [materializationSuite],
  skip: {
    ...MYSQL_TIMESTAMP_RANGE_SKIPS,
    ...NO_INTERVAL_SKIPS,
    ...NO_UUID_SKIPS,
  },
});
