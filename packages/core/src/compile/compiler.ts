import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { callJinja, Environment, toJS } from '@dvt/jinja';
import type { Template } from '@dvt/jinja';
import type { AdapterDefinition } from '../adapter/contract.js';
import { adapterMacroDirs, shimNamespaceOf } from './adapter-macros.js';
import { DvtError, isDvtError } from '../errors.js';
import type { ExecutableNode, ProfileOutput, Project, RefCall, SourceDefinition } from '../project/types.js';
import { unrenderedOutputReason } from '../project/profiles.js';
import { RenderState } from './context.js';
import type { CompileLogger, CompilerServices, NodeRuntime, RenderMode, RenderOptions } from './context.js';
import { injectCtes, inlineAsSubqueries, mergeCtes } from './ctes.js';
import { yieldToModelAliases } from './empty-inputs.js';
import type { InjectedCte } from './ctes.js';
import { extraFilters, extraTests } from './filters.js';
import { BUILTIN_PACKAGE, MacroRegistry, parseOrThrow, toDvtError } from './macros.js';
import { parseProjectNodes } from './parse.js';
import { Relation } from './relation.js';
import type { TemplateDatabase } from './database.js';
import { docsBlocks } from './docs.js';
import { buildGraph } from './graph-member.js';
import { builtinMacroFiles, builtinMacroIndexPath, collectFiles } from './sources.js';
import type { JinjaFile } from './sources.js';
import { indexedMacros, readMacroIndex } from './macro-index.js';

export interface CompilerOptions {
  project: Project;
  /** Adapter definitions by type, for every profile output the run uses. */
  adapters: ReadonlyMap<string, AdapterDefinition> | Readonly<Record<string, AdapterDefinition>>;
  /** Where `compiled/` is written; relative paths resolve against the project root. Default: the project's target-path. */
  targetPath?: string;
  /** dbt's `flags` (FULL_REFRESH, WHICH, STORE_FAILURES, EMPTY, ...). */
  flags?: Record<string, unknown>;
  /** Environment for `env_var()`; default `process.env`. */
  env?: Record<string, string | undefined>;
  invocationId?: string;
  runStartedAt?: Date;
  logger?: CompileLogger;
  /**
   * Synchronous database access for `statement`, `run_query` and adapter
   * introspection while rendering; the runner's bridge provides it.
   */
  database?: TemplateDatabase;
  /** Write `target/compiled/...` files from compileNode (default true). */
  writeCompiled?: boolean;
}

/** What the runner gets for a node. */
export interface CompiledNode {
  compiled_code: string;
  /** The relation the node builds (`this`); for ephemeral models, the CTE name. */
  relation: Relation;
  /** Ephemeral models inlined as CTEs, in the order they were injected. */
  extra_ctes: InjectedCte[];
}

/** Where a deferred node's relation is, as the --state manifest records it. */
export interface DeferredRelation {
  database: string | null;
  schema: string;
  identifier: string;
}

export interface MacroCallOptions {
  /** The node the call is made for (`this`, `model`, `config` answer from it). */
  node?: ExecutableNode;
  /** The engine whose dispatch candidates win; default: the node's (or the default target's) type. */
  adapterType?: string;
  runtime?: NodeRuntime;
  /** `parse` renders with execute=false (used for relation naming at parse time). Default `execute`. */
  mode?: RenderMode;
}

export interface CompileStats {
  /** Nodes whose refs/sources/configs came from the static parser, without rendering. */
  staticParsed: number;
  /** Nodes rendered with execute=false at parse time. */
  parseRendered: number;
}

const silentLogger: CompileLogger = { info() {}, debug() {}, warn() {} };

/** The Jinja environment templates are parsed and rendered in (the builtin macro index is built with it too). */
export function compilerEnvironment(): Environment {
  return new Environment({ dbtBlocks: true, undefined: 'default', filters: extraFilters, tests: extraTests });
}

/**
 * dbt's compilation: the macro registry, the Jinja context, parse
 * (`execute` false) and compile (`execute` true). One instance per
 * invocation; `parseProject()` once, then `compileNode` per node.
 */
