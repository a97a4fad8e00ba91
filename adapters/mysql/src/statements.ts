import type { DialectCapabilities, Value } from '@dvt/core';
import { DvtError, normalizeTimestampTz } from '@dvt/core';
import { quoteMysqlLiteral } from './dialect.js';
import type { MysqlFlavor } from './flavor.js';
import { findFeatures, lineAndColumn, sqlTokens } from './sql-lexer.js';

/** A timestamp with a UTC offset, as the contract writes timestamptz values ('...+00'). */
const OFFSET_TIMESTAMP = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}(?::?\d{2})?)$/;

/**
 * The literal a parameter is bound as. A string shaped like a timestamp with
 * an offset is shifted to UTC and bound without it: the session's zone is
 * +00:00, and MariaDB and MySQL before 8.0.19 refuse offsets in datetime
 * values. (So such a string bound into a text column loses its offset too.)
 */
export function parameterLiteral(value: Value): string {
  if (typeof value === 'string' && OFFSET_TIMESTAMP.test(value)) return quoteMysqlLiteral(normalizeTimestampTz(value).slice(0, -3));
  return quoteMysqlLiteral(value);
}

/**
 * Replaces each `?` placeholder (outside strings, quoted identifiers and
 * comments) by its parameter as a literal. Binding in the client keeps every
 * statement on the text protocol, which LOAD DATA, DDL and multi-statement
 * hooks need; the literals are exact for every value kind of the contract.
 */
export function bindParameters(sql: string, params: readonly Value[]): string {
  if (params.length === 0) return sql;
  const marks = sqlTokens(sql).filter((t) => t.kind === 'punct' && t.text === '?');
  if (marks.length !== params.length) {
    throw new DvtError('runtime', `the statement has ${marks.length} placeholder(s) but ${params.length} parameter(s) were given`);
  }
  let out = '';
  let at = 0;
  marks.forEach((mark, i) => {
    out += sql.slice(at, mark.start) + parameterLiteral(params[i]);
    at = mark.start + 1;
  });
  return out + sql.slice(at);
}

const FEATURE_NAMES = {
  cte: 'common table expressions (WITH ... AS)',
  'window-function': 'window functions (OVER)',
} as const;

/**
 * Refuses, before it reaches the server, a statement using a feature the
 * server lacks (MySQL 5.x: CTEs and window functions), with the line where it
 * is used instead of the server's bare syntax error.
 */
export function checkFeatures(sql: string, support: Partial<Pick<DialectCapabilities, 'cte' | 'windowFunctions'>> & { flavor: MysqlFlavor }): void {
  if (support.cte !== false && support.windowFunctions !== false) return;
  for (const use of findFeatures(sql)) {
    const lacking = use.feature === 'cte' ? support.cte === false : support.windowFunctions === false;
    if (!lacking) continue;
    const { line, column } = lineAndColumn(sql, use.offset);
    const server = support.flavor === 'mysql5' ? 'MySQL 5.x' : 'this server';
    const advice = use.feature === 'cte' ? 'rewrite it with subqueries (ephemeral models are inlined as subqueries on this adapter)' : 'rewrite it with joins or variables';
    throw new DvtError('compile', `${server} has no ${FEATURE_NAMES[use.feature]}: used at line ${line}, column ${column} of the statement; ${advice}`);
  }
}
