export { compareContract, contractEnforced, contractFailureMessage, contractTableSql, declaredContract, emptyResultSql } from './contract.js';
export type { ColumnConstraint, ContractColumn, ContractMismatch } from './contract.js';
export { checkContract } from './enforce.js';
