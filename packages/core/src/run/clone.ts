import type { StateManifest } from '../state/compare.js';
import { findRelation, makeRelation, nodeRelation, type MaterializationResult, type NodeExecution } from './context.js';
import { materializeView } from './materialize/view.js';

/**
 * `dvt clone` (dbt's clone): the target gets, for a model, seed or
 * snapshot, a view of its relation in the `--state` manifest, so a
 * development schema reads production's tables without building them.
 * None of the adapters so far (PostgreSQL, Redshift, MySQL family, DuckDB)
 * clones a table without copying it, so it is always a view, as dbt makes
 * where `can_clone_table` is false; Snowflake's CLONE would be the case for
 * a table clone once such an adapter exists. A relation the target
 * already has is left alone unless --full-refresh; the node's hooks and
 * contract belong to its build, not to the view.
 */
export async function materializeClone(x: NodeExecution, state: StateManifest): Promise<MaterializationResult> {
  const target = nodeRelation(x, 'view');
  const entry = state.nodes[x.node.unique_id];
  const noop = (why: string): MaterializationResult => ({ status: 'success', message: `No-op: ${why}`, code: 'NO-OP', compiledCode: null, relation: target });
  if (!entry || !entry.schema) return noop(`${x.node.unique_id} is not in the state manifest`);
  const identifier = entry.alias ?? entry.identifier ?? x.node.name;
  const source = makeRelation(x, { database: entry.database ?? undefined, schema: entry.schema, identifier });
  if (source.render() === target.render()) return noop(`the state's relation is ${target.render()} itself`);
  const existing = await findRelation(x, target.toRef());
  if (existing && !x.fullRefresh) return noop(`${target.render()} exists (--full-refresh replaces it)`);
  const viewOnly: NodeExecution = { ...x, node: { ...x.node, config: { ...x.node.config, pre_hook: [], post_hook: [], contract: { enforced: false } } } };
  const relationType = existing?.kind === 'view' ? 'view' : existing ? 'table' : undefined;
  return materializeView(viewOnly, `select * from ${source.render()}`, { relationExists: existing !== undefined, ...(relationType ? { relationType } : {}) });
}
