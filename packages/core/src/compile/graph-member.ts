import type { Project } from '../project/types.js';

/** `graph`: nodes and sources as dicts, keyed by unique_id. */
export function buildGraph(project: Project): Record<string, unknown> {
  const nodes: Record<string, unknown> = {};
  for (const [id, node] of project.nodes) nodes[id] = { ...node, raw_sql: node.raw_code };
  const sources: Record<string, unknown> = {};
  for (const [id, source] of project.sources) sources[id] = { ...source };
  const exposures: Record<string, unknown> = {};
  for (const [id, exposure] of project.exposures) exposures[id] = { ...exposure };
  return { nodes, sources, exposures, metrics: {}, groups: {}, semantic_models: {}, saved_queries: {} };
}
