import type { ConfigProperty } from '@dvt/core';
import { DvtError } from '@dvt/core';
import type { ClientConfig } from 'pg';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A profile output of `type: postgres`, with dbt-postgres's key names. */
export type PostgresConfig = {
  host: string;
  port?: number;
  user: string;
  password?: string;
  dbname?: string;
  /** dbt accepts `database` as an alias of `dbname`. */
  database?: string;
  schema: string;
  threads?: number;
  keepalives_idle?: number;
  connect_timeout?: number;
  search_path?: string;
  role?: string;
  sslmode?: SslMode;
  sslcert?: string;
  sslkey?: string;
  sslrootcert?: string;
  application_name?: string;
  retries?: number;
};

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full';

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

export const postgresConfigSchema: ConfigProperty[] = [
  { name: 'host', type: 'string', required: true, description: 'Server host name or IP address' },
  { name: 'port', type: 'number', default: 5432 },
  { name: 'user', type: 'string', required: true, aliases: ['username'] },
  { name: 'password', type: 'string', secret: true, aliases: ['pass'] },
  { name: 'dbname', type: 'string', required: true, aliases: ['database'], description: 'Database to connect to' },
  { name: 'schema', type: 'string', required: true, description: 'Default schema for models' },
  { name: 'threads', type: 'number', default: 1 },
  { name: 'keepalives_idle', type: 'number', default: 0, description: 'Seconds before TCP keepalives start; 0 keeps the OS default' },
  { name: 'connect_timeout', type: 'number', default: 10, description: 'Seconds to wait for a connection' },
  { name: 'search_path', type: 'string', description: 'Overrides the session search_path' },
  { name: 'role', type: 'string', description: 'Role to SET after connecting' },
  { name: 'sslmode', type: 'string', default: 'prefer' },
  { name: 'sslcert', type: 'string', description: 'Client certificate file' },
  { name: 'sslkey', type: 'string', description: 'Client private key file' },
  { name: 'sslrootcert', type: 'string', description: 'CA certificate file' },
  { name: 'application_name', type: 'string', default: 'dvt' },
  { name: 'retries', type: 'number', default: 1, description: 'Connection attempts before giving up' },
];

/** The database a config points at: `dbname`, or dbt's alias `database`. */
export function databaseOf(config: Pick<PostgresConfig, 'dbname' | 'database'>): string {
  const db = config.dbname ?? config.database;
  if (!db) throw new DvtError('config', 'postgres profile: `dbname` (or `database`) is required');
  return db;
}

export function describePostgresTarget(config: PostgresConfig): { database: string; schema: string } {
  return { database: databaseOf(config), schema: config.schema };
}

function normalisedHost(host: unknown): string {
  const h = String(host ?? '').toLowerCase();
  return h === 'localhost' || h === '::1' ? '127.0.0.1' : h;
}

/**
 * Two outputs on the same server and database read each other's relations
 * (schemas are only a namespace inside one database). `defaultPort` lets
 * Redshift reuse this with 5439.
 */
export function sameServerAndDatabase(
  own: Record<string, unknown>,
  other: { type: string; config: Record<string, unknown> },
  compatibleTypes: readonly string[],
  defaultPort: number,
): boolean {
  if (!compatibleTypes.includes(other.type)) return false;
  const o = other.config;
  return (
    normalisedHost(own.host) === normalisedHost(o.host) &&
    Number(own.port ?? defaultPort) === Number(o.port ?? defaultPort) &&
    (own.dbname ?? own.database) === (o.dbname ?? o.database)
  );
}

function readPem(file: string, projectDir: string, key: string): string {
  const full = path.resolve(projectDir, file);
  try {
    return readFileSync(full, 'utf8');
  } catch (e) {
    throw new DvtError('config', `postgres profile: cannot read ${key} file ${full}: ${(e as Error).message}`);
  }
}

/**
 * libpq's sslmode in node-postgres terms. `allow`/`prefer` cannot fall back
 * to plain text in node-postgres, so they connect without TLS (as libpq does
 * against a server without SSL); `require` encrypts without verifying, as
 * libpq does when no root certificate is given.
 */
export function sslOptions(config: PostgresConfig, projectDir: string): ClientConfig['ssl'] {
  const mode = config.sslmode ?? 'prefer';
  if (!SSL_MODES.includes(mode)) {
    throw new DvtError('config', `postgres profile: sslmode must be one of ${SSL_MODES.join(', ')}; got '${String(mode)}'`);
  }
  if (mode === 'disable' || mode === 'allow' || mode === 'prefer') return false;
  const tls: Exclude<ClientConfig['ssl'], boolean | undefined> = {};
  if (config.sslrootcert) tls.ca = readPem(config.sslrootcert, projectDir, 'sslrootcert');
  if (config.sslcert) tls.cert = readPem(config.sslcert, projectDir, 'sslcert');
  if (config.sslkey) tls.key = readPem(config.sslkey, projectDir, 'sslkey');
  // verify-ca checks the chain but not the host name; require checks nothing
  // unless a root certificate is given (libpq's documented behaviour).
  if (mode === 'verify-full') tls.rejectUnauthorized = true;
  else if (mode === 'verify-ca') {
    tls.rejectUnauthorized = true;
    tls.checkServerIdentity = () => undefined;
  } else {
    tls.rejectUnauthorized = Boolean(config.sslrootcert);
    if (config.sslrootcert) tls.checkServerIdentity = () => undefined;
  }
  return tls;
}

/** node-postgres client options for a profile output. */
export function clientConfig(config: PostgresConfig, projectDir: string, defaultPort = 5432): ClientConfig {
  if (!config.host) throw new DvtError('config', 'postgres profile: `host` is required');
  if (!config.user) throw new DvtError('config', 'postgres profile: `user` is required');
  const keepAliveSeconds = Number(config.keepalives_idle ?? 0);
  return {
    host: config.host,
    port: Number(config.port ?? defaultPort),
    user: config.user,
    password: config.password,
    database: databaseOf(config),
    ssl: sslOptions(config, projectDir),
    application_name: config.application_name ?? 'dvt',
    connectionTimeoutMillis: Number(config.connect_timeout ?? 10) * 1000,
    keepAlive: true,
    keepAliveInitialDelayMillis: keepAliveSeconds > 0 ? keepAliveSeconds * 1000 : 0,
  };
}
