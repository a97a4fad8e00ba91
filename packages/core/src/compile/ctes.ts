/** An ephemeral model inlined into a query: `<id> as (<sql>)`. */
export interface InjectedCte {
  /** `__dbt__cte__<name>` */
  id: string;
  sql: string;
}

/**
 * Prepends ephemeral models as CTEs, as dbt does: into the query's own
 * top-level `with` clause when it has one (after `recursive`, if present),
 * otherwise in a new `with` clause. Strings, quoted identifiers and comments
 * are skipped when looking for `with`, and a `with` nested in parentheses is
 * not the query's own.
 */
export function injectCtes(sql: string, ctes: readonly InjectedCte[]): string {
  if (ctes.length === 0) return sql;
  const definitions = ctes.map((cte) => `${cte.id} as (\n${cte.sql}\n)`).join(', ');
  const found = findTopLevelWith(sql);
  if (!found) {
    const lead = sql.length - sql.trimStart().length;
    return `${sql.slice(0, lead)}with ${definitions}\n${sql.slice(lead)}`;
  }
  return `${sql.slice(0, found.end)} ${definitions},${sql.slice(found.end)}`;
}

/** Words after a table reference that are not its alias. */
const NOT_AN_ALIAS = new Set([
  'where', 'join', 'inner', 'left', 'right', 'full', 'outer', 'cross', 'natural', 'straight_join', 'on', 'using',
  'group', 'order', 'having', 'limit', 'union', 'except', 'intersect', 'window', 'for', 'lock', 'into', 'as',
]);

/**
 * For engines without CTEs (MySQL 5.x): each reference to an ephemeral model
 * becomes a derived table, `(<sql>) as <id>` — or `(<sql>)` where the
 * reference already has an alias. Ephemerals referencing earlier ones (the
 * list is in dependency order) are inlined into each other first. A
 * reference used as a column qualifier (`<id>.col`) keeps working because the
 * derived table is named `<id>`.
 */
export function inlineAsSubqueries(sql: string, ctes: readonly InjectedCte[]): string {
  const inlined: InjectedCte[] = [];
  for (const cte of ctes) inlined.push({ id: cte.id, sql: replaceReferences(cte.sql, inlined) });
  return replaceReferences(sql, inlined);
}

function replaceReferences(sql: string, ctes: readonly InjectedCte[]): string {
  if (ctes.length === 0) return sql;
  const byId = new Map(ctes.map((c) => [c.id.toLowerCase(), c]));
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const skipped = skipInert(sql, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (!isWordStart(c) || (i > 0 && isWordChar(sql[i - 1]))) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < sql.length && isWordChar(sql[j])) j++;
    const cte = byId.get(sql.slice(i, j).toLowerCase());
    const previous = sql.slice(0, i).trimEnd();
    if (cte && !previous.endsWith('.') && sql[j] !== '.') {
      const next = /^\s*([A-Za-z_][A-Za-z0-9_$]*)?/.exec(sql.slice(j))?.[1]?.toLowerCase();
      const hasAlias = next === 'as' || (next !== undefined && !NOT_AN_ALIAS.has(next));
      out += `${sql.slice(copied, i)}(\n${cte.sql}\n)${hasAlias ? '' : ` as ${cte.id}`}`;
      copied = j;
    }
    i = j;
  }
  return out + sql.slice(copied);
}

/** Where the string, quoted identifier or comment starting at `i` ends; `i` itself when none starts there. */
function skipInert(sql: string, i: number): number {
  const c = sql[i];
  if (c === "'" || c === '"' || c === '`') return skipQuoted(sql, i, c);
  if (c === '-' && sql[i + 1] === '-') {
    const nl = sql.indexOf('\n', i);
    return nl < 0 ? sql.length : nl + 1;
  }
  if (c === '/' && sql[i + 1] === '*') {
    const close = sql.indexOf('*/', i + 2);
    return close < 0 ? sql.length : close + 2;
  }
  return i;
}

/** Order-preserving union of CTE lists by id (first occurrence wins). */
export function mergeCtes(...lists: readonly (readonly InjectedCte[])[]): InjectedCte[] {
  const seen = new Set<string>();
  const out: InjectedCte[] = [];
  for (const list of lists) {
    for (const cte of list) {
      if (seen.has(cte.id)) continue;
      seen.add(cte.id);
      out.push(cte);
    }
  }
  return out;
}

/** End offset of the top-level `with` (or `with recursive`) keyword. */
function findTopLevelWith(sql: string): { end: number } | undefined {
  let depth = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    const skipped = skipInert(sql, i);
    if (skipped !== i) {
      i = skipped;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (isWordStart(c)) {
      let j = i + 1;
      while (j < sql.length && isWordChar(sql[j])) j++;
      const word = sql.slice(i, j).toLowerCase();
      if (depth === 0 && word === 'with') {
        const next = /^\s+recursive\b/i.exec(sql.slice(j));
        return { end: next ? j + next[0].length : j };
      }
      i = j;
      continue;
    }
    i++;
  }
  return undefined;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    if (sql[i] === '\\' && quote === "'") i++;
    i++;
  }
  return sql.length;
}

function isWordStart(c: string): boolean {
  return /[A-Za-z_]/.test(c);
}

function isWordChar(c: string): boolean {
  return /[A-Za-z0-9_$]/.test(c);
}
