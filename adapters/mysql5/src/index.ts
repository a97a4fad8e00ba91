import { createMysqlAdapter, MYSQL_MACROS_DIR, mysqlDialect } from '@dvt/adapter-mysql';

/** MySQL 5.x's SQL as dvt writes it: no CTEs, no window functions. */
export const mysql5Dialect = mysqlDialect('mysql5');

/**
 * `type: mysql5` outputs (MySQL 5.7). The implementation is
 * @dvt/adapter-mysql's; statements using CTEs or window functions are
 * refused with the line where they are used, and the builtin tests that use
 * CTEs have `mysql5__` versions written with subqueries.
 */
const mysql5Adapter = createMysqlAdapter({
  type: 'mysql5',
  flavor: 'mysql5',
  displayName: 'MySQL 5',
  color: '#00758F',
  macrosDir: MYSQL_MACROS_DIR,
  parentTypes: ['mysql'],
});

export default mysql5Adapter;
