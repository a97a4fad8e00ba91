import type { FederationPlan, NodePlan, Project } from '@dvt/core';
import { formatTable } from './table.js';

/**
 * `dvt compile`'s execution plan as text: one row per node with where its
 * SQL runs and which inputs move from where to where. A project whose
 * selected nodes all run on the default target as dbt would run them gets
 * one line instead of a table. Pure.
 */
export function planTable(project: Project, plan: FederationPlan, ids: readonly string[]): string {
  const plans = ids.map((id) => plan.nodes.get(id)).filter((p): p is NodePlan => p !== undefined);
  if (plans.every((p) => p.path === 'pushdown' && p.target === plan.defaultTarget)) {
    return `Execution plan: ${plans.length === 1 ? 'the node runs' : `all ${plans.length} nodes run`} on the target '${plan.defaultTarget}' (pushdown).`;
  }
  const rows = plans.map((p) => [project.nodes.get(p.unique_id)?.name ?? p.unique_id, p.path, p.engine, p.target, moves(p)]);
  return `Execution plan:\n${formatTable(['node', 'path', 'engine', 'target', 'moves'], rows)}`;
}

function moves(p: NodePlan): string {
  return p.inputs
    .filter((i) => i.moves)
    .map((i) => `${i.unique_id} ${i.connection} -> ${i.to}${i.cacheTable ? ` (${i.cacheTable})` : ''}`)
    .join('; ');
}