export class Compiler {
  readonly project: Project;
  readonly registry: MacroRegistry;
  readonly stats: CompileStats = { staticParsed: 0, parseRendered: 0 };
  private readonly env: Environment;
  private readonly adapters: Map<string, AdapterDefinition>;
  private readonly services: CompilerServices;
  private deferred: ReadonlyMap<string, DeferredRelation> = new Map();
  private selectedResources: readonly string[] = [];
  private readonly targetPath: string;
  private readonly writeCompiled: boolean;
  private readonly templates = new Map<string, Template>();
  private readonly hookTemplates = new Map<string, Template>();
  private readonly ephemeralCache = new Map<string, { sql: string; ctes: InjectedCte[] }>();
  private readonly inProgress = new Set<string>();
  private graphCache: Record<string, unknown> | undefined;
  private readonly targets = new Map<ProfileOutput, { database: string; schema: string }>();
  private readonly builtinUse = new Map<string, boolean>();
  private readonly vars = new Map<string, unknown>();
  private refIndex: Map<string, ExecutableNode[]> | undefined;

  private constructor(options: CompilerOptions, env: Environment, registry: MacroRegistry) {
    this.project = options.project;
    this.env = env;
    this.registry = registry;
    this.adapters = new Map(options.adapters instanceof Map ? options.adapters : Object.entries(options.adapters));
    const root = this.project.config.rootDir;
    const target = options.targetPath ?? this.project.config.targetPath;
    this.targetPath = isAbsolute(target) ? target : join(root, target);
    this.writeCompiled = options.writeCompiled ?? true;
    this.services = this.makeServices(options);
  }

  static async create(options: CompilerOptions): Promise<Compiler> {
    const env = compilerEnvironment();
    const registry = new MacroRegistry(env, options.project.config.name);
    const builtinIndex = readMacroIndex(builtinMacroIndexPath());
    registry.addFiles(builtinMacroFiles(), true, (file) => indexedMacros(builtinIndex, file));
    const adapters = options.adapters instanceof Map ? [...options.adapters.values()] : Object.values(options.adapters);
    for (const { dir, packageName } of adapterMacroDirs(adapters)) {
      const files = collectFiles(dir, '.sql', packageName);
      registry.addFiles(files.filter((f) => shimNamespaceOf(f.path) === undefined), true);
      for (const file of files) {
        const namespace = shimNamespaceOf(file.path);
        if (namespace !== undefined) registry.addShims(namespace, [{ ...file, packageName: `${packageName}_${namespace}_shim` }]);
      }
    }
    registry.addFiles(projectMacroFiles(options.project));
    const compiler = new Compiler(options, env, registry);
    compiler.collectDocs();
    for (const definition of registry.definitions()) {
      // Schema YAML `macros:` entries document macros: description and arguments.
      const patch = options.project.macroPatches.get(`${definition.package_name}.${definition.name}`);
      if (patch) {
        definition.description = patch.description;
        if (patch.arguments.length > 0) definition.arguments = patch.arguments;
      }
      options.project.macros.set(definition.unique_id, definition);
    }
    return compiler;
  }

  /**
   * dbt's parse: fills every node's refs, sources, depends_on and config
   * (config() calls over YAML over the project tree), drops disabled nodes,
   * and names relations with generate_database/schema/alias_name.
   */
  parseProject(): void {
    parseProjectNodes(this, this.project);
    this.renderDescriptions();
    this.graphCache = undefined;
    this.refIndex = undefined;
  }

  /** The parsed template of a node's raw code (cached). */
  templateOf(node: ExecutableNode): Template {
    let template = this.templates.get(node.unique_id);
    if (!template) {
      try {
        template = parseOrThrow(this.env, node.raw_code, node.original_file_path);
      } catch (error) {
        throw this.located(error, node);
      }
      this.templates.set(node.unique_id, template);
    }
    return template;
  }

