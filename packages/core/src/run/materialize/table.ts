import { callSqlMacro, nodeRelation, type MaterializationResult, type NodeExecution } from '../context.js';
import { buildAndSwap } from './swap.js';

/** A table, built as `<name>__dbt_tmp` and swapped in (see buildAndSwap). */
export async function materializeTable(x: NodeExecution, compiledCode: string): Promise<MaterializationResult> {
  const target = nodeRelation(x, 'table');
  let rows: number | undefined;
  await buildAndSwap(x, target, async (tmp) => {
    const result = await x.sql.run(callSqlMacro(x, 'create_table_as', false, tmp, compiledCode));
    rows = result.rowsAffected;
  });
  return {
    status: 'success',
    message: rows === undefined ? 'CREATE TABLE' : `SELECT ${rows}`,
    code: 'SELECT',
    rowsAffected: rows,
    compiledCode,
    relation: target,
  };
}
