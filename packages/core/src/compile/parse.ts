import { pyStr } from '@dvt/jinja';
import { DvtError } from '../errors.js';
import { mergeConfig, withoutAppendingKeys } from '../project/config.js';
import type { ExecutableNode, MacroDefinition, NodeConfig, Project, RefCall } from '../project/types.js';
import { BUILTIN_PACKAGE } from './macros.js';
import type { Compiler } from './compiler.js';

/** What parsing one node found in its code. */
interface Found {
  refs: RefCall[];
  sources: [string, string][];
  configs: Record<string, unknown>[];
  macros: string[];
}

/**
 * dbt's parse over every node: find refs, sources and config() calls (the
 * static parser when the template is simple, a render with execute=false
 * otherwise), merge configs, drop disabled nodes, resolve dependencies and
 * name each node's relation.
 */
export function parseProjectNodes(compiler: Compiler, project: Project): void {
  for (const node of project.nodes.values()) {
    if (node.resource_type === 'seed') continue;
    if (node.test_metadata) {
      const { test, where } = genericTestMacros(compiler, node);
      node.depends_on = { ...node.depends_on, macros: [test, where].filter((m) => m !== undefined).map((m) => m.unique_id) };
      // dbt's own generic tests set no config; a package's may (fail_calc, severity, ...).
      if (test !== undefined && test.package_name !== BUILTIN_PACKAGE) applyTestMacroConfigs(compiler, node);
      continue;
    }
    const found = findCalls(compiler, node);
    node.refs = found.refs;
    node.sources = found.sources;
    node.depends_on = { ...node.depends_on, macros: found.macros };
    for (const layer of found.configs) node.config = mergeConfig(node.config, layer) as NodeConfig;
    node.tags = [...node.config.tags];
    node.meta = { ...node.config.meta };
  }

  // Disabled nodes leave the graph; the manifest lists them under `disabled`.
  const disabled = (project.disabled ??= new Map<string, ExecutableNode>());
  for (const [id, node] of project.nodes) {
    if (node.config.enabled === false) {
      disabled.set(id, node);
      project.nodes.delete(id);
    }
  }

  for (const [id, node] of [...project.nodes]) {
    if (!resolveDependencies(compiler, project, node, disabled)) {
      disabled.set(id, node);
      project.nodes.delete(id);
    }
  }

  for (const node of project.nodes.values()) nameRelation(compiler, node);
}

function findCalls(compiler: Compiler, node: ExecutableNode): Found {
  const template = compiler.templateOf(node);
  const analysis = template.staticAnalysis();
  if (analysis.simple && !overridesCalls(compiler, node)) {
    compiler.stats.staticParsed++;
    return {
      refs: analysis.refs.map((r) => ({ name: r.name, ...(r.package ? { package: r.package } : {}), ...(r.version !== undefined && r.version !== null ? { version: r.version } : {}) })),
      sources: analysis.sources.map(([s, t]) => [s, t] as [string, string]),
      configs: analysis.configs,
      macros: [],
    };
  }
  compiler.stats.parseRendered++;
  const { state } = compiler.render(template, { node, mode: 'parse' });
  return state.record;
}

/** A project macro named ref, source or config changes what those calls do: render them. */
function overridesCalls(compiler: Compiler, node: ExecutableNode): boolean {
  return ['ref', 'source', 'config'].some((name) => compiler.registry.resolveLocal(name, node.package_name) !== undefined);
}

/** config() calls in a generic test's macro, under the config its YAML entry sets. */
function applyTestMacroConfigs(compiler: Compiler, node: ExecutableNode): void {
  const calls = compiler.testMacroConfigs(node);
  if (calls.length === 0) return;
  let config = node.config;
  for (const layer of calls) config = mergeConfig(config, layer);
  // Tags and hooks append when merged, and the entry's are in the config already.
  node.config = mergeConfig(config, withoutAppendingKeys(node.test_entry_config ?? {}));
}

/** A generic test depends on its test macro and on get_where_subquery, as in dbt's manifest. */
function genericTestMacros(compiler: Compiler, node: ExecutableNode): { test?: MacroDefinition; where?: MacroDefinition } {
  const meta = node.test_metadata!;
  const name = `test_${meta.name}`;
  const entry = meta.namespace ? compiler.registry.inPackage(meta.namespace, name) : compiler.registry.resolve(name, node.package_name);
  const where = compiler.registry.resolve('get_where_subquery', node.package_name);
  return { test: entry?.definition, where: where?.definition };
}

