import type { AdapterDefinition } from '../adapter/contract.js';
import { modelCacheTable, nodeTarget, outputsSeeEachOther, sourceCacheTable } from '../plan/planner.js';
import type { ProfileOutput, Project } from '../project/types.js';

/** The engine previews run on when they cannot run where their inputs already are. */
export const PREVIEW_ENGINE = 'duckdb';

/** One relation a preview reads, where it lives, and the cache table its copy lands in. */
export interface PreviewInput {
  unique_id: string;
  /** The profile output it lives on. */
  connection: string;
  /** Its copy in the cache, private to the preview (never a run's shared copy: it may hold only some rows). */
  cacheTable: string;
}

/**
 * Where a preview runs: on `output` itself, when that output is DuckDB (or
 * the query is inline SQL reading no ref/source, whose table names can only
 * mean the target's) and it sees every input; otherwise in the DuckDB cache,
 * with the inputs copied there. Nothing is ever written to an output. Pure.
 */
export function previewPlacement(
  project: Project,
  own: ProfileOutput,
  inputs: readonly PreviewInput[],
  options: { inline: boolean; adapterOf(type: string): AdapterDefinition | undefined },
): { where: 'output'; output: string } | { where: 'cache' } {
  const runsInPlace = own.type === PREVIEW_ENGINE || (options.inline && inputs.length === 0);
  const seesAll = inputs.every((input) => {
    const other = project.profile.outputs[input.connection];
    return other !== undefined && outputsSeeEachOther(own, other, options.adapterOf);
  });
  return runsInPlace && seesAll ? { where: 'output', output: own.name } : { where: 'cache' };
}

/** An input of a preview by unique_id: a source on its connection, a node on its target. */
export function previewInput(project: Project, uniqueId: string): PreviewInput | undefined {
  const source = project.sources.get(uniqueId);
  if (source) {
    return { unique_id: uniqueId, connection: source.connection ?? project.profile.target, cacheTable: previewTable(sourceCacheTable(source.source_name, source.name)) };
  }
  const node = project.nodes.get(uniqueId);
  if (!node) return undefined;
  return { unique_id: uniqueId, connection: nodeTarget(project, node), cacheTable: previewTable(modelCacheTable(node.name)) };
}

/** The private cache name of a preview's copy of `table`. */
export function previewTable(table: string): string {
  return `${table}__show`;
}
