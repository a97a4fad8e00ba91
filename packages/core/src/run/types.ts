import type { AdapterDefinition, QueryResult } from '../adapter/contract.js';
import type { RunResult } from '../artifacts/types.js';
import type { Compiler } from '../compile/compiler.js';
import type { MoveProgressEvent, MoveProgressSink } from '../federate/progress.js';
import type { ExecutableNode, Project } from '../project/types.js';
import type { StateManifest } from '../state/compare.js';

/** The commands the runner executes (the CLI maps its sub-commands onto these). */
export type RunCommandName = 'run' | 'seed' | 'test' | 'build' | 'compile' | 'snapshot' | 'clone';

export interface RunCommandOptions {
  command: RunCommandName;
  project: Project;
  compiler: Compiler;
  /** unique_ids chosen by selection (tests included as the selector decided). */
  selection: readonly string[];
  /** Overrides the profile output's `threads`. */
  threads?: number;
  fullRefresh?: boolean;
  failFast?: boolean;
  /** Absolute path of the target directory (`target/`). */
  targetPath: string;
  /** The CLI's adapter discovery: type -> definition. */
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  events?: RunEventHandler;
  /**
   * Emit `move_progress` events while federated moves run (a terminal shows
   * them). Off by default: counting the rows in flight reads every byte.
   */
  moveProgress?: boolean;
  /** Aborts the whole run (Ctrl-C). */
  signal?: AbortSignal;
  /** `clone`: the `--state` manifest whose relations the target gets views of. */
  cloneFrom?: StateManifest;
}

export interface ShowOptions {
  project: Project;
  compiler: Compiler;
  /** The node to preview; `--inline` SQL comes as a node of its own (not in the project). */
  node: ExecutableNode;
  /** True for `--inline` SQL: reading no ref()/source(), it runs on the target as written. */
  inline?: boolean;
  /** Rows to return; -1 for all. */
  limit: number;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
  /** Where the preview ran and what moved (info), or details (debug). */
  log?(level: 'debug' | 'info' | 'warn', message: string): void;
  /** Progress of each copy while it moves, when someone shows it (counting reads every byte). */
  progress?: MoveProgressSink;
  signal?: AbortSignal;
}

export type ShowResult = Pick<QueryResult, 'columns' | 'rows'>;

export interface RunOutcome {
  results: RunResult[];
  /** Seconds from start to end of the run. */
  elapsed: number;
  /** True when every result is success/pass/warn and no on-run-end hook failed (what exit code 0 means). */
  success: boolean;
  /** Messages of on-run-end hooks that failed (they do not undo the nodes' results). */
  hookFailures: string[];
}

export interface RunSummary {
  pass: number;
  warn: number;
  error: number;
  skip: number;
  total: number;
}

export interface NodeDescription {
  unique_id: string;
  resource_type: string;
  name: string;
  /** `sql table model main.customers`, `seed file main.raw_orders`, `test not_null_orders_id`. */
  description: string;
  index: number;
  total: number;
}

export type RunEvent =
  | { type: 'run_start'; command: RunCommandName; counts: Record<string, number>; countsText: string; threads: number; target: string }
  | { type: 'hooks_start'; phase: 'on-run-start' | 'on-run-end'; count: number }
  | { type: 'hook_end'; phase: 'on-run-start' | 'on-run-end'; index: number; total: number; sql: string; status: 'success' | 'error'; execution_time: number; message?: string }
  | { type: 'node_start'; node: NodeDescription; thread_id: string }
  | { type: 'node_end'; node: NodeDescription; result: RunResult }
  | { type: 'log'; level: 'debug' | 'info' | 'warn'; message: string; unique_id?: string }
  | ({ type: 'move_progress' } & MoveProgressEvent)
  | { type: 'run_end'; elapsed: number; summary: RunSummary; results: RunResult[] };

export type RunEventHandler = (event: RunEvent) => void;
