export { runCommand, errorMessage, runFilePath } from './run-command.js';
export { showQuery } from './show.js';
export { inlineNode } from './inline.js';
export { previewPlacement, previewInput, previewTable, PREVIEW_ENGINE } from './show-plan.js';
export type { PreviewInput } from './show-plan.js';
export { runScheduled } from './scheduler.js';
export type { ScheduledTask, SchedulerOptions, SchedulerReport, SkipReason, TaskContext, TaskOutcome } from './scheduler.js';
export { planRun, COMMAND_RESOURCES } from './plan.js';
export type { RunPlan } from './plan.js';
export { ConnectionPool } from './pool.js';
export type { ConnectionLease } from './pool.js';
export { SeedInference, ColumnInference, normaliseSeedValue } from './seed/infer.js';
export type { SeedKind, InferredColumn } from './seed/infer.js';
export { judgeTest, auditRelationRef } from './data-test.js';
export { diffColumns } from './materialize/schema-change.js';
export type { SchemaDiff, OnSchemaChange } from './materialize/schema-change.js';
export { countsText, projectCounts, summarize } from './describe.js';
export type {
  NodeDescription,
  RunCommandName,
  RunCommandOptions,
  RunEvent,
  RunEventHandler,
  RunOutcome,
  RunSummary,
  ShowOptions,
  ShowResult,
} from './types.js';
