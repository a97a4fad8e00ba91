import type { ConfigProperty } from '@dvt/core';
import { DvtError } from '@dvt/core';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'mysql2';

/**
 * A profile output of `type: mysql` (and mariadb, mysql5), with the keys of
 * dbt-mysql and dbt-mariadb. Both spellings of each key are accepted.
 */
export type MysqlConfig = {
  server?: string;
  host?: string;
  port?: number;
  username?: string;
  user?: string;
  password?: string;
  /** A MySQL "database" is a schema; `database`, when given, must equal `schema`. */
  schema?: string;
  database?: string;
  ssl_disabled?: boolean;
  ssl_ca?: string;
  ssl_cert?: string;
  ssl_key?: string;
  charset?: string;
  connect_timeout?: number;
  threads?: number;
};

export const mysqlConfigSchema: ConfigProperty[] = [
  { name: 'server', type: 'string', required: true, aliases: ['host'], description: 'Server host name or IP address' },
  { name: 'port', type: 'number', default: 3306 },
  { name: 'username', type: 'string', required: true, aliases: ['user'] },
  { name: 'password', type: 'string', secret: true, aliases: ['pass'] },
  { name: 'schema', type: 'string', required: true, description: 'Default schema (MySQL database) of models' },
  { name: 'database', type: 'string', description: 'Optional; when given it must equal `schema` (MySQL has no database above schemas)' },
  { name: 'ssl_disabled', type: 'boolean', default: false, description: 'Connect without TLS even if the server offers it' },
  { name: 'ssl_ca', type: 'string', description: 'CA certificate file (PEM); enables TLS with server verification' },
  { name: 'ssl_cert', type: 'string', description: 'Client certificate file (PEM)' },
  { name: 'ssl_key', type: 'string', description: 'Client private key file (PEM)' },
  { name: 'charset', type: 'string', default: 'utf8mb4', description: 'Connection character set' },
  { name: 'connect_timeout', type: 'number', default: 10, description: 'Seconds to wait for a connection' },
  { name: 'threads', type: 'number', default: 1 },
];

function fail(type: string, message: string): never {
  throw new DvtError('config', `${type} profile: ${message}`);
}

export function hostOf(config: MysqlConfig, type = 'mysql'): string {
  const host = config.server ?? config.host;
  if (!host) fail(type, '`server` (or `host`) is required');
  return host;
}

export function userOf(config: MysqlConfig, type = 'mysql'): string {
  const user = config.username ?? config.user;
  if (!user) fail(type, '`username` (or `user`) is required');
  return user;
}

/** The schema a config points at: `schema`, else `database`; both given must agree. */
export function schemaOf(config: MysqlConfig, type = 'mysql'): string {
  const { schema, database } = config;
  if (schema && database && schema !== database) {
    fail(type, `\`database\` ('${database}') must equal \`schema\` ('${schema}'): MySQL has no database above schemas; leave \`database\` out`);
  }
  const name = schema ?? database;
  if (!name) fail(type, '`schema` is required');
  return name;
}

/** target.database is the schema, as in dbt-mysql: there is nothing above it. */
export function describeMysqlTarget(config: MysqlConfig): { database: string; schema: string } {
  const schema = schemaOf(config);
  return { database: schema, schema };
}

function normalisedHost(host: unknown): string {
  const h = String(host ?? '').toLowerCase();
  return h === 'localhost' || h === '::1' ? '127.0.0.1' : h;
}

/**
 * One server answers for all its schemas, so any two outputs on the same
 * host and port read each other's relations (cross-schema queries work).
 */
export function sameMysqlServer(own: MysqlConfig, other: { type: string; config: Record<string, unknown> }, compatibleTypes: readonly string[]): boolean {
  if (!compatibleTypes.includes(other.type)) return false;
  const o = other.config as MysqlConfig;
  return normalisedHost(own.server ?? own.host) === normalisedHost(o.server ?? o.host) && Number(own.port ?? 3306) === Number(o.port ?? 3306);
}

function readPem(file: string, projectDir: string, key: string, type: string): string {
  const full = path.resolve(projectDir, file);
  try {
    return readFileSync(full, 'utf8');
  } catch (e) {
    fail(type, `cannot read ${key} file ${full}: ${(e as Error).message}`);
  }
}

/**
 * TLS as dbt-mysql offers it: off with `ssl_disabled`, verified against
 * `ssl_ca` when given, otherwise plain (mysql2 cannot "prefer" TLS and fall
 * back, so without a CA it connects unencrypted, as the mysql client does
 * against a server without TLS).
 */
export function mysqlSslOptions(config: MysqlConfig, projectDir: string, type = 'mysql'): ConnectionOptions['ssl'] {
  if (config.ssl_disabled === true) return undefined;
  if (!config.ssl_ca && !config.ssl_cert && !config.ssl_key) return undefined;
  const ssl: Exclude<ConnectionOptions['ssl'], string | undefined> = { rejectUnauthorized: Boolean(config.ssl_ca) };
  if (config.ssl_ca) ssl.ca = readPem(config.ssl_ca, projectDir, 'ssl_ca', type);
  if (config.ssl_cert) ssl.cert = readPem(config.ssl_cert, projectDir, 'ssl_cert', type);
  if (config.ssl_key) ssl.key = readPem(config.ssl_key, projectDir, 'ssl_key', type);
  return ssl;
}

/** mysql2 connection options for a profile output (values in the contract's form, see connection.ts). */
export function mysqlConnectionOptions(config: MysqlConfig, projectDir: string, type = 'mysql'): ConnectionOptions {
  const charset = (config.charset ?? 'utf8mb4').toUpperCase();
  return {
    host: hostOf(config, type),
    port: Number(config.port ?? 3306),
    user: userOf(config, type),
    password: config.password,
    database: schemaOf(config, type),
    charset: charset.includes('_') ? charset : `${charset}_GENERAL_CI`,
    ssl: mysqlSslOptions(config, projectDir, type),
    connectTimeout: Number(config.connect_timeout ?? 10) * 1000,
    timezone: 'Z',
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
    jsonStrings: true,
    decimalNumbers: false,
    rowsAsArray: true,
    multipleStatements: true,
  };
}
