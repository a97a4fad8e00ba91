// Jinja2 refuses unknown filters and tests when it compiles a template, except inside `if`
// statements and inline if-expressions, where they fail only if evaluated.
import type { Expr, Stmt } from './ast.js';
import { TemplateSyntaxError } from './errors.js';

export function checkFilterAndTestNames(body: Stmt[], hasFilter: (n: string) => boolean, hasTest: (n: string) => boolean): void {
  const expr = (e: Expr | null, soft: boolean): void => {
    if (e === null) return;
    switch (e.k) {
      case 'filter':
        if (!soft && !hasFilter(e.name)) throw new TemplateSyntaxError(`No filter named '${e.name}'.`, e.line);
        expr(e.node, soft);
        callArgs(e, soft);
        return;
      case 'test':
        if (!soft && !hasTest(e.name)) throw new TemplateSyntaxError(`No test named '${e.name}'.`, e.line);
        expr(e.node, soft);
        callArgs(e, soft);
        return;
      case 'call':
        expr(e.fn, soft);
        callArgs(e, soft);
        return;
      case 'cond':
        expr(e.then, true);
        expr(e.test, true);
        expr(e.else, true);
        return;
      case 'tuple':
      case 'list':
      case 'concat':
        e.items.forEach((x) => expr(x, soft));
        return;
      case 'dict':
        e.keys.forEach((x) => expr(x, soft));
        e.values.forEach((x) => expr(x, soft));
        return;
      case 'getattr':
        expr(e.obj, soft);
        return;
      case 'getitem':
        expr(e.obj, soft);
        expr(e.key, soft);
        return;
      case 'slice':
        expr(e.start, soft);
        expr(e.stop, soft);
        expr(e.step, soft);
        return;
      case 'bin':
      case 'and':
      case 'or':
        expr(e.left, soft);
        expr(e.right, soft);
        return;
      case 'not':
      case 'neg':
      case 'pos':
        expr(e.node, soft);
        return;
      case 'compare':
        expr(e.first, soft);
        e.operands.forEach((x) => expr(x, soft));
        return;
    }
  };
  const callArgs = (e: { args: Expr[]; kwargs: [string, Expr][]; dynArgs: Expr | null; dynKwargs: Expr | null }, soft: boolean) => {
    e.args.forEach((x) => expr(x, soft));
    e.kwargs.forEach(([, x]) => expr(x, soft));
    expr(e.dynArgs, soft);
    expr(e.dynKwargs, soft);
  };
  const stmts = (list: Stmt[], soft: boolean): void => {
    for (const s of list) {
      switch (s.k) {
        case 'print':
        case 'do':
        case 'set':
          expr(s.expr, soft);
          break;
        case 'if':
          s.tests.forEach((t) => expr(t, true));
          s.bodies.forEach((b) => stmts(b, true));
          if (s.else) stmts(s.else, true);
          break;
        case 'for':
          expr(s.iter, soft);
          expr(s.test, false);
          stmts(s.body, false);
          if (s.else) stmts(s.else, false);
          break;
        case 'setblock':
          expr(s.filter, false);
          stmts(s.body, false);
          break;
        case 'macro':
          s.macro.defaults.forEach((d) => expr(d, false));
          stmts(s.macro.body, false);
          break;
        case 'callblock':
          expr(s.call, soft);
          s.macro.defaults.forEach((d) => expr(d, false));
          stmts(s.macro.body, false);
          break;
        case 'filterblock':
          expr(s.filter, soft);
          stmts(s.body, false);
          break;
        case 'with':
          s.values.forEach((v) => expr(v, soft));
          stmts(s.body, false);
          break;
        case 'include':
        case 'import':
        case 'fromimport':
        case 'extends':
          expr(s.template, soft);
          break;
        case 'block':
        case 'autoescape':
        case 'dbtblock':
          stmts(s.body, false);
          break;
      }
    }
  };
  stmts(body, false);
}
