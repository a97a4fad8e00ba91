/**
 * Where a node's SQL runs:
 * - `pushdown`: on its own target, every input visible from there (what dbt does);
 * - `federate-duckdb`: inputs copied into the DuckDB cache, the SQL run there,
 *   the result staged into the target;
 * - `federate-target`: remote inputs copied into a staging schema on the target,
 *   the SQL run there (chosen with `config(federation='target')`);
 * - `federate-auto`: one of the two federated paths, picked when the node runs
 *   from its inputs' estimated sizes (`config(federation='auto')`).
 */
export type ExecutionPath = 'pushdown' | 'federate-duckdb' | 'federate-target' | 'federate-auto';

/** One input of a node and where it must travel for the node's path. */
export interface PlannedInput {
  unique_id: string;
  /** `source`, or the resource type of a referenced node. */
  kind: 'source' | 'model' | 'seed' | 'snapshot';
  /** The profile output the input lives on. */
  connection: string;
  /** True when the input is copied for this node (to the cache or the target's staging schema). */
  moves: boolean;
  /** Where a moving input lands: `cache`, the node's target output name, or for `federate-auto` `cache or <target>`. */
  to?: string;
  /** The cache table it lands in, for `federate-duckdb`: `{source}__{table}` or `__model__{name}`. */
  cacheTable?: string;
}

export interface NodePlan {
  unique_id: string;
  path: ExecutionPath;
  /** The profile output the node is written to. */
  target: string;
  /** The engine type its SQL runs on (`duckdb` for federate-duckdb; `duckdb or <type>` for federate-auto). */
  engine: string;
  inputs: PlannedInput[];
  /** Why the node is not pushed down; absent for pushdown. */
  reason?: string;
  /** Set when the plan changes how the node is built (a federated view is built as a table). */
  warning?: string;
  /** `federate-auto`: the two plans it picks from at run time, and the remote rows above which it picks the target. */
  auto?: { duckdb: NodePlan; target: NodePlan; thresholdRows: number };
}

export interface FederationPlan {
  /** The profile's target for this run (where inputs without `connection:` live). */
  defaultTarget: string;
  nodes: Map<string, NodePlan>;
}
