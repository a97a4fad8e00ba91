import type { Connection } from '@dvt/core';
import { insertBulkLoad } from '@dvt/core';
import type { PostgresConnection } from '@dvt/adapter-postgres';
import { redshiftDialect } from './dialect.js';
import { copyCanRead, s3StagedLoad } from './staging.js';
import type { S3Staging } from './staging.js';

/**
 * A Redshift session: PostgreSQL's connection without the COPY STDIN/STDOUT
 * fast paths Redshift does not have. Core fills in extraction (the cursor
 * stream) and, unless the profile names an S3 bucket, bulk loads (batched
 * INSERT); with a bucket, loads are staged on S3 and COPYed.
 */
export function redshiftConnection(
  session: PostgresConnection,
  staging?: S3Staging,
): Connection & Pick<PostgresConnection, 'serverVersion' | 'capabilities'> {
  const connection: Connection & Pick<PostgresConnection, 'serverVersion' | 'capabilities'> = {
    serverVersion: session.serverVersion,
    capabilities: session.capabilities,
    catalog: session.catalog,
    query: (sql, params, opts) => session.query(sql, params, opts),
    stream: (sql, params, opts) => session.stream(sql, params, opts),
    ping: () => session.ping(),
    cancel: () => session.cancel(),
    close: () => session.close(),
  };
  if (staging) {
    const query = connection.query;
    connection.bulkLoad = (relation, source, opts) =>
      copyCanRead(source.csv) ? s3StagedLoad(query, staging, relation, source, opts) : insertBulkLoad(connection, redshiftDialect, relation, source, opts);
  }
  return connection;
}
