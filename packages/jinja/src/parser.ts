// Recursive-descent parser: tokens -> statements, following Jinja2's grammar and precedence.
import type { CallArgs, Expr, MacroDef, Stmt, Target } from './ast.js';
import { TemplateSyntaxError } from './errors.js';
import { T, type Token } from './lexer.js';
import { PyFloat, makeInt } from './values.js';

export interface ParseOptions {
  dbtBlocks: boolean;
}

export interface ParsedBlock {
  kind: 'docs' | 'snapshot';
  name: string;
  line: number;
  body: Stmt[];
  raw: string;
}

const KEYWORD_CONSTS = new Map<string, unknown>([
  ['true', true],
  ['false', false],
  ['none', null],
  ['True', true],
  ['False', false],
  ['None', null],
]);
const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const PRIMARY_START = new Set([T.Name, T.String, T.Int, T.Float]);

export class Parser {
  private i = 0;
  /** Names of the blocks being parsed, innermost last, for "innermost block" messages. */
  private readonly stack: string[] = [];
  private readonly endTokenStack: string[][] = [];
  constructor(
    private readonly tokens: Token[],
    private readonly filename: string,
    private readonly source: string,
    private readonly options: ParseOptions,
  ) {}

  parseTemplate(): Stmt[] {
    const body = this.subparse(null);
    return body;
  }

  // ---- token helpers ----

