import { createHash } from 'node:crypto';
import { bindMacro, MacroReturn, toJS } from '@dvt/jinja';
import type { ContextLookup, JinjaCallable, Template } from '@dvt/jinja';
import { stringify as toYaml, parse as parseYamlText } from 'yaml';
import type { AdapterDefinition } from '../adapter/contract.js';
import { DvtError } from '../errors.js';
import type { ExecutableNode, ProfileOutput, Project, RefCall, SourceDefinition } from '../project/types.js';
import { ResultTable } from './database.js';
import type { TemplateDatabase } from './database.js';
import { grantsMissingFrom, type GrantMap } from './grant-maps.js';
import { exceptionsNamespace, makeConfig, makeEnvVar, makeRef, makeSource, makeStatement, makeVar } from './context-calls.js';
import { columnApi, JinjaAdapter, RelationApi } from './host-objects.js';
import { arg, splitArgs } from './kwargs.js';
import type { MacroEntry, MacroRegistry } from './macros.js';
import { PyDateTime, datetimeModule } from './pydatetime.js';
import { itertoolsModule } from './pyitertools.js';
import { PYTZ_UTC, pytzModule } from './pytz.js';
import { reModule } from './pyre.js';
import { jsonDump, pySetOrDefault, pySetStrict, zip } from './pyfunctions.js';
import type { Relation } from './relation.js';
import type { RelationType } from './relation.js';
import { targetDescription, targetDict } from './target.js';

/** `parse`: dbt's parse (execute false, refs recorded); `execute`: real compilation. */
export type RenderMode = 'parse' | 'execute';

/** What the runner knows about a node's relation before compiling it. */
export interface NodeRuntime {
  relationExists?: boolean;
  relationType?: RelationType | string;
  fullRefresh?: boolean;
  /** Set when the node runs federated: its SQL is rendered for another engine, reading copies of its inputs. */
  federated?: FederatedRendering;
  /** The node's compiled SQL, for a `{% materialization %}` block (`sql`, `compiled_code`). */
  compiledCode?: string;
  /**
   * The connection the runner builds the node on: template calls for this
   * output run there, inside the node's transaction (a post-hook dropping
   * `this` must not wait on the node's own locks from another session).
   */
  nodeConnection?: { outputName: string; connection: unknown };
  /** Set when a unit test renders the model: its `overrides:` win over macros, vars and env vars. */
  unitTest?: UnitTestRendering;
}

/**
 * A unit test's `overrides:`. A macro named here answers its value when
 * called (`is_incremental: true`); vars and env vars answer before the
 * project's and the environment's.
 */
export interface UnitTestRendering {
  macros: Readonly<Record<string, unknown>>;
  vars: Readonly<Record<string, unknown>>;
  envVars: Readonly<Record<string, unknown>>;
}

/**
 * How a federated node renders: in `adapterType`'s dialect (macros dispatch
 * to it), with `ref()`/`source()` of each input returning the relation of
 * its copy (by unique_id) and `this` the copy of the node's own table.
 */
export interface FederatedRendering {
  adapterType: string;
  relationFor(uniqueId: string): Relation | undefined;
  thisRelation?: Relation;
}

export interface CompileLogger {
  info(message: string): void;
  debug(message: string): void;
  warn(message: string): void;
}

/** What a render context needs from the compiler. */
export interface CompilerServices {
  readonly project: Project;
  readonly registry: MacroRegistry;
  readonly flags: Record<string, unknown>;
  readonly env: Record<string, string | undefined>;
  readonly invocationId: string;
  readonly runStartedAt: Date;
  readonly logger: CompileLogger;
  adapter(type: string): AdapterDefinition;
  output(node: ExecutableNode | undefined): ProfileOutput;
  lookupVar(name: string, packageName: string): unknown;
  findRef(call: RefCall, from: ExecutableNode | undefined): ExecutableNode | undefined;
  findSource(sourceName: string, tableName: string): SourceDefinition | undefined;
  relationOf(node: ExecutableNode): Relation;
  /** `--defer`: the state's relation for a node `ref()` should read instead of its own. */
  deferredRelation?(node: ExecutableNode): Relation | undefined;
  sourceRelation(source: SourceDefinition, adapterType: string): Relation;
  graph(): Record<string, unknown>;
  /** The unique_ids the command selected (`selected_resources`). */
  selectedResources(): readonly string[];
  /** Synchronous database access for templates, when the runner provides it. */
  readonly database?: TemplateDatabase;
  parseTemplate(source: string, file: string): Template;
}

