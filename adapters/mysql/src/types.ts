import type { CanonicalType } from '@dvt/core';
import { DvtError, parseSqlType } from '@dvt/core';
import type { MysqlFlavor } from './flavor.js';
import { FLAVOR_TRAITS } from './flavor.js';

/** MySQL's DECIMAL holds at most 65 digits, 30 of them after the point. */
export const MAX_DECIMAL_PRECISION = 65;
export const MAX_DECIMAL_SCALE = 30;
/** Longest VARCHAR dvt declares: 16383 utf8mb4 characters fill a row's 65,535 bytes. */
const MAX_VARCHAR = 16383;

const SIMPLE: Record<string, CanonicalType> = {
  bool: { kind: 'boolean' },
  boolean: { kind: 'boolean' },
  smallint: { kind: 'smallint' },
  tinyint: { kind: 'smallint' },
  year: { kind: 'smallint' },
  mediumint: { kind: 'integer' },
  int: { kind: 'integer' },
  integer: { kind: 'integer' },
  bigint: { kind: 'bigint' },
  float: { kind: 'real' },
  double: { kind: 'double' },
  'double precision': { kind: 'double' },
  // REAL is DOUBLE unless the server runs with REAL_AS_FLOAT.
  real: { kind: 'double' },
  tinytext: { kind: 'text' },
  text: { kind: 'text' },
  mediumtext: { kind: 'text' },
  longtext: { kind: 'text' },
  enum: { kind: 'text' },
  set: { kind: 'text' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  datetime: { kind: 'timestamp' },
  // TIMESTAMP is stored in UTC and shown in the session's zone, which dvt sets to +00:00.
  timestamp: { kind: 'timestamptz' },
  json: { kind: 'json' },
  uuid: { kind: 'uuid' },
  binary: { kind: 'binary' },
  varbinary: { kind: 'binary' },
  tinyblob: { kind: 'binary' },
  blob: { kind: 'binary' },
  mediumblob: { kind: 'binary' },
  longblob: { kind: 'binary' },
};

/**
 * A MySQL/MariaDB type as `COLUMN_TYPE` or a user spells it (`tinyint(1)`,
 * `int(10) unsigned`, `decimal(38,10)`, `varchar(20)`, `enum('a','b')`,
 * `datetime(6)`) -> canonical type. tinyint(1) is the boolean of these
 * engines; an unsigned integer widens to the next kind (bigint unsigned to
 * decimal(20,0), as no signed 64-bit integer holds it).
 */
export function mysqlToCanonical(native: string): CanonicalType {
  const parsed = parseSqlType(native);
  // Without a display width (`int unsigned`) the attributes are part of the base.
  const attributes = /^(\S+)((?:\s+(?:unsigned|signed|zerofill))+)$/.exec(parsed.base);
  const base = attributes ? attributes[1] : parsed.base;
  const args = parsed.args;
  const unsigned = /\bunsigned\b/.test(`${attributes?.[2] ?? ''} ${parsed.suffix}`);
  switch (base) {
    case 'tinyint':
      if (args[0] === 1 && !unsigned) return { kind: 'boolean' };
      return { kind: 'smallint' };
    case 'smallint':
      return unsigned ? { kind: 'integer' } : { kind: 'smallint' };
    case 'mediumint':
      return { kind: 'integer' };
    case 'int':
    case 'integer':
      return unsigned ? { kind: 'bigint' } : { kind: 'integer' };
    case 'bigint':
      return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'bigint' };
    case 'decimal':
    case 'numeric':
    case 'dec':
    case 'fixed':
      return { kind: 'decimal', precision: args[0] ?? 10, scale: args[1] ?? 0 };
    case 'float':
      // FLOAT(p) with p > 24 is a DOUBLE.
      return args.length === 1 && args[0] > 24 ? { kind: 'double' } : { kind: 'real' };
    case 'varchar':
    case 'char':
    case 'character':
    case 'character varying':
    case 'nvarchar':
    case 'nchar':
      return args[0] === undefined ? { kind: 'text' } : { kind: 'text', length: args[0] };
    case 'bit':
      return args[0] === 1 || args.length === 0 ? { kind: 'boolean' } : { kind: 'unknown', native };
  }
  const simple = SIMPLE[base];
  if (simple) return { ...simple };
  // geometry types, inet4/inet6 and the like: kept as the engine names them.
  return { kind: 'unknown', native };
}

/** Canonical type -> the column type dvt declares on `flavor`, spelled as COLUMN_TYPE shows it. */
export function canonicalToMysql(type: CanonicalType, flavor: MysqlFlavor): string {
  const traits = FLAVOR_TRAITS[flavor];
  switch (type.kind) {
    case 'boolean':
      return 'tinyint(1)';
    case 'smallint':
      return 'smallint';
    case 'integer':
      return 'int';
    case 'bigint':
      return 'bigint';
    case 'decimal': {
      if (type.precision === undefined) return `decimal(${MAX_DECIMAL_PRECISION},${MAX_DECIMAL_SCALE})`;
      const scale = type.scale ?? 0;
      if (type.precision > MAX_DECIMAL_PRECISION || scale > MAX_DECIMAL_SCALE || scale < 0) {
        throw new DvtError(
          'compile',
          `decimal(${type.precision},${scale}) does not fit MySQL's DECIMAL (at most 65 digits, 0 to 30 after the point); declare a narrower type in column_types`,
        );
      }
      return `decimal(${type.precision},${scale})`;
    }
    case 'real':
      return 'float';
    case 'double':
      return 'double';
    case 'text':
      return type.length !== undefined && type.length <= MAX_VARCHAR ? `varchar(${type.length})` : 'longtext';
    case 'date':
      return 'date';
    case 'time':
      return 'time(6)';
    case 'timestamp':
      return 'datetime(6)';
    case 'timestamptz':
      // Explicitly nullable: with explicit_defaults_for_timestamp OFF (MySQL 5.7's
      // default) a bare TIMESTAMP column becomes NOT NULL DEFAULT CURRENT_TIMESTAMP.
      return 'timestamp(6) null';
    case 'interval':
      // No interval type: the text form ('1 day 02:03:04') is kept as text.
      return 'varchar(255)';
    case 'json':
      // On MariaDB an alias of LONGTEXT with a json_valid() check, which the catalog reads back as json.
      return 'json';
    case 'uuid':
      return traits.uuidType ? 'uuid' : 'char(36)';
    case 'binary':
      return 'longblob';
    case 'unknown':
      return type.native;
  }
}
