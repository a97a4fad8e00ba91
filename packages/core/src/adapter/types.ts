import type { CanonicalType } from './contract.js';

/** A SQL type spelled as an engine writes it, split into its parts. */
export interface ParsedSqlType {
  /** Lower-cased base name with inner whitespace collapsed: 'double precision', 'timestamp with time zone'. */
  base: string;
  /** Numeric arguments in parentheses: `numeric(38,10)` -> [38, 10]. */
  args: number[];
  /** Whether the text ended in `[]` (PostgreSQL arrays). */
  array: boolean;
  /** Whatever came after the parentheses, lower-cased: 'unsigned', 'with time zone'. */
  suffix: string;
}

/**
 * Splits `numeric(38, 10)`, `timestamp(6) with time zone`, `int unsigned`,
 * `varchar(255)[]` into base, numeric arguments and suffix. Arguments that
 * are not integers (e.g. `enum('a','b')`) are dropped: the base still tells
 * the dialect what it is.
 */
export function parseSqlType(text: string): ParsedSqlType {
  let rest = text.trim().replace(/\s+/g, ' ');
  let array = false;
  while (rest.endsWith('[]')) {
    array = true;
    rest = rest.slice(0, -2).trimEnd();
  }
  const open = rest.indexOf('(');
  if (open < 0) return { base: rest.toLowerCase(), args: [], array, suffix: '' };
  const close = matchingParen(rest, open);
  const inner = rest.slice(open + 1, close);
  const args = inner
    .split(',')
    .map((a) => a.trim())
    .filter((a) => /^-?\d+$/.test(a))
    .map(Number);
  const base = rest.slice(0, open).trim().toLowerCase();
  const suffix = rest.slice(close + 1).trim().toLowerCase();
  return { base, args, array, suffix };
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  let quoted = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === "'") quoted = !quoted;
    if (quoted) continue;
    if (c === '(') depth++;
    if (c === ')' && --depth === 0) return i;
  }
  return text.length;
}

/**
 * Human-readable, engine-neutral spelling of a canonical type, used in plans,
 * messages and docs: `decimal(38,10)`, `text(255)`, `unknown(STRUCT(a INT))`.
 */
export function formatCanonicalType(type: CanonicalType): string {
  switch (type.kind) {
    case 'decimal':
      if (type.precision === undefined) return 'decimal';
      return type.scale === undefined ? `decimal(${type.precision})` : `decimal(${type.precision},${type.scale})`;
    case 'text':
      return type.length === undefined ? 'text' : `text(${type.length})`;
    case 'unknown':
      return `unknown(${type.native})`;
    default:
      return type.kind;
  }
}

/** Structural equality of canonical types (a `decimal` without precision differs from `decimal(18,3)`). */
export function sameCanonicalType(a: CanonicalType, b: CanonicalType): boolean {
  return formatCanonicalType(a) === formatCanonicalType(b);
}

const INTEGER_KINDS = new Set(['smallint', 'integer', 'bigint']);

export function isIntegerKind(type: CanonicalType): boolean {
  return INTEGER_KINDS.has(type.kind);
}

/** Kinds whose values are strings a CSV writer must quote under `forceQuoteText`. */
export function isTextLikeKind(type: CanonicalType): boolean {
  return type.kind === 'text' || type.kind === 'json' || type.kind === 'uuid' || type.kind === 'unknown';
}
