import type { Dialect, RelationRef } from '@dvt/core';

/**
 * The statements @dvt/adapter-testkit's conformance kit needs, in MySQL's
 * spelling (its `statements` option): a schema drops without CASCADE, and a
 * rename names the schema of the new name so the table stays where it is.
 */
export const mysqlKitStatements = {
  createSchema: (schema: string, d: Dialect) => `create schema ${d.quoteIdentifier(schema)}`,
  dropSchema: (schema: string, d: Dialect) => `drop schema if exists ${d.quoteIdentifier(schema)}`,
  renameTable: (from: RelationRef, to: RelationRef, d: Dialect) =>
    `rename table ${d.renderRelation(from)} to ${d.renderRelation({ schema: from.schema, identifier: to.identifier })}`,
  begin: 'start transaction',
  commit: 'commit',
  rollback: 'rollback',
};

/**
 * Kit cases that cannot pass on this engine family, with the reason. The
 * kit's movement rows carry timestamptz values up to 2049, beyond the
 * TIMESTAMP type's range (1970-01-01 to 2038-01-19 UTC); the adapter's own
 * tests cover loading and extracting with in-range values.
 */
export const MYSQL_TIMESTAMP_RANGE_SKIPS: Record<string, string> = Object.fromEntries(
  [
    'movement.bulk-load.file',
    'movement.bulk-load.stream',
    'movement.bulk-load.other-spec',
    'movement.bulk-load.insert-default',
    'movement.extract.default',
    'movement.extract.null-word-forced-quotes',
    'movement.extract.tab-no-header',
  ].map((id) => [id, "TIMESTAMP (timestamptz) holds 1970-2038 only and the kit's rows reach 2049; adapter tests cover load and extract"]),
);

export const NO_INTERVAL_SKIPS: Record<string, string> = {
  'dialect.types.interval': 'MySQL has no interval type: intervals are kept as varchar text',
  'connection.values.interval': 'MySQL has no interval type: intervals are kept as varchar text',
};

export const NO_UUID_SKIPS: Record<string, string> = {
  'dialect.types.uuid': 'MySQL has no uuid type: uuids are kept as char(36)',
  'connection.values.uuid': 'MySQL has no uuid type: uuids are kept as char(36)',
};

/**
 * A live server named by environment variables `<prefix>_HOST` (required),
 * `_PORT` (3306), `_USER` (root), `_PASSWORD`, `_DATABASE` (test): the
 * service spec and profile output the conformance kit runs against, or
 * undefined when `<prefix>_HOST` is not set.
 */
export function liveServerFromEnv(prefix: string, name: string, env: NodeJS.ProcessEnv = process.env) {
  const host = env[`${prefix}_HOST`];
  if (!host) return undefined;
  const port = Number(env[`${prefix}_PORT`] ?? 3306);
  return {
    service: { name, host, port, start: `start ${name} at ${host}:${port} or unset ${prefix}_HOST` },
    config: { server: host, port, username: env[`${prefix}_USER`] ?? 'root', password: env[`${prefix}_PASSWORD`], schema: env[`${prefix}_DATABASE`] ?? 'test' },
  };
}
