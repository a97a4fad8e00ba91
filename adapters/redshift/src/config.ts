import type { ConfigProperty } from '@dvt/core';
import { DvtError } from '@dvt/core';
import { clientConfig as postgresClientConfig, databaseOf, sameServerAndDatabase } from '@dvt/adapter-postgres';
import type { SslMode } from '@dvt/adapter-postgres';

/** A profile output of `type: redshift`, with dbt-redshift's key names plus dvt's S3 staging extras. */
export type RedshiftConfig = {
  host: string;
  port?: number;
  user: string;
  password?: string;
  dbname?: string;
  database?: string;
  schema: string;
  threads?: number;
  method?: 'database' | 'iam';
  cluster_id?: string;
  iam_profile?: string;
  /** method: iam — lifetime of the temporary password (900 to 3600 seconds). */
  iam_duration_seconds?: number;
  /** method: iam — create the database user if it does not exist. */
  autocreate?: boolean;
  /** method: iam — database groups the user joins for the session. */
  db_groups?: string[];
  region?: string;
  sslmode?: SslMode;
  ra3_node?: boolean;
  autocommit?: boolean;
  connect_timeout?: number;
  role?: string;
  retries?: number;
  search_path?: string;
  /** dvt: bucket (optionally with a key prefix) for COPY/UNLOAD staging, `my-bucket/dvt/`. */
  s3_bucket?: string;
  /** dvt: IAM role ARN the cluster assumes to read and write `s3_bucket`. */
  iam_role?: string;
  /** dvt: an S3-compatible endpoint instead of AWS's. */
  s3_endpoint?: string;
  /** dvt: keys for the upload; without them the AWS SDK's own credential chain applies. */
  s3_access_key_id?: string;
  s3_secret_access_key?: string;
  s3_session_token?: string;
};

export const redshiftConfigSchema: ConfigProperty[] = [
  { name: 'host', type: 'string', required: true, description: 'Cluster or workgroup endpoint' },
  { name: 'port', type: 'number', default: 5439 },
  { name: 'user', type: 'string', required: true, aliases: ['username'] },
  { name: 'password', type: 'string', secret: true, aliases: ['pass'] },
  { name: 'dbname', type: 'string', required: true, aliases: ['database'] },
  { name: 'schema', type: 'string', required: true },
  { name: 'threads', type: 'number', default: 1 },
  { name: 'method', type: 'string', default: 'database', description: "'database' (user and password) or 'iam'" },
  { name: 'cluster_id', type: 'string', description: 'Cluster identifier, for method: iam' },
  { name: 'iam_profile', type: 'string', description: 'AWS profile name, for method: iam' },
  { name: 'iam_duration_seconds', type: 'number', default: 900, description: 'method: iam: lifetime of the temporary password' },
  { name: 'autocreate', type: 'boolean', default: false, description: 'method: iam: create the database user if missing' },
  { name: 'db_groups', type: 'array', description: 'method: iam: database groups to join' },
  { name: 'region', type: 'string' },
  { name: 'sslmode', type: 'string', default: 'prefer' },
  { name: 'ra3_node', type: 'boolean', default: false, description: 'RA3 nodes read relations of other databases' },
  { name: 'autocommit', type: 'boolean', default: true },
  { name: 'connect_timeout', type: 'number', default: 10 },
  { name: 'role', type: 'string' },
  { name: 'retries', type: 'number', default: 1 },
  { name: 'search_path', type: 'string' },
  { name: 's3_bucket', type: 'string', description: 'dvt: S3 bucket[/prefix] used to stage COPY loads' },
  { name: 'iam_role', type: 'string', description: 'dvt: IAM role ARN the cluster assumes for s3_bucket' },
  { name: 's3_endpoint', type: 'string', description: 'dvt: S3-compatible endpoint URL for staging' },
  { name: 's3_access_key_id', type: 'string', description: "dvt: access key for staging uploads (else the AWS SDK's credential chain)" },
  { name: 's3_secret_access_key', type: 'string', secret: true },
  { name: 's3_session_token', type: 'string', secret: true },
];

export function describeRedshiftTarget(config: RedshiftConfig): { database: string; schema: string } {
  return { database: databaseOf(config), schema: config.schema };
}

/**
 * Outputs on the same cluster and database read each other's relations; on
 * RA3 nodes (`ra3_node: true`) a query also reads other databases of the same
 * cluster, as `database.schema.table`.
 */
export function redshiftCanSee(own: RedshiftConfig, other: { type: string; config: Record<string, unknown> }): boolean {
  if (sameServerAndDatabase(own, other, ['redshift'], 5439)) return true;
  if (!own.ra3_node || other.type !== 'redshift') return false;
  return sameServerAndDatabase(own, { type: other.type, config: { ...other.config, dbname: databaseOf(own), database: undefined } }, ['redshift'], 5439);
}

/**
 * node-postgres options for a Redshift output. With `method: iam` the caller
 * passes the temporary `login` GetClusterCredentials returned.
 */
export function redshiftClientConfig(
  config: RedshiftConfig,
  projectDir: string,
  login?: { user: string; password: string },
): ReturnType<typeof postgresClientConfig> {
  const method = config.method ?? 'database';
  if (method !== 'database' && method !== 'iam') throw new DvtError('config', `redshift profile: method must be 'database' or 'iam'; got '${String(method)}'`);
  if (method === 'iam' && !login) throw new DvtError('config', 'redshift profile: method: iam needs the temporary credentials from GetClusterCredentials');
  if (config.autocommit === false) {
    throw new DvtError('config', 'redshift profile: autocommit: false is not supported; dvt opens transactions itself where a materialization needs one');
  }
  const effective = login ? { ...config, user: login.user, password: login.password } : config;
  return postgresClientConfig({ ...effective, application_name: 'dvt' }, projectDir, 5439);
}
