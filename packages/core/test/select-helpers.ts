import { join } from 'node:path';
import { buildGraph, loadProject } from '../src/index.js';
import type { Graph, Project } from '../src/index.js';
import { literalCalls } from '../src/project/tests.js';

export const SHOP = join(import.meta.dirname, 'fixtures', 'shop');

/**
 * The shop fixture with `depends_on` filled from literal ref()/source()
 * calls, standing in for the compiler's parse step.
 */
export function linkedShop(): { project: Project; graph: Graph } {
  const project = loadProject({ projectDir: SHOP, env: { HOME: '/nonexistent-home' } });
  const byName = new Map<string, string>();
  for (const node of project.nodes.values()) if (node.resource_type !== 'test') byName.set(node.name, node.unique_id);
  for (const node of project.nodes.values()) {
    const calls = literalCalls([node.raw_code]);
    const refs = [...node.refs, ...calls.refs];
    const sources = [...node.sources, ...calls.sources];
    node.depends_on.nodes = [
      ...new Set([
        ...refs.map((r) => byName.get(r.name)!).filter(Boolean),
        ...sources.map(([s, t]) => `source.${node.package_name}.${s}.${t}`),
      ]),
    ];
  }
  return { project, graph: buildGraph(project) };
}
