import type { AdapterContext, AdapterDefinition } from '../adapter/contract.js';
import { withDefaults, type CompleteConnection } from '../adapter/defaults/index.js';
import type { Compiler, DeferredRelation } from '../compile/compiler.js';
import type { Project } from '../project/types.js';
import { ConnectionPool } from '../run/pool.js';
import type { StateManifest } from './compare.js';

const DEFERRABLE = new Set(['model', 'seed', 'snapshot']);

export interface DeferOptions {
  project: Project;
  compiler: Compiler;
  /** What this invocation runs: selected nodes are never deferred. */
  selection: readonly string[];
  state: StateManifest;
  resolveAdapter(type: string): Promise<AdapterDefinition>;
}

/**
 * dbt's `--defer`: an unselected model, seed or snapshot that the current
 * target does not have (its relation is missing) is read where the state
 * manifest says a previous run built it. One catalog lookup per candidate,
 * on the output the node is written to.
 */
export async function deferredInputs(opts: DeferOptions): Promise<Map<string, DeferredRelation>> {
  const { project, compiler, state } = opts;
  const selected = new Set(opts.selection);
  const candidates = [...project.nodes.values()].filter((node) => {
    if (selected.has(node.unique_id) || !DEFERRABLE.has(node.resource_type) || node.config.enabled === false) return false;
    if (node.config.materialized === 'ephemeral') return false;
    const before = state.nodes[node.unique_id];
    return before !== undefined && typeof before.schema === 'string' && typeof (before.alias ?? before.identifier) === 'string';
  });
  const deferred = new Map<string, DeferredRelation>();
  if (candidates.length === 0) return deferred;
  const ctx: AdapterContext = { projectDir: project.config.rootDir, logger: { debug: () => undefined, info: () => undefined, warn: () => undefined } };
  const pool = new ConnectionPool(project.profile.outputs, opts.resolveAdapter, ctx, 1, (c, a) => withDefaults(c, a.dialect));
  try {
    for (const node of candidates) {
      const lease = await pool.acquire(compiler.outputOf(node).name);
      try {
        const own = compiler.relationOf(node);
        const exists = (await (lease.connection as CompleteConnection).catalog.describe(own.toRef())) !== undefined;
        if (exists) continue;
        const before = state.nodes[node.unique_id]!;
        deferred.set(node.unique_id, { database: before.database ?? null, schema: before.schema!, identifier: (before.alias ?? before.identifier)! });
      } finally {
        lease.release();
      }
    }
  } finally {
    await pool.closeAll();
  }
  return deferred;
}
