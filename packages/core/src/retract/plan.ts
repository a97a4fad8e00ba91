import type { AdapterDefinition } from '../adapter/contract.js';
import type { Compiler } from '../compile/compiler.js';
import type { Relation } from '../compile/relation.js';
import { stagedRelation, stagedTableName } from '../federate/on-target.js';
import { buildGraph, topologicalOrder } from '../graph/graph.js';
import { modelCacheTable } from '../plan/planner.js';
import type { FederationPlan } from '../plan/types.js';
import type { ExecutableNode, Project } from '../project/types.js';
import { suffixed } from '../run/context.js';

/** What dvt creates for a node: models (ephemeral ones excepted), seeds and snapshots. */
const RETRACTABLE = new Set(['model', 'seed', 'snapshot']);

/** Suffixes of the relations a killed build can leave beside a node's own (materializations, federated staging). */
const LEFTOVER_SUFFIXES = ['__dbt_tmp', '__dbt_backup', '__dvt_stage'];

/** A relation on one profile output. */
export interface PlacedRelation {
  output: string;
  relation: Relation;
}

/** Everything `dvt retract` removes for one node. */
export interface RetractStep {
  node: ExecutableNode;
  /** The node's own relation on its target. */
  main: PlacedRelation;
  /** Relations that exist only if a run was killed, and staged copies on targets that federate with federation='target'. */
  extras: PlacedRelation[];
  /** Names of the node's tables in `.dvt/cache.duckdb` among `existing`. */
  cacheTables(existing: readonly string[]): string[];
}

/**
 * The steps of a retraction, children before parents (a view goes before the
 * table it reads). Selected nodes dvt does not create (tests, analyses,
 * sources, ephemeral models) are left out. Pure: opens no connection.
 */
export function planRetraction(
  project: Project,
  compiler: Compiler,
  selection: readonly string[],
  plan: FederationPlan,
  adapterOf: (type: string) => AdapterDefinition,
): RetractStep[] {
  const chosen = new Set(selection.filter((id) => isRetractable(project.nodes.get(id))));
  const order = topologicalOrder(buildGraph(project), chosen).reverse();
  return order.map((id) => {
    const node = project.nodes.get(id)!;
    const output = compiler.outputOf(node);
    const adapter = adapterOf(output.type);
    const relation = compiler.relationOf(node);
    const leftovers = LEFTOVER_SUFFIXES.map((suffix) => ({ output: output.name, relation: suffixed({ adapter }, relation, suffix, null) }));
    return {
      node,
      main: { output: output.name, relation },
      extras: [...leftovers, ...stagedCopies(project, plan, node, adapterOf)],
      cacheTables: (existing) => cacheTablesOf(node.name, existing),
    };
  });
}

function isRetractable(node: ExecutableNode | undefined): node is ExecutableNode {
  return node !== undefined && RETRACTABLE.has(node.resource_type) && !(node.resource_type === 'model' && node.config.materialized === 'ephemeral');
}

/** Copies of the node staged on the targets of models that read it with federation='target' (shared, or filtered for that reader). */
function stagedCopies(project: Project, plan: FederationPlan, node: ExecutableNode, adapterOf: (type: string) => AdapterDefinition): PlacedRelation[] {
  const out: PlacedRelation[] = [];
  for (const reader of plan.nodes.values()) {
    if (reader.path !== 'federate-target' || !reader.inputs.some((i) => i.moves && i.unique_id === node.unique_id)) continue;
    const output = project.profile.outputs[reader.target];
    const readerNode = project.nodes.get(reader.unique_id);
    if (!output || !readerNode) continue;
    const adapter = adapterOf(output.type);
    for (const table of [stagedTableName(project, node.unique_id), stagedTableName(project, node.unique_id, readerNode.name)]) {
      out.push({ output: output.name, relation: stagedRelation(adapter, output, table) });
    }
  }
  return out;
}

/**
 * A node's tables in the cache: its copy (`__model__{name}`), copies
 * filtered for one reader (`…__for__<model>`), a half-loaded copy, preview
 * copies (`…__show`), and the scratch tables of its own federated build.
 */
export function cacheTablesOf(name: string, existing: readonly string[]): string[] {
  const copy = modelCacheTable(name);
  const exact = new Set([copy, `${copy}__dvt_loading`, `${copy}__show`, `__this__${name}`, `__this__${name}__show`, `__dvt_result__${name}`]);
  return existing.filter((table) => exact.has(table) || table.startsWith(`${copy}__for__`));
}