/** What rendering a node found: the inputs of dbt's parse. */
export interface RenderRecord {
  refs: RefCall[];
  sources: [string, string][];
  configs: Record<string, unknown>[];
  /** unique_ids of ephemeral models referenced while executing, in order. */
  ephemerals: string[];
  /** unique_ids of the macros the template reached by name, dispatch or namespace, in order. */
  macros: string[];
}

export interface RenderOptions {
  node?: ExecutableNode;
  mode: RenderMode;
  runtime?: NodeRuntime;
  /** Defaults to the type of the node's output. */
  adapterType?: string;
  /** Extra names visible to the template only (not to macros). */
  locals?: Record<string, unknown>;
}

const NOT_FOUND = Symbol('not found');

/**
 * The state of one render (a node, a hook, a macro call): what the context
 * members answer and what they recorded. Macros and members are created on
 * first use, since a project has hundreds of macros and a render uses few.
 */
export class RenderState {
  readonly record: RenderRecord = { refs: [], sources: [], configs: [], ephemerals: [], macros: [] };
  readonly node: ExecutableNode | undefined;
  readonly mode: RenderMode;
  readonly adapterType: string;
  readonly output: ProfileOutput;
  readonly runtime: NodeRuntime;
  private readonly locals: Record<string, unknown>;
  private readonly members = new Map<string, unknown>();
  private readonly bound = new Map<string, JinjaCallable>();
  private readonly lookups = new Map<string, ContextLookup>();
  private readonly namespaces = new Map<string, Record<string, unknown>>();

  constructor(
    readonly services: CompilerServices,
    options: RenderOptions,
  ) {
    this.node = options.node;
    this.mode = options.mode;
    this.runtime = options.runtime ?? {};
    this.locals = options.locals ?? {};
    this.output = services.output(options.node);
    this.adapterType = options.adapterType ?? this.runtime.federated?.adapterType ?? this.output.type;
  }

  /** The relation a federated render reads for an input, when the node runs federated. */
  federatedRelation(uniqueId: string): Relation | undefined {
    return this.runtime.federated?.relationFor(uniqueId);
  }

  get packageName(): string {
    return this.node?.package_name ?? this.services.project.config.name;
  }

  /** The context a template of `packageName` renders in. */
  lookupFor(packageName: string, withLocals = false): ContextLookup {
    const key = withLocals ? `\u0000${packageName}` : packageName;
    let lookup = this.lookups.get(key);
    if (!lookup) {
      lookup = { resolve: (name: string) => this.resolve(name, packageName, withLocals) };
      this.lookups.set(key, lookup);
    }
    return lookup;
  }

  /** A macro as a callable, bound to its own package's namespace. */
  macro(entry: MacroEntry): JinjaCallable {
    const id = entry.definition.unique_id;
    let fn = this.bound.get(id);
    if (!fn) {
      fn = bindMacro(entry.template, entry.name, this.lookupFor(entry.packageName));
      this.bound.set(id, fn);
    }
    return fn;
  }

  private resolve(name: string, packageName: string, withLocals: boolean): unknown {
    if (withLocals && Object.prototype.hasOwnProperty.call(this.locals, name)) return this.locals[name];
    const overridden = this.runtime.unitTest?.macros;
    if (overridden && Object.prototype.hasOwnProperty.call(overridden, name)) return () => overridden[name];
    const { registry } = this.services;
    // As in dbt, the project's (or the package's own) macro replaces a context
    // member of the same name — e.g. a `ref` override calling `builtins.ref`.
    const local = registry.resolveLocal(name, packageName);
    if (local) return this.use(local);
    const member = this.member(name);
    if (member !== NOT_FOUND) return member;
    const entry = registry.resolve(name, packageName);
    if (entry) return this.use(entry);
    if (this.services.registry.isNamespace(name)) return this.namespace(name);
    return undefined;
  }

  /** `load_result(name)` answers from here: `{ response, data, table }` by statement name. */
  readonly results = new Map<string, { response: Record<string, unknown>; data: unknown[][]; table: ResultTable }>();

  /** The database bridge, or a clear error naming what needed it. */
  database(what: string): TemplateDatabase {
    const database = this.services.database;
    if (!database) {
      throw new DvtError('compile', `${what} reads the database while compiling, which needs the runner's database bridge (not available in this command)`);
    }
    const own = this.runtime.nodeConnection;
    if (own && own.outputName === this.output.name) return database.onConnection?.(own.connection) ?? database;
    return database;
  }

