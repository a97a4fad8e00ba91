import { checkContract } from '../../contract/enforce.js';
import { DvtError } from '../../errors.js';
import type { ExecutableNode } from '../../project/types.js';
import {
  callSqlMacro,
  describeColumns,
  dropIfExists,
  inTransaction,
  macroExists,
  nodeRelation,
  runHooks,
  suffixed,
  applyPersistDocs,
  type MaterializationResult,
  type NodeExecution,
} from '../context.js';
import { applyGrants } from '../grants.js';
import { describeDiff, diffColumns, hasChanges, parseOnSchemaChange, type SchemaDiff } from './schema-change.js';
import { asStatements } from '../statements.js';

const BUILTIN_STRATEGIES = ['append', 'delete+insert', 'merge', 'microbatch', 'insert_overwrite'];

/** `unique_key` as a list of column expressions: a string, a list, or a comma-separated string. */
export function uniqueKeyList(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((k) => String(k).trim()).filter((k) => k.length > 0);
}

/**
 * The strategy a node uses: its `incremental_strategy`, else delete+insert
 * when it has a unique_key (merge on engines without delete+insert), else
 * append. A custom strategy is any `get_incremental_<name>_sql` macro.
 */
export function chooseStrategy(node: ExecutableNode, supported: readonly string[], hasMacro: (name: string) => boolean): string {
  const configured = node.config.incremental_strategy;
  const hasKey = uniqueKeyList(node.config.unique_key).length > 0;
  const strategy =
    typeof configured === 'string' && configured.length > 0
      ? configured
      : hasKey
        ? supported.includes('delete+insert') || !supported.includes('merge')
          ? 'delete+insert'
          : 'merge'
        : 'append';
  const macro = strategyMacro(strategy);
  const builtin = BUILTIN_STRATEGIES.includes(strategy);
  if (builtin ? !supported.includes(strategy) : !hasMacro(macro)) {
    const known = builtin ? ` (this adapter supports: ${supported.join(', ')})` : ` (no macro named ${macro} exists)`;
    throw new DvtError('compile', `incremental_strategy '${strategy}' is not available for ${node.unique_id}${known}`, {
      location: { file: node.original_file_path },
    });
  }
  return strategy;
}

export function strategyMacro(strategy: string): string {
  return `get_incremental_${strategy.replace(/[^A-Za-z0-9_]/g, '_')}_sql`;
}

/**
 * Runs an incremental model on an existing table: the new rows land in
 * `<name>__dbt_tmp`, the target's columns are reconciled per
 * `on_schema_change`, and the strategy's statements move the rows — all in one
 * transaction where the engine allows it. (First runs, full refreshes and a
 * non-table in the way go through the table materialization instead.)
 */
export async function materializeIncremental(x: NodeExecution, compiledCode: string): Promise<MaterializationResult> {
  const target = nodeRelation(x, 'table');
  // The target was built with the contract's columns and constraints; new rows must still match it.
  await checkContract(x, compiledCode);
  const capabilities = x.adapter.dialect.capabilities;
  const strategy = chooseStrategy(x.node, capabilities.incrementalStrategies, (name) => macroExists(x, name));
  const onSchemaChange = parseOnSchemaChange(x.node.config.on_schema_change);
  const uniqueKey = uniqueKeyList(x.node.config.unique_key);
  const tmp = suffixed(x, target, '__dbt_tmp', 'table');
  await dropIfExists(x, tmp);

  let rows: number | undefined;
  await runHooks(x, x.node.config.pre_hook ?? [], false);
  const work = async () => {
    await runHooks(x, x.node.config.pre_hook ?? [], true);
    await x.sql.run(callSqlMacro(x, 'create_table_as', false, tmp, compiledCode));
    const targetColumns = await describeColumns(x, target);
    const incomingColumns = await describeColumns(x, tmp);
    const diff = diffColumns(targetColumns, incomingColumns);
    let destColumns = targetColumns.map((c) => c.name);
    if (onSchemaChange !== 'ignore' && hasChanges(diff)) {
      await reconcileSchema(x, onSchemaChange, diff);
      destColumns = incomingColumns.map((c) => c.name);
    } else if (onSchemaChange !== 'ignore') {
      destColumns = incomingColumns.map((c) => c.name);
    }
    const quote = (name: string) => x.adapter.dialect.quoteIdentifier(name);
    const argDict = {
      target_relation: target,
      temp_relation: tmp,
      unique_key: uniqueKey,
      dest_columns: destColumns.map(quote),
      incremental_predicates: asList(x.node.config.incremental_predicates ?? x.node.config.predicates),
    };
    const macro = strategyMacro(strategy);
    const statements = asStatements(x.compiler.callMacro(macro, [argDict], {}, { node: x.node, adapterType: x.adapter.type }), macro);
    for (const statement of statements) {
      const result = await x.sql.run(statement);
      if (result.rowsAffected !== undefined && /^\s*(insert|merge)/i.test(statement)) rows = (rows ?? 0) + result.rowsAffected;
    }
    // The table is kept: grants the config dropped are still on it.
    await applyGrants(x, target, true);
    await applyPersistDocs(x, target);
    await runHooks(x, x.node.config.post_hook ?? [], true);
  };
  try {
    if (capabilities.transactionalDdl) await inTransaction(x, work);
    else await work();
  } finally {
    await dropIfExists(x, tmp).catch(() => undefined);
  }
  await runHooks(x, x.node.config.post_hook ?? [], false);
  return {
    status: 'success',
    message: rows === undefined ? 'OK' : `${strategy.toUpperCase()} ${rows}`,
    code: strategy.toUpperCase(),
    rowsAffected: rows,
    compiledCode,
    relation: target,
  };
}

async function reconcileSchema(x: NodeExecution, mode: 'append_new_columns' | 'sync_all_columns' | 'fail', diff: SchemaDiff): Promise<void> {
  const target = nodeRelation(x, 'table');
  if (mode === 'fail') {
    throw new DvtError(
      'runtime',
      `The source and target schemas of incremental model ${x.node.unique_id} are out of sync (${describeDiff(diff)}); ` +
        `run with --full-refresh, or set on_schema_change to append_new_columns or sync_all_columns.`,
    );
  }
  const removed = mode === 'sync_all_columns' ? diff.removed : [];
  if (diff.added.length > 0 || removed.length > 0) {
    await x.sql.run(callSqlMacro(x, 'alter_relation_add_remove_columns', target, diff.added, removed));
  }
  if (mode === 'sync_all_columns') {
    for (const change of diff.changed) {
      await x.sql.run(callSqlMacro(x, 'alter_column_type', target, change.name, change.data_type));
    }
  }
  x.log('info', `on_schema_change=${mode} for ${x.node.unique_id}: ${describeDiff({ ...diff, removed, changed: mode === 'sync_all_columns' ? diff.changed : [] })}`);
}

function asList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
