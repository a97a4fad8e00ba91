import { callSqlMacro, nodeRelation, type MaterializationResult, type NodeExecution } from '../context.js';
import { checkContract } from '../../contract/enforce.js';
import { contractTableSql } from '../../contract/contract.js';
import { buildAndSwap } from './swap.js';

/** A table, built as `<name>__dbt_tmp` and swapped in (see buildAndSwap). */
export async function materializeTable(x: NodeExecution, compiledCode: string): Promise<MaterializationResult> {
  const target = nodeRelation(x, 'table');
  const contract = await checkContract(x, compiledCode);
  let rows: number | undefined;
  await buildAndSwap(x, target, async (tmp) => {
    if (contract) {
      // The declared columns and constraints, then the rows: the engine enforces the constraints as they load.
      const { create, insert } = contractTableSql(String(tmp), contract.columns, x.adapter.dialect, compiledCode, contract.constraints);
      await x.sql.run(create);
      rows = (await x.sql.run(insert)).rowsAffected;
      return;
    }
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
