// Single-pass lexer: template source -> tokens with line numbers, whitespace control applied.
import { TemplateSyntaxError } from './errors.js';

export const enum T {
  Data,
  VarBegin,
  VarEnd,
  BlockBegin,
  BlockEnd,
  Name,
  String,
  Int,
  Float,
  Op,
  Eof,
}

export interface Token {
  type: T;
  /** Name text, operator text, decoded string, raw number text, or data. */
  value: string;
  line: number;
  /** Source offset: where the token starts; for end-of-tag tokens, just after the tag closes. */
  pos: number;
}

const SINGLE_OPS = '+-/*%~[](){}><=.:|,;';

function operatorAt(source: string, pos: number, c: number): string | undefined {
  const next = source.charCodeAt(pos + 1);
  switch (c) {
    case 42: // *
      return next === 42 ? '**' : '*';
    case 47: // /
      return next === 47 ? '//' : '/';
    case 61: // =
      return next === 61 ? '==' : '=';
    case 33: // !
      return next === 61 ? '!=' : undefined;
    case 62: // >
      return next === 61 ? '>=' : '>';
    case 60: // <
      return next === 61 ? '<=' : '<';
  }
  const ch = source[pos];
  return SINGLE_OPS.includes(ch) ? ch : undefined;
}

const NAME_START = /[\p{ID_Start}_]/u;
const NAME_RE = /[\p{ID_Start}_][\p{ID_Continue}_]*/uy;
const FLOAT_RE = /(?:\d+_)*\d+(?:(?:\.(?:\d+_)*\d+)?e[+-]?(?:\d+_)*\d+|\.(?:\d+_)*\d+)/iy;
const INT_RE = /0b(?:_?[01])+|0o(?:_?[0-7])+|0x(?:_?[\da-f])+|[1-9](?:_?\d)*|0(?:_?0)*/iy;
const RAW_BEGIN_RE = /\{%([-+]?)\s*raw\s*([-+]?)%\}/y;
const RAW_END_RE = /\{%([-+]?)\s*endraw\s*([-+]?)%\}/g;

/** Python's `\s` (Unicode whitespace), which whitespace control strips. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13) || (c >= 28 && c <= 31);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

/** Jinja2 (keep_trailing_newline=False) drops one trailing newline before lexing. */
export function dropTrailingNewline(source: string): string {
  if (source.endsWith('\r\n')) return source.slice(0, -2);
  if (source.endsWith('\n') || source.endsWith('\r')) return source.slice(0, -1);
  return source;
}

