import { callSqlMacro, inTransaction, nodeRelation, runHooks, applyPersistDocs, type MaterializationResult, type NodeExecution } from '../context.js';
import { applyGrants, shouldRevoke } from '../grants.js';
import { checkContract } from '../../contract/enforce.js';
import { buildAndSwap } from './swap.js';

/**
 * A view. Where DDL is transactional it is built under a temporary name and
 * swapped in, like a table: atomic, and free to change its columns
 * (PostgreSQL's `create or replace view` refuses renamed or retyped
 * columns). Elsewhere `create or replace view` replaces it in one statement
 * when the engine has it and no table is in the way.
 */
export async function materializeView(
  x: NodeExecution,
  compiledCode: string,
  existing: { relationExists: boolean; relationType?: 'table' | 'view' },
): Promise<MaterializationResult> {
  const target = nodeRelation(x, 'view');
  // A view's contract is checked (names and types); views carry no constraints.
  await checkContract(x, compiledCode);
  const { transactionalDdl, createOrReplace } = x.adapter.dialect.capabilities;
  if (!transactionalDdl && createOrReplace && (!existing.relationExists || existing.relationType === 'view')) {
    await runHooks(x, x.node.config.pre_hook ?? [], false);
    await inTransaction(x, async () => {
      await runHooks(x, x.node.config.pre_hook ?? [], true);
      await x.sql.run(callSqlMacro(x, 'get_replace_view_sql', target, compiledCode));
      await applyGrants(x, target, shouldRevoke(x, existing.relationExists, true));
      await applyPersistDocs(x, target);
      await runHooks(x, x.node.config.post_hook ?? [], true);
    });
    await runHooks(x, x.node.config.post_hook ?? [], false);
  } else {
    await buildAndSwap(x, target, async (tmp) => {
      await x.sql.run(callSqlMacro(x, 'create_view_as', tmp, compiledCode));
    });
  }
  return { status: 'success', message: 'CREATE VIEW', code: 'CREATE VIEW', compiledCode, relation: target };
}
