import { createHash } from 'node:crypto';
import { bindMacro, callJinja, MacroReturn, toJS } from '@dvt/jinja';
import type { ContextLookup, JinjaCallable } from '@dvt/jinja';
import { stringify as toYaml, parse as parseYamlText } from 'yaml';
import type { AdapterDefinition } from '../adapter/contract.js';
import { DvtError } from '../errors.js';
import type { ExecutableNode, ProfileOutput, Project, RefCall, SourceDefinition } from '../project/types.js';
import { arg, splitArgs } from './kwargs.js';
import type { MacroEntry, MacroRegistry } from './macros.js';
import { PyDateTime, datetimeModule } from './pydatetime.js';
import { reModule } from './pyre.js';
import { Relation } from './relation.js';
import type { RelationType } from './relation.js';

/** `parse`: dbt's parse (execute false, refs recorded); `execute`: real compilation. */
export type RenderMode = 'parse' | 'execute';

/** What the runner knows about a node's relation before compiling it. */
export interface NodeRuntime {
  relationExists?: boolean;
  relationType?: RelationType | string;
  fullRefresh?: boolean;
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
  sourceRelation(source: SourceDefinition, adapterType: string): Relation;
  graph(): Record<string, unknown>;
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

const SECRET_ENV_PREFIX = 'DBT_ENV_SECRET_';
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
  private readonly runtime: NodeRuntime;
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
    this.adapterType = options.adapterType ?? this.output.type;
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
    const member = this.member(name);
    if (member !== NOT_FOUND) return member;
    const entry = this.services.registry.resolve(name, packageName);
    if (entry) return this.use(entry);
    if (this.services.registry.isNamespace(name)) return this.namespace(name);
    return undefined;
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
          get: () => this.use(registry.inPackage(packageName, name)!),
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
      return new PyDateTime(services.runStartedAt, true);
    case 'invocation_id':
      return services.invocationId;
    case 'modules':
      return { datetime: datetimeModule, re: reModule };
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
    case 'set_strict':
      return (value: unknown) => [...new Set(value as Iterable<unknown>)];
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
      return () => null;
    case 'run_query':
      return (sql: unknown) => {
        if (!state.execute) return null;
        throw new DvtError('compile', `run_query() needs a database connection while compiling, which dvt does not support yet (query: ${String(sql).slice(0, 80)})`);
      };
    case 'thread_id':
      return 'Thread-1';
    default:
      return NOT_FOUND;
  }
}

function makeRef(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const version = call.kwargs.version ?? call.kwargs.v ?? null;
    const [first, second] = call.positional;
    if (typeof first !== 'string' || (second !== undefined && typeof second !== 'string') || call.positional.length > 2) {
      throw new DvtError('compile', `ref() takes a model name, or a package and a model name, as strings`);
    }
    const ref: RefCall = second === undefined ? { name: first } : { package: first, name: second };
    if (version !== null && version !== undefined) ref.version = version as string | number;
    if (!state.execute) {
      state.record.refs.push(ref);
      // dbt hands back the calling model's own relation while parsing.
      return state.thisRelation() ?? placeholderRelation(state, ref.name);
    }
    const target = state.services.findRef(ref, state.node);
    if (!target) {
      throw new DvtError('compile', `${state.describeNode()} depends on a node named '${ref.package ? `${ref.package}.` : ''}${ref.name}' which was not found`);
    }
    if (target.config.materialized === 'ephemeral' && target.resource_type === 'model') {
      if (!state.record.ephemerals.includes(target.unique_id)) state.record.ephemerals.push(target.unique_id);
      return Relation.ephemeral(state.dialect, state.adapterType, target.name);
    }
    return state.services.relationOf(target);
  };
}

function makeSource(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const sourceName = arg(call, 0, 'source_name');
    const tableName = arg(call, 1, 'table_name');
    if (typeof sourceName !== 'string' || typeof tableName !== 'string') {
      throw new DvtError('compile', `source() takes a source name and a table name, as strings`);
    }
    if (!state.execute) {
      state.record.sources.push([sourceName, tableName]);
      return state.thisRelation() ?? placeholderRelation(state, tableName);
    }
    const source = state.services.findSource(sourceName, tableName);
    if (!source) {
      throw new DvtError('compile', `${state.describeNode()} depends on a source named '${sourceName}.${tableName}' which was not found`);
    }
    return state.services.sourceRelation(source, state.adapterType);
  };
}

function placeholderRelation(state: RenderState, name: string): Relation {
  const target = targetDescription(state);
  return new Relation(state.dialect, state.adapterType, { database: target.database, schema: target.schema, identifier: name });
}