/** Tokenize `source` (already passed through dropTrailingNewline). */
export function tokenize(source: string, filename: string): Token[] {

  const tokens: Token[] = [];
  const len = source.length;
  let pos = 0;
  let line = 1;
  let stripNext = false; // a `-%}` asked to strip the leading whitespace of the next data

  const fail = (msg: string, at: number = line): never => {
    throw new TemplateSyntaxError(msg, at, filename);
  };

  const pushData = (text: string, stripRight: boolean) => {
    let t = text;
    if (stripNext) {
      let a = 0;
      while (a < t.length && isSpace(t.charCodeAt(a))) a++;
      t = t.slice(a);
    }
    if (stripRight) {
      let b = t.length;
      while (b > 0 && isSpace(t.charCodeAt(b - 1))) b--;
      t = t.slice(0, b);
    }
    stripNext = false;
    if (t.length > 0) tokens.push({ type: T.Data, value: t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t, line: dataLine, pos: 0 });
  };
  let dataLine = 1;

  const hasCR = source.includes('\r');
  // Ranges passed to countLines only move forward, so one cursor over the newlines suffices.
  let nextNewline = hasCR ? -1 : source.indexOf('\n');
  const countLines = (from: number, to: number) => {
    if (!hasCR) {
      while (nextNewline !== -1 && nextNewline < to) {
        if (nextNewline >= from) line++;
        nextNewline = source.indexOf('\n', nextNewline + 1);
      }
      return;
    }
    for (let i = from; i < to; i++) {
      const c = source.charCodeAt(i);
      if (c === 10) line++;
      else if (c === 13 && source.charCodeAt(i + 1) !== 10) line++;
    }
  };

  while (pos < len) {
    // find the next tag opener
    let open = source.indexOf('{', pos);
    while (open !== -1) {
      const c = source.charCodeAt(open + 1);
      if (c === 123 /* { */ || c === 37 /* % */ || c === 35 /* # */) break;
      open = source.indexOf('{', open + 1);
    }
    const dataEnd = open === -1 ? len : open;
    const nextCh = open === -1 ? 0 : source.charCodeAt(open + 2);
    const stripBefore = nextCh === 45; /* - */
    dataLine = line;
    if (dataEnd > pos || stripNext) {
      // raw blocks are lexed as data
      pushData(source.slice(pos, dataEnd), stripBefore);
      countLines(pos, dataEnd);
    }
    if (open === -1) break;
    pos = open;
    const kind = source.charCodeAt(open + 1);

    if (kind === 35) {
      // comment
      const close = source.indexOf('#}', open + 2);
      if (close === -1) fail('Missing end of comment tag');
      const stripAfter = source.charCodeAt(close - 1) === 45 && close - 1 >= open + 2 + (stripBefore ? 1 : 0);
      countLines(open, close + 2);
      pos = close + 2;
      stripNext = stripAfter;
      continue;
    }

    if (kind === 37) {
      RAW_BEGIN_RE.lastIndex = open;
      const raw = RAW_BEGIN_RE.exec(source);
      if (raw) {
        RAW_END_RE.lastIndex = RAW_BEGIN_RE.lastIndex;
        const end = RAW_END_RE.exec(source);
        const startLine = line;
        if (!end) fail('Missing end of raw directive', startLine);
        countLines(open, RAW_BEGIN_RE.lastIndex);
        stripNext = raw[2] === '-';
        dataLine = line;
        pushData(source.slice(RAW_BEGIN_RE.lastIndex, end!.index), end![1] === '-');
        countLines(RAW_BEGIN_RE.lastIndex, RAW_END_RE.lastIndex);
        pos = RAW_END_RE.lastIndex;
        stripNext = end![2] === '-';
        continue;
      }
    }

    const isBlock = kind === 37;
    tokens.push({ type: isBlock ? T.BlockBegin : T.VarBegin, value: '', line, pos: open });
    pos = open + 2;
    if (nextCh === 45 || nextCh === 43) pos++;
    const closer = isBlock ? 37 : 125; // '%' or '}'
    const parenStack: string[] = [];
    for (;;) {
      for (;;) {
        const w = source.charCodeAt(pos);
        if (w === 32 || w === 9) pos++;
        else if (w === 10 || w === 13) {
          if (w === 10 || source.charCodeAt(pos + 1) !== 10) line++;
          pos++;
        } else if (w === 11 || w === 12 || (w > 127 && /\s/.test(source[pos]))) {
          countLines(pos, pos + 1);
          pos++;
        } else break;
      }
      if (pos >= len) fail(`unexpected end of template, expected '${isBlock ? 'end of statement block' : 'end of print statement'}'.`);
      const c = source.charCodeAt(pos);
      // end of tag (checked before operators so `-%}` is not a minus)
      if (parenStack.length === 0) {
        if ((c === 45 || c === 43) && source.charCodeAt(pos + 1) === closer && source.charCodeAt(pos + 2) === 125) {
          pos += 3;
          tokens.push({ type: isBlock ? T.BlockEnd : T.VarEnd, value: '', line, pos });
          stripNext = c === 45;
          break;
        }
        if (c === closer && source.charCodeAt(pos + 1) === 125) {
          pos += 2;
          tokens.push({ type: isBlock ? T.BlockEnd : T.VarEnd, value: '', line, pos });
          stripNext = false;
          break;
        }
      }
      if (c === 34 || c === 39) {
        // string literal
        let i = pos + 1;
        while (i < len) {
          const d = source.charCodeAt(i);
          if (d === 92) i += 2;
          else if (d === c) break;
          else i++;
        }
        if (i >= len) fail('unexpected char ' + JSON.stringify(source[pos]) + ` at ${pos}`);
        tokens.push({ type: T.String, value: unescape(source.slice(pos + 1, i)), line, pos });
        countLines(pos, i + 1);
        pos = i + 1;
        continue;
      }
      if (c >= 48 && c <= 57) {
        FLOAT_RE.lastIndex = pos;
        const f = FLOAT_RE.exec(source);
        if (f) {
          tokens.push({ type: T.Float, value: f[0], line, pos });
          pos = FLOAT_RE.lastIndex;
          continue;
        }
        INT_RE.lastIndex = pos;
        const n = INT_RE.exec(source);
        if (n) {
          tokens.push({ type: T.Int, value: n[0], line, pos });
          pos = INT_RE.lastIndex;
          continue;
        }
      }
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c > 127 && NAME_START.test(source[pos]))) {
        let end = pos + 1;
        for (;;) {
          const d = source.charCodeAt(end);
          if ((d >= 97 && d <= 122) || (d >= 65 && d <= 90) || d === 95 || (d >= 48 && d <= 57)) end++;
          else break;
        }
        if (source.charCodeAt(end) > 127) {
          NAME_RE.lastIndex = pos;
          end = NAME_RE.exec(source) ? NAME_RE.lastIndex : end;
        }
        tokens.push({ type: T.Name, value: source.slice(pos, end), line, pos });
        pos = end;
        continue;
      }
      const op = operatorAt(source, pos, c);
      if (op === undefined) fail(`unexpected char ${pyQuote(source[pos])} at ${pos}`);
      if (op === '(' || op === '[' || op === '{') parenStack.push(op);
      else if (op === ')' || op === ']' || op === '}') {
        const expected = op === ')' ? '(' : op === ']' ? '[' : '{';
        const top = parenStack.pop();
        if (top === undefined) fail(`unexpected '${op}'`);
        if (top !== expected) fail(`unexpected '${op}', expected '${top === '(' ? ')' : top === '[' ? ']' : '}'}'`);
      }
      tokens.push({ type: T.Op, value: op!, line, pos });
      pos += op!.length;
    }
  }
  // Jinja2 reports the end of input at the line of the last token
  tokens.push({ type: T.Eof, value: '', line: tokens.length ? tokens[tokens.length - 1].line : 1, pos: source.length });
  return tokens;
}

