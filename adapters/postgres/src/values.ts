import type { Value } from '@dvt/core';
import { normalizeTimestampTz } from '@dvt/core';

/**
 * Values arrive from the server as text (every type parser returns the raw
 * string, so nothing passes through a JS Date or a float it does not fit) and
 * are converted here into the contract's representation.
 */

/** Built-in type OIDs (stable across PostgreSQL versions; Redshift shares them). */
export const OID = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  timetz: 1266,
  numeric: 1700,
  uuid: 2950,
  jsonb: 3802,
} as const;

export type ValueDecoder = (text: string) => Value;

const asText: ValueDecoder = (text) => text;
const asInteger: ValueDecoder = (text) => Number(text);
const asBigint: ValueDecoder = (text) => BigInt(text);
const asBoolean: ValueDecoder = (text) => text === 't' || text === 'true';

// Number() already reads 'NaN', 'Infinity' and '-Infinity' and keeps -0.
const asDouble: ValueDecoder = (text) => Number(text);
// real prints its shortest float4 digits; fround gives back the exact float4
// value, so writing it into a real column again stores the same bits.
const asReal: ValueDecoder = (text) => Math.fround(Number(text));

/** bytea in the server's `hex` output format (the default since 9.0). */
const asBinary: ValueDecoder = (text) => {
  if (text.startsWith('\\x')) {
    const buf = Buffer.from(text.slice(2), 'hex');
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  return decodeEscapedBytea(text);
};

/** bytea in the legacy `escape` format (servers with bytea_output = escape). */
function decodeEscapedBytea(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c) {
      out.push(c);
    } else if (text[i + 1] === '\\') {
      out.push(0x5c);
      i++;
    } else {
      out.push(parseInt(text.slice(i + 1, i + 4), 8));
      i += 3;
    }
  }
  return Uint8Array.from(out);
}

/**
 * The session runs in UTC, so the server already writes `...+00`; should a
 * hook change the session's time zone, the value is shifted back to UTC.
 * BC values are left as the server wrote them.
 */
const asTimestamptz: ValueDecoder = (text) => (text.endsWith('+00') || text.endsWith(' BC') ? text : normalizeTimestampTz(text));

const DECODERS = new Map<number, ValueDecoder>([
  [OID.bool, asBoolean],
  [OID.bytea, asBinary],
  [OID.int2, asInteger],
  [OID.int4, asInteger],
  [OID.oid, asInteger],
  [OID.int8, asBigint],
  [OID.float4, asReal],
  [OID.float8, asDouble],
  [OID.timestamptz, asTimestamptz],
]);

/**
 * Everything else stays text: numeric keeps every digit, and date/time types
 * are already in the contract's ISO form (DateStyle ISO).
 */
export function decoderFor(oid: number): ValueDecoder {
  return DECODERS.get(oid) ?? asText;
}

/** For pg's `types` option: every value stays the server's text. */
export const rawTextTypes = {
  getTypeParser: () => (text: string | Buffer) => (typeof text === 'string' ? text : text.toString('utf8')),
};

/** Parameters as node-postgres sends them: bigint as text, bytes as a Buffer. */
export function toDriverParam(value: Value | undefined): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return value;
}
