// The evaluator: walks the syntax tree with Python semantics.
import type { Expr, MacroDef, Stmt, Target, CallArgs } from './ast.js';
import { JinjaError, MacroReturn, SecurityError, TemplateNotFound, TemplateRuntimeError, UndefinedError, pyError } from './errors.js';
import * as ops from './ops.js';
import { Undefined, MISSING, type UndefinedMode } from './undefined.js';
import {
  Kwargs,
  Markup,
  Namespace,
  PY_REPR,
  PY_STR,
  PyDict,
  PyFloat,
  PyTuple,
  isFloat,
  isMapping,
  isPlainObject,
  mappingGet,
  mappingHas,
  mappingKeys,
  pyStr,
  pyTypeName,
  setOwn,
  tuple,
} from './values.js';
import { getMethod } from './methods.js';
import { GroupTuple } from './group-tuple.js';
import { percentFormat } from './format.js';

/** Context handed to render: a plain object or a lookup function object. */
export interface ContextLookup {
  resolve(name: string): unknown;
}

export type InternalFn = (args: unknown[], kwargs: Record<string, unknown> | null) => unknown;
export type FilterImpl = (rt: Runtime, value: unknown, args: unknown[], kwargs: Record<string, unknown> | null) => unknown;
export type TestImpl = (rt: Runtime, value: unknown, args: unknown[], kwargs: Record<string, unknown> | null) => boolean;

/** Marks an engine-provided function that takes (args, kwargs) directly. */
export const BUILTIN: unique symbol = Symbol('jinja.builtin');
/** Marks a macro function; the value is its Macro. */
export const MACRO: unique symbol = Symbol('jinja.macro');

export function builtin(name: string, impl: InternalFn): (...args: unknown[]) => unknown {
  const fn = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (last instanceof Kwargs) return impl(args.slice(0, -1), { ...last.values });
    return impl(args, null);
  };
  Object.defineProperty(fn, 'name', { value: name });
  (fn as unknown as Record<symbol, unknown>)[BUILTIN] = impl;
  return fn;
}

/** A parsed template as the runtime needs it. */
export interface TemplateUnit {
  readonly filename: string;
  readonly source: string;
  readonly body: Stmt[];
}

export interface RuntimeHost {
  loadTemplate(name: string, from: TemplateUnit): TemplateUnit | undefined;
}

/** Per-template-render state: the context, exported names, and where we are. */
export class Root {
  readonly exports = new Map<string, unknown>();
  /** Block overrides when rendering through `extends`: name -> stack of (body, frame) */
  blocks: Map<string, { body: Stmt[]; unit: TemplateUnit }[]> | null = null;
  /** The context's value for `name`, or undefined when it has none. */
  readonly resolveCtx: (name: string) => unknown;
  constructor(
    readonly unit: TemplateUnit,
    readonly ctx: Record<string, unknown> | ContextLookup | null,
    readonly globals: Record<string, unknown>,
  ) {
    this.resolveCtx = contextResolver(ctx);
  }
}

export function contextResolver(ctx: Record<string, unknown> | ContextLookup | null): (name: string) => unknown {
  if (ctx === null) return () => undefined;
  if (typeof (ctx as ContextLookup).resolve === 'function') {
    const lookup = ctx as ContextLookup;
    return (name) => lookup.resolve(name);
  }
  const obj = ctx as Record<string, unknown>;
  return (name) => (Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined);
}

export class Frame {
  // Most frames hold one or two names (a loop's `loop` and target): two inline slots spare a Map.
  private name0: string | null = null;
  private value0: unknown = undefined;
  private name1: string | null = null;
  private value1: unknown = undefined;
  private more: Map<string, unknown> | null = null;
  constructor(
    readonly parent: Frame | null,
    readonly root: Root,
  ) {}

  set(name: string, value: unknown): void {
    if (this.name0 === null || this.name0 === name) {
      this.name0 = name;
      this.value0 = value;
    } else if (this.name1 === null || this.name1 === name) {
      this.name1 = name;
      this.value1 = value;
    } else (this.more ??= new Map()).set(name, value);
  }

  /** The value of `name` in this frame, or MISSING. */
  get(name: string): unknown {
    if (this.name0 === name) return this.value0;
    if (this.name1 === name) return this.value1;
    if (this.more !== null && this.more.has(name)) return this.more.get(name);
    return MISSING;
  }

  entries(): [string, unknown][] {
    const out: [string, unknown][] = [];
    if (this.name0 !== null) out.push([this.name0, this.value0]);
    if (this.name1 !== null) out.push([this.name1, this.value1]);
    if (this.more !== null) out.push(...this.more);
    return out;
  }
}

export class Macro {
  caller: unknown = undefined;
  constructor(
    readonly def: MacroDef,
    readonly frame: Frame,
    readonly rt: Runtime,
  ) {}
}

/**
 * The items of a loop with an `if` filter, found as the loop asks for them: Jinja2 filters
 * lazily, so the body's changes (a namespace counter) are seen by the filter of later items.
 * `loop.last` looks one kept item ahead, `loop.length` keeps every remaining one, as in Jinja2.
 */
export class FilteredItems {
  private readonly kept: unknown[] = [];
  private next = 0;
  constructor(
    private readonly source: unknown[],
    private readonly keep: (item: unknown) => boolean,
  ) {}
  /** Whether item i exists, filtering just far enough to know. */
  has(i: number): boolean {
    while (this.kept.length <= i && this.next < this.source.length) {
      const item = this.source[this.next++];
      if (this.keep(item)) this.kept.push(item);
    }
    return i < this.kept.length;
  }
  at(i: number): unknown {
    return this.has(i) ? this.kept[i] : undefined;
  }
  count(): number {
    this.has(Infinity);
    return this.kept.length;
  }
}

/** A loop's items: a live list (items the body appends are visited), or filtered as needed. */
type LoopItems = unknown[] | FilteredItems;
const hasItem = (items: LoopItems, i: number): boolean => (Array.isArray(items) ? i < items.length : items.has(i));
const itemAt = (items: LoopItems, i: number): unknown => (Array.isArray(items) ? items[i] : items.at(i));
const itemCount = (items: LoopItems): number => (Array.isArray(items) ? items.length : items.count());

