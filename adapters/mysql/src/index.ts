export * from './flavor.js';
export * from './types.js';
export * from './dialect.js';
export * from './sql-lexer.js';
