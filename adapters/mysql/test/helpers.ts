import { MARIADB } from '@dvt/adapter-testkit';
import type { AdapterContext } from '@dvt/core';
import type { MysqlConfig } from '../src/config.js';

/** The local MariaDB, which speaks the protocol MySQL 8 and 5.7 share. */
export const localConfig: MysqlConfig = {
  server: MARIADB.host,
  port: MARIADB.port,
  username: process.env.DVT_TEST_MARIADB_USER ?? 'root',
  password: process.env.DVT_TEST_MARIADB_PASSWORD,
  schema: process.env.DVT_TEST_MARIADB_DATABASE ?? 'test',
};

export const ctx: AdapterContext = {
  projectDir: process.cwd(),
  logger: { debug: () => undefined, info: () => undefined, warn: () => undefined },
};

/** A schema name no other test run uses. */
export function uniqueSchema(prefix: string): string {
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}
