export { planFederation, testTargets, inputsOf, nodeTarget, outputsSeeEachOther, describePlan, sourceCacheTable, modelCacheTable } from './planner.js';
export type { PlanOptions } from './planner.js';
export type { ExecutionPath, FederationPlan, NodePlan, PlannedInput } from './types.js';
