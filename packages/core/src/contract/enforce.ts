import { DvtError } from '../errors.js';
import type { NodeExecution } from '../run/context.js';
import {
  compareContract,
  contractEnforced,
  contractFailureMessage,
  declaredContract,
  declaredModelConstraints,
  emptyResultSql,
  type ContractColumn,
  type ModelConstraint,
} from './contract.js';

/**
 * Before a model with an enforced contract is built: its result columns, read
 * from the engine without rows, must match the YAML's names and types.
 * Returns the contract (for the table's DDL), or undefined when the model has
 * none. A mismatch fails the node listing every difference.
 */
export async function checkContract(x: NodeExecution, compiledCode: string): Promise<{ columns: ContractColumn[]; constraints: ModelConstraint[] } | undefined> {
  if (!contractEnforced(x.node)) return undefined;
  const declared = declaredContract(x.node);
  const constraints = declaredModelConstraints(x.node, declared);
  const probe = await x.sql.run(emptyResultSql(compiledCode));
  const mismatches = compareContract(declared, probe.columns, x.adapter.dialect);
  if (mismatches.length > 0) throw new DvtError('runtime', contractFailureMessage(x.node, mismatches));
  return { columns: declared, constraints };
}
