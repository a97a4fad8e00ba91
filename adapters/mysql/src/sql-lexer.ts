/**
 * A small lexer for MySQL's SQL: enough to find bind placeholders and
 * keywords without being fooled by strings, quoted identifiers or comments.
 * It follows the server's default lexing: '...' and "..." are strings (with
 * backslash escapes and doubled quotes), `...` is an identifier, and
 * `-- ` (dash dash blank), `#` and C-style comments are skipped.
 */

export type TokenKind = 'word' | 'quoted-identifier' | 'string' | 'number' | 'punct';

export interface Token {
  kind: TokenKind;
  text: string;
  /** Offset of the token's first character in the SQL text. */
  start: number;
}

const WORD_START = /[A-Za-z_$\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;

function skipQuoted(sql: string, at: number, quote: string, backslashEscapes: boolean): number {
  let i = at + 1;
  while (i < sql.length) {
    const c = sql[i];
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (sql[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return sql.length;
}

/** Every token of `sql` outside comments, in order. Unterminated strings run to the end. */
export function sqlTokens(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
    } else if (c === '#' || (c === '-' && sql[i + 1] === '-' && (i + 2 >= n || /\s/.test(sql[i + 2])))) {
      const eol = sql.indexOf('\n', i);
      i = eol < 0 ? n : eol + 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      const end = skipQuoted(sql, i, c, true);
      tokens.push({ kind: 'string', text: sql.slice(i, end), start: i });
      i = end;
    } else if (c === '`') {
      const end = skipQuoted(sql, i, '`', false);
      tokens.push({ kind: 'quoted-identifier', text: sql.slice(i, end), start: i });
      i = end;
    } else if (/[0-9]/.test(c)) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(sql[j])) j++;
      tokens.push({ kind: 'number', text: sql.slice(i, j), start: i });
      i = j;
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < n && WORD_PART.test(sql[j])) j++;
      tokens.push({ kind: 'word', text: sql.slice(i, j), start: i });
      i = j;
    } else {
      tokens.push({ kind: 'punct', text: c, start: i });
      i++;
    }
  }
  return tokens;
}

/** Offsets of the `?` bind placeholders of `sql`. */
export function placeholderOffsets(sql: string): number[] {
  return sqlTokens(sql)
    .filter((t) => t.kind === 'punct' && t.text === '?')
    .map((t) => t.start);
}

/** A feature a statement uses, found by `findFeatures`. */
export interface FeatureUse {
  feature: 'cte' | 'window-function';
  /** Offset of the keyword that introduces it. */
  offset: number;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token?.kind === 'word' && token.text.toLowerCase() === word;
}

function isIdentifier(token: Token | undefined): boolean {
  return token?.kind === 'word' || token?.kind === 'quoted-identifier';
}

/** Index just past the parenthesised group starting at `open` (a `(` token). */
function skipGroup(tokens: Token[], open: number): number {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i].kind !== 'punct') continue;
    if (tokens[i].text === '(') depth++;
    else if (tokens[i].text === ')' && --depth === 0) return i + 1;
  }
  return tokens.length;
}

/**
 * Common table expressions (`WITH [RECURSIVE] name [(cols)] AS (`) and
 * window functions (`OVER (` or `OVER name`, `WINDOW name AS (`) used by a
 * statement. `WITH ROLLUP`, `WITH CHECK OPTION` and the like are not CTEs.
 */
export function findFeatures(sql: string): FeatureUse[] {
  const tokens = sqlTokens(sql);
  const found: FeatureUse[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isWord(t, 'with')) {
      let j = i + 1;
      if (isWord(tokens[j], 'recursive')) j++;
      if (!isIdentifier(tokens[j])) continue;
      j++;
      if (tokens[j]?.kind === 'punct' && tokens[j].text === '(') j = skipGroup(tokens, j);
      if (isWord(tokens[j], 'as') && tokens[j + 1]?.kind === 'punct' && tokens[j + 1].text === '(') found.push({ feature: 'cte', offset: t.start });
    } else if (isWord(t, 'over')) {
      const next = tokens[i + 1];
      // `over` as a column alias or name is followed by neither.
      const previous = tokens[i - 1];
      if (previous?.kind === 'punct' && previous.text === ')' && ((next?.kind === 'punct' && next.text === '(') || isIdentifier(next))) {
        found.push({ feature: 'window-function', offset: t.start });
      }
    } else if (isWord(t, 'window') && isIdentifier(tokens[i + 1]) && isWord(tokens[i + 2], 'as') && tokens[i + 3]?.text === '(') {
      found.push({ feature: 'window-function', offset: t.start });
    }
  }
  return found;
}

/** 1-based line and column of `offset` in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