  private get cur(): Token {
    return this.tokens[this.i];
  }
  private peek(n = 1): Token {
    return this.tokens[Math.min(this.i + n, this.tokens.length - 1)];
  }
  private next(): Token {
    const t = this.tokens[this.i];
    if (t.type !== T.Eof) this.i++;
    return t;
  }
  private fail(msg: string, line = this.cur.line): never {
    throw new TemplateSyntaxError(msg, line, this.filename);
  }
  private isOp(v: string, t: Token = this.cur): boolean {
    return t.type === T.Op && t.value === v;
  }
  private isName(v: string, t: Token = this.cur): boolean {
    return t.type === T.Name && t.value === v;
  }
  private skipOp(v: string): boolean {
    if (this.isOp(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  private skipName(v: string): boolean {
    if (this.isName(v)) {
      this.i++;
      return true;
    }
    return false;
  }
  private describe(t: Token): string {
    switch (t.type) {
      case T.Eof:
        return 'end of template';
      case T.BlockEnd:
        return 'end of statement block';
      case T.VarEnd:
        return 'end of print statement';
      case T.BlockBegin:
        return 'begin of statement block';
      case T.VarBegin:
        return 'begin of print statement';
      case T.Name:
        return t.value;
      case T.String:
        return 'string';
      case T.Int:
        return 'integer';
      case T.Float:
        return 'float';
      case T.Data:
        return 'template data / text';
      default:
        return t.value;
    }
  }
  private expectOp(v: string): Token {
    if (!this.isOp(v)) {
      if (this.cur.type === T.Eof) this.fail(`unexpected end of template, expected '${v}'.`);
      this.fail(`expected token '${v}', got '${this.describe(this.cur)}'`);
    }
    return this.next();
  }
  private expectName(): Token {
    if (this.cur.type !== T.Name) {
      if (this.cur.type === T.Eof) this.fail("unexpected end of template, expected 'name'.");
      this.fail(`expected token 'name', got '${this.describe(this.cur)}'`);
    }
    return this.next();
  }
  /** End of a tag that opens a body; Jinja2 accepts a Python-style colon there (`{% if x: %}`). */
  private bodyStart(): void {
    this.skipOp(':');
    this.expectBlockEnd();
  }

  private expectBlockEnd(): void {
    if (this.cur.type !== T.BlockEnd) {
      if (this.cur.type === T.Eof) this.fail("unexpected end of template, expected 'end of statement block'.");
      this.fail(`expected token 'end of statement block', got '${this.describe(this.cur)}'`);
    }
    this.i++;
  }

  // ---- statements ----

  /** Parse until a block tag whose name is in `endTokens` (left current) or the end of input. */
  private subparse(endTokens: string[] | null): Stmt[] {
    const body: Stmt[] = [];
    if (endTokens) this.endTokenStack.push(endTokens);
    try {
      for (;;) {
        const t = this.cur;
        switch (t.type) {
          case T.Data:
            body.push({ k: 'data', line: t.line, text: t.value });
            this.i++;
            break;
          case T.VarBegin: {
            this.i++;
            const expr = this.parseTuple(true, false);
            if (this.cur.type !== T.VarEnd) {
              if (this.cur.type === T.Eof) this.fail("unexpected end of template, expected 'end of print statement'.");
              this.fail(`expected token 'end of print statement', got '${this.describe(this.cur)}'`);
            }
            this.i++;
            body.push({ k: 'print', line: t.line, expr });
            break;
          }
          case T.BlockBegin: {
            this.i++;
            if (endTokens && this.cur.type === T.Name && endTokens.includes(this.cur.value)) return body;
            const stmt = this.parseStatement();
            if (stmt) body.push(stmt);
            break;
          }
          case T.Eof:
            if (endTokens) this.failEof();
            return body;
          default:
            this.fail('internal parser error: unexpected token');
        }
      }
    } finally {
      if (endTokens) this.endTokenStack.pop();
    }
  }

  private failEof(): never {
    this.failUnknownTag(null);
  }

  private failUnknownTag(name: string | null): never {
    const expected = new Set<string>();
    for (const group of this.endTokenStack) for (const e of group) expected.add(e);
    const parts: string[] = [];
    if (name === null) parts.push('Unexpected end of template.');
    else parts.push(`Encountered unknown tag '${name}'.`);
    const innermost = this.endTokenStack[this.endTokenStack.length - 1];
    if (innermost) {
      const list = innermost.map((e) => `'${e}'`);
      const words = list.join(' or ');
      parts.push(`Jinja was looking for the following tags: ${words}.`);
    }
    if (this.stack.length) parts.push(`The innermost block that needs to be closed is '${this.stack[this.stack.length - 1]}'.`);
    this.fail(parts.join(' '));
  }

  private parseStatement(): Stmt | null {
    const t = this.cur;
    if (t.type !== T.Name) this.fail('tag name expected');
    this.stack.push(t.value);
    let popped = false;
    try {
      switch (t.value) {
        case 'if':
          return this.parseIf();
        case 'for':
          return this.parseFor();
        case 'set':
          return this.parseSet();
        case 'macro':
          return this.parseMacro();
        case 'call':
          return this.parseCallBlock();
        case 'filter':
          return this.parseFilterBlock();
        case 'with':
          return this.parseWith();
        case 'include':
          return this.parseInclude();
        case 'import':
          return this.parseImport();
        case 'from':
          return this.parseFrom();
        case 'do': {
          this.i++;
          const expr = this.parseTuple(true, false);
          this.expectBlockEnd();
          return { k: 'do', line: t.line, expr };
        }
        case 'break':
        case 'continue':
          this.i++;
          if (!this.stack.slice(0, -1).includes('for')) this.fail("Encountered unknown tag '" + t.value + "'.", t.line);
          this.expectBlockEnd();
          return { k: t.value, line: t.line };
        case 'block':
          return this.parseBlock();
        case 'extends': {
          this.i++;
          const template = this.parseExpression();
          this.expectBlockEnd();
          return { k: 'extends', line: t.line, template };
        }
        case 'autoescape': {
          this.i++;
          this.parseExpression();
          this.bodyStart();
          const body = this.subparse(['endautoescape']);
          this.i++;
          this.expectBlockEnd();
          return { k: 'autoescape', line: t.line, body };
        }
      }
      if (this.options.dbtBlocks) {
        switch (t.value) {
          case 'materialization':
            return this.parseMaterialization();
          case 'test':
            return this.parseTestBlock();
          case 'docs':
          case 'snapshot':
            return this.parseDbtBlock(t.value);
        }
      }
      // Unknown tag: Jinja2 pops the stack first so the message names the enclosing block.
      this.stack.pop();
      popped = true;
      return this.failUnknownTag(t.value);
    } finally {
      if (!popped) this.stack.pop();
    }
  }

  private parseIf(): Stmt {
    const line = this.next().line;
    const tests: Expr[] = [];
    const bodies: Stmt[][] = [];
    let elseBody: Stmt[] | null = null;
    tests.push(this.parseTuple(false, false));
    this.bodyStart();
    for (;;) {
      bodies.push(this.subparse(['elif', 'else', 'endif']));
      const tag = this.next().value;
      if (tag === 'elif') {
        tests.push(this.parseTuple(false, false));
        this.bodyStart();
        continue;
      }
      if (tag === 'else') {
        this.bodyStart();
        elseBody = this.subparse(['endif']);
        this.next();
      }
      break;
    }
    this.expectBlockEnd();
    return { k: 'if', line, tests, bodies, else: elseBody };
  }

  private parseFor(): Stmt {
    const line = this.next().line;
    const target = this.parseAssignTarget(['in']);
    if (!this.skipName('in')) this.fail(`expected token 'in', got '${this.describe(this.cur)}'`);
    const iter = this.parseTuple(false, false, ['recursive']);
    let test: Expr | null = null;
    if (this.skipName('if')) test = this.parseExpression();
    const recursive = this.skipName('recursive');
    this.bodyStart();
    const body = this.subparse(['endfor', 'else']);
    let elseBody: Stmt[] | null = null;
    if (this.next().value === 'else') {
      this.bodyStart();
      elseBody = this.subparse(['endfor']);
      this.next();
    }
    this.expectBlockEnd();
    return { k: 'for', line, target, iter, body, else: elseBody, test, recursive };
  }

  private parseSet(): Stmt {
    const line = this.next().line;
    const target = this.parseAssignTarget(null, true);
    if (this.skipOp('=')) {
      const expr = this.parseTuple(true, false);
      this.expectBlockEnd();
      return { k: 'set', line, target, expr };
    }
    const filter = this.isOp('|') ? this.parseFilterChain(null) : null;
    this.bodyStart();
    const body = this.subparse(['endset']);
    this.next();
    this.expectBlockEnd();
    return { k: 'setblock', line, target, body, filter };
  }

  private parseMacroSignature(def: MacroDef): void {
    this.expectOp('(');
    while (!this.isOp(')')) {
      if (def.args.length) this.expectOp(',');
      const nameTok = this.expectName();
      def.args.push(nameTok.value);
      if (this.skipOp('=')) {
        const start = this.cur.pos;
        def.defaults.push(this.parseExpression());
        def.defaultSources.push(this.source.slice(start, this.cur.pos).trim());
      }
      else if (def.defaults.length) this.fail('non-default argument follows default argument');
    }
    this.expectOp(')');
  }

  private finishMacro(def: MacroDef, endTag: string): void {
    const callerIndex = def.args.indexOf('caller');
    if (callerIndex >= 0 && callerIndex < def.args.length - def.defaults.length)
      this.fail('When defining macros or call blocks the special "caller" argument must be omitted or be given a default.', def.line);
    this.bodyStart();
    def.body = this.subparse([endTag]);
    this.next();
    this.expectBlockEnd();
    const used = new Set<string>();
    collectNames(def.body, used);
    for (const d of def.defaults) collectExprNames(d, used);
    def.catchesVarargs = used.has('varargs') && !def.args.includes('varargs');
    def.catchesKwargs = used.has('kwargs') && !def.args.includes('kwargs');
    def.callsCaller = used.has('caller') && !def.args.includes('caller');
  }

  private newMacro(name: string, line: number): MacroDef {
    return { name, line, args: [], defaults: [], defaultSources: [], body: [], catchesVarargs: false, catchesKwargs: false, callsCaller: false, isCallBlock: false };
  }

  private parseMacro(): Stmt {
    const line = this.next().line;
    const def = this.newMacro(this.expectName().value, line);
    this.parseMacroSignature(def);
    this.finishMacro(def, 'endmacro');
    return { k: 'macro', line, macro: def };
  }

  private parseCallBlock(): Stmt {
    const line = this.next().line;
    const def = this.newMacro('caller', line);
    def.isCallBlock = true;
    if (this.isOp('(')) this.parseMacroSignature(def);
    const call = this.parseExpression();
    if (call.k !== 'call') this.fail('expected call', line);
    this.finishMacro(def, 'endcall');
    return { k: 'callblock', line, call, macro: def };
  }

  private parseFilterBlock(): Stmt {
    const line = this.next().line;
    const filter = this.parseFilterChain(null);
    this.bodyStart();
    const body = this.subparse(['endfilter']);
    this.next();
    this.expectBlockEnd();
    return { k: 'filterblock', line, filter, body };
  }

  private parseWith(): Stmt {
    const line = this.next().line;
    const targets: Target[] = [];
    const values: Expr[] = [];
    while (this.cur.type !== T.BlockEnd) {
      if (targets.length) this.expectOp(',');
      targets.push(this.parseAssignTarget(null));
      this.expectOp('=');
      values.push(this.parseExpression());
    }
    this.bodyStart();
    const body = this.subparse(['endwith']);
    this.next();
    this.expectBlockEnd();
    return { k: 'with', line, targets, values, body };
  }

  private parseContextModifier(defaultWith: boolean): boolean {
    if ((this.isName('with') || this.isName('without')) && this.isName('context', this.peek())) {
      const w = this.next().value === 'with';
      this.next();
      return w;
    }
    return defaultWith;
  }

  private parseInclude(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression();
    let ignoreMissing = false;
    if (this.isName('ignore') && this.isName('missing', this.peek())) {
      this.i += 2;
      ignoreMissing = true;
    }
    const withContext = this.parseContextModifier(true);
    this.expectBlockEnd();
    return { k: 'include', line, template, ignoreMissing, withContext };
  }

  private parseImport(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression();
    if (!this.skipName('as')) this.fail(`expected token 'as', got '${this.describe(this.cur)}'`);
    const target = this.expectName().value;
    const withContext = this.parseContextModifier(false);
    this.expectBlockEnd();
    return { k: 'import', line, template, target, withContext };
  }

  private parseFrom(): Stmt {
    const line = this.next().line;
    const template = this.parseExpression();
    if (!this.skipName('import')) this.fail(`expected token 'import', got '${this.describe(this.cur)}'`);
    const names: [string, string][] = [];
    let withContext = false;
    for (;;) {
      if (names.length) {
        if (!this.skipOp(',')) break;
      }
      if (this.cur.type !== T.Name) break;
      if ((this.isName('with') || this.isName('without')) && this.isName('context', this.peek())) {
        withContext = this.parseContextModifier(false);
        break;
      }
      const tok = this.next();
      if (tok.value.startsWith('_')) this.fail('names starting with an underline can not be imported', tok.line);
      let alias = tok.value;
      if (this.skipName('as')) alias = this.expectName().value;
      names.push([tok.value, alias]);
    }
    if (this.isName('with') || this.isName('without')) withContext = this.parseContextModifier(false);
    this.expectBlockEnd();
    return { k: 'fromimport', line, template, names, withContext };
  }

  private parseBlock(): Stmt {
    const line = this.next().line;
    const name = this.expectName().value;
    const scoped = this.skipName('scoped');
    const required = this.skipName('required');
    this.bodyStart();
    const body = this.subparse(['endblock']);
    this.next();
    if (this.cur.type === T.Name && this.cur.value === name) this.next();
    this.expectBlockEnd();
    return { k: 'block', line, name, body, scoped, required };
  }

  // ---- dbt blocks ----

  private parseMaterialization(): Stmt {
    const line = this.next().line;
    const name = this.expectName().value;
    let adapter = 'default';
    while (this.skipOp(',')) {
      if (this.isName('default') && !this.isOp('=', this.peek())) {
        this.next();
        adapter = 'default';
        continue;
      }
      const key = this.expectName().value;
      this.expectOp('=');
      const value = this.parseExpression();
      if (key === 'adapter') {
        if (value.k !== 'const' || typeof value.value !== 'string') this.fail('materialization adapter must be a string', line);
        adapter = value.value as string;
      }
    }
    const def = this.newMacro(`materialization_${name}_${adapter}`, line);
    this.finishMacro(def, 'endmaterialization');
    return { k: 'macro', line, macro: def };
  }

  private parseTestBlock(): Stmt {
    const line = this.next().line;
    const def = this.newMacro('test_' + this.expectName().value, line);
    if (this.isOp('(')) this.parseMacroSignature(def);
    this.finishMacro(def, 'endtest');
    return { k: 'macro', line, macro: def };
  }

  private parseDbtBlock(kind: 'docs' | 'snapshot'): Stmt {
    const line = this.next().line;
    const name = this.expectName().value;
    const openEnd = this.cur.pos!;
    this.bodyStart();
    const body = this.subparse(['end' + kind]);
    // the end tag's `{%` token precedes the current name token
    const closeStart = this.tokens[this.i - 1].pos!;
    this.next();
    this.expectBlockEnd();
    const raw = this.source.slice(openEnd, closeStart);
    return { k: 'dbtblock', line, kind, name, body, raw };
  }

  // ---- assignment targets ----

  private parseAssignTarget(extraEnd: string[] | null, withNamespace = false): Target {
    const first = this.parseSingleTarget(withNamespace);
    if (!this.isOp(',')) return first;
    const items: Target[] = [first];
    while (this.skipOp(',')) {
      if (this.isTupleEnd(extraEnd) || this.isOp('=')) break;
      items.push(this.parseSingleTarget(withNamespace));
    }
    return { k: 'tuple', line: first.line, items };
  }

  private parseSingleTarget(withNamespace: boolean): Target {
    const t = this.cur;
    if (withNamespace && t.type === T.Name && this.isOp('.', this.peek())) {
      this.i += 2;
      const attr = this.expectName().value;
      return { k: 'nsattr', line: t.line, name: t.value, attr };
    }
    if (this.skipOp('(')) {
      const items: Target[] = [];
      while (!this.isOp(')')) {
        if (items.length) this.expectOp(',');
        if (this.isOp(')')) break;
        items.push(this.parseSingleTarget(false));
      }
      this.expectOp(')');
      return { k: 'tuple', line: t.line, items };
    }
    if (t.type !== T.Name) this.fail(`expected token 'name', got '${this.describe(t)}'`);
    if (KEYWORD_CONSTS.has(t.value)) this.fail("can't assign to 'Const'");
    this.i++;
    return { k: 'name', line: t.line, name: t.value };
  }

  // ---- expressions ----

  private isTupleEnd(extraEnd: string[] | null): boolean {
    const t = this.cur;
    if (t.type === T.VarEnd || t.type === T.BlockEnd || t.type === T.Eof) return true;
    if (this.isOp(')')) return true;
    return extraEnd !== null && t.type === T.Name && extraEnd.includes(t.value);
  }

  /** An expression or a bare comma-separated tuple. */
  parseTuple(withCondexpr: boolean, explicitParens: boolean, extraEnd: string[] | null = null, simplified = false): Expr {
    const line = this.cur.line;
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length) this.expectOp(',');
      if (this.isTupleEnd(extraEnd)) break;
      items.push(simplified ? this.parsePrimary() : withCondexpr ? this.parseExpression() : this.parseOr());
      if (this.isOp(',')) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (items.length) return items[0];
      if (!explicitParens) this.fail(`Expected an expression, got '${this.describe(this.cur)}'`);
    }
    return { k: 'tuple', line, items };
  }

  parseExpression(): Expr {
    const expr = this.parseOr();
    if (!this.isName('if')) return expr;
    return this.parseCondTail(expr);
  }

  private parseCondTail(expr: Expr): Expr {
    let result = expr;
    const line = expr.line;
    while (this.isName('if')) {
      this.next();
      const test = this.parseOr();
      const otherwise = this.skipName('else') ? this.parseExpression() : null;
      result = { k: 'cond', line, test, then: result, else: otherwise };
    }
    return result;
  }

  private parseOr(): Expr {
    const line = this.cur.line;
    let left = this.parseAnd();
    while (this.isName('or')) {
      this.next();
      left = { k: 'or', line, left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): Expr {
    const line = this.cur.line;
    let left = this.parseNot();
    while (this.isName('and')) {
      this.next();
      left = { k: 'and', line, left, right: this.parseNot() };
    }
    return left;
  }

  private parseNot(): Expr {
    if (this.isName('not')) {
      const line = this.next().line;
      return { k: 'not', line, node: this.parseNot() };
    }
    return this.parseCompare();
  }

  private parseCompare(): Expr {
    const line = this.cur.line;
    const first = this.parseMath1();
    const ops: string[] = [];
    const operands: Expr[] = [];
    for (;;) {
      const t = this.cur;
      if (t.type === T.Op && COMPARE_OPS.has(t.value)) {
        this.i++;
        ops.push(t.value);
      } else if (this.isName('in')) {
        this.i++;
        ops.push('in');
      } else if (this.isName('not') && this.isName('in', this.peek())) {
        this.i += 2;
        ops.push('notin');
      } else break;
      operands.push(this.parseMath1());
    }
    if (!ops.length) return first;
    return { k: 'compare', line, first, ops, operands };
  }

  private parseMath1(): Expr {
    const line = this.cur.line;
    let left = this.parseConcat();
    while (this.isOp('+') || this.isOp('-')) {
      const t = this.next();
      left = { k: 'bin', line, op: t.value, left, right: this.parseConcat() };
    }
    return left;
  }

  private parseConcat(): Expr {
    const line = this.cur.line;
    const first = this.parseMath2();
    if (!this.isOp('~')) return first;
    const items = [first];
    while (this.skipOp('~')) items.push(this.parseMath2());
    return { k: 'concat', line, items };
  }

  private parseMath2(): Expr {
    const line = this.cur.line;
    let left = this.parsePow();
    while (this.isOp('*') || this.isOp('/') || this.isOp('//') || this.isOp('%')) {
      const t = this.next();
      left = { k: 'bin', line, op: t.value, left, right: this.parsePow() };
    }
    return left;
  }

  private parsePow(): Expr {
    const line = this.cur.line;
    let left = this.parseUnary(true);
    while (this.isOp('**')) {
      this.next();
      left = { k: 'bin', line, op: '**', left, right: this.parseUnary(true) };
    }
    return left;
  }

  private parseUnary(withFilter: boolean): Expr {
    const t = this.cur;
    let node: Expr;
    if (this.isOp('-')) {
      this.i++;
      node = { k: 'neg', line: t.line, node: this.parseUnary(false) };
    } else if (this.isOp('+')) {
      this.i++;
      node = { k: 'pos', line: t.line, node: this.parseUnary(false) };
    } else node = this.parsePrimary();
    node = this.parsePostfix(node);
    if (withFilter) node = this.parseFilterExpr(node);
    return node;
  }

  private parsePrimary(): Expr {
    const t = this.cur;
    switch (t.type) {
      case T.Name: {
        this.i++;
        if (KEYWORD_CONSTS.has(t.value)) return { k: 'const', line: t.line, value: KEYWORD_CONSTS.get(t.value) };
        return { k: 'name', line: t.line, name: t.value };
      }
      case T.String: {
        this.i++;
        let value = t.value;
        while (this.cur.type === T.String) value += this.next().value;
        return { k: 'const', line: t.line, value };
      }
      case T.Int: {
        this.i++;
        return { k: 'const', line: t.line, value: parseIntLiteral(t.value) };
      }
      case T.Float: {
        this.i++;
        const n = Number(t.value.replace(/_/g, ''));
        return { k: 'const', line: t.line, value: Number.isInteger(n) ? new PyFloat(n) : n };
      }
      case T.Op:
        if (t.value === '(') {
          this.i++;
          const expr = this.parseTuple(true, true);
          this.expectOp(')');
          return expr;
        }
        if (t.value === '[') return this.parseList();
        if (t.value === '{') return this.parseDict();
        break;
    }
    if (t.type === T.Eof) this.fail("unexpected end of template, expected 'end of print statement'.");
    this.fail(`unexpected '${this.describe(t)}'`);
  }

  private parseList(): Expr {
    const line = this.next().line;
    const items: Expr[] = [];
    while (!this.isOp(']')) {
      if (items.length) this.expectOp(',');
      if (this.isOp(']')) break;
      items.push(this.parseExpression());
    }
    this.expectOp(']');
    return { k: 'list', line, items };
  }

  private parseDict(): Expr {
    const line = this.next().line;
    const keys: Expr[] = [];
    const values: Expr[] = [];
    while (!this.isOp('}')) {
      if (keys.length) this.expectOp(',');
      if (this.isOp('}')) break;
      keys.push(this.parseExpression());
      this.expectOp(':');
      values.push(this.parseExpression());
    }
    this.expectOp('}');
    return { k: 'dict', line, keys, values };
  }

  private parsePostfix(node: Expr): Expr {
    let n = node;
    for (;;) {
      if (this.isOp('.') || this.isOp('[')) n = this.parseSubscript(n);
      else if (this.isOp('(')) n = this.parseCall(n);
      else return n;
    }
  }

  private parseFilterExpr(node: Expr): Expr {
    let n = node;
    for (;;) {
      if (this.isOp('|')) n = this.parseFilterChain(n);
      else if (this.isName('is')) n = this.parseTest(n);
      else if (this.isOp('(')) n = this.parseCall(n);
      else return n;
    }
  }

  private parseSubscript(node: Expr): Expr {
    const t = this.next();
    if (t.value === '.') {
      const attr = this.cur;
      if (attr.type === T.Name) {
        this.i++;
        return { k: 'getattr', line: t.line, obj: node, attr: attr.value };
      }
      if (attr.type === T.Int) {
        this.i++;
        return { k: 'getitem', line: t.line, obj: node, key: { k: 'const', line: attr.line, value: parseIntLiteral(attr.value) } };
      }
      this.fail('expected name or number', attr.line);
    }
    const args: Expr[] = [];
    while (!this.isOp(']')) {
      if (args.length) {
        this.expectOp(',');
        if (this.isOp(']')) break;
      }
      args.push(this.parseSubscribed());
    }
    this.expectOp(']');
    const key: Expr = args.length === 1 ? args[0] : { k: 'tuple', line: t.line, items: args };
    return { k: 'getitem', line: t.line, obj: node, key };
  }

  private parseSubscribed(): Expr {
    const line = this.cur.line;
    let start: Expr | null = null;
    if (!this.isOp(':')) {
      start = this.parseExpression();
      if (!this.isOp(':')) return start;
    }
    this.i++; // ':'
    let stop: Expr | null = null;
    let step: Expr | null = null;
    if (!this.isOp(']') && !this.isOp(',') && !this.isOp(':')) stop = this.parseExpression();
    if (this.skipOp(':')) {
      if (!this.isOp(']') && !this.isOp(',')) step = this.parseExpression();
    }
    return { k: 'slice', line, start, stop, step };
  }

  private parseCallArgs(): CallArgs {
    this.expectOp('(');
    const out: CallArgs = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    let first = true;
    while (!this.isOp(')')) {
      if (!first) {
        this.expectOp(',');
        if (this.isOp(')')) break;
      }
      first = false;
      if (this.skipOp('*')) {
        if (out.dynArgs || out.dynKwargs) this.fail('Invalid argument syntax');
        out.dynArgs = this.parseExpression();
      } else if (this.skipOp('**')) {
        if (out.dynKwargs) this.fail('Invalid argument syntax');
        out.dynKwargs = this.parseExpression();
      } else if (this.cur.type === T.Name && this.isOp('=', this.peek())) {
        if (out.dynKwargs) this.fail('Invalid argument syntax');
        const key = this.next().value;
        this.i++;
        out.kwargs.push([key, this.parseExpression()]);
      } else {
        if (out.dynArgs || out.dynKwargs || out.kwargs.length) this.fail('Invalid argument syntax');
        out.args.push(this.parseExpression());
      }
    }
    this.expectOp(')');
    return out;
  }

  private parseCall(node: Expr): Expr {
    const line = this.cur.line;
    const a = this.parseCallArgs();
    return { k: 'call', line, fn: node, args: a.args, kwargs: a.kwargs, dynArgs: a.dynArgs, dynKwargs: a.dynKwargs };
  }

  private parseDottedName(): string {
    let name = this.expectName().value;
    while (this.isOp('.')) {
      this.i++;
      name += '.' + this.expectName().value;
    }
    return name;
  }

  /** `| f(args) | g` applied to `node` (null for filter blocks and `set` blocks). */
  private parseFilterChain(node: Expr | null): Expr {
    let n: Expr | null = node;
    let start = true;
    while (this.isOp('|') || (start && node === null)) {
      if (this.isOp('|')) this.i++;
      start = false;
      const line = this.cur.line;
      const name = this.parseDottedName();
      const a: CallArgs = this.isOp('(') ? this.parseCallArgs() : { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
      n = { k: 'filter', line, node: n, name, ...a };
    }
    return n!;
  }

  private parseTest(node: Expr): Expr {
    const line = this.next().line; // 'is'
    const negated = this.skipName('not');
    const name = this.parseDottedName();
    let a: CallArgs = { args: [], kwargs: [], dynArgs: null, dynKwargs: null };
    const t = this.cur;
    if (this.isOp('(')) a = this.parseCallArgs();
    else if (
      (PRIMARY_START.has(t.type) || this.isOp('[') || this.isOp('{')) &&
      !(t.type === T.Name && (t.value === 'else' || t.value === 'or' || t.value === 'and'))
    ) {
      if (this.isName('is')) this.fail('You cannot chain multiple tests with is');
      a.args = [this.parsePostfix(this.parsePrimary())];
    }
    return { k: 'test', line, node, name, negated, ...a };
  }
}

function parseIntLiteral(text: string): number | bigint {
  const clean = text.replace(/_/g, '').toLowerCase();
  let big: bigint;
  if (clean.startsWith('0b') || clean.startsWith('0o') || clean.startsWith('0x')) big = BigInt(clean);
  else {
    const n = Number(clean);
    if (Number.isSafeInteger(n)) return n;
    big = BigInt(clean);
  }
  return makeInt(big);
}

// ---- name collection (for varargs/kwargs/caller detection) ----

function collectNames(body: Stmt[], out: Set<string>): void {
  for (const s of body) collectStmtNames(s, out);
}

function collectStmtNames(s: Stmt, out: Set<string>): void {
  switch (s.k) {
    case 'print':
    case 'do':
      collectExprNames(s.expr, out);
      break;
    case 'if':
      s.tests.forEach((t) => collectExprNames(t, out));
      s.bodies.forEach((b) => collectNames(b, out));
      if (s.else) collectNames(s.else, out);
      break;
    case 'for':
      collectExprNames(s.iter, out);
      if (s.test) collectExprNames(s.test, out);
      collectNames(s.body, out);
      if (s.else) collectNames(s.else, out);
      break;
    case 'set':
      collectExprNames(s.expr, out);
      break;
    case 'setblock':
      collectNames(s.body, out);
      if (s.filter) collectExprNames(s.filter, out);
      break;
    case 'macro':
      collectNames(s.macro.body, out);
      s.macro.defaults.forEach((d) => collectExprNames(d, out));
      break;
    case 'callblock':
      collectExprNames(s.call, out);
      collectNames(s.macro.body, out);
      break;
    case 'filterblock':
      collectExprNames(s.filter, out);
      collectNames(s.body, out);
      break;
    case 'with':
      s.values.forEach((v) => collectExprNames(v, out));
      collectNames(s.body, out);
      break;
    case 'include':
    case 'import':
    case 'fromimport':
    case 'extends':
      collectExprNames(s.template, out);
      break;
    case 'autoescape':
    case 'dbtblock':
      collectNames(s.body, out);
      break;
  }
}

export function collectExprNames(e: Expr | null, out: Set<string>): void {
  if (e === null) return;
  switch (e.k) {
    case 'name':
      out.add(e.name);
      break;
    case 'tuple':
    case 'list':
    case 'concat':
      e.items.forEach((x) => collectExprNames(x, out));
      break;
    case 'dict':
      e.keys.forEach((x) => collectExprNames(x, out));
      e.values.forEach((x) => collectExprNames(x, out));
      break;
    case 'getattr':
      collectExprNames(e.obj, out);
      break;
    case 'getitem':
      collectExprNames(e.obj, out);
      collectExprNames(e.key, out);
      break;
    case 'slice':
      collectExprNames(e.start, out);
      collectExprNames(e.stop, out);
      collectExprNames(e.step, out);
      break;
    case 'call':
    case 'filter':
    case 'test':
      if (e.k === 'call') collectExprNames(e.fn, out);
      else collectExprNames(e.node, out);
      e.args.forEach((x) => collectExprNames(x, out));
      e.kwargs.forEach(([, x]) => collectExprNames(x, out));
      collectExprNames(e.dynArgs, out);
      collectExprNames(e.dynKwargs, out);
      break;
    case 'cond':
      collectExprNames(e.test, out);
      collectExprNames(e.then, out);
      collectExprNames(e.else, out);
      break;
    case 'bin':
    case 'and':
    case 'or':
      collectExprNames(e.left, out);
      collectExprNames(e.right, out);
      break;
    case 'not':
    case 'neg':
    case 'pos':
      collectExprNames(e.node, out);
      break;
    case 'compare':
      collectExprNames(e.first, out);
      e.operands.forEach((x) => collectExprNames(x, out));
      break;
  }
}