/** `config(...)` records; `config.get` / `config.require` read the node's config. */
function makeConfig(state: RenderState): JinjaCallable {
  const config = ((...args: unknown[]) => {
    const call = splitArgs(args);
    const values: Record<string, unknown> = {};
    for (const positional of call.positional) {
      if (positional && typeof positional === 'object') Object.assign(values, toJS(positional) as Record<string, unknown>);
    }
    Object.assign(values, toJS(call.kwargs) as Record<string, unknown>);
    state.record.configs.push(values);
    return '';
  }) as JinjaCallable & Record<string, unknown>;
  config.get = (...args: unknown[]) => {
    const call = splitArgs(args);
    const key = String(arg(call, 0, 'name'));
    const fallback = arg(call, 1, 'default', null);
    const value = state.configValue(key);
    return value === undefined || value === null ? fallback : value;
  };
  config.require = (...args: unknown[]) => {
    const key = String(arg(splitArgs(args), 0, 'name'));
    const value = state.configValue(key);
    if (value === undefined || value === null) {
      if (!state.execute) return '';
      throw new DvtError('compile', `${state.describeNode()}: required config '${key}' was not set`);
    }
    return value;
  };
  config.set = (...args: unknown[]) => {
    const call = splitArgs(args);
    state.record.configs.push({ [String(arg(call, 0, 'name'))]: toJS(arg(call, 1, 'value')) });
    return '';
  };
  config.meta_get = (...args: unknown[]) => {
    const call = splitArgs(args);
    const meta = (state.configValue('meta') ?? {}) as Record<string, unknown>;
    const key = String(arg(call, 0, 'name'));
    return Object.prototype.hasOwnProperty.call(meta, key) ? meta[key] : arg(call, 1, 'default', null);
  };
  return config;
}

function makeVar(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const name = String(arg(call, 0, 'name'));
    const hasDefault = call.positional.length > 1 || 'default' in call.kwargs;
    const value = state.services.lookupVar(name, state.packageName);
    if (value !== undefined) return value;
    if (hasDefault) return arg(call, 1, 'default');
    if (!state.execute) return null;
    throw new DvtError('compile', `required var '${name}' not found in config (used by ${state.describeNode()}); set it in dbt_project.yml \`vars:\` or with --vars`);
  };
}

function makeEnvVar(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const name = String(arg(call, 0, 'var'));
    if (name.startsWith(SECRET_ENV_PREFIX)) {
      throw new DvtError('compile', `env_var('${name}'): secret environment variables (${SECRET_ENV_PREFIX}*) may only be used in profiles.yml and packages.yml`);
    }
    const value = state.services.env[name];
    if (value !== undefined) return value;
    if (call.positional.length > 1 || 'default' in call.kwargs) return arg(call, 1, 'default');
    throw new DvtError('compile', `env var required but not provided: '${name}'`);
  };
}

/** `{% call statement('name', fetch_result=True) %}`: the body renders; running it needs a connection (issue 5). */
function makeStatement(state: RenderState): JinjaCallable {
  return (...args: unknown[]) => {
    const call = splitArgs(args);
    const caller = call.kwargs.caller;
    if (!state.execute) return '';
    const sql = caller ? String(callJinja(caller, [])) : '';
    throw new DvtError('compile', `statement('${String(arg(call, 0, 'name', 'statement'))}') runs SQL while compiling, which dvt does not support yet: ${sql.trim().slice(0, 80)}`);
  };
}

function exceptionsNamespace(state: RenderState): Record<string, JinjaCallable> {
  return {
    raise_compiler_error: (message: unknown) => {
      throw new DvtError('compile', String(message));
    },
    raise_not_implemented: (message: unknown) => {
      throw new DvtError('compile', `not implemented: ${String(message)}`);
    },
    warn: (message: unknown) => {
      state.services.logger.warn(String(message));
      return '';
    },
    missing_relation: (relation: unknown) => {
      throw new DvtError('compile', `relation ${String(relation)} not found`);
    },
    relation_wrong_type: (relation: unknown, expected: unknown) => {
      throw new DvtError('compile', `relation ${String(relation)} is not a ${String(expected)}`);
    },
  };
}

function nodeDict(node: ExecutableNode): Record<string, unknown> {
  return { ...node, raw_sql: node.raw_code };
}

function targetDescription(state: RenderState): { database: string; schema: string } {
  return state.services.adapter(state.output.type).describeTarget(state.output.config);
}

/** dbt's generic type names as `api.Column.translate_type` spells them. */
const TYPE_LABELS: Record<string, string> = { STRING: 'TEXT', TIMESTAMP: 'TIMESTAMP', FLOAT: 'FLOAT', INTEGER: 'INT', BOOLEAN: 'BOOLEAN' };

/** `api.Column`: a column as packages build one, and the type helpers. */
const columnApi = {
  create: (...args: unknown[]) => {
    const call = splitArgs(args);
    const name = String(arg(call, 0, 'name'));
    const dtype = String(arg(call, 1, 'label_or_dtype', arg(call, 1, 'dtype', '')));
    return { name, column: name, dtype, data_type: dtype, quoted: `"${name.replace(/"/g, '""')}"` };
  },
  translate_type: (dtype: unknown) => TYPE_LABELS[String(dtype).toUpperCase()] ?? String(dtype),
  string_type: (size: unknown) => `character varying(${String(size)})`,
  numeric_type: (dtype: unknown, precision: unknown, scale: unknown) =>
    precision === null || precision === undefined || scale === null || scale === undefined ? String(dtype) : `${String(dtype)}(${String(precision)},${String(scale)})`,
};

