import { describeAdapterConformance } from '@dvt/adapter-testkit';
import type { AdapterDefinition, Connection } from '@dvt/core';
import adapter, { type DuckDBConfig } from '../src/index.js';

/**
 * The conformance kit once more, on a DuckDB connection stripped down to what
 * the contract requires (query, stream, ping, close): the catalog, bulk load
 * and extraction the kit exercises are then core's defaults
 * (information_schema, multi-row INSERT, streamed CSV) on a real engine.
 */
const minimal: AdapterDefinition<DuckDBConfig> = {
  ...adapter,
  displayName: 'DuckDB with core defaults only',
  async connect(config, ctx) {
    const full = await adapter.connect(config, ctx);
    const stripped: Connection = {
      query: full.query.bind(full),
      stream: full.stream.bind(full),
      ping: full.ping.bind(full),
      close: full.close.bind(full),
    };
    return stripped;
  },
};

describeAdapterConformance({ adapter: minimal, config: { path: ':memory:' }, bulkRows: 1500 });
