// jinja2.nativetypes: join output pieces and read the result back as a Python literal.
import { PyDict, PyFloat, makeInt, pyStr, tuple } from './values.js';

/** NativeEnvironment's concat: one piece is returned as is; several are joined then literal-eval'd. */
export function nativeConcat(pieces: unknown[]): unknown {
  if (pieces.length === 0) return null;
  let raw: string;
  if (pieces.length === 1) {
    if (typeof pieces[0] !== 'string') return pieces[0];
    raw = pieces[0];
  } else raw = pieces.map((p) => (typeof p === 'string' ? p : pyStr(p))).join('');
  const parsed = literalEval(raw);
  return parsed === FAILED ? raw : parsed;
}

const FAILED = Symbol('failed');

/** Python's ast.literal_eval for the literal forms a config value uses; FAILED when not a literal. */
export function literalEval(text: string): unknown {
  // Python refuses leading indentation in eval mode, and so does Jinja2 here.
  if (/^[ \t]/.test(text)) return FAILED;
  const p = new LiteralParser(text);
  try {
    const v = p.value();
    p.ws();
    if (p.i !== text.length) return FAILED;
    return v;
  } catch {
    return FAILED;
  }
}

class LiteralParser {
  i = 0;
  constructor(private readonly s: string) {}

  ws(): void {
    while (this.i < this.s.length) {
      const c = this.s[this.i];
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') this.i++;
      else if (c === '\\' && this.s[this.i + 1] === '\n') this.i += 2;
      else if (c === '#') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
      } else break;
    }
  }

  private fail(): never {
    throw new Error('not a literal');
  }

  value(): unknown {
    this.ws();
    let v = this.term();
    this.ws();
    // implicit string concatenation and tuple without parentheses at top level
    if (this.s[this.i] === ',' && this.depth === 0) {
      const items = [v];
      while (this.s[this.i] === ',') {
        this.i++;
        this.ws();
        if (this.i >= this.s.length) break;
        items.push(this.term());
        this.ws();
      }
      v = tuple(items);
    }
    return v;
  }

  private depth = 0;

  private term(): unknown {
    this.ws();
    const c = this.s[this.i];
    if (c === '-' || c === '+') {
      this.i++;
      const v = this.term();
      if (typeof v === 'number') return c === '-' ? (v === 0 ? new PyFloat(-0) : -v) : v;
      if (typeof v === 'bigint') return makeInt(c === '-' ? -v : v);
      if (v instanceof PyFloat) return c === '-' ? new PyFloat(-v.value) : v;
      this.fail();
    }
    if (c === '[' || c === '(' || c === '{') return this.container(c);
    if (c === "'" || c === '"' || /[rRbBuUfF]/.test(c ?? '')) {
      const str = this.maybeString();
      if (str !== undefined) {
        let out = str;
        for (;;) {
          this.ws();
          const more = this.maybeString();
          if (more === undefined) break;
          out += more;
        }
        return out;
      }
    }
    const m = /^(?:(0[xX][\da-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+)|(\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d[\d_]*(?:[eE][+-]?\d+)?)|(True|False|None)\b)/.exec(this.s.slice(this.i));
    if (!m) this.fail();
    this.i += m[0].length;
    if (m[3]) return m[3] === 'True' ? true : m[3] === 'False' ? false : null;
    if (m[1]) return makeInt(BigInt(m[1].replace(/_/g, '')));
    const t = m[2].replace(/_/g, '');
    if (/^\d+$/.test(t)) {
      if (t.length > 1 && t[0] === '0' && /[1-9]/.test(t)) this.fail();
      return makeInt(BigInt(t));
    }
    const n = Number(t);
    return Number.isInteger(n) ? new PyFloat(n) : n;
  }

  private container(open: string): unknown {
    const close = open === '[' ? ']' : open === '(' ? ')' : '}';
    this.i++;
    this.depth++;
    const items: unknown[] = [];
    const dict = new PyDict();
    let isDict = false;
    let sawComma = false;
    this.ws();
    while (this.s[this.i] !== close) {
      if (this.i >= this.s.length) this.fail();
      const v = this.term();
      this.ws();
      if (open === '{' && this.s[this.i] === ':') {
        this.i++;
        isDict = true;
        dict.set(v, this.term());
        this.ws();
      } else items.push(v);
      if (this.s[this.i] === ',') {
        sawComma = true;
        this.i++;
        this.ws();
      } else if (this.s[this.i] !== close) this.fail();
    }
    this.i++;
    this.depth--;
    if (open === '[') return items;
    if (open === '(') return items.length === 1 && !sawComma ? items[0] : tuple(items);
    if (isDict || items.length === 0) return dict;
    this.fail(); // sets are not representable
  }

  private maybeString(): string | undefined {
    const m = /^([rRbBuU]{0,2})(['"])/.exec(this.s.slice(this.i));
    if (!m) return undefined;
    const prefix = m[1].toLowerCase();
    if (prefix.includes('b') || prefix.includes('f')) this.fail();
    const raw = prefix.includes('r');
    const q = m[2];
    const triple = this.s.startsWith(q.repeat(3), this.i + m[1].length);
    let j = this.i + m[1].length + (triple ? 3 : 1);
    let out = '';
    for (;;) {
      if (j >= this.s.length) this.fail();
      const c = this.s[j];
      if (triple ? this.s.startsWith(q.repeat(3), j) : c === q) {
        j += triple ? 3 : 1;
        break;
      }
      if (!triple && c === '\n') this.fail();
      if (c === '\\') {
        const n = this.s[j + 1];
        if (raw) {
          out += c + n;
          j += 2;
          continue;
        }
        const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '\n': '', a: '\x07', b: '\b', f: '\f', v: '\v', '0': '\0' };
        if (n in simple) {
          out += simple[n];
          j += 2;
          continue;
        }
        const hexLen = n === 'x' ? 2 : n === 'u' ? 4 : n === 'U' ? 8 : 0;
        if (hexLen) {
          out += String.fromCodePoint(parseInt(this.s.slice(j + 2, j + 2 + hexLen), 16));
          j += 2 + hexLen;
          continue;
        }
        out += c + n;
        j += 2;
        continue;
      }
      out += c;
      j++;
    }
    this.i = j;
    return out;
  }
}
