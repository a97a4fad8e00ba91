import { describe, it } from 'vitest';
import { describeAdapterConformance, materializationSuite } from '@dvt/adapter-testkit';
import adapter, { liveServerFromEnv, MYSQL_TIMESTAMP_RANGE_SKIPS, mysqlKitStatements, NO_INTERVAL_SKIPS, NO_UUID_SKIPS } from '../src/index.js';

// A real MySQL 8 (JSON type, offsets in datetime literals, its own catalog) when
// DVT_TEST_MYSQL_HOST (and _PORT, _USER, _PASSWORD, _DATABASE) name one.
const live = liveServerFromEnv('DVT_TEST_MYSQL', 'MySQL 8');

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
  describe('MySQL 8 live conformance', () => {
    it.skip('needs a MySQL 8 server: set DVT_TEST_MYSQL_HOST (and _PORT, _USER, _PASSWORD, _DATABASE)', () => undefined);
  });
}
