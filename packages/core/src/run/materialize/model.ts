import { DvtError } from '../../errors.js';
import { Relation } from '../../compile/relation.js';
import { findRelation, nodeRelation, type MaterializationResult, type NodeExecution } from '../context.js';
import { chooseStrategy, materializeIncremental } from './incremental.js';
import { materializeMicrobatch } from './microbatch.js';
import { materializeTable } from './table.js';
import { materializeView } from './view.js';

/** dbt's should_full_refresh: the node's `full_refresh` config, when set, beats the flag. */
export function shouldFullRefresh(configured: unknown, flag: boolean): boolean {
  return typeof configured === 'boolean' ? configured : flag;
}

/**
 * Builds a model: looks at what exists in the database, compiles with that
 * knowledge (`is_incremental()`), then runs its materialization.
 */
/** What `is_incremental()` and friends need to know: does the model's relation exist, as what. */
export async function modelRuntime(x: NodeExecution): Promise<{ relationExists: boolean; relationType?: 'table' | 'view'; fullRefresh: boolean }> {
  const existing = await findRelation(x, nodeRelation(x).toRef());
  return {
    relationExists: existing !== undefined,
    relationType: existing?.kind === 'view' || existing?.kind === 'table' ? existing.kind : undefined,
    fullRefresh: shouldFullRefresh(x.node.config.full_refresh, x.fullRefresh),
  };
}

export async function materializeModel(x: NodeExecution): Promise<MaterializationResult> {
  const materialized = String(x.node.config.materialized ?? 'view');
  const runtime = await modelRuntime(x);
  const compiledCode = x.compile(runtime);
  switch (materialized) {
    case 'view':
      return materializeView(x, compiledCode, runtime);
    case 'table':
      return materializeTable(x, compiledCode);
    case 'incremental':
      if (x.node.config.incremental_strategy === 'microbatch') {
        // Refuses, with the usual message, an adapter that does not declare microbatch.
        chooseStrategy(x.node, x.adapter.dialect.capabilities.incrementalStrategies, () => false);
        return materializeMicrobatch(x, compiledCode, runtime);
      }
      if (runtime.relationType === 'table' && !runtime.fullRefresh) return materializeIncremental(x, compiledCode);
      return materializeTable(x, compiledCode);
    default:
      return materializeCustom(x, materialized, runtime);
  }
}

/**
 * A `{% materialization name, adapter=... %}` block (the adapter's own, a
 * parent's, or `default`): rendered with the node's compiled SQL as `sql`;
 * its `statement` calls run through the compiler's database bridge, on the
 * template connection (each committed as it runs; they are not in
 * target/run/). It returns `{'relations': [...]}` as in dbt.
 */
async function materializeCustom(x: NodeExecution, name: string, runtime: Awaited<ReturnType<typeof modelRuntime>>): Promise<MaterializationResult> {
  const registry = x.compiler.registry;
  const block = [x.adapter.type, ...(x.adapter.parentTypes ?? []), 'default']
    .map((adapter) => registry.resolve(`materialization_${name}_${adapter}`, x.node.package_name))
    .find((entry) => entry !== undefined);
  if (!block) {
    throw new DvtError('compile', `materialization '${name}' of ${x.node.unique_id} does not exist (dvt builds view, table, incremental, ephemeral and {% materialization %} blocks)`, {
      location: { file: x.node.original_file_path },
    });
  }
  const compiledCode = x.compile(runtime);
  const returned = x.compiler.callMacro(`${block.definition.package_name}.${block.definition.name}`, [], {}, { node: x.node, adapterType: x.adapter.type, runtime: { ...runtime, compiledCode } });
  const relations = (returned as { relations?: unknown[] } | null)?.relations;
  const relation = Array.isArray(relations) && relations[0] instanceof Relation ? relations[0] : nodeRelation(x);
  return { status: 'success', message: name.toUpperCase(), compiledCode, relation };
}
