import { DvtError } from '../../errors.js';
import type { Relation } from '../../compile/relation.js';
import { asStatements } from '../statements.js';
import {
  callSqlMacro,
  describeColumns,
  dropIfExists,
  inTransaction,
  nodeRelation,
  runHooks,
  suffixed,
  type MaterializationResult,
  type NodeExecution,
} from '../context.js';
import { buildAndSwap } from './swap.js';
import { BATCH_SIZES, batchWindows, formatBatchTime, parseBatchTime, type BatchSize } from './batches.js';

/**
 * dbt's microbatch strategy, built window by window: each window's rows are
 * selected into `<name>__dbt_tmp`, then `get_incremental_microbatch_sql`
 * replaces that window of the target, in one transaction per window. A
 * failed window does not undo the others (status `partial success`, with
 * `batch_results`). The window is applied to the model's own output on its
 * `event_time` column; inputs are not pre-filtered (the compiler does not
 * narrow `ref()` to a window yet), so every window reads its inputs whole.
 */
export async function materializeMicrobatch(
  x: NodeExecution,
  compiledCode: string,
  runtime: { relationType?: 'table' | 'view'; fullRefresh: boolean },
  now = new Date(),
): Promise<MaterializationResult> {
  const config = x.node.config;
  const where = { location: { file: x.node.original_file_path } };
  const eventTime = config.event_time;
  if (typeof eventTime !== 'string' || eventTime === '') throw new DvtError('compile', `microbatch model ${x.node.unique_id} needs an event_time config`, where);
  const size = config.batch_size as BatchSize;
  if (!BATCH_SIZES.includes(size)) throw new DvtError('compile', `microbatch model ${x.node.unique_id} needs batch_size: one of ${BATCH_SIZES.join(', ')}`, where);
  const firstRun = runtime.relationType !== 'table' || runtime.fullRefresh;
  const begin = parseBatchTime(config.begin);
  if (firstRun && !begin) throw new DvtError('compile', `microbatch model ${x.node.unique_id} needs a begin config (e.g. '2024-01-01') for its first run`, where);
  const lookback = typeof config.lookback === 'number' ? config.lookback : 1;
  const windows = batchWindows({ size, now, lookback, begin, firstRun });

  const target = nodeRelation(x, 'table');
  const dialect = x.adapter.dialect;
  const timestamp = dialect.fromCanonicalType({ kind: 'timestamp' });
  const literal = (at: Date) => `cast(${dialect.quoteLiteral(formatBatchTime(at))} as ${timestamp})`;
  const column = (relation: Relation | string) => `${typeof relation === 'string' ? relation : relation.render()}.${eventTime}`;
  const windowSql = (start: Date, end: Date) =>
    `select * from (\n${compiledCode}\n) as dbt_microbatch\nwhere ${column('dbt_microbatch')} >= ${literal(start)} and ${column('dbt_microbatch')} < ${literal(end)}`;

  // Hooks run once around all windows (each window has its own transaction).
  await runHooks(x, config.pre_hook ?? [], false);
  await runHooks(x, config.pre_hook ?? [], true);
  if (firstRun) {
    // An empty table with the model's columns, swapped in; the windows fill it.
    await buildAndSwap(x, target, async (tmp) => {
      await x.sql.run(callSqlMacro(x, 'create_table_as', false, tmp, `select * from (\n${compiledCode}\n) as dbt_microbatch where 1 = 0`));
    });
  }

  const tmp = suffixed(x, target, '__dbt_tmp', 'table');
  const successful: [string, string][] = [];
  const failed: [string, string][] = [];
  const errors: string[] = [];
  let rows = 0;
  for (const [start, end] of windows) {
    x.signal.throwIfAborted();
    const window: [string, string] = [start.toISOString(), end.toISOString()];
    try {
      await dropIfExists(x, tmp);
      await inTransaction(x, async () => {
        await x.sql.run(callSqlMacro(x, 'create_table_as', false, tmp, windowSql(start, end)));
        const destColumns = (await describeColumns(x, target)).map((c) => dialect.quoteIdentifier(c.name));
        const argDict = {
          target_relation: target,
          temp_relation: tmp,
          unique_key: [],
          dest_columns: destColumns,
          incremental_predicates: [`${column(target)} >= ${literal(start)}`, `${column(target)} < ${literal(end)}`],
        };
        const statements = asStatements(x.compiler.callMacro('get_incremental_microbatch_sql', [argDict], {}, { node: x.node, adapterType: x.adapter.type }), 'get_incremental_microbatch_sql');
        for (const statement of statements) {
          const result = await x.sql.run(statement);
          if (/^\s*insert/i.test(statement)) rows += result.rowsAffected ?? 0;
        }
      });
      successful.push(window);
    } catch (e) {
      failed.push(window);
      errors.push(`${window[0]}: ${(e as Error).message}`);
    } finally {
      await dropIfExists(x, tmp).catch(() => undefined);
    }
  }
  await runHooks(x, config.post_hook ?? [], true);
  await runHooks(x, config.post_hook ?? [], false);

  if (successful.length === 0 && failed.length > 0) {
    throw new DvtError('runtime', `every batch of ${x.node.unique_id} failed; first: ${errors[0]}`);
  }
  const partial = failed.length > 0;
  return {
    status: partial ? 'partial success' : 'success',
    message: partial
      ? `${successful.length} of ${windows.length} batches succeeded; failed: ${errors.join('; ')}`
      : `MICROBATCH ${windows.length} batch${windows.length === 1 ? '' : 'es'}, ${rows} rows`,
    code: 'MICROBATCH',
    rowsAffected: rows,
    compiledCode,
    relation: target,
    batchResults: { successful, failed },
  };
}
