import { layeredLayout } from '../shared/layout.js';
import type { DvtDocsInfo, EngineInfo, Manifest, MovementPath } from '../shared/types.js';
import { GRAPH_RESOURCE_TYPES } from '../shared/types.js';

export interface DocsInfoInput {
  manifest: Manifest;
  engines: Record<string, EngineInfo>;
  defaultTarget: string;
  paths: Record<string, MovementPath>;
  reasons?: Record<string, string>;
}

/**
 * dvt.json: engines, movement paths and the layered layout of the whole
 * project. The whole-project layout is computed here, once, because a layered
 * layout of thousands of nodes takes longer than a page may take to open;
 * the site lays out smaller selections itself.
 */
export function buildDocsInfo(input: DocsInfoInput): DvtDocsInfo {
  const { ids, edges } = lineageGraph(input.manifest);
  const layout: Record<string, [number, number]> = {};
  for (const [id, [x, y]] of layeredLayout(ids, edges)) layout[id] = [Math.round(x), Math.round(y)];
  return { engines: input.engines, defaultTarget: input.defaultTarget, paths: input.paths, reasons: input.reasons ?? {}, layout };
}

/** Nodes and edges the lineage graph draws: everything but tests, macros and docs. */
export function lineageGraph(manifest: Manifest): { ids: string[]; edges: [string, string][] } {
  const all = { ...manifest.nodes, ...manifest.sources, ...(manifest.exposures ?? {}) };
  const ids = Object.values(all)
    .filter((n) => GRAPH_RESOURCE_TYPES.has(n.resource_type))
    .map((n) => n.unique_id);
  const drawn = new Set(ids);
  const edges: [string, string][] = [];
  for (const id of ids) {
    for (const child of manifest.child_map?.[id] ?? []) if (drawn.has(child)) edges.push([id, child]);
  }
  return { ids, edges };
}
