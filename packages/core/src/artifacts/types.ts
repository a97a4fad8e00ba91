/**
 * What the runner records per node, shaped as run_results.json v6 entries so
 * the artifact writer only serialises it.
 */

export type RunStatus =
  // models, seeds, snapshots
  | 'success'
  | 'error'
  | 'skipped'
  | 'partial success'
  | 'no-op'
  // tests
  | 'pass'
  | 'fail'
  | 'warn'
  // operations (hooks)
  | 'runtime error';

export interface TimingInfo {
  /** A node's steps are `compile` and `execute`; run-operation's one step is named after its macro. */
  name: string;
  /** ISO-8601 timestamps (UTC, `Z`). */
  started_at: string | null;
  completed_at: string | null;
}

export interface BatchResults {
  /** [start, end] ISO timestamps of each microbatch. */
  successful: [string, string][];
  failed: [string, string][];
}

export interface RunResult {
  unique_id: string;
  status: RunStatus;
  timing: TimingInfo[];
  /** `Thread-1 (worker)` style label of the worker that ran the node. */
  thread_id: string;
  /** Seconds. */
  execution_time: number;
  /** What the engine reported (`_message`, `code`, `rows_affected`, ...). */
  adapter_response: Record<string, unknown>;
  message: string | null;
  /** Failing rows of a test; null for other nodes. */
  failures: number | null;
  compiled: boolean | null;
  compiled_code: string | null;
  /** Quoted relation the node built or read, e.g. `"db"."main"."orders"`. */
  relation_name: string | null;
  batch_results?: BatchResults | null;
}
