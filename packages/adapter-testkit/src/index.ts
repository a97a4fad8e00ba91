export * from './services.js';
export * from './context.js';
export { describeAdapterConformance, BUILTIN_SUITES } from './conformance.js';
export { TYPE_SAMPLES, sameValue, assertSameValues, numbersSql, type TypeSample } from './samples.js';
export { MOVEMENT_COLUMNS, movementRow } from './suites/data-movement.js';
export { materializationSuite } from './materialization.js';
export { runProject, queryRows, QUIET_CONTEXT, type RunProjectOptions } from './project.js';
