// The TypeScript twins of the host values in scripts/shim.py. The expected
// outputs were rendered by Jinja2 with the Python ones, so every name and
// behaviour here must match that file exactly.
import { bindMacro, isKwargs, MacroReturn, pyRepr } from '../../src/index.js';
import type { ContextLookup, Environment, Kwargs } from '../../src/index.js';
import type { OracleCase } from './corpus.js';

const PROJECT_VARS = { start_date: '2020-01-01', days: 7, cols: ['id', 'name'], flag: false };

/** Splits a host call's arguments into positional ones and keyword ones. */
function splitArgs(args: unknown[]): [unknown[], Record<string, unknown>] {
  const last = args[args.length - 1];
  if (args.length > 0 && isKwargs(last)) return [args.slice(0, -1), (last as Kwargs).values];
  return [args, {}];
}

function kwargsRepr(kwargs: Record<string, unknown>): string {
  return '{' + Object.entries(kwargs).map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`).join(', ') + '}';
}

function echo(...args: unknown[]): string {
  const [positional, kwargs] = splitArgs(args);
  return `args=${pyRepr(positional)} kwargs=${kwargsRepr(kwargs)}`;
}

function dbtReturn(value: unknown = null): never {
  throw new MacroReturn(value);
}

function ref(...args: unknown[]): string {
  const [positional, kwargs] = splitArgs(args);
  const [pkg, name] = positional.length === 1 ? ['main', positional[0]] : [positional[0], positional[1]];
  const suffix = 'version' in kwargs ? `_v${String(kwargs.version)}` : '';
  return `"db"."${String(pkg)}"."${String(name)}${suffix}"`;
}

function source(sourceName: unknown, tableName: unknown): string {
  return `"db"."${String(sourceName)}"."${String(tableName)}"`;
}

function makeVar(): (...args: unknown[]) => unknown {
  const projectVars: Record<string, unknown> = structuredClone(PROJECT_VARS);
  return (...args: unknown[]) => {
    const [positional, kwargs] = splitArgs(args);
    const name = positional[0];
    const fallback = positional.length > 1 ? positional[1] : kwargs.default;
    const key = String(name);
    if (Object.hasOwn(projectVars, key)) return projectVars[key];
    if (fallback === undefined || fallback === null) throw new Error(`Required var '${key}' not found`);
    return fallback;
  };
}

function config(): string {
  return '';
}

function fail(message: unknown): never {
  throw new Error(String(message));
}

function makeAdder(amount: unknown): (value: unknown) => unknown {
  return (value: unknown) => (value as number) + (amount as number);
}

/** A host object whose methods templates call (`adapter.quote('x')`). */
class Adapter {
  // Named like the Python attribute so the sandbox case that probes it means the same on both sides.
  constructor(readonly _scope: Map<string, unknown>) {}

  quote(identifier: unknown): string {
    return `"${String(identifier)}"`;
  }

  type(): string {
    return 'dvt';
  }

  dispatch(...args: unknown[]): unknown {
    const [positional, kwargs] = splitArgs(args);
    const macroName = positional[0];
    const macroNamespace = positional.length > 1 ? positional[1] : kwargs.macro_namespace;
    const lookup = (name: string): unknown => {
      if (macroNamespace === undefined || macroNamespace === null) return this._scope.get(name);
      const ns = this._scope.get(String(macroNamespace)) as Record<string, unknown> | undefined;
      return ns === undefined ? undefined : ns[name];
    };
    for (const prefix of ['dvt__', 'default__']) {
      const candidate = lookup(prefix + String(macroName));
      if (candidate !== undefined && candidate !== null) return candidate;
    }
    throw new Error(`No macro named '${String(macroName)}' to dispatch to`);
  }
}

function hostValue(name: string, scope: Map<string, unknown>): unknown {
  switch (name) {
    case 'echo':
      return echo;
    case 'return':
      return dbtReturn;
    case 'ref':
      return ref;
    case 'source':
      return source;
    case 'var':
      return makeVar();
    case 'config':
      return config;
    case 'fail':
      return fail;
    case 'make_adder':
      return makeAdder;
    case 'adapter':
      return new Adapter(scope);
  }
  throw new Error(`unknown host value ${name}`);
}

/**
 * The render context for a case, as shim.build_scope builds it: the case's values, the host values
 * it names, and macros from its files bound as globals or inside namespaces. Every bound macro sees
 * this one live scope as its globals, never its caller's locals.
 */
export function buildScope(env: Environment, c: OracleCase): ContextLookup {
  const scope = new Map<string, unknown>(Object.entries(structuredClone(c.context ?? {})));
  for (const name of c.host ?? []) scope.set(name, hostValue(name, scope));
  const namespaces = new Map<string, Record<string, unknown>>();
  for (const ns of Object.keys(c.namespaces ?? {})) {
    const holder: Record<string, unknown> = {};
    namespaces.set(ns, holder);
    scope.set(ns, holder);
  }
  const lookup: ContextLookup = { resolve: (name) => scope.get(name) };
  const bind = (filename: string, put: (name: string, fn: unknown) => void): void => {
    const source = c.files?.[filename];
    if (source === undefined) throw new Error(`${c.id}: no file ${filename}`);
    const template = env.parse(source, filename);
    for (const name of [...template.macros.keys()].sort()) put(name, bindMacro(template, name, lookup));
  };
  for (const filename of c.macros ?? []) bind(filename, (name, fn) => scope.set(name, fn));
  for (const [ns, filename] of Object.entries(c.namespaces ?? {})) {
    const holder = namespaces.get(ns)!;
    bind(filename, (name, fn) => (holder[name] = fn));
  }
  return lookup;
}
