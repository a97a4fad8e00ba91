export { compareContract, contractEnforced, contractFailureMessage, contractTableSql, declaredContract, declaredModelConstraints, emptyResultSql } from './contract.js';
export type { ColumnConstraint, ContractColumn, ContractMismatch, ModelConstraint } from './contract.js';
export { checkContract } from './enforce.js';
