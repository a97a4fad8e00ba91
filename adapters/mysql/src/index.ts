import { createMysqlAdapter, MYSQL_MACROS_DIR } from './adapter.js';

export * from './flavor.js';
export * from './types.js';
export * from './dialect.js';
export * from './sql-lexer.js';
export * from './config.js';
export * from './fields.js';
export * from './errors.js';
export * from './catalog.js';
export * from './load.js';
export * from './statements.js';
export * from './version.js';
export * from './connection.js';
export * from './adapter.js';

/** `type: mysql` outputs (MySQL 8). */
const mysqlAdapter = createMysqlAdapter({
  type: 'mysql',
  flavor: 'mysql',
  displayName: 'MySQL',
  color: '#00758F',
  macrosDir: MYSQL_MACROS_DIR,
});

export default mysqlAdapter;
export * from './kit.js';