const targetCache = new WeakMap<ProfileOutput, Record<string, unknown>>();

/** `target` for an output; computed once per output, since every render reads it. */
function targetDict(state: RenderState): Record<string, unknown> {
  const cached = targetCache.get(state.output);
  if (cached) return cached;
  const value = buildTargetDict(state);
  targetCache.set(state.output, value);
  return value;
}

function buildTargetDict(state: RenderState): Record<string, unknown> {
  const { output, services } = state;
  const definition = services.adapter(output.type);
  const secret = new Set<string>();
  for (const prop of definition.configSchema) {
    if (!prop.secret) continue;
    secret.add(prop.name);
    for (const alias of prop.aliases ?? []) secret.add(alias);
  }
  const visible: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(output.config)) {
    if (secret.has(key) || /(password|passwd|secret|token|private_?key|api_?key|credential)/i.test(key)) continue;
    visible[key] = value;
  }
  const where = targetDescription(state);
  return {
    ...visible,
    name: output.name,
    target_name: output.name,
    type: output.type,
    threads: output.threads,
    profile_name: services.project.profile.name,
    database: where.database,
    schema: where.schema,
  };
}

/** The `adapter` object templates see. */
class JinjaAdapter {
  constructor(private readonly state: RenderState) {}

  type(): string {
    return this.state.adapterType;
  }

  quote(identifier: unknown): string {
    return this.state.dialect.quoteIdentifier(String(identifier));
  }

  quote_as_configured(identifier: unknown, quoteKey: unknown): string {
    const quoting = this.state.services.project.config.quoting;
    const key = String(quoteKey);
    return quoting[key] === false ? String(identifier) : this.quote(identifier);
  }

  quote_seed_column(column: unknown, quoteConfig?: unknown): string {
    return quoteConfig === false ? String(column) : this.quote(column);
  }

  // Database introspection needs the synchronous database bridge (issue 5).
  // At parse time dbt answers without a database, and so do we.
  get_relation(): null {
    return this.introspect('get_relation', null);
  }

  get_columns_in_relation(): unknown[] {
    return this.introspect('get_columns_in_relation', []);
  }

  get_missing_columns(): unknown[] {
    return this.introspect('get_missing_columns', []);
  }

  private introspect<T>(method: string, atParse: T): T {
    if (!this.state.execute) return atParse;
    throw new DvtError('compile', `adapter.${method}() reads the database while compiling, which dvt does not support yet`);
  }

  dispatch(...args: unknown[]): JinjaCallable {
    const call = splitArgs(args);
    let name = String(arg(call, 0, 'macro_name'));
    let namespace = arg<string | null>(call, 1, 'macro_namespace', null);
    if (namespace === null && name.includes('.')) {
      // dbt's older form: dispatch('pkg.name')
      [namespace, name] = name.split('.', 2) as [string, string];
    }
    const { services } = this.state;
    const definition = services.adapter(this.state.adapterType);
    const chain = [definition.type, ...(definition.parentTypes ?? [])];
    const entry = services.registry.dispatch(name, namespace, chain, services.project.config.dispatch, this.state.packageName);
    return this.state.use(entry);
  }
}

/** `api.Relation.create(database=, schema=, identifier=, type=)` */
class RelationApi {
  constructor(private readonly state: RenderState) {}

  create(...args: unknown[]): Relation {
    const call = splitArgs(args);
    const str = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
    return new Relation(this.state.dialect, this.state.adapterType, {
      database: str(arg(call, 0, 'database')),
      schema: str(arg(call, 1, 'schema')),
      identifier: str(arg(call, 2, 'identifier')),
      type: (str(arg(call, 3, 'type')) as RelationType) ?? null,
    });
  }

  add_ephemeral_prefix(name: unknown): string {
    return Relation.addEphemeralPrefix(String(name));
  }
}

function zip(lists: unknown[][], strict: boolean): unknown[][] {
  const lengths = lists.map((l) => l.length);
  if (strict && new Set(lengths).size > 1) throw new DvtError('compile', 'zip_strict(): arguments have different lengths');
  const n = lists.length === 0 ? 0 : Math.min(...lengths);
  const out: unknown[][] = [];
  for (let i = 0; i < n; i++) out.push(lists.map((l) => l[i]));
  return out;
}

/** Python's json.dumps spacing (`", "` and `": "`). */
function jsonDump(value: unknown, sortKeys: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map((v) => jsonDump(v, sortKeys)).join(', ')}]`;
  if (value instanceof Map) value = Object.fromEntries(value);
  if (typeof value === 'object') {
    let keys = Object.keys(value as object);
    if (sortKeys) keys = keys.sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}: ${jsonDump((value as Record<string, unknown>)[k], sortKeys)}`).join(', ')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

