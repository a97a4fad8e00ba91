import { POSTGRES } from '@dvt/adapter-testkit';
import type { AdapterContext } from '@dvt/core';
import type { PostgresConfig } from '../src/config.js';

export const localConfig: PostgresConfig = {
  host: POSTGRES.host,
  port: POSTGRES.port,
  user: process.env.DVT_TEST_PG_USER ?? 'postgres',
  password: process.env.DVT_TEST_PG_PASSWORD,
  dbname: process.env.DVT_TEST_PG_DATABASE ?? 'test',
  schema: 'public',
};

export const ctx: AdapterContext = {
  projectDir: process.cwd(),
  logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
};

/** A schema name no other test run uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
