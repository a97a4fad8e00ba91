import type { AdapterDefinition } from '../adapter/contract.js';
import { DvtError } from '../errors.js';
import type { ExecutableNode, ProfileOutput, Project } from '../project/types.js';
import type { ExecutionPath, FederationPlan, NodePlan, PlannedInput } from './types.js';

export interface PlanOptions {
  /** Adapter definitions by type, for every output the project uses. */
  adapterOf(type: string): AdapterDefinition | undefined;
}

/** The cache table a source lands in. */
export function sourceCacheTable(sourceName: string, tableName: string): string {
  return `${sourceName}__${tableName}`;
}

/** The cache table a model's result lands in. */
export function modelCacheTable(modelName: string): string {
  return `__model__${modelName}`;
}

/** The profile output a node is written to: `config.target`, else the run's target. */
export function nodeTarget(project: Project, node: ExecutableNode): string {
  return typeof node.config.target === 'string' && node.config.target.length > 0 ? node.config.target : project.profile.target;
}

/**
 * Whether SQL run on `own` can read what lives behind `other`: the same output
 * always; otherwise the adapter decides (`canSee`), and without an opinion
 * only an identical connection config counts.
 */
export function outputsSeeEachOther(own: ProfileOutput, other: ProfileOutput, adapterOf: PlanOptions['adapterOf']): boolean {
  if (own.name === other.name) return true;
  const adapter = adapterOf(own.type);
  if (adapter?.canSee) return adapter.canSee(own.config, { type: other.type, config: other.config });
  return own.type === other.type && sameValue(own.config, other.config);
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const FEDERATION_MODES = new Set(['duckdb', 'target', 'auto']);

/**
 * The engine of the federation cache. A target of this engine federates on
 * itself unless `federation` says otherwise: building in the cache and then
 * copying the result over would move every row of the result once more for
 * nothing. `federation='duckdb'` still goes through the cache (for a remote
 * DuckDB such as MotherDuck, where only the result should travel).
 */
const CACHE_ENGINE = 'duckdb';

/**
 * Decides every node's execution path before anything runs. Pure: reads the
 * project and the adapters' `canSee`, opens no connection.
 *
 * Inputs are a node's sources (living on their `connection:`, else the
 * profile's default target — not the node's own target) and the nodes it
 * refs (living on their own target); ephemeral models are looked through to
 * what they read. Only models are federated; other nodes run where they are
 * written, as in dbt.
 */
export function planFederation(project: Project, options: PlanOptions): FederationPlan {
  const outputs = project.profile.outputs;
  const nodes = new Map<string, NodePlan>();
  const tests = testTargets(project);
  for (const node of project.nodes.values()) {
    if (node.config.enabled === false) continue;
    const target = tests.get(node.unique_id) ?? nodeTarget(project, node);
    const own = outputs[target];
    // An unknown target is the node's own error when it runs; the plan has nothing to say about it.
    if (!own) continue;
    const inputs = inputsOf(project, node);
    const remote = inputs.filter((input) => {
      const other = outputs[input.connection];
      return other !== undefined && !outputsSeeEachOther(own, other, options.adapterOf);
    });
    if (remote.length === 0 || node.resource_type !== 'model') {
      nodes.set(node.unique_id, { unique_id: node.unique_id, path: 'pushdown', target, engine: own.type, inputs });
      continue;
    }
    const onItself = own.type === CACHE_ENGINE && node.config.federation === undefined;
    const reason =
      `reads ${remote.map((i) => `${i.unique_id} on '${i.connection}'`).join(', ')}, which '${target}' cannot see` +
      (onItself ? `; '${target}' is itself DuckDB, so its remote inputs are staged there rather than in the cache` : '');
    const federated = (path: ConcretePath) => federatedPlan(project, node, path, { target, engine: own.type, inputs, remote, reason });
    const mode = federationMode(node);
    if (mode === 'target' || onItself) nodes.set(node.unique_id, federated('federate-target'));
    else if (mode === 'auto') nodes.set(node.unique_id, autoPlan(node, federated('federate-duckdb'), federated('federate-target')));
    else nodes.set(node.unique_id, federated('federate-duckdb'));
  }
  return { defaultTarget: project.profile.target, nodes };
}

/** A federated path the runner executes as such (`federate-auto` resolves to one of them). */
type ConcretePath = Extract<ExecutionPath, 'federate-duckdb' | 'federate-target'>;

/** Remote rows above which `federation='auto'` runs on the target, unless `federation_auto_rows` says otherwise. */
export const DEFAULT_AUTO_THRESHOLD_ROWS = 10_000_000;

/** The node's `federation` config, checked; undefined when unset. */
function federationMode(node: ExecutableNode): string | undefined {
  if (node.config.federation === undefined) return undefined;
  const mode = String(node.config.federation);
  if (!FEDERATION_MODES.has(mode)) {
    throw new DvtError('config', `${node.unique_id}: federation must be one of duckdb, target, auto (got '${mode}')`, { location: { file: node.original_file_path } });
  }
  return mode;
}

/**
 * The plan of a model its target cannot run alone: on DuckDB every input is
 * copied into the cache; on the target only the remote ones are copied, into
 * its staging schema. Either way a view or ephemeral model becomes a table,
 * since what it reads is gone after the run.
 */
function federatedPlan(
  project: Project,
  node: ExecutableNode,
  path: ConcretePath,
  where: { target: string; engine: string; inputs: PlannedInput[]; remote: PlannedInput[]; reason: string },
): NodePlan {
  const { target, reason } = where;
  const onDuckdb = path === 'federate-duckdb';
  const inputs: PlannedInput[] = where.inputs.map((input) => {
    if (onDuckdb) return { ...input, moves: true, to: 'cache', cacheTable: cacheTableOf(project, input.unique_id) };
    return where.remote.includes(input) ? { ...input, moves: true, to: target } : input;
  });
  const plan: NodePlan = { unique_id: node.unique_id, path, target, engine: onDuckdb ? 'duckdb' : where.engine, inputs, reason };
  const warning = asTableWarning(node, reason, target, onDuckdb ? ' from the DuckDB cache' : ' from its inputs staged there');
  return warning ? { ...plan, warning } : plan;
}

function asTableWarning(node: ExecutableNode, reason: string, target: string, from: string): string | undefined {
  const materialized = String(node.config.materialized ?? 'view');
  if (materialized !== 'view' && materialized !== 'ephemeral') return undefined;
  return `${node.unique_id} is materialized as '${materialized}' but ${reason}: it is built as a table on '${target}'${from}`;
}

/** `federation='auto'`: both plans, picked from when the node runs; its own inputs say which would move where. */
function autoPlan(node: ExecutableNode, duckdb: NodePlan, target: NodePlan): NodePlan {
  const configured = node.config.federation_auto_rows;
  if (configured !== undefined && (typeof configured !== 'number' || !Number.isFinite(configured) || configured < 0)) {
    throw new DvtError('config', `${node.unique_id}: federation_auto_rows must be a number of rows (got ${JSON.stringify(configured)})`, {
      location: { file: node.original_file_path },
    });
  }
  return {
    unique_id: node.unique_id,
    path: 'federate-auto',
    target: target.target,
    engine: `duckdb or ${target.engine}`,
    inputs: target.inputs.map((input) => (input.moves ? { ...input, to: `cache or ${target.target}` } : input)),
    reason: target.reason,
    ...(target.warning ? { warning: asTableWarning(node, target.reason!, target.target, '') } : {}),
    auto: { duckdb, target, thresholdRows: configured ?? DEFAULT_AUTO_THRESHOLD_ROWS },
  };
}

function cacheTableOf(project: Project, uniqueId: string): string {
  const source = project.sources.get(uniqueId);
  if (source) return sourceCacheTable(source.source_name, source.name);
  return modelCacheTable(project.nodes.get(uniqueId)!.name);
}

/** A node's inputs with where they live, looking through ephemeral models; sorted by unique_id. */
export function inputsOf(project: Project, node: ExecutableNode): PlannedInput[] {
  const found = new Map<string, PlannedInput>();
  const seen = new Set<string>();
  const stack = [...node.depends_on.nodes];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    const source = project.sources.get(id);
    if (source) {
      found.set(id, { unique_id: id, kind: 'source', connection: source.connection ?? project.profile.target, moves: false });
      continue;
    }
    const other = project.nodes.get(id);
    if (!other) continue;
    if (other.resource_type === 'model' && other.config.materialized === 'ephemeral') {
      stack.push(...other.depends_on.nodes);
      continue;
    }
    if (other.resource_type === 'model' || other.resource_type === 'seed' || other.resource_type === 'snapshot') {
      found.set(id, { unique_id: id, kind: other.resource_type, connection: nodeTarget(project, other), moves: false });
    }
  }
  return [...found.values()].sort((a, b) => a.unique_id.localeCompare(b.unique_id));
}

