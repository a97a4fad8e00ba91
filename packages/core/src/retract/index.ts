export { retract } from './execute.js';
export type { RetractOptions, RetractResult, RetractStatus } from './execute.js';
export { planRetraction, cacheTablesOf } from './plan.js';
export type { PlacedRelation, RetractStep } from './plan.js';