function pyQuote(ch: string): string {
  return ch === "'" ? `"'"` : `'${ch}'`;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

/** Decode a string literal body as Python's unicode-escape codec does. */
function unescape(body: string): string {
  if (!body.includes('\\')) return body;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\' || i + 1 >= body.length) {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === '\r') {
      i += body[i + 2] === '\n' ? 2 : 1;
      continue;
    }
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    if (next >= '0' && next <= '7') {
      let j = i + 1;
      let digits = '';
      while (j < body.length && digits.length < 3 && body[j] >= '0' && body[j] <= '7') digits += body[j++];
      out += String.fromCodePoint(parseInt(digits, 8));
      i = j - 1;
      continue;
    }
    const hexLen = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLen > 0) {
      const hex = body.slice(i + 2, i + 2 + hexLen);
      if (hex.length === hexLen && /^[0-9a-fA-F]+$/.test(hex)) {
        out += String.fromCodePoint(parseInt(hex, 16));
        i += 1 + hexLen;
        continue;
      }
    }
    if (next === 'N') {
      const close = body.indexOf('}', i);
      const named = close > 0 ? NAMED_CHARS[body.slice(i + 3, close).toUpperCase()] : undefined;
      if (body[i + 2] === '{' && named !== undefined) {
        out += named;
        i = close;
        continue;
      }
    }
    out += ch + next;
    i++;
  }
  return out;
}

// A few Unicode names seen in templates; the full database is not worth shipping.
const NAMED_CHARS: Record<string, string> = {
  'LATIN SMALL LETTER E WITH ACUTE': '\u00e9',
  'BULLET': '\u2022',
  'EM DASH': '\u2014',
  'EN DASH': '\u2013',
  'NO-BREAK SPACE': '\u00a0',
  'SNOWMAN': '\u2603',
  'GREEK SMALL LETTER ALPHA': '\u03b1',
  'DEGREE SIGN': '\u00b0',
  'HORIZONTAL ELLIPSIS': '\u2026',
  'SPACE': ' ',
  'LINE FEED': '\n',
  'TAB': '\t',
  'CHARACTER TABULATION': '\t',
};
