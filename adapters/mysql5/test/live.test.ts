import { describe, it } from 'vitest';
import { describeAdapterConformance, materializationSuite } from '@dvt/adapter-testkit';
import { liveServerFromEnv, MYSQL_TIMESTAMP_RANGE_SKIPS, mysqlKitStatements, NO_INTERVAL_SKIPS, NO_UUID_SKIPS } from '@dvt/adapter-mysql';
import adapter from '../src/index.js';

// A real MySQL 5.7 (which refuses CTEs and window functions itself, and keeps
// explicit_defaults_for_timestamp global) when DVT_TEST_MYSQL5_HOST (and _PORT,
// _USER, _PASSWORD, _DATABASE) name one.
const live = liveServerFromEnv('DVT_TEST_MYSQL5', 'MySQL 5.7');

if (live) {
  describeAdapterConformance({
    adapter,
    config: live.config,
    requires: live.service,
    statements: mysqlKitStatements,
    suites: [materializationSuite],
    skip: { ...MYSQL_TIMESTAMP_RANGE_SKIPS, ...NO_INTERVAL_SKIPS, ...NO_UUID_SKIPS },
  });
} else {
  describe('MySQL 5.7 live conformance', () => {
    it.skip('needs a MySQL 5.7 server: set DVT_TEST_MYSQL5_HOST (and _PORT, _USER, _PASSWORD, _DATABASE)', () => undefined);
  });
}
