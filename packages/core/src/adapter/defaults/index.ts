import type { Connection, Dialect, ExtractSink, LoadOptions, LoadSource, QueryOptions, RelationRef } from '../contract.js';
import { insertBulkLoad } from './bulk-load.js';
import { informationSchemaCatalog } from './catalog.js';
import { streamExtract } from './extract.js';

export { informationSchemaCatalog, nativeTypeFromInformationSchema } from './catalog.js';
export { insertBulkLoad, openLoadSource } from './bulk-load.js';
export { streamExtract, writeWithBackpressure } from './extract.js';
export { typedLiteral } from './literals.js';

/** A connection with every optional member the rest of dvt relies on filled in. */
export type CompleteConnection = Connection & Required<Pick<Connection, 'catalog' | 'extract' | 'bulkLoad'>>;

/**
 * Fills in what an adapter's connection leaves out with core's defaults
 * (information_schema catalog, multi-row INSERT bulk load, streamed CSV
 * extraction). The adapter's own members win; optional members it has
 * (cancel, exportFile, loadFile...) pass through.
 */
export function withDefaults(connection: Connection, dialect: Dialect): CompleteConnection {
  const c = connection;
  const complete: CompleteConnection = {
    query: c.query.bind(c),
    stream: c.stream.bind(c),
    ping: c.ping.bind(c),
    close: c.close.bind(c),
    cancel: c.cancel?.bind(c),
    exportFile: c.exportFile?.bind(c),
    loadFile: c.loadFile?.bind(c),
    catalog: c.catalog ?? informationSchemaCatalog(c, dialect),
    extract: c.extract ? c.extract.bind(c) : (sql: string, sink: ExtractSink, opts?: QueryOptions) => streamExtract(c, sql, sink, opts),
    bulkLoad: c.bulkLoad
      ? c.bulkLoad.bind(c)
      : (relation: RelationRef, source: LoadSource, opts?: LoadOptions) => insertBulkLoad(c, dialect, relation, source, opts),
  };
  completed.set(complete, c);
  return complete;
}

const completed = new WeakMap<Connection, Connection>();

/** The adapter's connection a `withDefaults` result completes (itself when it is none). */
export function baseConnectionOf(connection: Connection): Connection {
  return completed.get(connection) ?? connection;
}
