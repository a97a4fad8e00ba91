import type { RelationRef } from '../adapter/contract.js';
import { DvtError } from '../errors.js';
import type { CacheEntry, FederationCache } from './cache.js';
import { ALL_COLUMNS, pickColumns, type ColumnNeed } from './columns.js';
import { renderPushedTerms, type PushedTerm } from './filters.js';
import { columnsForDestination, moveRows, type Endpoint, type MoveProgress, type MoveStats } from './mover.js';

/** One input to copy into the cache, and how much of it. */
export interface ExtractionRequest {
  from: Endpoint;
  /** The input on its own engine, as a reference and as that engine renders it. */
  ref: RelationRef;
  rendered: string;
  uniqueId: string;
  /** The cache table it lands in. */
  table: string;
  need?: ColumnNeed;
  /** WHERE terms found safe to travel (filters.ts). */
  terms?: readonly PushedTerm[];
  /** Wraps the extraction query with a row limit in the source's SQL; only when limit.ts says the limit may travel. */
  limited?: (select: string) => string;
  /** Keep a copy younger than this many seconds instead of extracting again. */
  maxAge?: number;
  signal?: AbortSignal;
}

export interface ExtractionEvents {
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  moved(stats: MoveStats): void;
  /** The mover's progress while rows travel (moveRows' `onProgress`). */
  progress?(progress: MoveProgress): void;
}

/**
 * Copies one input into the cache through the movers, reading only the
 * needed columns and, where the request allows, only some rows.
 */
export async function extractIntoCache(cache: FederationCache, request: ExtractionRequest, events: ExtractionEvents): Promise<CacheEntry> {
  const { from, table } = request;
  const described = await from.connection.catalog.describe(request.ref);
  if (!described) throw new DvtError('runtime', `federation: ${request.uniqueId} (${request.rendered}) does not exist on ${from.adapter.displayName}`);
  const columns = columnsForDestination(pickColumns(described, request.need ?? ALL_COLUMNS), from.adapter.type === cache.adapter.type);
  if (columns.length < described.length) events.log('debug', `cache: ${table} keeps ${columns.length} of ${described.length} columns (${columns.map((c) => c.name).join(', ')})`);
  const where = renderPushedTerms(request.terms ?? [], described, from.adapter.dialect);
  if (where) events.log('debug', `cache: ${table} extracts only rows where ${where}`);
  const plain = `select ${columns.map((c) => from.adapter.dialect.quoteIdentifier(c.name)).join(', ')} from ${request.rendered}${where ? ` where ${where}` : ''}`;
  const select = request.limited ? request.limited(plain) : plain;
  return cache.load(
    table,
    {
      columns,
      load: async (connection, loading, loadingColumns) => {
        const to = { connection, adapter: cache.adapter };
        const stats = await moveRows({ from, sql: select, to, relation: loading.toRef(), columns: loadingColumns, signal: request.signal, ...(events.progress ? { onProgress: events.progress } : {}) });
        events.moved(stats);
        return stats.rows;
      },
    },
    request.maxAge,
  );
}
