export { FederatedRun } from './execute.js';
export type { FederatedRunOptions } from './execute.js';
export { FederationCache, cachePath, cacheRelation } from './cache.js';
export type { CacheEntry, CacheFill } from './cache.js';
export { moveRows, columnsForDestination, createTableSql } from './mover.js';
export type { Endpoint, MoveProgress, MoveRequest, MoveStats } from './mover.js';
export { cacheMaxAge, isFresh } from './freshness.js';
export { RunFederation } from './runner.js';
