import { join, resolve } from 'node:path';
import type { PreviousState, Project } from '@dvt/core';
import { listFlag, stringFlag, type Invocation } from './args.js';
import type { Log } from './output/log.js';
import { absoluteTargetPath } from './session.js';

/**
 * The graph (checked for cycles) and the unique_ids chosen by `--select`,
 * `--exclude` and `--selector`, optionally only some resource types. Each
 * `--select` criterion that matches nothing is named in a warning, as dbt does.
 */
export async function selectFromFlags(project: Project, invocation: Invocation, log: Log, resourceTypes?: readonly string[]): Promise<string[]> {
  const core = await import('@dvt/core');
  const graph = core.buildGraph(project);
  core.assertAcyclic(graph);
  const selector = new core.Selector(project, graph, previousState(core, project, invocation));
  const select = listFlag(invocation, 'select');
  const selected = selector.select({
    select,
    exclude: listFlag(invocation, 'exclude'),
    selector: stringFlag(invocation, 'selector'),
    resourceTypes,
  });
  if ((select !== undefined && select.length > 1) || selected.length === 0) {
    for (const criterion of select ?? []) {
      if (selector.select({ select: [criterion] }).length === 0) {
        log.warn('NoNodesForSelectionCriteria', `The selection criterion '${criterion}' does not match any enabled nodes`, { spec_raw: criterion });
      }
    }
  }
  return selected;
}

/**
 * With `--state DIR`: how each node differs from that manifest (`state:`;
 * the current side is the manifest this invocation would write, so both have
 * one shape), the statuses of its run_results.json (`result:`), and the
 * sources fresher in target/sources.json than in its sources.json
 * (`source_status:fresher`), each where the files are there.
 */
function previousState(core: typeof import('@dvt/core'), project: Project, invocation: Invocation): PreviousState {
  const dir = stringFlag(invocation, 'state');
  if (dir === undefined) return {};
  const stateDir = resolve(dir);
  const current = core.buildManifest(project, { invocationId: 'state-comparison' }) as Parameters<typeof core.compareWithState>[0];
  const before = core.readSourceFreshness(join(stateDir, 'sources.json'));
  const now = core.readSourceFreshness(join(absoluteTargetPath(project), 'sources.json'));
  return {
    state: core.compareWithState(current, core.readStateManifest(stateDir)),
    results: core.readStateResults(stateDir),
    ...(before && now ? { fresher: core.fresherSources(now, before) } : {}),
  };
}
