/**
 * The engines this package speaks to. They share the wire protocol and most
 * SQL; the differences that matter to dvt are listed here and nowhere else.
 */
export type MysqlFlavor = 'mysql' | 'mariadb' | 'mysql5';

export interface FlavorTraits {
  /** WITH ... (MySQL 8, MariaDB 10.2+). */
  cte: boolean;
  /** OVER (...) (MySQL 8, MariaDB 10.2+). */
  windowFunctions: boolean;
  /** A native UUID column type (MariaDB 10.7+). */
  uuidType: boolean;
}

export const FLAVOR_TRAITS: Record<MysqlFlavor, FlavorTraits> = {
  mysql: { cte: true, windowFunctions: true, uuidType: false },
  mariadb: { cte: true, windowFunctions: true, uuidType: true },
  mysql5: { cte: false, windowFunctions: false, uuidType: false },
};
