import type { AdapterDefinition, Project } from '@dvt/core';
import type { MovementPath } from '@dvt/docs-site';

export interface Movement {
  paths: Record<string, MovementPath>;
  /** Why a model is not pushed down (core's planner says which inputs it cannot see). */
  reasons: Record<string, string>;
}

/** Each model's execution path as core's federation planner decides it for a run. */
export async function movementPaths(project: Project, adapters: ReadonlyMap<string, AdapterDefinition>): Promise<Movement> {
  const { planFederation } = await import('@dvt/core');
  const plan = planFederation(project, { adapterOf: (type) => adapters.get(type) });
  const movement: Movement = { paths: {}, reasons: {} };
  for (const node of plan.nodes.values()) {
    if (project.nodes.get(node.unique_id)?.resource_type !== 'model') continue;
    movement.paths[node.unique_id] = node.path;
    if (node.reason) movement.reasons[node.unique_id] = node.reason;
  }
  return movement;
}
