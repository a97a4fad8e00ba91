import type { CsvSpec, LoadOptions, LoadSource, LoadStats, QueryResult, RelationRef, Value } from '@dvt/core';
import { DvtError } from '@dvt/core';
import { quotePostgresIdentifier, quotePostgresLiteral, renderPostgresRelation } from '@dvt/adapter-postgres';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** Where loads are staged on S3 and how the cluster reads them. */
export interface S3Staging {
  bucket: string;
  /** Key prefix, '' or ending in '/'. */
  prefix: string;
  /** IAM role ARN the cluster assumes for COPY. */
  iamRole: string;
  region?: string;
  /** An S3-compatible endpoint instead of AWS's (path-style addressing). */
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

export interface StagingConfig {
  s3_bucket?: string;
  iam_role?: string;
  region?: string;
  s3_endpoint?: string;
  s3_access_key_id?: string;
  s3_secret_access_key?: string;
  s3_session_token?: string;
}

/** The profile's staging settings, or undefined when it names no bucket. */
export function stagingFromConfig(config: StagingConfig): S3Staging | undefined {
  if (!config.s3_bucket) return undefined;
  if (!config.iam_role) throw new DvtError('config', 'redshift profile: s3_bucket needs iam_role (the role the cluster assumes to read the bucket)');
  const spec = config.s3_bucket.replace(/^s3:\/\//, '');
  const slash = spec.indexOf('/');
  const bucket = slash === -1 ? spec : spec.slice(0, slash);
  let prefix = slash === -1 ? '' : spec.slice(slash + 1);
  if (prefix && !prefix.endsWith('/')) prefix += '/';
  if (!bucket) throw new DvtError('config', `redshift profile: s3_bucket '${config.s3_bucket}' names no bucket`);
  if (Boolean(config.s3_access_key_id) !== Boolean(config.s3_secret_access_key)) {
    throw new DvtError('config', 'redshift profile: s3_access_key_id and s3_secret_access_key go together');
  }
  return {
    bucket,
    prefix,
    iamRole: config.iam_role,
    region: config.region,
    endpoint: config.s3_endpoint,
    credentials: config.s3_access_key_id
      ? { accessKeyId: config.s3_access_key_id, secretAccessKey: config.s3_secret_access_key!, sessionToken: config.s3_session_token }
      : undefined,
  };
}

/**
 * Whether Redshift's COPY options can state this CSV spec as plain literals
 * (its COPY reads backslashes in option strings its own way, so specs with
 * one go through the INSERT load instead).
 */
export function copyCanRead(csv: CsvSpec): boolean {
  return !csv.delimiter.includes('\\') && !csv.nullString.includes('\\') && csv.delimiter !== "'";
}

/** `COPY <table> (<cols>) FROM 's3://...' IAM_ROLE ... CSV ...` for a staged file in `csv`'s spec. */
export function copyFromS3Sql(relation: RelationRef, columns: readonly string[], csv: CsvSpec, uri: string, staging: S3Staging): string {
  const parts = [
    `COPY ${renderPostgresRelation(relation)} (${columns.map(quotePostgresIdentifier).join(', ')})`,
    `FROM ${quotePostgresLiteral(uri)}`,
    `IAM_ROLE ${quotePostgresLiteral(staging.iamRole)}`,
    `FORMAT AS CSV`,
    `DELIMITER ${quotePostgresLiteral(csv.delimiter)}`,
    `NULL AS ${quotePostgresLiteral(csv.nullString)}`,
  ];
  if (csv.header) parts.push('IGNOREHEADER 1');
  if (staging.region) parts.push(`REGION ${quotePostgresLiteral(staging.region)}`);
  // ISO dates and timestamps with fractions and offsets, as dvt writes them.
  parts.push(`DATEFORMAT 'auto'`, `TIMEFORMAT 'auto'`);
  return parts.join('\n');
}

type Query = (sql: string, params?: Value[], opts?: { signal?: AbortSignal }) => Promise<QueryResult>;

function openSource(source: LoadSource): Readable | NodeJS.ReadableStream {
  if (source.path) return createReadStream(source.path);
  if (source.open) return source.open();
  throw new DvtError('runtime', 'bulk load source has neither a path nor a stream');
}

/**
 * Uploads the CSV to the staging bucket (multipart, bounded memory), COPYs
 * it into the table, and deletes the object whether or not COPY succeeded.
 * The AWS SDK is loaded here, so profiles without a bucket never pay for it.
 */
export async function s3StagedLoad(query: Query, staging: S3Staging, relation: RelationRef, source: LoadSource, opts: LoadOptions = {}): Promise<LoadStats> {
  opts.signal?.throwIfAborted();
  const { S3Client, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  const { Upload } = await import('@aws-sdk/lib-storage');
  const client = new S3Client({
    region: staging.region ?? 'us-east-1',
    endpoint: staging.endpoint,
    forcePathStyle: Boolean(staging.endpoint),
    credentials: staging.credentials,
    // Plain bodies: no aws-chunked trailers, which S3-compatible stores may not read.
    requestChecksumCalculation: 'WHEN_REQUIRED',
  });
  const key = `${staging.prefix}dvt-load-${relation.identifier}-${randomUUID()}.csv`;
  const uri = `s3://${staging.bucket}/${key}`;
  let uploaded = false;
  try {
    const upload = new Upload({ client, params: { Bucket: staging.bucket, Key: key, Body: openSource(source) as Readable }, queueSize: 2, partSize: 16 * 1024 * 1024 });
    const onAbort = () => void upload.abort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await upload.done();
      uploaded = true;
    } catch (e) {
      opts.signal?.throwIfAborted();
      throw new DvtError('database', `staging ${uri} failed: ${(e as Error).message}`);
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const result = await query(copyFromS3Sql(relation, source.columns.map((c) => c.name), source.csv, uri, staging), [], { signal: opts.signal });
    const rows = result.rowsAffected ?? Number((await query('SELECT pg_last_copy_count()')).rows[0]?.[0] ?? 0);
    opts.onProgress?.(rows);
    return { rows };
  } finally {
    if (uploaded) await client.send(new DeleteObjectCommand({ Bucket: staging.bucket, Key: key })).catch(() => undefined);
    client.destroy();
  }
}
