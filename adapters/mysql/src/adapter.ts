import type { AdapterDefinition } from '@dvt/core';
import { ADAPTER_API_VERSION } from '@dvt/core';
import { fileURLToPath } from 'node:url';
import type { MysqlConfig } from './config.js';
import { describeMysqlTarget, mysqlConfigSchema, mysqlConnectionOptions, sameMysqlServer, schemaOf } from './config.js';
import { MysqlConnection } from './connection.js';
import { mysqlDialect } from './dialect.js';
import type { MysqlFlavor } from './flavor.js';

/** What a sibling package (mariadb, mysql5) says about itself. */
export interface MysqlAdapterOptions {
  type: string;
  flavor: MysqlFlavor;
  displayName: string;
  color: string;
  aliases?: string[];
  /** The sibling's own `<type>__` macros, if it has any. */
  macrosDir?: string;
  /** Types whose macros it inherits: ['mysql'] for the siblings. */
  parentTypes?: string[];
}

/** Outputs of these types reach one another on the same server. */
const MYSQL_PROTOCOL_TYPES = ['mysql', 'mariadb', 'mysql5'];

/** This package's macros: `mysql__*` overrides of core's builtins. */
export const MYSQL_MACROS_DIR = fileURLToPath(new URL('../macros', import.meta.url));

/** An adapter definition for one engine of the MySQL family. */
export function createMysqlAdapter(options: MysqlAdapterOptions): AdapterDefinition<MysqlConfig> {
  return {
    apiVersion: ADAPTER_API_VERSION,
    type: options.type,
    aliases: options.aliases,
    displayName: options.displayName,
    color: options.color,
    configSchema: mysqlConfigSchema,
    dialect: mysqlDialect(options.flavor),
    macrosDir: options.macrosDir,
    parentTypes: options.parentTypes,
    describeTarget: describeMysqlTarget,
    canSee: (own, other) => sameMysqlServer(own, other, MYSQL_PROTOCOL_TYPES),
    async connect(config, ctx) {
      return MysqlConnection.open(mysqlConnectionOptions(config, ctx.projectDir, options.type), options.flavor, schemaOf(config, options.type));
    },
  };
}
