import { fileURLToPath } from 'node:url';
import { ADAPTER_API_VERSION, type AdapterDefinition } from '@dvt/core';
import { configSchema, databaseNameForPath, MEMORY, samePath, type DuckDBConfig } from './config.js';
import { connectDuckDB } from './connect.js';
import { duckdbDialect } from './dialect.js';

export type { DuckDBAttachment, DuckDBConfig } from './config.js';
export { databaseNameForPath, resolveConfig } from './config.js';
export { canonicalToDuckdb, duckdbDialect, duckdbToCanonical } from './dialect.js';
export { DuckDBAdapterConnection } from './connection.js';

const adapter: AdapterDefinition<DuckDBConfig> = {
  apiVersion: ADAPTER_API_VERSION,
  type: 'duckdb',
  displayName: 'DuckDB',
  color: '#FFF000',
  configSchema,
  dialect: duckdbDialect,
  macrosDir: fileURLToPath(new URL('../macros', import.meta.url)),
  describeTarget: (config) => ({ database: config.database ?? databaseNameForPath(config.path ?? MEMORY), schema: config.schema ?? 'main' }),
  canSee(own, other) {
    if (other.type !== 'duckdb') return false;
    const otherPath = other.config.path as string | undefined;
    if (samePath(own.path, otherPath)) return true;
    return (own.attach ?? []).some((a) => samePath(a.path, otherPath));
  },
  connect: connectDuckDB,
};

export default adapter;
