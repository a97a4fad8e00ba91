export { freshnessCriteria, freshnessStatus, mergeFreshness, parseLoadedAt } from './criteria.js';
export type { FreshnessCriteria, FreshnessPeriod, FreshnessStatus, FreshnessTime } from './criteria.js';
export { runSourceFreshness, sourcesWithFreshness } from './run.js';
export type { FreshnessEvent, FreshnessOptions, FreshnessOutcome, FreshnessResult, FreshnessSourceInfo } from './run.js';
export { buildSourcesJson, writeSourcesJson, SOURCES_SCHEMA } from './artifact.js';
