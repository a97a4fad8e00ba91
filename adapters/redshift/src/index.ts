import type { AdapterDefinition } from '@dvt/core';
import { ADAPTER_API_VERSION } from '@dvt/core';
import { POSTGRES_MACROS_DIR, PostgresConnection } from '@dvt/adapter-postgres';
import { fileURLToPath } from 'node:url';
import type { RedshiftConfig } from './config.js';
import { describeRedshiftTarget, redshiftCanSee, redshiftClientConfig, redshiftConfigSchema } from './config.js';
import { redshiftConnection } from './connection.js';
import { redshiftDialect } from './dialect.js';
import { redshiftFlavor } from './session.js';
import { stagingFromConfig } from './staging.js';
import { redshiftIamLogin } from './iam.js';

export * from './config.js';
export * from './connection.js';
export * from './dialect.js';
export * from './iam.js';
export * from './session.js';
export * from './staging.js';
export * from './types.js';

/** `type: redshift` outputs. */
const redshiftAdapter: AdapterDefinition<RedshiftConfig> = {
  apiVersion: ADAPTER_API_VERSION,
  type: 'redshift',
  displayName: 'Amazon Redshift',
  color: '#8C4FFF',
  configSchema: redshiftConfigSchema,
  dialect: redshiftDialect,
  // Its own redshift__ macros, then the postgres__ ones it inherits.
  macrosDir: [fileURLToPath(new URL('../macros', import.meta.url)), POSTGRES_MACROS_DIR],
  parentTypes: ['postgres'],
  describeTarget: describeRedshiftTarget,
  canSee: redshiftCanSee,
  async connect(config, ctx) {
    const staging = stagingFromConfig(config);
    const flavor = redshiftFlavor({ searchPath: config.search_path, staged: Boolean(staging) });
    const login = config.method === 'iam' ? await redshiftIamLogin(config) : undefined;
    const session = await PostgresConnection.open(redshiftClientConfig(config, ctx.projectDir, login), flavor, Number(config.retries ?? 1));
    return redshiftConnection(session, staging);
  },
};

export default redshiftAdapter;
