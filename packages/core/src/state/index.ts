export { compareWithState, fresherSources, matchesState, readSourceFreshness, readStateManifest, readStateResults, STATE_MODIFIED_KINDS } from './compare.js';
export type { ManifestEntry, StateChange, StateManifest } from './compare.js';
export { deferredInputs } from './defer.js';
export type { DeferOptions } from './defer.js';