/** Fills depends_on.nodes; false when the node must leave the graph (a test of a disabled node). */
function resolveDependencies(compiler: Compiler, project: Project, node: ExecutableNode, disabled: ReadonlyMap<string, ExecutableNode>): boolean {
  const nodes: string[] = [];
  for (const ref of node.refs) {
    const target = compiler.findRef(ref, node);
    if (target) {
      if (!nodes.includes(target.unique_id)) nodes.push(target.unique_id);
      continue;
    }
    const wasDisabled = [...disabled.values()].some((d) => d.name === ref.name && (!ref.package || d.package_name === ref.package));
    if (wasDisabled && node.resource_type === 'test') return false;
    const label = `${ref.package ? `${ref.package}.` : ''}${ref.name}`;
    const version = ref.version !== undefined && ref.version !== null ? ` (version ${String(ref.version)})` : '';
    throw new DvtError(
      'compile',
      `${describe(node)} depends on a node named '${label}'${version} which ${wasDisabled ? 'is disabled' : 'was not found'}`,
      { location: { file: node.original_file_path, line: compiler.fileLine(node, lineOfCall(node, 'ref', ref.name)) } },
    );
  }
  for (const [sourceName, tableName] of node.sources) {
    const source = compiler.findSource(sourceName, tableName);
    if (!source) {
      throw new DvtError('compile', `${describe(node)} depends on a source named '${sourceName}.${tableName}' which was not found`, {
        location: { file: node.original_file_path, line: compiler.fileLine(node, lineOfCall(node, 'source', tableName)) },
      });
    }
    if (!nodes.includes(source.unique_id)) nodes.push(source.unique_id);
  }
  node.depends_on = { ...node.depends_on, nodes };
  return true;
}

function describe(node: ExecutableNode): string {
  const kind = node.resource_type.charAt(0).toUpperCase() + node.resource_type.slice(1);
  return `${kind} '${node.unique_id}' (${node.original_file_path})`;
}

/** The line of the first `ref(... 'name' ...)` in the node's code; YAML nodes answer their own line. */
function lineOfCall(node: ExecutableNode, fn: string, name: string): number | undefined {
  if (node.test_metadata) return node.line;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`\\b${fn}\\s*\\([^)]*['"]${escaped}['"]`);
  const lines = node.raw_code.split('\n');
  const index = lines.findIndex((line) => pattern.test(line));
  if (index >= 0) return index + 1;
  const anywhere = pattern.exec(node.raw_code);
  return anywhere ? node.raw_code.slice(0, anywhere.index).split('\n').length : node.line;
}

/** database / schema / alias through the (overridable) generate_*_name macros. */
function nameRelation(compiler: Compiler, node: ExecutableNode): void {
  const config = node.config;
  const snapshotTarget = node.resource_type === 'snapshot';
  let callMacro: ReturnType<Compiler['macroCaller']> | undefined;
  const nodeArg = { ...node };
  const call = (macro: NamingMacro, custom: unknown): string | null => {
    const custom_ = custom === undefined ? null : custom;
    if (compiler.usesBuiltin(macro, node)) return builtinName(compiler, macro, custom_, node);
    callMacro ??= compiler.macroCaller({ node, mode: 'parse' });
    const value = callMacro(macro, [custom_, nodeArg]);
    if (value === null || value === undefined) return null;
    const text = pyStr(value).trim();
    return text === '' || text === 'None' ? null : text;
  };
  const database = snapshotTarget && typeof config.target_database === 'string' ? config.target_database : call('generate_database_name', config.database);
  if (database !== null) node.database = database;
  node.schema = (snapshotTarget && typeof config.target_schema === 'string' ? config.target_schema : call('generate_schema_name', config.schema)) ?? node.schema;
  node.alias = call('generate_alias_name', config.alias) ?? node.name;
}

export type NamingMacro = 'generate_database_name' | 'generate_schema_name' | 'generate_alias_name';

/**
 * What the builtin naming macros (macros/naming/*.sql) return, computed
 * without rendering: naming runs three times per node at parse, and most
 * projects override none of them. A test checks both agree.
 */
export function builtinName(compiler: Compiler, macro: NamingMacro, custom: unknown, node: ExecutableNode): string | null {
  const target = compiler.targetOf(node);
  const trimmed = typeof custom === 'string' ? custom.trim() : custom === null ? null : pyStr(custom).trim();
  switch (macro) {
    case 'generate_database_name':
      return trimmed === null ? target.database : trimmed;
    case 'generate_schema_name':
      return trimmed === null ? target.schema : `${target.schema}_${trimmed}`;
    case 'generate_alias_name':
      if (custom) return trimmed;
      if (node.version !== undefined && node.version !== null && node.version !== '') return `${node.name}_v${pyStr(node.version).replace(/\./g, '_')}`;
      return node.name;
  }
}
