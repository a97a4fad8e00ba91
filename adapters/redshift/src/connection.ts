import type { Connection } from '@dvt/core';
import type { PostgresConnection } from '@dvt/adapter-postgres';

/**
 * A Redshift session: PostgreSQL's connection without the COPY STDIN/STDOUT
 * fast paths Redshift does not have. Core fills in bulk loads (batched
 * INSERT) and extraction (the cursor stream).
 */
export function redshiftConnection(session: PostgresConnection): Connection & Pick<PostgresConnection, 'serverVersion' | 'capabilities'> {
  return {
    serverVersion: session.serverVersion,
    capabilities: session.capabilities,
    catalog: session.catalog,
    query: (sql, params, opts) => session.query(sql, params, opts),
    stream: (sql, params, opts) => session.stream(sql, params, opts),
    ping: () => session.ping(),
    cancel: () => session.cancel(),
    close: () => session.close(),
  };
}