  /** Renders a template for a node; errors become DvtErrors with file:line. */
  render(template: Template, options: RenderOptions): { text: string; state: RenderState } {
    const state = new RenderState(this.services, options);
    try {
      const text = template.render(state.lookupFor(state.packageName, true));
      return { text, state };
    } catch (error) {
      throw this.located(error, options.node);
    }
  }

  /** dbt's `flags` of this invocation (WHICH, FULL_REFRESH, WARN_ERROR, ...). */
  get flags(): Readonly<Record<string, unknown>> {
    return this.services.flags;
  }

  /** dbt's compile: the node's SQL with execute=true and ephemeral models inlined. Writes target/compiled/. */
  compileNode(nodeOrId: ExecutableNode | string, runtime: NodeRuntime = {}): CompiledNode {
    const node = typeof nodeOrId === 'string' ? this.node(nodeOrId) : nodeOrId;
    // A seed's raw code is CSV, never Jinja.
    if (node.resource_type === 'seed') return { compiled_code: '', relation: this.relationOf(node), extra_ctes: [] };
    const { sql, ctes } = this.compileSql(node, runtime);
    // Engines without CTEs (MySQL 5.x) get ephemeral models as derived tables.
    const engine = runtime.federated?.adapterType ?? this.services.output(node).type;
    const withoutCtes = ctes.length > 0 && this.adapter(engine).dialect.capabilities.cte === false;
    const assembled = withoutCtes ? inlineAsSubqueries(sql, ctes) : injectCtes(sql, ctes);
    const compiled_code = this.services.flags.EMPTY === true ? yieldToModelAliases(assembled) : assembled;
    if (this.writeCompiled) this.writeCompiledFile(node, compiled_code);
    return { compiled_code, relation: this.relationOf(node), extra_ctes: ctes };
  }

  /**
   * Calls a macro by name as dbt's materializations do, dispatching
   * `<adapter>__name` / `default__name` when no macro has the bare name.
   * Returns the macro's `return()` value as plain JS (dicts become objects),
   * or its rendered text.
   */
  callMacro(name: string, args: readonly unknown[] = [], kwargs: Record<string, unknown> = {}, options: MacroCallOptions = {}): unknown {
    // Plain JS for the caller: Jinja dicts become objects, tuples arrays.
    return toJS(this.macroCaller(options)(name, args, kwargs));
  }

  /**
   * A callMacro bound to one render state: several calls for one node share
   * their context (and its bound macros), as the parse-time naming does.
   */
  macroCaller(options: MacroCallOptions = {}): (name: string, args?: readonly unknown[], kwargs?: Record<string, unknown>) => unknown {
    const state = new RenderState(this.services, { node: options.node, mode: options.mode ?? 'execute', runtime: options.runtime, adapterType: options.adapterType });
    return (name, args = [], kwargs = {}) => {
      const dot = name.indexOf('.');
      const entry =
        dot > 0
          ? this.registry.inPackage(name.slice(0, dot), name.slice(dot + 1))
          : (this.registry.resolve(name, state.packageName) ?? this.dispatchEntry(name, state));
      if (!entry) throw new DvtError('compile', `no macro named '${name}'`);
      try {
        return callJinja(state.macro(entry), [...args], kwargs);
      } catch (error) {
        throw toDvtError(error, entry.definition.original_file_path);
      }
    };
  }

  /** Renders a hook (pre/post-hook, on-run-start/end) with execute=true, for a node when given. */
  renderHook(sql: string, node?: ExecutableNode, runtime: NodeRuntime = {}, locals: Record<string, unknown> = {}): string {
    const file = node?.original_file_path ?? 'dbt_project.yml';
    // A project-wide hook is the same text for every node: parse it once.
    const key = `${file}\u0000${sql}`;
    let template = this.hookTemplates.get(key);
    if (!template) {
      template = parseOrThrow(this.env, sql, file);
      this.hookTemplates.set(key, template);
    }
    return this.render(template, { node, mode: 'execute', runtime, locals }).text;
  }