export class LoopContext {
  index0 = -1;
  private lastChanged: unknown[] | typeof MISSING = MISSING;
  constructor(
    readonly items: LoopItems,
    readonly depth0: number,
    readonly recurse: ((items: unknown) => string) | null,
  ) {}
  get length(): number {
    return itemCount(this.items);
  }
  get index(): number {
    return this.index0 + 1;
  }
  get revindex(): number {
    return this.length - this.index0;
  }
  get revindex0(): number {
    return this.length - this.index0 - 1;
  }
  get first(): boolean {
    return this.index0 === 0;
  }
  get last(): boolean {
    return !hasItem(this.items, this.index0 + 1);
  }
  get depth(): number {
    return this.depth0 + 1;
  }
  get previtem(): unknown {
    return this.index0 > 0 ? itemAt(this.items, this.index0 - 1) : undefined;
  }
  get nextitem(): unknown {
    return hasItem(this.items, this.index0 + 1) ? itemAt(this.items, this.index0 + 1) : undefined;
  }
  /** Whether there is an item i (filtering up to it if the loop has a filter). */
  has(i: number): boolean {
    return hasItem(this.items, i);
  }
  at(i: number): unknown {
    return itemAt(this.items, i);
  }
  cycle(args: unknown[]): unknown {
    if (!args.length) throw pyError('TypeError', 'no items for cycling given');
    return args[this.index0 % args.length];
  }
  changed(args: unknown[]): boolean {
    if (this.lastChanged !== MISSING && ops.eq(tuple(this.lastChanged), tuple(args))) return false;
    this.lastChanged = args;
    return true;
  }
  [PY_STR](): string {
    return `<LoopContext ${this.index}/${this.length}>`;
  }
}

/** An imported template: its exported macros and variables. */
export class TemplateModule {
  constructor(
    readonly name: string,
    readonly exports: Map<string, unknown>,
    readonly output: string,
  ) {}
  [PY_STR](): string {
    return this.output;
  }
}

/** `self` in a template: its blocks as callables (`{{ self.title() }}`). */
export class SelfReference {
  constructor(readonly frame: Frame) {}
  [PY_STR](): string {
    return `<TemplateReference '${this.frame.root.unit.filename}'>`;
  }
}

export class Cycler {
  pos = 0;
  constructor(readonly items: unknown[]) {}
  get current(): unknown {
    return this.items[this.pos];
  }
  next(): unknown {
    const v = this.items[this.pos];
    this.pos = (this.pos + 1) % this.items.length;
    return v;
  }
}

const enum Ctl {
  None,
  Break,
  Continue,
}

const OBJECT_DUNDERS = new Set(['__class__', '__dict__', '__doc__', '__init__', '__module__', '__repr__', '__str__', '__eq__', '__hash__', '__getattr__', '__getitem__', '__iter__', '__len__', '__slots__', '__weakref__', '__reduce__', '__new__', '__subclasshook__', '__init_subclass__', '__format__', '__sizeof__', '__dir__', '__ne__', '__lt__', '__le__', '__gt__', '__ge__', '__bool__', '__call__', '__add__', '__radd__', '__contains__', '__setattr__', '__delattr__', '__getattribute__', '__reduce_ex__']);

const BLOCKED_ATTRS = new Set([
  'constructor', '__proto__', 'prototype', 'call', 'apply', 'bind', 'caller', 'arguments',
  'toString', 'valueOf', 'toLocaleString', 'hasOwnProperty', 'isPrototypeOf', 'propertyIsEnumerable',
  '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__',
]);

export class Runtime {
  private ctl = Ctl.None;
  constructor(
    readonly undefinedMode: UndefinedMode,
    readonly filters: Map<string, FilterImpl>,
    readonly tests: Map<string, TestImpl>,
    readonly host: RuntimeHost,
  ) {}

  undef(name: string | null, obj: unknown = MISSING, hint: string | null = null): Undefined {
    return new Undefined(this.undefinedMode, name, obj, hint);
  }

  // ---- rendering ----

  renderRoot(root: Root): string {
    const frame = new Frame(null, root);
    return this.renderInFrame(root.unit.body, frame);
  }

  renderInFrame(body: Stmt[], frame: Frame): string {
    const ext = findExtends(body);
    if (ext === null) return this.exec(body, frame);
    return this.renderExtends(body, frame, ext);
  }

