export * from './adapter/contract.js';
export * from './project/types.js';
export * from './errors.js';