  /**
   * `--defer`: `ref()` to these nodes reads the relation a previous run built
   * (from the --state manifest) instead of the node's own, which the current
   * target does not have. `deferredInputs` (src/state) decides which.
   */
  deferTo(relations: ReadonlyMap<string, DeferredRelation>): void {
    this.deferred = relations;
  }

  /**
   * dbt's `selected_resources`: the unique_ids the command selected, once
   * selection is final (before that, and in run-operation, an empty list).
   */
  selectResources(ids: readonly string[]): void {
    this.selectedResources = [...ids];
  }

  /** The relation a node materializes as (`this`); ephemeral models are CTE names. */
  relationOf(node: ExecutableNode): Relation {
    const adapterType = this.services.output(node).type;
    const dialect = this.adapter(adapterType).dialect;
    if (node.config.materialized === 'ephemeral' && node.resource_type === 'model') return Relation.ephemeral(dialect, adapterType, node.name);
    const quoting = { ...this.project.config.quoting, ...(node.config.quoting ?? {}) };
    return new Relation(dialect, adapterType, {
      database: node.database,
      schema: node.schema,
      identifier: node.alias,
      type: relationTypeOf(node.config.materialized),
      quotePolicy: quoting,
    });
  }

  /** A source's relation as `adapterType` names it (the engine it is read from, or the cache for a federated node). */
  sourceRelationOf(source: SourceDefinition, adapterType: string): Relation {
    return this.services.sourceRelation(source, adapterType);
  }

  /** The database and schema of the output a node is written to (`target.database` / `target.schema`). */
  targetOf(node: ExecutableNode | undefined): { database: string; schema: string } {
    const output = this.outputOf(node);
    let described = this.targets.get(output);
    if (!described) {
      described = this.adapter(output.type).describeTarget(output.config);
      this.targets.set(output, described);
    }
    return described;
  }

  /**
   * Whether `name` called for `node` lands on the builtin macro and, through
   * dispatch in the `dbt` namespace, on its builtin `default__` version.
   */
  usesBuiltin(name: string, node: ExecutableNode): boolean {
    const adapterType = this.outputOf(node).type;
    const key = `${node.package_name}\u0000${adapterType}\u0000${name}`;
    let answer = this.builtinUse.get(key);
    if (answer === undefined) {
      const entry = this.registry.resolve(name, node.package_name);
      const adapter = this.adapter(adapterType);
      let dispatched;
      try {
        dispatched = this.registry.dispatch(name, 'dbt', [adapter.type, ...(adapter.parentTypes ?? [])], this.project.config.dispatch, node.package_name);
      } catch {
        dispatched = undefined;
      }
      answer =
        entry !== undefined &&
        entry.packageName === BUILTIN_PACKAGE &&
        dispatched !== undefined &&
        dispatched.packageName === BUILTIN_PACKAGE &&
        dispatched.name === `default__${name}`;
      this.builtinUse.set(key, answer);
    }
    return answer;
  }

  node(uniqueId: string): ExecutableNode {
    const node = this.project.nodes.get(uniqueId);
    if (!node) throw new DvtError('usage', `no node with unique_id '${uniqueId}'`);
    return node;
  }

  adapter(type: string): AdapterDefinition {
    const adapter = this.adapters.get(type);
    if (!adapter) throw new DvtError('adapter', `no adapter loaded for type '${type}' (loaded: ${[...this.adapters.keys()].join(', ') || 'none'})`);
    return adapter;
  }

  /** The profile output a node is written to: its `target` config, else the profile's target. */
  outputOf(node: ExecutableNode | undefined): ProfileOutput {
    const profile = this.project.profile;
    const name = typeof node?.config.target === 'string' ? node.config.target : profile.target;
    const output = profile.outputs[name];
    if (!output) {
      const problem = unrenderedOutputReason(profile, name) ?? `target '${name}' is not an output of profile '${profile.name}' (outputs: ${Object.keys(profile.outputs).join(', ')})`;
      throw new DvtError('config', `${node ? `${node.unique_id}: ` : ''}${problem}`, {
        location: node ? { file: node.original_file_path } : undefined,
      });
    }
    return output;
  }