  exec(body: Stmt[], f: Frame): string {
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const s = body[i];
      if (s.k === 'data') {
        out += s.text;
        continue;
      }
      try {
        out += this.execStmt(s, f);
      } catch (e) {
        throw this.locate(e, s.k === 'print' ? s.expr.line : s.line, f);
      }
      if (this.ctl !== Ctl.None) break;
    }
    return out;
  }

  locate(e: unknown, line: number, f: Frame): unknown {
    if (e instanceof MacroReturn) return e;
    if (e instanceof JinjaError) {
      if (e.lineno === undefined || e.filename === undefined) e.locate(f.root.unit.filename, line, f.root.unit.source);
      return e;
    }
    const err = e as Error;
    const wrapped = new TemplateRuntimeError(err instanceof Error ? err.message : String(e));
    (wrapped as { cause?: unknown }).cause = e;
    if (err instanceof RangeError && /call stack/i.test(err.message)) wrapped.pyType = 'RecursionError';
    return wrapped.locate(f.root.unit.filename, line, f.root.unit.source);
  }

  private execStmt(s: Stmt, f: Frame): string {
    switch (s.k) {
      case 'print':
        return this.str(this.eval(s.expr, f));
      case 'if': {
        if (this.truthy(this.eval(s.tests[0], f))) return this.exec(s.bodies[0], f);
        for (let i = 1; i < s.tests.length; i++) {
          // an elif reports errors at its own line
          let taken: boolean;
          try {
            taken = this.truthy(this.eval(s.tests[i], f));
          } catch (e) {
            throw this.locate(e, s.tests[i].line, f);
          }
          if (taken) return this.exec(s.bodies[i], f);
        }
        return s.else ? this.exec(s.else, f) : '';
      }
      case 'for':
        return this.execFor(s, f, this.eval(s.iter, f), 0);
      case 'set':
        this.assign(s.target, this.eval(s.expr, f), f);
        return '';
      case 'setblock': {
        let value: unknown = this.exec(s.body, f);
        if (s.filter) value = this.applyFilterChain(s.filter, value, f);
        this.assign(s.target, value, f);
        return '';
      }
      case 'macro': {
        const fn = this.makeMacro(s.macro, f);
        f.set(s.macro.name, fn);
        if (f.parent === null && !s.macro.name.startsWith('_')) f.root.exports.set(s.macro.name, fn);
        return '';
      }
      case 'callblock': {
        const caller = this.makeMacro(s.macro, f);
        const call = s.call as Extract<Expr, { k: 'call' }>;
        return this.str(this.evalCall(call, f, caller));
      }
      case 'filterblock':
        return this.str(this.applyFilterChain(s.filter, this.exec(s.body, f), f));
      case 'with': {
        const values = s.values.map((v) => this.eval(v, f));
        const inner = new Frame(f, f.root);
        s.targets.forEach((t, i) => this.assign(t, values[i], inner));
        return this.exec(s.body, inner);
      }
      case 'do':
        this.eval(s.expr, f);
        return '';
      case 'break':
        this.ctl = Ctl.Break;
        return '';
      case 'continue':
        this.ctl = Ctl.Continue;
        return '';
      case 'include':
        return this.execInclude(s, f);
      case 'import': {
        const mod = this.importModule(s.template, f, s.withContext);
        f.set(s.target, mod);
        if (f.parent === null && !s.target.startsWith('_')) f.root.exports.set(s.target, mod);
        return '';
      }
      case 'fromimport': {
        const mod = this.importModule(s.template, f, s.withContext);
        for (const [name, alias] of s.names) {
          let value: unknown;
          if (mod.exports.has(name)) value = mod.exports.get(name);
          else
            value = this.undef(
              name,
              MISSING,
              `the template '${mod.name}' (imported on line ${s.line}) does not export the requested name '${name}'`,
            );
          f.set(alias, value);
          if (f.parent === null && !alias.startsWith('_')) f.root.exports.set(alias, value);
        }
        return '';
      }
      case 'block':
        return this.execBlock(s.name, s.body, f, s.scoped);
      case 'extends':
        return '';
      case 'autoescape':
        return this.exec(s.body, f);
      case 'dbtblock':
        return '';
      case 'data':
        return s.text;
    }
  }

  // ---- template inheritance ----

  private renderExtends(body: Stmt[], frame: Frame, ext: Extract<Stmt, { k: 'extends' }>): string {
    // Run the child's top level for its side effects (set, import, macro), collect its blocks,
    // then render the parent with them.
    const root = frame.root;
    const blocks = root.blocks ?? new Map();
    root.blocks = blocks;
    collectBlocks(body, root.unit, blocks);
    for (const s of body) {
      if (s.k === 'set' || s.k === 'macro' || s.k === 'import' || s.k === 'fromimport' || s.k === 'setblock') {
        try {
          this.execStmt(s, frame);
        } catch (e) {
          throw this.locate(e, s.line, frame);
        }
      }
    }
    let parentName: unknown;
    try {
      parentName = this.eval(ext.template, frame);
    } catch (e) {
      throw this.locate(e, ext.line, frame);
    }
    const parent = this.loadUnit(parentName, root.unit, ext.line, frame);
    const parentRoot = new Root(parent, root.ctx, root.globals);
    parentRoot.blocks = blocks;
    const parentFrame = new Frame(null, parentRoot);
    for (const [k, v] of frame.entries()) parentFrame.set(k, v);
    collectBlocks(parent.body, parent, blocks);
    return this.renderInFrame(parent.body, parentFrame);
  }

  private execBlock(name: string, body: Stmt[], f: Frame, scoped: boolean): string {
    const stack = f.root.blocks?.get(name);
    const chosen = stack && stack.length ? stack : [{ body, unit: f.root.unit }];
    return this.renderBlockAt(name, chosen, 0, f, scoped);
  }

  private renderBlockAt(name: string, stack: { body: Stmt[]; unit: TemplateUnit }[], level: number, f: Frame, scoped: boolean): string {
    const entry = stack[level];
    const inner = new Frame(scoped ? f : topFrame(f), f.root);
    inner.set(
      'super',
      builtin('super', () => {
        if (level + 1 >= stack.length) throw pyError('TemplateRuntimeError', `no parent block called '${name}'.`);
        return this.renderBlockAt(name, stack, level + 1, f, scoped);
      }),
    );
    return this.exec(entry.body, inner);
  }

  // ---- loops ----

  private execFor(s: Extract<Stmt, { k: 'for' }>, f: Frame, iterable: unknown, depth0: number): string {
    // Python iterates a list live: items appended by the loop body are visited too.
    const test = s.test;
    const source = Array.isArray(iterable) && !test ? iterable : this.iterate(iterable);
    const items = test
      ? new FilteredItems(source, (item) => {
          const probe = new Frame(f, f.root);
          this.assign(s.target, item, probe);
          return this.truthy(this.eval(test, probe));
        })
      : source;
    const recurse = s.recursive ? (sub: unknown) => this.execFor(s, f, sub, depth0 + 1) : null;
    const loop = new LoopContext(items, depth0, recurse);
    let out = '';
    // Jinja2 clears its "no iteration" flag at the end of a body, so a body left by break or
    // continue does not count and the else block can still run.
    let completed = false;
    for (let i = 0; loop.has(i); i++) {
      // every iteration starts from the enclosing scope, as Jinja2's compiled loops do
      const inner = new Frame(f, f.root);
      inner.set('loop', loop);
      loop.index0 = i;
      this.assign(s.target, loop.at(i), inner);
      out += this.exec(s.body, inner);
      if (this.ctl !== Ctl.None) {
        const c = this.ctl;
        this.ctl = Ctl.None;
        if (c === Ctl.Break) break;
      } else completed = true;
    }
    if (!completed && s.else) out += this.exec(s.else, f);
    return out;
  }

  /** Python iteration of a value, materialised. */
  iterate(value: unknown): unknown[] {
    if (Array.isArray(value)) return value.slice();
    if (typeof value === 'string') return Array.from(value);
    if (value instanceof Markup) return Array.from(value.s);
    if (value instanceof PyDict) return value.keys();
    if (value instanceof Undefined) return value.iter();
    if (value instanceof Map) return [...value.keys()];
    if (isPlainObject(value)) return Object.keys(value);
    if (value instanceof Namespace) throw pyError('TypeError', "'Namespace' object is not iterable");
    if (value !== null && typeof value === 'object' && Symbol.iterator in value) return Array.from(value as Iterable<unknown>);
    if (isMapping(value)) return mappingKeys(value);
    throw pyError('TypeError', `'${pyTypeName(value)}' object is not iterable`);
  }

  // ---- assignment ----

  assign(t: Target, value: unknown, f: Frame): void {
    switch (t.k) {
      case 'name':
        f.set(t.name, value);
        if (f.parent === null && !t.name.startsWith('_')) f.root.exports.set(t.name, value);
        return;
      case 'tuple': {
        const items = this.iterate(value);
        if (items.length < t.items.length)
          throw pyError('ValueError', `not enough values to unpack (expected ${t.items.length}, got ${items.length})`);
        if (items.length > t.items.length) throw pyError('ValueError', `too many values to unpack (expected ${t.items.length})`);
        for (let i = 0; i < items.length; i++) this.assign(t.items[i], items[i], f);
        return;
      }
      case 'nsattr': {
        const ns = this.lookup(t.name, f);
        if (!(ns instanceof Namespace)) throw new TemplateRuntimeError('cannot assign attribute on non-namespace object');
        ns.attrs.set(t.attr, value);
        return;
      }
    }
  }

  // ---- names ----

  lookup(name: string, f: Frame): unknown {
    for (let fr: Frame | null = f; fr !== null; fr = fr.parent) {
      const v = fr.get(name);
      if (v !== MISSING) return v;
    }
    const root = f.root;
    const v = root.resolveCtx(name);
    if (v !== undefined) return v;
    if (Object.prototype.hasOwnProperty.call(root.globals, name)) return root.globals[name];
    if (name === 'self') return new SelfReference(f);
    return this.undef(name);
  }

  // ---- expressions ----

  truthy(v: unknown): boolean {
    return ops.truthy(v);
  }

  str(v: unknown): string {
    return typeof v === 'string' ? v : pyStr(v);
  }

  eval(e: Expr, f: Frame): unknown {
    switch (e.k) {
      case 'const':
        return e.value;
      case 'name':
        return this.lookup(e.name, f);
      case 'getattr':
        return this.getattr(this.eval(e.obj, f), e.attr);
      case 'getitem': {
        const obj = this.eval(e.obj, f);
        if (e.key.k === 'slice') return this.slice(obj, e.obj, e.key, f);
        return this.getitem(obj, this.eval(e.key, f));
      }
      case 'call':
        return this.evalCall(e, f, undefined);
      case 'filter':
        return this.evalFilter(e, e.node === null ? undefined : this.eval(e.node, f), f);
      case 'test':
        return this.evalTest(e, f);
      case 'concat': {
        let s = '';
        for (const item of e.items) s += this.str(this.eval(item, f));
        return s;
      }
      case 'bin': {
        const a = this.eval(e.left, f);
        const b = this.eval(e.right, f);
        switch (e.op) {
          case '+':
            return ops.add(a, b);
          case '-':
            return ops.sub(a, b);
          case '*':
            return ops.mul(a, b);
          case '/':
            return ops.div(a, b);
          case '//':
            return ops.floordiv(a, b);
          case '%':
            return this.modulo(a, b);
          case '**':
            return ops.pow(a, b);
        }
        throw new TemplateRuntimeError('unknown operator ' + e.op);
      }
      case 'and': {
        const a = this.eval(e.left, f);
        return this.truthy(a) ? this.eval(e.right, f) : a;
      }
      case 'or': {
        const a = this.eval(e.left, f);
        return this.truthy(a) ? a : this.eval(e.right, f);
      }
      case 'not':
        return !this.truthy(this.eval(e.node, f));
      case 'neg':
        return ops.neg(this.eval(e.node, f));
      case 'pos':
        return ops.pos(this.eval(e.node, f));
      case 'compare': {
        let left = this.eval(e.first, f);
        for (let i = 0; i < e.ops.length; i++) {
          const right = this.eval(e.operands[i], f);
          if (!this.compareOp(e.ops[i], left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'cond':
        if (this.truthy(this.eval(e.test, f))) return this.eval(e.then, f);
        if (e.else) return this.eval(e.else, f);
        return this.undef(null, MISSING, 'the inline if-expression on line ' + e.line + ' evaluated to false and no else section was defined.');
      case 'tuple':
        return tuple(e.items.map((x) => this.eval(x, f)));
      case 'list': {
        const out: unknown[] = [];
        for (const x of e.items) out.push(this.eval(x, f));
        return out;
      }
      case 'dict': {
        const d = new PyDict();
        for (let i = 0; i < e.keys.length; i++) {
          const key = this.eval(e.keys[i], f);
          this.checkHashable(key);
          d.set(key, this.eval(e.values[i], f));
        }
        return d;
      }
      case 'slice':
        throw new TemplateRuntimeError('slice outside of subscript');
    }
  }

  /** Python's `%`: string formatting for a str, modulo for numbers. */
  modulo(a: unknown, b: unknown): unknown {
    if (typeof a === 'string' || a instanceof Markup) return percentFormat(this.str(a), b, this);
    return ops.mod(a, b);
  }

  checkHashable(key: unknown): void {
    if (Array.isArray(key) && !(key instanceof PyTuple)) throw pyError('TypeError', "unhashable type: 'list'");
    if (isMapping(key)) throw pyError('TypeError', "unhashable type: 'dict'");
  }

  compareOp(op: string, a: unknown, b: unknown): boolean {
    switch (op) {
      case '==':
        return ops.eq(a, b);
      case '!=':
        return !ops.eq(a, b);
      case '<':
        return ops.compare(a, b, '<') < 0;
      case '<=':
        return ops.compare(a, b, '<=') <= 0;
      case '>':
        return ops.compare(a, b, '>') > 0;
      case '>=':
        return ops.compare(a, b, '>=') >= 0;
      case 'in':
        return ops.contains(b, a);
      case 'notin':
        return !ops.contains(b, a);
    }
    return false;
  }

  // ---- attribute and item access (sandboxed) ----

  getattr(obj0: unknown, name: string): unknown {
    const obj = obj0 instanceof Markup ? obj0.s : obj0;
    if (obj instanceof Undefined) {
      // Python's Undefined object has these attributes, which the sandbox then refuses.
      if (OBJECT_DUNDERS.has(name)) return this.unsafe(obj, name);
      return obj.access();
    }
    if (name.startsWith('_') && !isMapping(obj)) return this.unsafe(obj, name);
    if (obj instanceof GroupTuple && (name === 'grouper' || name === 'list')) return obj[name];
    if (typeof obj === 'string' || Array.isArray(obj) || obj instanceof PyDict || isPlainObject(obj) || obj instanceof Map) {
      if (isPlainObject(obj) && Object.prototype.hasOwnProperty.call(obj, name)) {
        const own = obj[name];
        if (typeof own === 'function' || getMethod(obj, name) === undefined) return own === undefined ? null : own;
      }
      const m = getMethod(obj, name);
      if (m !== undefined) return builtin(name, (args, kwargs) => m(this, obj, args, kwargs));
      if (isMapping(obj)) {
        const v = mappingGet(obj, name);
        if (v !== undefined) return v;
      }
      return this.undef(name, obj);
    }
    if (obj instanceof Namespace) {
      return obj.attrs.has(name) ? obj.attrs.get(name) : this.undef(name, obj);
    }
    if (obj instanceof LoopContext) return this.loopAttr(obj, name);
    if (obj instanceof SelfReference) {
      const frame = obj.frame;
      const blocks = frame.root.blocks ?? new Map<string, { body: Stmt[]; unit: TemplateUnit }[]>();
      if (!frame.root.blocks) collectBlocks(frame.root.unit.body, frame.root.unit, blocks);
      const stack = blocks.get(name);
      if (!stack) return this.undef(name, obj);
      return builtin(name, () => this.renderBlockAt(name, stack, 0, frame, false));
    }
    if (obj instanceof TemplateModule) return obj.exports.has(name) ? obj.exports.get(name) : this.undef(name, obj);
    if (obj === null || obj === undefined || typeof obj !== 'object') {
      if (typeof obj === 'function') return this.functionAttr(obj as (...a: unknown[]) => unknown, name);
      if (typeof obj === 'number' || typeof obj === 'bigint' || typeof obj === 'boolean') {
        if (name === 'real') return typeof obj === 'boolean' ? (obj ? 1 : 0) : obj;
        if (name === 'imag') return isFloat(obj) ? new PyFloat(0) : 0;
        const m = getMethod(obj, name);
        if (m !== undefined) return builtin(name, (args, kwargs) => m(this, obj, args, kwargs));
      }
      return this.undef(name, obj);
    }
    if (obj instanceof PyFloat) {
      const m = getMethod(obj, name);
      if (m !== undefined) return builtin(name, (args, kwargs) => m(this, obj, args, kwargs));
      return this.undef(name, obj);
    }
    if (obj instanceof Cycler) {
      if (name === 'current') return obj.current;
      if (name === 'next') return builtin('next', () => obj.next());
      if (name === 'reset') return builtin('reset', () => ((obj.pos = 0), null));
      return this.undef(name, obj);
    }
    return this.hostAttr(obj as object, name);
  }

  /** getattr() without the item fallback, as the `attr` filter does. */
  attrOnly(obj: unknown, name: string): unknown {
    if (isMapping(obj) && !(typeof obj === 'object' && obj !== null && !isPlainObject(obj) && !(obj instanceof PyDict) && !(obj instanceof Map))) {
      if (name.startsWith('_')) return this.unsafe(obj, name);
      const m = getMethod(obj, name);
      if (m !== undefined) return builtin(name, (args, kwargs) => m(this, obj, args, kwargs));
      return this.undef(name, obj);
    }
    return this.getattr(obj, name);
  }

  private unsafe(obj: unknown, name: string): Undefined {
    return new Undefined(
      this.undefinedMode,
      name,
      obj,
      `access to attribute '${name}' of '${pyTypeName(obj)}' object is unsafe.`,
      SecurityError as unknown as typeof UndefinedError,
    );
  }

  /** Attribute of a host class instance: own properties and prototype methods/getters only. */
  private hostAttr(obj: object, name: string): unknown {
    if (name.startsWith('_') || BLOCKED_ATTRS.has(name)) {
      if (isMapping(obj)) {
        const v = mappingGet(obj, name);
        if (v !== undefined) return v;
      }
      return this.unsafe(obj, name);
    }
    if (Object.prototype.hasOwnProperty.call(obj, name)) {
      const v = (obj as Record<string, unknown>)[name];
      return v === undefined ? null : v;
    }
    for (let proto = Object.getPrototypeOf(obj); proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
      if (proto === Function.prototype || proto === Array.prototype) break;
      const desc = Object.getOwnPropertyDescriptor(proto, name);
      if (desc === undefined) continue;
      if (desc.get) return desc.get.call(obj);
      if (typeof desc.value === 'function') {
        const method = desc.value as (...a: unknown[]) => unknown;
        const bound = (...args: unknown[]) => method.apply(obj, args);
        Object.defineProperty(bound, 'name', { value: name });
        return bound;
      }
      return desc.value;
    }
    if (isMapping(obj) || typeof (obj as { get?: unknown }).get === 'function') {
      const getter = (obj as { get?: unknown }).get;
      if (isMapping(obj) && typeof getter === 'function') {
        const v = (getter as (k: string) => unknown).call(obj, name);
        if (v !== undefined) return v;
      }
    }
    return this.undef(name, obj);
  }

  private functionAttr(fn: (...a: unknown[]) => unknown, name: string): unknown {
    const macro = (fn as unknown as Record<symbol, Macro | undefined>)[MACRO];
    if (macro !== undefined) {
      const d = macro.def;
      switch (name) {
        case 'name':
          return d.name;
        case 'arguments':
          return tuple(d.args);
        case 'catch_kwargs':
          return d.catchesKwargs;
        case 'catch_varargs':
          return d.catchesVarargs;
        case 'caller':
          return d.callsCaller;
      }
      return this.undef(name, fn);
    }
    if (name.startsWith('_') || BLOCKED_ATTRS.has(name) || name === 'name' || name === 'length') return this.unsafe(fn, name);
    if (Object.prototype.hasOwnProperty.call(fn, name)) return (fn as unknown as Record<string, unknown>)[name];
    return this.undef(name, fn);
  }

  private loopAttr(loop: LoopContext, name: string): unknown {
    switch (name) {
      case 'index':
        return loop.index;
      case 'index0':
        return loop.index0;
      case 'revindex':
        return loop.revindex;
      case 'revindex0':
        return loop.revindex0;
      case 'first':
        return loop.first;
      case 'last':
        return loop.last;
      case 'length':
        return loop.length;
      case 'depth':
        return loop.depth;
      case 'depth0':
        return loop.depth0;
      case 'previtem':
        return loop.index0 > 0 ? loop.at(loop.index0 - 1) : this.undef(null, MISSING, 'there is no previous item');
      case 'nextitem':
        return loop.has(loop.index0 + 1) ? loop.at(loop.index0 + 1) : this.undef(null, MISSING, 'there is no next item');
      case 'cycle':
        return builtin('cycle', (args) => loop.cycle(args));
      case 'changed':
        return builtin('changed', (args) => loop.changed(args));
    }
    return this.undef(name, loop);
  }

  getitem(obj: unknown, key: unknown): unknown {
    if (Array.isArray(obj)) {
      if (typeof key === 'number' && Number.isInteger(key)) {
        const i = key < 0 ? obj.length + key : key;
        if (i >= 0 && i < obj.length) return obj[i];
        return this.undef(String(key), obj);
      }
      if (typeof key === 'boolean') return this.getitem(obj, key ? 1 : 0);
      if (typeof key === 'string') return this.getattr(obj, key);
      return this.undef(pyStr(key), obj);
    }
    if (typeof obj === 'string') {
      if (typeof key === 'number' && Number.isInteger(key)) {
        const chars = hasSurrogates(obj) ? Array.from(obj) : null;
        const len = chars ? chars.length : obj.length;
        const i = key < 0 ? len + key : key;
        if (i >= 0 && i < len) return chars ? chars[i] : obj[i];
        return this.undef(String(key), obj);
      }
      if (typeof key === 'string') return this.getattr(obj, key);
      return this.undef(pyStr(key), obj);
    }
    if (obj instanceof Undefined) return obj.access();
    if (obj instanceof PyDict || obj instanceof Map) {
      const v = obj instanceof PyDict ? obj.get(key) : obj.get(key);
      if (v !== undefined || mappingHas(obj, key)) return v;
      if (typeof key === 'string') return this.getattr(obj, key);
      return this.undef(pyStr(key), obj);
    }
    if (isPlainObject(obj)) {
      if (typeof key === 'string' && Object.prototype.hasOwnProperty.call(obj, key)) {
        const v = obj[key];
        return v === undefined ? null : v;
      }
      if (typeof key === 'string') return this.getattr(obj, key);
      return this.undef(pyStr(key), obj);
    }
    if (typeof key === 'string') return this.getattr(obj, key);
    if (isMapping(obj) && typeof (obj as { get?: unknown }).get === 'function') {
      const v = ((obj as { get: (k: unknown) => unknown }).get)(key);
      if (v !== undefined) return v;
    }
    return this.undef(pyStr(key), obj);
  }

  private slice(obj: unknown, objExpr: Expr, s: Extract<Expr, { k: 'slice' }>, f: Frame): unknown {
    const start = s.start ? this.eval(s.start, f) : null;
    const stop = s.stop ? this.eval(s.stop, f) : null;
    const step = s.step ? this.eval(s.step, f) : null;
    if (!Array.isArray(obj) && typeof obj !== 'string' && !(obj instanceof Markup) && !(obj instanceof Undefined)) {
      // Jinja2 folds constant expressions at compile time through its lenient getitem (an
      // undefined result); anything else is sliced by Python directly and fails.
      if (isConstant(objExpr)) return this.undef('slice', obj);
      if (isMapping(obj)) throw pyError('TypeError', "unhashable type: 'slice'");
    }
    return sliceValue(obj instanceof Markup ? obj.s : obj, start, stop, step);
  }

  // ---- calls ----

  evalArgs(c: CallArgs, f: Frame): [unknown[], Record<string, unknown> | null] {
    const args: unknown[] = [];
    for (let i = 0; i < c.args.length; i++) args.push(this.eval(c.args[i], f));
    if (c.dynArgs) args.push(...this.iterate(this.eval(c.dynArgs, f)));
    let kwargs: Record<string, unknown> | null = null;
    if (c.kwargs.length) {
      kwargs = {};
      for (const [k, v] of c.kwargs) setOwn(kwargs, k, this.eval(v, f));
    }
    if (c.dynKwargs) {
      const d = this.eval(c.dynKwargs, f);
      kwargs ??= {};
      if (!isMapping(d)) throw pyError('TypeError', 'argument after ** must be a mapping, not ' + pyTypeName(d));
      for (const k of mappingKeys(d)) setOwn(kwargs, pyStr(k), mappingGet(d, k));
    }
    return [args, kwargs];
  }

  private evalCall(e: Extract<Expr, { k: 'call' }>, f: Frame, caller: unknown): unknown {
    let fn: unknown;
    let self: unknown = MISSING;
    let methodName = '';
    if (e.fn.k === 'getattr') {
      self = this.eval(e.fn.obj, f);
      methodName = e.fn.attr;
      // Fast path: methods of Python builtin values are called without binding.
      if (typeof self === 'string' || Array.isArray(self) || self instanceof PyDict) {
        const m = getMethod(self, methodName);
        if (m !== undefined) {
          const [args, kwargs] = this.evalArgs(e, f);
          return m(this, self, args, kwargs);
        }
      }
      fn = this.getattr(self, methodName);
    } else fn = this.eval(e.fn, f);
    const [args, kwargs0] = this.evalArgs(e, f);
    let kwargs = kwargs0;
    if (caller !== undefined) (kwargs ??= {}).caller = caller;
    return this.call(fn, args, kwargs);
  }

  call(fn: unknown, args: unknown[], kwargs: Record<string, unknown> | null): unknown {
    if (typeof fn === 'function') {
      const macro = (fn as unknown as Record<symbol, Macro | undefined>)[MACRO];
      if (macro !== undefined) return macro.rt.invokeMacro(macro, args, kwargs);
      const impl = (fn as unknown as Record<symbol, InternalFn | undefined>)[BUILTIN];
      if (impl !== undefined) return impl(args, kwargs);
      for (let i = 0; i < args.length; i++) if (args[i] instanceof Markup) args[i] = (args[i] as Markup).s;
      let result: unknown;
      try {
        result = kwargs === null ? fn(...args) : fn(...args, new Kwargs(kwargs));
      } catch (e) {
        if (e instanceof MacroReturn || e instanceof JinjaError) throw e;
        const err = new TemplateRuntimeError(e instanceof Error ? e.message : String(e));
        (err as { cause?: unknown }).cause = e;
        if (e instanceof Error && e.name && e.name !== 'Error') err.pyType = e.name;
        throw err;
      }
      return result === undefined ? null : result;
    }
    if (fn instanceof LoopContext) {
      if (fn.recurse === null) throw pyError('TypeError', 'Tried to call non recursive loop.  Maybe you forgot the \'recursive\' modifier.');
      return fn.recurse(args[0]);
    }
    if (fn instanceof Undefined) fn.fail();
    throw pyError('TypeError', `'${pyTypeName(fn)}' object is not callable`);
  }

  // ---- macros ----

  makeMacro(def: MacroDef, frame: Frame): (...args: unknown[]) => unknown {
    const macro = new Macro(def, frame, this);
    const fn = (...args: unknown[]) => {
      const last = args[args.length - 1];
      if (last instanceof Kwargs) return this.invokeMacro(macro, args.slice(0, -1), { ...last.values });
      return this.invokeMacro(macro, args, null);
    };
    Object.defineProperty(fn, 'name', { value: def.name });
    (fn as unknown as Record<symbol, Macro>)[MACRO] = macro;
    (fn as unknown as Record<symbol, () => string>)[PY_REPR] = () => `<Macro '${def.name}'>`;
    return fn;
  }

  invokeMacro(m: Macro, args: unknown[], kwargs0: Record<string, unknown> | null): unknown {
    const def = m.def;
    const argCount = def.args.length;
    const kwargs: Record<string, unknown> = kwargs0 ? { ...kwargs0 } : {};
    const frame = new Frame(m.frame, m.frame.root);
    const values: unknown[] = [];
    for (let i = 0; i < argCount; i++) {
      const name = def.args[i];
      if (i < args.length) values.push(args[i]);
      else if (Object.prototype.hasOwnProperty.call(kwargs, name)) {
        values.push(kwargs[name]);
        delete kwargs[name];
      } else values.push(MISSING);
    }
    let foundCaller = def.args.includes('caller') && args.length <= def.args.indexOf('caller') ? values[def.args.indexOf('caller')] !== MISSING : false;
    if (args.length >= argCount) foundCaller = def.args.includes('caller');
    let caller: unknown = undefined;
    if (def.callsCaller && !foundCaller) {
      caller = Object.prototype.hasOwnProperty.call(kwargs, 'caller') ? kwargs.caller : null;
      delete kwargs.caller;
      if (caller === null || caller === undefined) caller = this.undef('caller', MISSING, 'No caller defined');
    }
    const kwargNames = Object.keys(kwargs);
    if (!def.catchesKwargs && kwargNames.length) {
      if ('caller' in kwargs) throw pyError('TypeError', `macro '${def.name}' was invoked with two values for the special caller argument. This is most likely a bug.`);
      throw pyError('TypeError', `macro '${def.name}' takes no keyword argument '${kwargNames[0]}'`);
    }
    if (!def.catchesVarargs && args.length > argCount)
      throw pyError('TypeError', `macro '${def.name}' takes not more than ${argCount} argument(s)`);

    try {
      for (let i = 0; i < argCount; i++) {
        let v = values[i];
        if (v === MISSING) {
          const defaultIndex = i - (argCount - def.defaults.length);
          if (defaultIndex >= 0) {
            const expr = def.defaults[defaultIndex];
            try {
              v = this.eval(expr, frame);
            } catch (e) {
              throw this.locate(e, expr.line, frame);
            }
          } else v = this.undef(def.args[i], MISSING, `parameter '${def.args[i]}' was not provided`);
        }
        frame.set(def.args[i], v);
      }
      if (def.callsCaller && !foundCaller) frame.set('caller', caller);
      if (def.catchesKwargs) {
        const d = new PyDict();
        for (const k of kwargNames) d.set(k, kwargs[k]);
        frame.set('kwargs', d);
      }
      if (def.catchesVarargs) frame.set('varargs', tuple(args.slice(argCount)));
      const saved = this.ctl;
      this.ctl = Ctl.None;
      const out = this.exec(def.body, frame);
      this.ctl = saved;
      return out;
    } catch (e) {
      if (e instanceof MacroReturn && !def.isCallBlock) {
        this.ctl = Ctl.None;
        return e.value === undefined ? null : e.value;
      }
      if (e instanceof JinjaError) {
        if (e.macroName === undefined && !def.isCallBlock) {
          e.macroName = def.name;
          e.locate(e.filename, e.lineno, undefined);
        }
      }
      throw e;
    }
  }

  // ---- filters and tests ----

  private applyFilterChain(chain: Expr, value: unknown, f: Frame): unknown {
    if (chain.k !== 'filter') return value;
    const inner = chain.node === null ? value : this.applyFilterChain(chain.node, value, f);
    return this.evalFilter(chain, inner, f);
  }

  private evalFilter(e: Extract<Expr, { k: 'filter' }>, value: unknown, f: Frame): unknown {
    const impl = this.filters.get(e.name);
    if (impl === undefined) throw new TemplateRuntimeError(`No filter named '${e.name}' found.`);
    const [args, kwargs] = this.evalArgs(e, f);
    return impl(this, value, args, kwargs);
  }

  private evalTest(e: Extract<Expr, { k: 'test' }>, f: Frame): boolean {
    const impl = this.tests.get(e.name);
    if (impl === undefined) throw new TemplateRuntimeError(`No test named '${e.name}' found.`);
    const value = this.eval(e.node, f);
    const [args, kwargs] = this.evalArgs(e, f);
    const r = impl(this, value, args, kwargs);
    return e.negated ? !r : r;
  }

  // ---- include / import ----

  loadUnit(name: unknown, from: TemplateUnit, line: number, f: Frame): TemplateUnit {
    const candidates = Array.isArray(name) ? name : [name];
    for (const n of candidates) {
      if (n instanceof Undefined) n.fail();
      const unit = this.host.loadTemplate(pyStr(n), from);
      if (unit) return unit;
    }
    const label = Array.isArray(name) ? `none of the templates given were found: ${candidates.map((c) => pyStr(c)).join(', ')}` : pyStr(name);
    throw new TemplateNotFound(label, line, f.root.unit.filename);
  }

  private contextWithLocals(f: Frame): ContextLookup {
    const locals = new Map<string, unknown>();
    const chain: Frame[] = [];
    for (let fr: Frame | null = f; fr !== null; fr = fr.parent) chain.push(fr);
    for (let i = chain.length - 1; i >= 0; i--) for (const [k, v] of chain[i].entries()) locals.set(k, v);
    const outer = f.root.resolveCtx;
    return { resolve: (name: string) => (locals.has(name) ? locals.get(name) : outer(name)) };
  }

  private execInclude(s: Extract<Stmt, { k: 'include' }>, f: Frame): string {
    const name = this.eval(s.template, f);
    let unit: TemplateUnit;
    try {
      unit = this.loadUnit(name, f.root.unit, s.line, f);
    } catch (e) {
      if (s.ignoreMissing && e instanceof TemplateNotFound) return '';
      throw e;
    }
    const ctx = s.withContext ? this.contextWithLocals(f) : null;
    return this.renderRoot(new Root(unit, ctx, f.root.globals));
  }

  private importModule(template: Expr, f: Frame, withContext: boolean): TemplateModule {
    const name = this.eval(template, f);
    const unit = this.loadUnit(name, f.root.unit, template.line, f);
    const root = new Root(unit, withContext ? this.contextWithLocals(f) : null, f.root.globals);
    const output = this.renderRoot(root);
    return new TemplateModule(unit.filename, root.exports, output);
  }
}


function hasSurrogates(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return true;
  }
  return false;
}

function toIndex(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Undefined) return null;
  throw pyError('TypeError', 'slice indices must be integers or None or have an __index__ method');
}

/** Python slicing for lists, tuples and strings. */
export function sliceValue(obj: unknown, start0: unknown, stop0: unknown, step0: unknown): unknown {
  if (obj instanceof Undefined) return obj.access();
  const isStr = typeof obj === 'string';
  const seq: unknown[] | string = isStr ? (hasSurrogates(obj) ? Array.from(obj) : obj) : (obj as unknown[]);
  if (!isStr && !Array.isArray(obj)) throw pyError('TypeError', `'${pyTypeName(obj)}' object is not subscriptable`);
  const len = seq.length;
  const step = toIndex(step0) ?? 1;
  if (step === 0) throw pyError('ValueError', 'slice step cannot be zero');
  let start = toIndex(start0);
  let stop = toIndex(stop0);
  if (step > 0) {
    start = start === null ? 0 : start < 0 ? Math.max(0, len + start) : Math.min(start, len);
    stop = stop === null ? len : stop < 0 ? Math.max(0, len + stop) : Math.min(stop, len);
  } else {
    start = start === null ? len - 1 : start < 0 ? Math.max(-1, len + start) : Math.min(start, len - 1);
    stop = stop === null ? -1 : stop < 0 ? Math.max(-1, len + stop) : Math.min(stop, len - 1);
  }
  const out: unknown[] = [];
  if (step > 0) for (let i = start; i < stop; i += step) out.push(seq[i]);
  else for (let i = start; i > stop; i += step) out.push(seq[i]);
  if (isStr) return out.join('');
  return obj instanceof PyTuple ? tuple(out) : out;
}

/** An expression made of literals and operators only: what Jinja2's optimizer folds. */
function isConstant(e: Expr | null): boolean {
  if (e === null) return true;
  switch (e.k) {
    case 'const':
      return true;
    case 'tuple':
    case 'list':
    case 'concat':
      return e.items.every(isConstant);
    case 'dict':
      return e.keys.every(isConstant) && e.values.every(isConstant);
    case 'not':
    case 'neg':
    case 'pos':
      return isConstant(e.node);
    case 'bin':
    case 'and':
    case 'or':
      return isConstant(e.left) && isConstant(e.right);
    case 'compare':
      return isConstant(e.first) && e.operands.every(isConstant);
    case 'cond':
      return isConstant(e.test) && isConstant(e.then) && isConstant(e.else);
    case 'getitem':
      return isConstant(e.obj) && isConstant(e.key);
    case 'slice':
      return isConstant(e.start) && isConstant(e.stop) && isConstant(e.step);
    default:
      return false;
  }
}

function findExtends(body: Stmt[]): Extract<Stmt, { k: 'extends' }> | null {
  for (const s of body) if (s.k === 'extends') return s;
  return null;
}

function collectBlocks(body: Stmt[], unit: TemplateUnit, into: Map<string, { body: Stmt[]; unit: TemplateUnit }[]>): void {
  const visit = (stmts: Stmt[]) => {
    for (const s of stmts) {
      if (s.k === 'block') {
        const list = into.get(s.name) ?? [];
        if (!list.some((b) => b.body === s.body)) list.push({ body: s.body, unit });
        into.set(s.name, list);
        visit(s.body);
      } else if (s.k === 'if') {
        s.bodies.forEach(visit);
        if (s.else) visit(s.else);
      } else if (s.k === 'for') visit(s.body);
    }
  };
  visit(body);
}

function topFrame(f: Frame): Frame {
  let fr = f;
  while (fr.parent !== null) fr = fr.parent;
  return fr;
}