/**
 * Where each data test without a `target` config should run: on the
 * connection its inputs live on, when they all live on one (a test of a
 * model built on PostgreSQL queries PostgreSQL). Tests whose inputs span
 * connections are left to the default target.
 */
export function testTargets(project: Project): Map<string, string> {
  const out = new Map<string, string>();
  for (const node of project.nodes.values()) {
    if (node.resource_type !== 'test' || typeof node.config.target === 'string') continue;
    const connections = new Set(inputsOf(project, node).map((i) => i.connection));
    const [only] = connections;
    if (connections.size === 1 && only !== project.profile.target) out.set(node.unique_id, only!);
  }
  return out;
}

/** The plan of one node as plain JSON (for `dvt compile` and `dvt list --output json`). */
export function describePlan(plan: NodePlan): Record<string, unknown> {
  return {
    path: plan.path,
    engine: plan.engine,
    target: plan.target,
    moves: plan.inputs.filter((i) => i.moves).map((i) => ({ input: i.unique_id, from: i.connection, to: i.to, ...(i.cacheTable ? { table: i.cacheTable } : {}) })),
    ...(plan.auto ? { auto_threshold_rows: plan.auto.thresholdRows } : {}),
    ...(plan.reason ? { reason: plan.reason } : {}),
    ...(plan.warning ? { warning: plan.warning } : {}),
  };
}
