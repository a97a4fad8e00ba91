import type { CanonicalType, ColumnMeta, Value } from '@dvt/core';
import { normalizeBigint, normalizeDecimal, normalizeTimestamp, normalizeTimestampTz } from '@dvt/core';
import { mysqlToCanonical } from './types.js';

/** What the protocol says about a result column (mysql2's FieldPacket). */
export interface WireField {
  name: string;
  columnType?: number;
  columnLength?: number;
  decimals: number;
  flags: number | string[];
  characterSet?: number;
  /** mysql2's name of the character set values arrive in. */
  encoding?: string;
  extendedTypeName?: string;
  extendedFormat?: string;
}

const T = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

const UNSIGNED_FLAG = 32;
const ENUM_FLAG = 256;
const SET_FLAG = 2048;
const BINARY_CHARSET = 63;

function flagsOf(field: WireField): number {
  return typeof field.flags === 'number' ? field.flags : 0;
}

function blobKind(bytes: number, mbMaxLen: number, binary: boolean): string {
  const chars = bytes / mbMaxLen;
  const prefix = chars <= 255 ? 'tiny' : chars <= 65535 ? '' : chars <= 16777215 ? 'medium' : 'long';
  return `${prefix}${binary ? 'blob' : 'text'}`;
}

/**
 * The column type as COLUMN_TYPE would spell it, rebuilt from the protocol's
 * column definition. `mbMaxLen` is the byte width of a character in the
 * connection's result character set (lengths arrive in bytes).
 */
export function nativeTypeOfField(field: WireField, mbMaxLen: number): string {
  const flags = flagsOf(field);
  const unsigned = flags & UNSIGNED_FLAG ? ' unsigned' : '';
  const length = field.columnLength ?? 0;
  const binary = field.characterSet === BINARY_CHARSET;
  const fsp = field.decimals > 0 && field.decimals <= 6 ? `(${field.decimals})` : '';
  if (field.extendedFormat === 'json') return 'json';
  if (field.extendedTypeName) return field.extendedTypeName;
  switch (field.columnType) {
    case T.DECIMAL:
    case T.NEWDECIMAL: {
      const precision = length - (field.decimals > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return `decimal(${Math.max(1, precision)},${field.decimals})${unsigned}`;
    }
    case T.TINY:
      return length === 1 && !unsigned ? 'tinyint(1)' : `tinyint${unsigned}`;
    case T.SHORT:
      return `smallint${unsigned}`;
    case T.INT24:
      return `mediumint${unsigned}`;
    case T.LONG:
      return `int${unsigned}`;
    case T.LONGLONG:
      return `bigint${unsigned}`;
    case T.FLOAT:
      return 'float';
    case T.DOUBLE:
      return 'double';
    case T.NULL:
      return 'null';
    case T.TIMESTAMP:
      return `timestamp${fsp}`;
    case T.DATE:
    case T.NEWDATE:
      return 'date';
    case T.TIME:
      return `time${fsp}`;
    case T.DATETIME:
      return `datetime${fsp}`;
    case T.YEAR:
      return 'year';
    case T.BIT:
      return `bit(${length})`;
    case T.JSON:
      return 'json';
    case T.ENUM:
      return 'enum';
    case T.SET:
      return 'set';
    case T.VARCHAR:
    case T.VAR_STRING:
      return binary ? `varbinary(${length})` : `varchar(${Math.round(length / mbMaxLen)})`;
    case T.STRING:
      if (flags & ENUM_FLAG) return 'enum';
      if (flags & SET_FLAG) return 'set';
      return binary ? `binary(${length})` : `char(${Math.round(length / mbMaxLen)})`;
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
      return blobKind(length, binary ? 1 : mbMaxLen, binary);
    case T.GEOMETRY:
      return 'geometry';
    default:
      return `type ${field.columnType}`;
  }
}

export function columnMetaOf(field: WireField, mbMaxLen: number): ColumnMeta {
  const nativeType = nativeTypeOfField(field, mbMaxLen);
  const meta: ColumnMeta = { name: field.name, nativeType, type: mysqlToCanonical(nativeType) };
  return meta;
}

type Decoder = (raw: unknown) => Value;

const DATETIME_TEXT = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?$/;

/**
 * The server's own 'YYYY-MM-DD HH:MM:SS[.ffffff]' with the fraction's
 * trailing zeros dropped (the common case, without a full parse), or
 * undefined for anything else.
 */
function trimmedDatetime(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || !DATETIME_TEXT.test(raw)) return undefined;
  if (raw.length === 19) return raw;
  let end = raw.length;
  while (raw.charCodeAt(end - 1) === 48) end--;
  if (end === 20) end = 19;
  return raw.slice(0, end);
}

/**
 * 'HH:MM:SS[.ffffff]' without trailing zeros in the fraction. MySQL's TIME is
 * a duration too: hours run from -838 to 838 and keep their sign and digits.
 */
export function normalizeMysqlTime(text: string): string {
  const m = /^(-?\d{2,3}:\d{2}:\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) return text.trim();
  const fraction = (m[2] ?? '').replace(/0+$/, '');
  return fraction ? `${m[1]}.${fraction}` : m[1];
}

const asIs: Decoder = (raw) => raw as Value;

function bytesOf(raw: unknown): Uint8Array {
  if (raw instanceof Uint8Array) return raw;
  return new Uint8Array(Buffer.from(String(raw), 'binary'));
}

/**
 * How a value mysql2 produced (with dateStrings, bigNumberStrings,
 * jsonStrings) becomes the contract's representation for `type`.
 */
export function decoderFor(type: CanonicalType, nativeType: string): Decoder {
  switch (type.kind) {
    case 'boolean':
      if (nativeType.startsWith('bit')) return (raw) => bytesOf(raw).some((b) => b !== 0);
      return (raw) => Number(raw) !== 0;
    case 'bigint':
      return (raw) => (typeof raw === 'string' ? BigInt(raw) : normalizeBigint(raw as number));
    // DECIMAL arrives as exact text already; only other spellings need normalising.
    case 'decimal':
      return (raw) => (typeof raw === 'string' && !/[eE+ ]/.test(raw) ? raw : normalizeDecimal(raw as string | number));
    case 'smallint':
    case 'integer':
    case 'real':
    case 'double':
      return (raw) => (typeof raw === 'number' ? raw : Number(raw));
    case 'time':
      return (raw) => normalizeMysqlTime(String(raw));
    case 'timestamp':
      return (raw) => trimmedDatetime(raw) ?? normalizeTimestamp(String(raw));
    // The session's time zone is +00:00, so TIMESTAMP values are UTC text.
    case 'timestamptz':
      return (raw) => {
        const text = trimmedDatetime(raw);
        return text === undefined ? normalizeTimestampTz(String(raw)) : `${text}+00`;
      };
    case 'binary':
      return bytesOf;
    case 'text':
    case 'json':
    case 'uuid':
    case 'interval':
    case 'date':
      return (raw) => (typeof raw === 'string' ? raw : raw instanceof Uint8Array ? Buffer.from(raw).toString('utf8') : String(raw));
    default:
      return asIs;
  }
}

/** Decoders for a result's columns, applied to every row. */
export function rowDecoder(columns: readonly ColumnMeta[]): (row: unknown[]) => Value[] {
  const decoders = columns.map((c) => decoderFor(c.type, c.nativeType));
  return (row) => {
    const out = new Array<Value>(row.length);
    for (let i = 0; i < row.length; i++) {
      const v = row[i];
      out[i] = v === null || v === undefined ? null : decoders[i](v);
    }
    return out;
  };
}
