import type { RunResult } from '../artifacts/types.js';
import type { ExecutableNode, Project } from '../project/types.js';
import type { NodeDescription, RunSummary } from './types.js';

/** dbt's words for a node on its START/OK line. */
/** `clone`: what the node becomes is a view of another relation, whatever its materialization. */
export function describeNode(node: ExecutableNode, index: number, total: number, clone = false): NodeDescription {
  const relation = `${node.schema}.${node.alias}`;
  let description: string;
  if (clone) return { unique_id: node.unique_id, resource_type: node.resource_type, name: node.name, description: `clone of ${node.resource_type} ${relation}`, index, total };
  switch (node.resource_type) {
    case 'model':
      description = `sql ${String(node.config.materialized ?? 'view')} model ${relation}`;
      break;
    case 'seed':
      description = `seed file ${relation}`;
      break;
    case 'test':
      description = `test ${node.name}`;
      break;
    case 'snapshot':
      description = `snapshot ${relation}`;
      break;
    case 'unit_test':
      description = `unit_test ${node.depends_on.nodes[0]?.split('.').slice(2).join('.') ?? ''}::${node.name}`;
      break;
    default:
      description = `${node.resource_type} ${node.name}`;
  }
  return { unique_id: node.unique_id, resource_type: node.resource_type, name: node.name, description, index, total };
}

const COUNT_ORDER: [key: string, singular: string, plural: string][] = [
  ['model', 'model', 'models'],
  ['snapshot', 'snapshot', 'snapshots'],
  ['analysis', 'analysis', 'analyses'],
  ['seed', 'seed', 'seeds'],
  ['test', 'data test', 'data tests'],
  ['unit_test', 'unit test', 'unit tests'],
  ['source', 'source', 'sources'],
  ['exposure', 'exposure', 'exposures'],
  ['macro', 'macro', 'macros'],
];

/** What the project holds, by resource type (dbt prints these before a run). */
export function projectCounts(project: Project): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of project.nodes.values()) counts[node.resource_type] = (counts[node.resource_type] ?? 0) + 1;
  counts.source = project.sources.size;
  counts.exposure = project.exposures.size;
  counts.unit_test = project.unitTests.size;
  counts.macro = project.macros.size;
  return counts;
}

/** `5 models, 3 seeds, 8 data tests, 2 sources, 120 macros` */
export function countsText(counts: Record<string, number>): string {
  return COUNT_ORDER.filter(([key]) => (counts[key] ?? 0) > 0)
    .map(([key, one, many]) => `${counts[key]} ${counts[key] === 1 ? one : many}`)
    .join(', ');
}

export function summarize(results: readonly RunResult[]): RunSummary {
  const summary: RunSummary = { pass: 0, warn: 0, error: 0, skip: 0, total: results.length };
  for (const r of results) {
    if (r.status === 'success' || r.status === 'pass') summary.pass++;
    else if (r.status === 'warn') summary.warn++;
    else if (r.status === 'skipped') summary.skip++;
    else summary.error++;
  }
  return summary;
}