  /** Runs one statement for `statement(...)` / `run_query(...)` / `adapter.execute(...)`. */
  runStatement(name: string | null, sql: string, fetch: boolean): { response: Record<string, unknown>; data: unknown[][]; table: ResultTable } {
    const result = this.database(name ? `statement('${name}')` : 'run_query()').execute(sql.trim(), this.output.name, fetch);
    const entry = {
      response: { _message: result.message ?? 'OK', code: result.message?.split(' ')[0] ?? 'OK', rows_affected: result.rowsAffected ?? -1 },
      data: result.rows.map((row) => [...row]),
      table: new ResultTable(result),
    };
    if (name) this.results.set(name, entry);
    return entry;
  }

  /** dbt's `render(text)`: a string rendered in this same context. */
  renderText(text: string): string {
    if (!text.includes('{')) return text;
    return this.services.parseTemplate(text, this.node?.original_file_path ?? '<render>').render(this.lookupFor(this.packageName));
  }

  /** A macro the template reached: recorded for `depends_on.macros`, then bound. */
  use(entry: MacroEntry): JinjaCallable {
    const id = entry.definition.unique_id;
    if (!this.record.macros.includes(id)) this.record.macros.push(id);
    return this.macro(entry);
  }

  /** `dbt_utils.x`: each macro is bound (and recorded) when first read. */
  private namespace(packageName: string): Record<string, unknown> {
    let ns = this.namespaces.get(packageName);
    if (!ns) {
      const built: Record<string, unknown> = {};
      const { registry } = this.services;
      for (const name of registry.namesIn(packageName)) {
        Object.defineProperty(built, name, {
          enumerable: true,
          get: () => {
            // A unit test may override a macro by its qualified name (`audit_helper._get_comparison_bounds`).
            const overridden = this.runtime.unitTest?.macros;
            const qualified = `${packageName}.${name}`;
            if (overridden && Object.prototype.hasOwnProperty.call(overridden, qualified)) return () => overridden[qualified];
            return this.use(registry.inPackage(packageName, name)!);
          },
        });
      }
      ns = built;
      this.namespaces.set(packageName, ns);
    }
    return ns;
  }

  private member(name: string): unknown {
    if (this.members.has(name)) return this.members.get(name);
    const value = buildMember(this, name);
    if (value !== NOT_FOUND) this.members.set(name, value);
    return value;
  }

  get dialect() {
    return this.services.adapter(this.adapterType).dialect;
  }

  get execute(): boolean {
    return this.mode === 'execute';
  }

  /** `this`: the node's relation; absent for hooks and operations without a node. */
  thisRelation(): Relation | null {
    if (this.node && this.runtime.federated?.thisRelation) return this.runtime.federated.thisRelation;
    return this.node ? this.services.relationOf(this.node) : null;
  }

  /** What config() has set so far in this render over the node's resolved config. */
  configValue(key: string): unknown {
    for (let i = this.record.configs.length - 1; i >= 0; i--) {
      const layer = this.record.configs[i];
      if (Object.prototype.hasOwnProperty.call(layer, key)) return layer[key];
    }
    const config = this.node?.config as Record<string, unknown> | undefined;
    if (!config) return undefined;
    if (Object.prototype.hasOwnProperty.call(config, key)) return config[key];
    const alt = key.includes('-') ? key.replace(/-/g, '_') : key.replace(/_/g, '-');
    return config[alt];
  }

  isIncremental(): boolean {
    const overridden = this.runtime.unitTest?.macros;
    if (overridden && Object.prototype.hasOwnProperty.call(overridden, 'is_incremental')) return overridden.is_incremental === true;
    if (!this.execute || !this.node) return false;
    if (this.node.config.materialized !== 'incremental') return false;
    if (!this.runtime.relationExists) return false;
    const type = this.runtime.relationType ?? 'table';
    if (type !== 'table') return false;
    return !this.shouldFullRefresh();
  }

  shouldFullRefresh(): boolean {
    const configured = this.node?.config.full_refresh;
    if (configured === true || configured === false) return configured;
    return Boolean(this.runtime.fullRefresh ?? this.services.flags.FULL_REFRESH);
  }

  describeNode(): string {
    if (!this.node) return 'this operation';
    const kind = this.node.resource_type.charAt(0).toUpperCase() + this.node.resource_type.slice(1);
    return `${kind} '${this.node.unique_id}' (${this.node.original_file_path})`;
  }
}

