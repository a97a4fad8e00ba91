import { mysqlDialect } from '@dvt/adapter-mysql';

/** MariaDB's SQL as dvt writes it. */
export const mariadbDialect = mysqlDialect('mariadb');
