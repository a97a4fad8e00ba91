import { DvtError } from '@dvt/core';
import type { RedshiftConfig } from './config.js';
import { databaseOf } from '@dvt/adapter-postgres';

/** What GetClusterCredentials is asked for (the Redshift API's field names). */
export interface ClusterCredentialsRequest {
  ClusterIdentifier: string;
  DbUser: string;
  DbName: string;
  DurationSeconds: number;
  AutoCreate: boolean;
  DbGroups?: string[];
}

/** `<cluster>.<id>.<region>.redshift.amazonaws.com` -> region. */
export function regionFromHost(host: string): string | undefined {
  return /^[^.]+\.[^.]+\.([a-z]{2}(?:-[a-z]+)+-\d)\.redshift(?:-serverless)?\.amazonaws\.com(?:\.cn)?$/i.exec(host)?.[1];
}

export function clusterCredentialsRequest(config: RedshiftConfig): ClusterCredentialsRequest {
  if (/\.redshift-serverless\./i.test(config.host)) {
    throw new DvtError('config', 'redshift profile: method: iam is supported for provisioned clusters; for a Serverless workgroup use method: database');
  }
  const cluster = config.cluster_id ?? /^([^.]+)\.[^.]+\.[^.]+\.redshift\.amazonaws\.com/i.exec(config.host)?.[1];
  if (!cluster) throw new DvtError('config', 'redshift profile: method: iam needs cluster_id (the cluster identifier)');
  if (!config.user) throw new DvtError('config', 'redshift profile: method: iam needs user (the database user to log in as)');
  const duration = Number(config.iam_duration_seconds ?? 900);
  if (!Number.isInteger(duration) || duration < 900 || duration > 3600) {
    throw new DvtError('config', `redshift profile: iam_duration_seconds must be a whole number from 900 to 3600; got ${String(config.iam_duration_seconds)}`);
  }
  const request: ClusterCredentialsRequest = {
    ClusterIdentifier: cluster,
    DbUser: config.user,
    DbName: databaseOf(config),
    DurationSeconds: duration,
    AutoCreate: Boolean(config.autocreate),
  };
  if (config.db_groups && config.db_groups.length > 0) request.DbGroups = config.db_groups;
  return request;
}

export interface IamLoginOptions {
  /** The Redshift API endpoint; AWS's regional one unless given (an API stand-in in tests). */
  endpoint?: string;
}

/**
 * Temporary database credentials from GetClusterCredentials, signed with the
 * AWS profile `iam_profile` (or the SDK's default credential chain). The SDK
 * is loaded only here.
 */
export async function redshiftIamLogin(config: RedshiftConfig, opts: IamLoginOptions = {}): Promise<{ user: string; password: string }> {
  const request = clusterCredentialsRequest(config);
  const { RedshiftClient, GetClusterCredentialsCommand } = await import('@aws-sdk/client-redshift');
  const credentials = config.iam_profile ? (await import('@aws-sdk/credential-providers')).fromIni({ profile: config.iam_profile }) : undefined;
  const client = new RedshiftClient({ region: config.region ?? regionFromHost(config.host), endpoint: opts.endpoint, credentials });
  try {
    const out = await client.send(new GetClusterCredentialsCommand(request));
    if (!out.DbUser || !out.DbPassword) throw new Error('the response carried no user or password');
    return { user: out.DbUser, password: out.DbPassword };
  } catch (e) {
    throw new DvtError('config', `redshift: GetClusterCredentials for cluster '${request.ClusterIdentifier}' failed: ${(e as Error).message}`);
  } finally {
    client.destroy();
  }
}