  findRef(call: RefCall, from: ExecutableNode | undefined): ExecutableNode | undefined {
    if (!this.refIndex) {
      this.refIndex = new Map();
      for (const node of this.project.nodes.values()) {
        if (node.resource_type === 'test' || node.resource_type === 'analysis') continue;
        const list = this.refIndex.get(node.name) ?? [];
        list.push(node);
        this.refIndex.set(node.name, list);
      }
    }
    let candidates = this.refIndex.get(call.name) ?? [];
    if (call.package) candidates = candidates.filter((n) => n.package_name === call.package);
    if (call.version !== undefined && call.version !== null) {
      candidates = candidates.filter((n) => String(n.version) === String(call.version));
    } else if (candidates.length > 1) {
      const latest = candidates.filter((n) => n.version === undefined || n.version === null || String(n.version) === String(n.latest_version));
      if (latest.length > 0) candidates = latest;
    }
    if (candidates.length <= 1) return candidates[0];
    // Same name in several packages: the caller's own package, then the root project.
    const own = from ? candidates.find((n) => n.package_name === from.package_name) : undefined;
    return own ?? candidates.find((n) => n.package_name === this.project.config.name) ?? candidates[0];
  }

  findSource(sourceName: string, tableName: string): SourceDefinition | undefined {
    for (const source of this.project.sources.values()) {
      if (source.source_name === sourceName && source.name === tableName) return source;
    }
    return undefined;
  }

  /**
   * The config() calls a generic test's macro makes (dbt_utils' equality
   * sets its fail_calc so), found as dbt does: rendering the test with
   * execute false at parse time.
   */
  testMacroConfigs(node: ExecutableNode): Record<string, unknown>[] {
    const locals = { _dbt_generic_test_kwargs: this.renderTestKwargs(node, 'parse', []) };
    return this.render(this.templateOf(node), { node, mode: 'parse', locals }).state.record.configs;
  }

  private compileSql(node: ExecutableNode, runtime: NodeRuntime): { sql: string; ctes: InjectedCte[] } {
    const locals: Record<string, unknown> = {};
    // A test of an ephemeral model (or comparing with one) reads it through its kwargs: its CTE goes in too.
    const kwargEphemerals: string[] = [];
    if (node.test_metadata) locals._dbt_generic_test_kwargs = this.renderTestKwargs(node, 'execute', kwargEphemerals);
    const { text, state } = this.render(this.templateOf(node), { node, mode: 'execute', runtime, locals });
    const ephemerals = [...new Set([...kwargEphemerals, ...state.record.ephemerals])];
    const chains = ephemerals.map((id) => this.compileEphemeral(id, node, runtime));
    return { sql: text, ctes: mergeCtes(...chains) };
  }

  /** An ephemeral model's own SQL plus the CTEs it needs, dependencies first. */
  private compileEphemeral(uniqueId: string, from: ExecutableNode, runtime: NodeRuntime): InjectedCte[] {
    const ephemeral = this.node(uniqueId);
    const { federated, unitTest } = runtime;
    // A federated node's ephemerals read the same copies it does, a unit test's its given rows and overrides: compiled for it alone, never cached.
    const own = federated !== undefined || unitTest !== undefined;
    let compiled = own ? undefined : this.ephemeralCache.get(uniqueId);
    if (!compiled) {
      if (this.inProgress.has(uniqueId)) {
        throw new DvtError('compile', `ephemeral models reference each other in a cycle through '${uniqueId}'`, { location: { file: from.original_file_path } });
      }
      this.inProgress.add(uniqueId);
      try {
        compiled = this.compileSql(ephemeral, {
          ...(federated ? { federated: { adapterType: federated.adapterType, relationFor: federated.relationFor } } : {}),
          ...(unitTest ? { unitTest } : {}),
        });
      } finally {
        this.inProgress.delete(uniqueId);
      }
      if (!own) this.ephemeralCache.set(uniqueId, compiled);
    }
    return [...compiled.ctes, { id: Relation.addEphemeralPrefix(ephemeral.name), sql: compiled.sql }];
  }

