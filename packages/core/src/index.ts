export * from './adapter/index.js';
export * from './project/index.js';
export * from './artifacts/index.js';
export * from './errors.js';
export * from './compile/index.js';
export * from './graph/index.js';
export * from './select/index.js';
export * from './run/index.js';
