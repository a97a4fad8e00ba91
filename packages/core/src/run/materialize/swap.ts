import type { Relation } from '../../compile/relation.js';
import {
  callSqlMacro,
  dropIfExists,
  findRelations,
  inTransaction,
  relationTypeOf,
  runHooks,
  suffixed,
  applyPersistDocs,
  type NodeExecution,
} from '../context.js';
import { applyGrants, shouldRevoke } from '../grants.js';

/**
 * Builds a relation beside the live one and swaps it in: `build` creates
 * `<name>__dbt_tmp`; then the old relation is renamed to `<name>__dbt_backup`,
 * the new one takes the name, and the backup is dropped.
 *
 * Where DDL is transactional, build and swap share one transaction, so a
 * failure at any point leaves the old relation exactly as it was. Elsewhere
 * the build still happens first, so a failed build never touches the old
 * relation; only the swap (`swap_relation`: two renames, or one atomic
 * statement where the adapter has it) is unprotected.
 */
export async function buildAndSwap(
  x: NodeExecution,
  target: Relation,
  build: (tmp: Relation) => Promise<void>,
): Promise<void> {
  const kind = target.type ?? 'table';
  const tmp = suffixed(x, target, '__dbt_tmp', kind);
  const backup = suffixed(x, target, '__dbt_backup', null);
  // One catalog listing answers for all three names.
  const [existing, staleTmp, staleBackup] = await findRelations(x, [target.toRef(), tmp.toRef(), backup.toRef()]);
  // Leftovers of an interrupted run would make the renames fail.
  if (staleTmp) await x.sql.run(callSqlMacro(x, 'drop_relation', tmp.incorporate({ type: relationTypeOf(staleTmp) })));
  if (staleBackup) await x.sql.run(callSqlMacro(x, 'drop_relation', backup.incorporate({ type: relationTypeOf(staleBackup) })));
  const existingRelation = existing ? target.incorporate({ type: relationTypeOf(existing) }) : undefined;
  const backupRelation = backup.incorporate({ type: relationTypeOf(existing) });
  const transactional = x.adapter.dialect.capabilities.transactionalDdl;

  await runHooks(x, x.node.config.pre_hook ?? [], false);
  const swap = async () => {
    await runHooks(x, x.node.config.pre_hook ?? [], true);
    await build(tmp);
    if (existingRelation) await x.sql.run(callSqlMacro(x, 'swap_relation', existingRelation, backupRelation, tmp, target));
    else await x.sql.run(callSqlMacro(x, 'rename_relation', tmp, target));
    await applyGrants(x, target, shouldRevoke(x, existingRelation !== undefined, true));
    await applyPersistDocs(x, target);
    await runHooks(x, x.node.config.post_hook ?? [], true);
  };
  if (transactional) {
    await inTransaction(x, swap);
  } else {
    try {
      await swap();
    } catch (e) {
      await dropIfExists(x, tmp).catch(() => undefined);
      throw e;
    }
  }
  if (existingRelation) await x.sql.run(callSqlMacro(x, 'drop_relation', backupRelation));
  await runHooks(x, x.node.config.post_hook ?? [], false);
}
