import type { Project } from '@dvt/core';
import { listFlag, stringFlag, type Invocation } from './args.js';

/**
 * The graph (checked for cycles) and the unique_ids chosen by `--select`,
 * `--exclude` and `--selector`, optionally only some resource types.
 */
export async function selectFromFlags(project: Project, invocation: Invocation, resourceTypes?: readonly string[]): Promise<string[]> {
  const core = await import('@dvt/core');
  const graph = core.buildGraph(project);
  core.assertAcyclic(graph);
  return new core.Selector(project, graph).select({
    select: listFlag(invocation, 'select'),
    exclude: listFlag(invocation, 'exclude'),
    selector: stringFlag(invocation, 'selector'),
    resourceTypes,
  });
}
