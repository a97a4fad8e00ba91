import type { AdapterDefinition, Project } from '@dvt/core';

export type MovementPath = 'pushdown' | 'federated';

/**
 * Per model: `pushdown` when every input is on the model's own output or
 * visible from it (the adapter's `canSee`), so the engine runs the SQL where
 * the data is; `federated` when some input must be moved from another engine.
 */
export function movementPaths(project: Project, adapters: ReadonlyMap<string, AdapterDefinition>): Record<string, MovementPath> {
  const outputs = project.profile.outputs;
  const outputOfId = (id: string): string | undefined => {
    const node = project.nodes.get(id);
    if (node) return typeof node.config.target === 'string' ? node.config.target : project.profile.target;
    const source = project.sources.get(id);
    return source ? (source.connection ?? project.profile.target) : undefined;
  };
  const sees = (own: string, other: string): boolean => {
    if (own === other) return true;
    const a = outputs[own];
    const b = outputs[other];
    if (!a || !b) return false;
    const adapter = adapters.get(a.type);
    if (adapter?.canSee) return adapter.canSee(a.config, { type: b.type, config: b.config });
    return a.type === b.type && JSON.stringify(a.config) === JSON.stringify(b.config);
  };
  const paths: Record<string, MovementPath> = {};
  for (const node of project.nodes.values()) {
    if (node.resource_type !== 'model') continue;
    const own = outputOfId(node.unique_id)!;
    const inputs = node.depends_on.nodes.map(outputOfId).filter((o): o is string => o !== undefined);
    paths[node.unique_id] = inputs.every((input) => sees(own, input)) ? 'pushdown' : 'federated';
  }
  return paths;
}
