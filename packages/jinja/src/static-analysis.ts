// dbt's "static parser": find literal ref/source/config calls without rendering, and tell whether
// the template needs rendering at all.
import type { Expr, Stmt } from './ast.js';
import { PyDict, PyFloat, PyTuple, toJS } from './values.js';

export interface RefCall {
  name: string;
  package?: string;
  version?: string | number;
}

export interface StaticAnalysis {
  refs: RefCall[];
  sources: [string, string][];
  /** The literal keyword arguments of each config() call. */
  configs: Record<string, unknown>[];
  /** True when the template holds nothing but text, comments and literal ref/source/config calls. */
  simple: boolean;
}

const NOT_LITERAL = Symbol('not literal');

function literal(e: Expr): unknown {
  switch (e.k) {
    case 'const':
      return e.value;
    case 'list':
    case 'tuple': {
      const out: unknown[] = [];
      for (const item of e.items) {
        const v = literal(item);
        if (v === NOT_LITERAL) return NOT_LITERAL;
        out.push(v);
      }
      return e.k === 'tuple' ? PyTuple.from(out) : out;
    }
    case 'dict': {
      const d = new PyDict();
      for (let i = 0; i < e.keys.length; i++) {
        const k = literal(e.keys[i]);
        const v = literal(e.values[i]);
        if (k === NOT_LITERAL || v === NOT_LITERAL) return NOT_LITERAL;
        d.set(k, v);
      }
      return d;
    }
    case 'neg': {
      const v = literal(e.node);
      if (typeof v === 'number') return -v;
      if (v instanceof PyFloat) return -v.value;
      return NOT_LITERAL;
    }
    default:
      return NOT_LITERAL;
  }
}

/** Record a ref/source/config call; returns false when it is not statically known. */
function recordCall(e: Extract<Expr, { k: 'call' }>, out: StaticAnalysis): boolean {
  if (e.fn.k !== 'name' || e.dynArgs || e.dynKwargs) return false;
  const args = e.args.map(literal);
  const kwargs = e.kwargs.map(([k, v]) => [k, literal(v)] as const);
  if (args.some((a) => a === NOT_LITERAL) || kwargs.some(([, v]) => v === NOT_LITERAL)) return false;
  switch (e.fn.name) {
    case 'ref': {
      if (!args.length || args.length > 2 || !args.every((a) => typeof a === 'string')) return false;
      const ref: RefCall = args.length === 2 ? { package: args[0] as string, name: args[1] as string } : { name: args[0] as string };
      for (const [k, v] of kwargs) {
        if (k !== 'version' && k !== 'v') return false;
        if (typeof v !== 'string' && typeof v !== 'number') return false;
        ref.version = v;
      }
      out.refs.push(ref);
      return true;
    }
    case 'source':
      if (args.length !== 2 || kwargs.length || !args.every((a) => typeof a === 'string')) return false;
      out.sources.push([args[0] as string, args[1] as string]);
      return true;
    case 'config': {
      if (args.length) return false;
      const config: Record<string, unknown> = {};
      for (const [k, v] of kwargs) config[k] = toJS(v);
      out.configs.push(config);
      return true;
    }
  }
  return false;
}

export function analyze(body: Stmt[]): StaticAnalysis {
  const out: StaticAnalysis = { refs: [], sources: [], configs: [], simple: true };
  const visitExpr = (e: Expr | null): void => {
    if (e === null) return;
    if (e.k === 'call' && recordCall(e, out)) return;
    switch (e.k) {
      case 'call':
        visitExpr(e.fn);
        e.args.forEach(visitExpr);
        e.kwargs.forEach(([, v]) => visitExpr(v));
        visitExpr(e.dynArgs);
        visitExpr(e.dynKwargs);
        break;
      case 'filter':
      case 'test':
        visitExpr(e.node);
        e.args.forEach(visitExpr);
        e.kwargs.forEach(([, v]) => visitExpr(v));
        break;
      case 'tuple':
      case 'list':
      case 'concat':
        e.items.forEach(visitExpr);
        break;
      case 'dict':
        e.keys.forEach(visitExpr);
        e.values.forEach(visitExpr);
        break;
      case 'getattr':
        visitExpr(e.obj);
        break;
      case 'getitem':
        visitExpr(e.obj);
        visitExpr(e.key);
        break;
      case 'slice':
        visitExpr(e.start);
        visitExpr(e.stop);
        visitExpr(e.step);
        break;
      case 'cond':
        visitExpr(e.test);
        visitExpr(e.then);
        visitExpr(e.else);
        break;
      case 'bin':
      case 'and':
      case 'or':
        visitExpr(e.left);
        visitExpr(e.right);
        break;
      case 'not':
      case 'neg':
      case 'pos':
        visitExpr(e.node);
        break;
      case 'compare':
        visitExpr(e.first);
        e.operands.forEach(visitExpr);
        break;
    }
  };
  const visit = (stmts: Stmt[], top: boolean): void => {
    for (const s of stmts) {
      if (s.k === 'data') continue;
      if (top && s.k === 'print' && s.expr.k === 'call' && recordCall(s.expr, out)) continue;
      out.simple = false;
      switch (s.k) {
        case 'print':
        case 'do':
          visitExpr(s.expr);
          break;
        case 'set':
          visitExpr(s.expr);
          break;
        case 'if':
          s.tests.forEach(visitExpr);
          s.bodies.forEach((b) => visit(b, false));
          if (s.else) visit(s.else, false);
          break;
        case 'for':
          visitExpr(s.iter);
          visitExpr(s.test);
          visit(s.body, false);
          if (s.else) visit(s.else, false);
          break;
        case 'setblock':
        case 'filterblock':
        case 'with':
        case 'block':
        case 'autoescape':
          visit(s.body, false);
          break;
        case 'callblock':
          visitExpr(s.call);
          visit(s.macro.body, false);
          break;
      }
    }
  };
  visit(body, true);
  return out;
}