function buildMember(state: RenderState, name: string): unknown {
  const { services } = state;
  switch (name) {
    case 'execute':
      return state.execute;
    case 'ref':
      return makeRef(state);
    case 'source':
      return makeSource(state);
    case 'config':
      return makeConfig(state);
    case 'var':
      return makeVar(state);
    case 'env_var':
      return makeEnvVar(state);
    case 'is_incremental':
      return () => state.isIncremental();
    case 'should_full_refresh':
      return () => state.shouldFullRefresh();
    case 'this':
      // Hooks of the whole run (on-run-start/end) have no `this`.
      return state.node ? state.thisRelation() : NOT_FOUND;
    case 'model':
      return state.node ? nodeDict(state.node) : null;
    case 'target':
      return targetDict(state);
    case 'graph':
      return services.graph();
    case 'adapter':
      return new JinjaAdapter(state);
    case 'api':
      return { Relation: new RelationApi(state), Column: columnApi };
    case 'return':
      return (value: unknown) => {
        throw new MacroReturn(value);
      };
    case 'log':
      return (...args: unknown[]) => {
        const call = splitArgs(args);
        const message = String(arg(call, 0, 'msg', ''));
        if (arg(call, 1, 'info', false)) services.logger.info(message);
        else services.logger.debug(message);
        return '';
      };
    case 'print':
      return (message: unknown) => {
        services.logger.info(String(message));
        return '';
      };
    case 'exceptions':
      return exceptionsNamespace(state);
    case 'run_started_at':
      return PyDateTime.fromInstant(services.runStartedAt.getTime(), PYTZ_UTC);
    case 'invocation_id':
      return services.invocationId;
    case 'modules':
      return { datetime: datetimeModule, re: reModule, pytz: pytzModule, itertools: itertoolsModule };
    case 'fromjson':
      return (text: unknown, fallback: unknown = null) => {
        try {
          return JSON.parse(String(text));
        } catch {
          return fallback;
        }
      };
    case 'tojson':
      return (value: unknown, ...rest: unknown[]) => {
        const call = splitArgs(rest);
        return jsonDump(toJS(value), Boolean(arg(call, 0, 'sort_keys', false)));
      };
    case 'fromyaml':
      return (text: unknown, fallback: unknown = null) => {
        try {
          return parseYamlText(String(text)) ?? null;
        } catch {
          return fallback;
        }
      };
    case 'toyaml':
      return (value: unknown) => toYaml(toJS(value));
    case 'zip':
    case 'zip_strict':
      return (...lists: unknown[]) => zip(lists.map((l) => [...(l as Iterable<unknown>)]), name === 'zip_strict');
    case 'set':
      return pySetOrDefault;
    case 'set_strict':
      return pySetStrict;
    case 'diff_of_two_dicts':
      return (a: unknown, b: unknown) => grantsMissingFrom(toJS(a) as GrantMap, toJS(b) as GrantMap);
    case 'local_md5':
      return (text: unknown) => createHash('md5').update(String(text)).digest('hex');
    case 'flags':
      return { ...services.flags };
    case 'project_name':
      return services.project.config.name;
    case 'dbt_version':
      return '1.8.0';
    case 'database':
      return state.node?.database ?? targetDescription(state).database;
    case 'schema':
      return state.node?.schema ?? targetDescription(state).schema;
    case 'statement':
      return makeStatement(state);
    case 'load_result':
      return (name: unknown) => state.results.get(String(name)) ?? null;
    case 'run_query':
      return (sql: unknown) => {
        if (!state.execute) return null;
        return state.runStatement(null, String(sql), true).table;
      };
    case 'thread_id':
      return 'Thread-1';
    case 'sql':
    case 'compiled_code':
      return state.runtime.compiledCode ?? NOT_FOUND;
    case 'pre_hooks':
      return state.node ? state.node.config.pre_hook.map((h) => ({ sql: h.sql, transaction: h.transaction })) : NOT_FOUND;
    case 'post_hooks':
      return state.node ? state.node.config.post_hook.map((h) => ({ sql: h.sql, transaction: h.transaction })) : NOT_FOUND;
    case 'builtins':
      return { ref: makeRef(state), source: makeSource(state), config: makeConfig(state) };
    case 'render':
      return (text: unknown) => state.renderText(String(text));
    case 'selected_resources':
      return [...services.selectedResources()];
    case 'invocation_args_dict':
      return { which: services.flags.WHICH, full_refresh: services.flags.FULL_REFRESH, invocation_command: `dvt ${String(services.flags.WHICH ?? '')}`.trim() };
    default:
      return NOT_FOUND;
  }
}

function nodeDict(node: ExecutableNode): Record<string, unknown> {
  return { ...node, raw_sql: node.raw_code };
}