  /**
   * dbt's test kwargs: strings are rendered natively (so `ref('x')` becomes a
   * relation, `{{ get_where_subquery(...) }}` the filtered model), except
   * `column_name`, which stays text. The ephemeral models they read are
   * added to `ephemerals`.
   */
  private renderTestKwargs(node: ExecutableNode, mode: RenderMode, ephemerals: string[]): Record<string, unknown> {
    const kwargs = node.test_metadata?.kwargs ?? {};
    const functionLike = /^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$/s;
    const renderValue = (value: unknown, topKey?: string): unknown => {
      if (typeof value === 'string') {
        if (topKey === 'column_name') return value;
        const source = functionLike.test(value) ? `{{ ${value} }}` : value;
        if (!source.includes('{{') && !source.includes('{%')) return value;
        const template = parseOrThrow(this.env, source, node.original_file_path);
        const state = new RenderState(this.services, { node, mode });
        try {
          return template.renderNative(state.lookupFor(state.packageName));
        } catch (error) {
          throw toDvtError(error, node.original_file_path);
        } finally {
          ephemerals.push(...state.record.ephemerals);
        }
      }
      if (Array.isArray(value)) return value.map((v) => renderValue(v));
      if (value && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v)]));
      }
      return value;
    };
    return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, renderValue(v, k)]));
  }

  /**
   * A template error as a DvtError. A snapshot's code is the body of its
   * `{% snapshot %}` block, so its lines are shifted to the file's.
   */
  private located(error: unknown, node: ExecutableNode | undefined): unknown {
    const converted = toDvtError(error, node?.original_file_path);
    const line = isDvtError(converted) ? converted.location?.line : undefined;
    if (!node || node.resource_type !== 'snapshot' || !isDvtError(converted) || line === undefined || converted.location?.file !== node.original_file_path) return converted;
    const offset = this.snapshotOffset(node);
    if (offset === 0) return converted;
    const excerpt = converted.excerpt?.replace(/^\s*\d+ \|/, `${String(line + offset).padStart(4)} |`);
    return new DvtError(converted.kind, converted.message, { location: { file: node.original_file_path, line: line + offset }, excerpt, cause: converted.cause });
  }

  /** A line of a node's raw code as a line of its file (snapshot bodies start inside the file). */
  fileLine(node: ExecutableNode, line: number | undefined): number | undefined {
    return line === undefined || node.resource_type !== 'snapshot' ? line : line + this.snapshotOffset(node);
  }

  private snapshotOffset(node: ExecutableNode): number {
    let text: string;
    try {
      text = readFileSync(join(node.root_path, node.original_file_path), 'utf8');
    } catch {
      return 0;
    }
    const tag = new RegExp(`\\{%-?\\s*snapshot\\s+${node.name}\\s*-?%\\}`).exec(text);
    return tag ? text.slice(0, tag.index).split('\n').length - 1 : 0;
  }

  private dispatchEntry(name: string, state: RenderState) {
    const adapter = this.adapter(state.adapterType);
    return this.registry.dispatch(name, null, [adapter.type, ...(adapter.parentTypes ?? [])], this.project.config.dispatch, state.packageName);
  }

  private writeCompiledFile(node: ExecutableNode, sql: string): void {
    // Generic tests live in a YAML file: dbt writes them under `<yaml path>/<test name>.sql`.
    const relative = /\.ya?ml$/.test(node.original_file_path) ? `${node.original_file_path}/${node.path}` : node.original_file_path;
    const file = join(this.targetPath, 'compiled', node.package_name, relative);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, sql);
  }

  private collectDocs(): void {
    for (const file of this.project.docFiles) {
      for (const block of docsBlocks(file.contents, file.path)) {
        const uniqueId = `doc.${file.package}.${block.name}`;
        const existing = this.project.docs.get(uniqueId);
        if (existing) {
          throw new DvtError('compile', `two docs blocks named '${block.name}' in package '${file.package}': ${existing.original_file_path} and ${file.path}`, {
            location: { file: file.path, line: block.line },
          });
        }
        this.project.docs.set(uniqueId, {
          unique_id: uniqueId,
          name: block.name,
          package_name: file.package,
          original_file_path: file.path,
          block_contents: block.contents.trim(),
        });
      }
    }
  }

  /** `{{ doc('name') }}` in node, column and source descriptions. */
  private renderDescriptions(): void {
    const render = (text: string, packageName: string, file: string): string => {
      if (!text.includes('{{')) return text;
      const doc = (...args: unknown[]): string => {
        const [first, second] = args.map(String);
        const [pkg, name] = second === undefined ? [undefined, first] : [first, second];
        const found =
          this.project.docs.get(`doc.${pkg ?? packageName}.${name}`) ??
          (pkg ? undefined : [...this.project.docs.values()].find((d) => d.name === name));
        if (!found) throw new DvtError('compile', `documentation for '${name}' not found (no {% docs ${name} %} block)`);
        return found.block_contents;
      };
      const template = parseOrThrow(this.env, text, file);
      try {
        return template.render({ doc });
      } catch (error) {
        throw toDvtError(error, file);
      }
    };
    const documented = [...this.project.nodes.values(), ...this.project.sources.values()];
    for (const item of documented) {
      const file = item.patch_path?.replace(/^[^:]+:\/\//, '') ?? item.original_file_path;
      item.description = render(item.description, item.package_name, file);
      for (const column of Object.values(item.columns)) column.description = render(column.description, item.package_name, file);
    }
  }

  private makeServices(options: CompilerOptions): CompilerServices {
    const project = this.project;
    return {
      project,
      registry: this.registry,
      flags: { FULL_REFRESH: false, STORE_FAILURES: false, EMPTY: false, WHICH: 'compile', ...options.flags },
      env: options.env ?? process.env,
      invocationId: options.invocationId ?? randomUUID(),
      runStartedAt: options.runStartedAt ?? new Date(),
      logger: options.logger ?? silentLogger,
      adapter: (type) => this.adapter(type),
      output: (node) => this.outputOf(node),
      lookupVar: (name, packageName) => {
        // Vars are fixed for an invocation, and the same few are read by every node.
        const key = `${packageName}\u0000${name}`;
        if (!this.vars.has(key)) this.vars.set(key, project.lookupVar(packageName, name));
        return this.vars.get(key);
      },
      findRef: (call, from) => this.findRef(call, from),
      findSource: (s, t) => this.findSource(s, t),
      relationOf: (node) => this.relationOf(node),
      deferredRelation: (node) => {
        const to = this.deferred.get(node.unique_id);
        return to ? this.relationOf(node).incorporate({ path: { database: to.database, schema: to.schema, identifier: to.identifier } }) : undefined;
      },
      sourceRelation: (source, adapterType) =>
        new Relation(this.adapter(adapterType).dialect, adapterType, {
          database: source.database,
          schema: source.schema,
          identifier: source.identifier,
          type: 'table',
          quotePolicy: { ...project.config.quoting, ...(source.quoting ?? {}) },
        }),
      graph: () => (this.graphCache ??= buildGraph(project)),
      selectedResources: () => this.selectedResources,
      parseTemplate: (source, file) => parseOrThrow(this.env, source, file),
      database: options.database,
    };
  }
}

function relationTypeOf(materialized: string): 'table' | 'view' | null {
  if (materialized === 'view') return 'view';
  if (materialized === 'table' || materialized === 'incremental' || materialized === 'seed' || materialized === 'snapshot') return 'table';
  return null;
}

function projectMacroFiles(project: Project): JinjaFile[] {
  const roots = new Map(project.packages.map((p) => [p.name, p.rootDir]));
  return project.macroFiles.map((f) => ({ path: f.path, packageName: f.package, rootPath: roots.get(f.package) ?? project.config.rootDir, contents: f.contents }));
}
