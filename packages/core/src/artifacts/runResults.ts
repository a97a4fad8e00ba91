import { baseMetadata, isoUtc, writeJsonFile } from './common.js';
import type { ArtifactMetadataOptions } from './common.js';
import type { RunResult } from './types.js';

export const RUN_RESULTS_SCHEMA = 'https://schemas.getdbt.com/dbt/run-results/v6.json';

/** run_results.json (v6) content. `args` are the invocation's flags, without secrets. */
export function buildRunResults(
  results: readonly RunResult[],
  args: Record<string, unknown>,
  elapsedTime: number,
  options: ArtifactMetadataOptions,
): Record<string, unknown> {
  return {
    metadata: baseMetadata(RUN_RESULTS_SCHEMA, options),
    results: results.map((r) => ({
      status: r.status,
      timing: r.timing.map((t) => ({ name: t.name, started_at: t.started_at, completed_at: t.completed_at })),
      thread_id: r.thread_id,
      execution_time: r.execution_time,
      adapter_response: r.adapter_response,
      message: r.message,
      failures: r.failures,
      unique_id: r.unique_id,
      compiled: r.compiled,
      compiled_code: r.compiled_code,
      relation_name: r.relation_name,
      batch_results: r.batch_results ?? null,
    })),
    elapsed_time: elapsedTime,
    args,
  };
}

/** Write `<dir>/run_results.json`; returns its path. */
export function writeRunResults(
  dir: string,
  results: readonly RunResult[],
  args: Record<string, unknown>,
  elapsedTime: number,
  options: ArtifactMetadataOptions,
): string {
  return writeJsonFile(dir, 'run_results.json', buildRunResults(results, args, elapsedTime, options));
}

/**
 * run-operation's one result, as dbt records it: the macro's unique_id, one
 * timing step named after the macro, `error` with one failure when it raised.
 */
export function operationResult(macro: { unique_id: string; name: string }, succeeded: boolean, startedAt: Date, completedAt: Date): RunResult {
  return {
    unique_id: macro.unique_id,
    status: succeeded ? 'success' : 'error',
    timing: [{ name: macro.name, started_at: isoUtc(startedAt), completed_at: isoUtc(completedAt) }],
    thread_id: 'MainThread',
    execution_time: (completedAt.getTime() - startedAt.getTime()) / 1000,
    adapter_response: {},
    message: null,
    failures: succeeded ? 0 : 1,
    compiled: false,
    compiled_code: null,
    relation_name: null,
  };
}
