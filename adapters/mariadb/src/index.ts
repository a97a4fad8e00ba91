import { createMysqlAdapter, MYSQL_MACROS_DIR, mysqlDialect } from '@dvt/adapter-mysql';

/** MariaDB's SQL as dvt writes it (JSON is LONGTEXT with a json_valid check; UUID is a type from 10.7). */
export const mariadbDialect = mysqlDialect('mariadb');

/**
 * `type: mariadb` outputs. The implementation is @dvt/adapter-mysql's; the
 * macros are its `mysql__*` ones (and `mariadb__*` where MariaDB differs),
 * found through `parentTypes`.
 */
const mariadbAdapter = createMysqlAdapter({
  type: 'mariadb',
  flavor: 'mariadb',
  displayName: 'MariaDB',
  color: '#003545',
  macrosDir: MYSQL_MACROS_DIR,
  parentTypes: ['mysql'],
});

export default mariadbAdapter;
