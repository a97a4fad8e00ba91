import { mysqlDialect } from '@dvt/adapter-mysql';

/** MySQL 5.x's SQL as dvt writes it: no CTEs, no window functions. */
export const mysql5Dialect = mysqlDialect('mysql5');
