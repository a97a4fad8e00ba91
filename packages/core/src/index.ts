export * from './adapter/index.js';
export * from './project/types.js';
export * from './errors.js';
export * from './compile/index.js';
