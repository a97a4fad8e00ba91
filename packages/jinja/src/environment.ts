// Environment and Template: the public face of the engine.
import type { MacroDef, Stmt } from './ast.js';
import { JinjaError } from './errors.js';
import { FILTERS } from './filters.js';
import { defaultGlobals } from './globals.js';
import { dropTrailingNewline, tokenize } from './lexer.js';
import { nativeConcat } from './native.js';
import { checkFilterAndTestNames } from './name-check.js';
import { Parser } from './parser.js';
import {
  Frame,
  Root,
  Runtime,
  builtin,
  type ContextLookup,
  type FilterImpl,
  type TemplateUnit,
  type TestImpl,
} from './runtime.js';
import { analyze, type StaticAnalysis } from './static-analysis.js';
import { TESTS } from './tests.js';
import { Kwargs } from './values.js';
import type { UndefinedMode } from './undefined.js';

export type HostFunction = (value: unknown, ...args: unknown[]) => unknown;

export interface EnvironmentOptions {
  /** How undefined names behave, as Jinja2's Undefined classes. dbt renders with 'default'. */
  undefined?: UndefinedMode;
  /** Source of templates for include / import / from-import / extends; undefined when not found. */
  loader?: (name: string) => { source: string; filename: string } | undefined;
  /** Extra filters: called as host functions, `(value, ...args, Kwargs?)`. */
  filters?: Record<string, HostFunction>;
  /** Extra tests: called as host functions, `(value, ...args, Kwargs?)`. */
  tests?: Record<string, (value: unknown, ...args: unknown[]) => boolean>;
  /** Names visible to every template rendered by this environment. */
  globals?: Record<string, unknown>;
  /** Parse dbt's block tags: materialization, test, docs, snapshot. */
  dbtBlocks?: boolean;
}

export interface MacroInfo {
  name: string;
  line: number;
  args: string[];
  /** Source text of the defaults of the last `defaults.length` arguments, as written (`'x'`, `none`). */
  defaults: string[];
  catchesVarargs: boolean;
  catchesKwargs: boolean;
  callsCaller: boolean;
}

export interface BlockInfo {
  kind: 'docs' | 'snapshot';
  name: string;
  line: number;
  /** The block's contents exactly as written between its tags. */
  contents: string;
  /** The block body as a template (a snapshot renders like a model); the file's macros are defined in it. */
  template: Template;
}

export class Template implements TemplateUnit {
  readonly macros: ReadonlyMap<string, MacroInfo>;
  readonly blocks: ReadonlyArray<BlockInfo>;
  private analysis: StaticAnalysis | undefined;

  /** @internal */
  constructor(
    readonly env: Environment,
    readonly filename: string,
    readonly source: string,
    readonly body: Stmt[],
  ) {
    const macros = new Map<string, MacroInfo>();
    const blocks: BlockInfo[] = [];
    const macroStmts = body.filter((s) => s.k === 'macro');
    for (const s of body) {
      if (s.k === 'macro') macros.set(s.macro.name, macroInfo(s.macro));
      else if (s.k === 'dbtblock') {
        const blockBody = s.kind === 'snapshot' ? [...macroStmts, ...s.body] : s.body;
        blocks.push({ kind: s.kind, name: s.name, line: s.line, contents: s.raw, template: new Template(env, filename, source, blockBody) });
      }
    }
    this.macros = macros;
    this.blocks = blocks;
  }

  render(context: Record<string, unknown> | ContextLookup = {}): string {
    return this.env.runtime.renderRoot(new Root(this, context, this.env.globals));
  }

  /** jinja2.nativetypes: a single output value keeps its type; several are joined and literal-eval'd. */
  renderNative(context: Record<string, unknown> | ContextLookup = {}): unknown {
    const rt = this.env.runtime;
    const frame = new Frame(null, new Root(this, context, this.env.globals));
    const pieces: unknown[] = [];
    collectNative(rt, this.body, frame, pieces);
    return nativeConcat(pieces);
  }

  staticAnalysis(): StaticAnalysis {
    this.analysis ??= analyze(this.body);
    return {
      refs: this.analysis.refs.map((r) => ({ ...r })),
      sources: this.analysis.sources.map((s) => [s[0], s[1]]),
      configs: this.analysis.configs.map((c) => ({ ...c })),
      simple: this.analysis.simple,
    };
  }
}

