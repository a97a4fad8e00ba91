export * from './contract.js';
export * from './types.js';
export * from './values.js';
export * from './csv.js';
export * from './secrets.js';
export * from './validate.js';
export * from './defaults/index.js';
