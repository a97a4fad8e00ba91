import type { AdapterDefinition } from '@dvt/core';
import { ADAPTER_API_VERSION } from '@dvt/core';
import { fileURLToPath } from 'node:url';
import type { PostgresConfig } from './config.js';
import { clientConfig, describePostgresTarget, postgresConfigSchema, sameServerAndDatabase } from './config.js';
import { PostgresConnection, postgresFlavor } from './connection.js';
import { postgresDialect } from './dialect.js';

export * from './config.js';
export * from './connection.js';
export * from './dialect.js';
export * from './types.js';
export * from './values.js';
export * from './columns.js';
export * from './copy-sql.js';
export * from './catalog.js';
export * from './errors.js';

/** The PostgreSQL `postgres__` macros; adapters built on PostgreSQL list it in their `macrosDir`. */
export const POSTGRES_MACROS_DIR = fileURLToPath(new URL('../macros', import.meta.url));

/** `type: postgres` outputs. */
const postgresAdapter: AdapterDefinition<PostgresConfig> = {
  apiVersion: ADAPTER_API_VERSION,
  type: 'postgres',
  aliases: ['postgresql'],
  displayName: 'PostgreSQL',
  color: '#336791',
  configSchema: postgresConfigSchema,
  dialect: postgresDialect,
  macrosDir: POSTGRES_MACROS_DIR,
  describeTarget: describePostgresTarget,
  canSee: (own, other) => sameServerAndDatabase(own, other, ['postgres', 'postgresql'], 5432),
  async connect(config, ctx) {
    const flavor = postgresFlavor({ searchPath: config.search_path, role: config.role });
    return PostgresConnection.open(clientConfig(config, ctx.projectDir), flavor, Number(config.retries ?? 1));
  },
};

export default postgresAdapter;