function collectNative(rt: Runtime, body: Stmt[], frame: Frame, pieces: unknown[]): void {
  for (const s of body) {
    if (s.k === 'data') pieces.push(s.text);
    else if (s.k === 'print' || s.k === 'if') {
      try {
        if (s.k === 'print') pieces.push(rt.eval(s.expr, frame));
        else {
          const i = s.tests.findIndex((t) => rt.truthy(rt.eval(t, frame)));
          const chosen = i >= 0 ? s.bodies[i] : s.else;
          if (chosen) collectNative(rt, chosen, frame, pieces);
        }
      } catch (e) {
        throw rt.locate(e, s.k === 'print' ? s.expr.line : s.line, frame);
      }
    } else {
      const out = rt.exec([s], frame);
      if (out !== '') pieces.push(out);
    }
  }
}

function macroInfo(def: MacroDef): MacroInfo {
  return {
    name: def.name,
    line: def.line,
    args: [...def.args],
    defaults: [...def.defaultSources],
    catchesVarargs: def.catchesVarargs,
    catchesKwargs: def.catchesKwargs,
    callsCaller: def.callsCaller,
  };
}

function hostFilter(fn: HostFunction): FilterImpl {
  return (_rt, value, args, kwargs) => (kwargs ? fn(value, ...args, new Kwargs(kwargs)) : fn(value, ...args));
}

function hostTest(fn: (value: unknown, ...args: unknown[]) => boolean): TestImpl {
  return (rt, value, args, kwargs) => rt.truthy(kwargs ? fn(value, ...args, new Kwargs(kwargs)) : fn(value, ...args));
}

export class Environment {
  /** @internal */
  readonly runtime: Runtime;
  /** @internal */
  readonly globals: Record<string, unknown>;
  private readonly loader: EnvironmentOptions['loader'];
  private readonly dbtBlocks: boolean;
  private readonly cache = new Map<string, Template>();

  constructor(options: EnvironmentOptions = {}) {
    const filters = new Map<string, FilterImpl>(Object.entries(FILTERS));
    for (const [name, fn] of Object.entries(options.filters ?? {})) filters.set(name, hostFilter(fn));
    const tests = new Map<string, TestImpl>(Object.entries(TESTS));
    for (const [name, fn] of Object.entries(options.tests ?? {})) tests.set(name, hostTest(fn));
    this.loader = options.loader;
    this.dbtBlocks = options.dbtBlocks ?? false;
    this.runtime = new Runtime(options.undefined ?? 'default', filters, tests, {
      loadTemplate: (name) => this.getTemplate(name),
    });
    this.globals = { ...defaultGlobals((v) => this.runtime.iterate(v)), ...(options.globals ?? {}) };
  }

  /** Parse a template; throws TemplateSyntaxError with file, line and excerpt. */
  parse(source: string, filename = '<template>'): Template {
    const text = dropTrailingNewline(source);
    try {
      const tokens = tokenize(text, filename);
      const body = new Parser(tokens, filename, text, { dbtBlocks: this.dbtBlocks }).parseTemplate();
      const { filters, tests } = this.runtime;
      checkFilterAndTestNames(body, (n) => filters.has(n), (n) => tests.has(n));
      return new Template(this, filename, source, body);
    } catch (e) {
      if (e instanceof JinjaError) e.locate(filename, e.lineno, source);
      throw e;
    }
  }

  renderString(source: string, context: Record<string, unknown> | ContextLookup = {}, filename?: string): string {
    return this.parse(source, filename).render(context);
  }

  /** A template from the loader, parsed once. */
  getTemplate(name: string): Template | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    const found = this.loader?.(name);
    if (!found) return undefined;
    const t = this.parse(found.source, found.filename);
    this.cache.set(name, t);
    return t;
  }
}

/**
 * A callable for the top-level macro `name` of `template`, seeing `globals` as its template
 * namespace (not any caller's locals). Usable in any render context and from JS.
 */
export function bindMacro(template: Template, name: string, globals: Record<string, unknown> | ContextLookup): (...args: unknown[]) => unknown {
  const stmt = template.body.find((s): s is Extract<Stmt, { k: 'macro' }> => s.k === 'macro' && s.macro.name === name);
  if (!stmt) throw new JinjaError(`template '${template.filename}' defines no macro '${name}'`);
  const rt = template.env.runtime;
  const frame = new Frame(null, new Root(template, globals, template.env.globals));
  return rt.makeMacro(stmt.macro, frame);
}

let defaultEnv: Environment | undefined;

/** The environment behind renderString: Jinja2's defaults plus `do` and loop controls. */
export function defaultEnvironment(): Environment {
  return (defaultEnv ??= new Environment());
}

/** Call any template-level callable (macro, caller, host function) from JS with keyword arguments kept apart. */
export function callJinja(fn: unknown, args: unknown[], kwargs?: Record<string, unknown>): unknown {
  return defaultEnvironment().runtime.call(fn, args, kwargs && Object.keys(kwargs).length ? kwargs : null);
}

export function renderString(source: string, context: Record<string, unknown> = {}): string {
  return defaultEnvironment().renderString(source, context);
}

export { builtin };
