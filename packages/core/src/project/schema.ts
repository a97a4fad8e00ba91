import { mergeFreshness } from '../freshness/criteria.js';
import { DvtError } from '../errors.js';
import { configFromTree, mergeConfig, misspelledConfigKeys, resolveConfig, treeKindOf } from './config.js';
import { folderParts } from './discover.js';
import { buildGenericTest, literalCalls } from './tests.js';
import type { GenericTestSite, TestTarget } from './tests.js';
import type { ColumnInfo, ExecutableNode, Exposure, MacroPatch, ProjectConfig, ProjectWarning, SourceDefinition } from './types.js';
import { defineUnitTests } from './unit-tests.js';
import type { UnitTestDefinition } from './unit-tests.js';
import type { YamlFile } from './yaml.js';
import { isRecord } from './yaml.js';

/**
 * Applies one schema YAML file (version 2 properties) to the loaded nodes:
 * patches models/seeds/snapshots/analyses, defines sources, exposures and
 * macro descriptions, and turns every generic test entry into a test node.
 */

const TOP_KEYS = new Set([
  'version', 'models', 'seeds', 'snapshots', 'analyses', 'sources', 'macros', 'exposures', 'metrics', 'groups',
  'semantic_models', 'saved_queries', 'unit_tests', 'data_tests', 'functions',
]);
/** Known to dbt, not built by dvt yet: said once per file rather than silently dropped. */
const UNSUPPORTED_KEYS = new Set(['metrics', 'groups', 'semantic_models', 'saved_queries', 'functions']);
const PATCH_KEYS = new Set([
  'name', 'description', 'config', 'meta', 'tags', 'docs', 'columns', 'data_tests', 'tests', 'access', 'group',
  'latest_version', 'versions', 'constraints', 'deprecation_date', 'time_spine', 'quote_columns', 'column_types', 'relation',
]);
const SKIP_RENDER = new Set(['description', 'data_tests', 'tests', 'pre-hook', 'post-hook', 'pre_hook', 'post_hook', '+pre-hook', '+post-hook']);

/** dbt leaves descriptions (doc() calls), test arguments and hooks for the compiler. */
export function skipSchemaRender(path: readonly string[]): boolean {
  // Semantic-layer YAML holds MetricFlow's own Jinja (`{{ Dimension('x') }}`), and unknown keys are ignored: neither renders.
  if (path.length === 1 && (UNSUPPORTED_KEYS.has(path[0]!) || !TOP_KEYS.has(path[0]!))) return true;
  return SKIP_RENDER.has(path[path.length - 1] ?? '');
}

export interface SchemaContext {
  packageName: string;
  rootPath: string;
  project: ProjectConfig;
  /** Resource path the file sits under (`models`), to derive fqn folders. */
  resourcePath: string;
  defaultDatabase: string;
  defaultSchema: string;
  /** dbt features dvt does not build yet, by YAML key: where first seen and in how many files (one warning each). */
  unsupported: Map<string, { location: { file: string; line?: number }; files: number }>;
  /** Names of the profile's outputs: what a source's `connection:` may name. */
  outputs: readonly string[];
  /** Why a name is not among them although profiles.yml has it (it did not render). */
  outputProblem?: (name: string) => string | undefined;
  /** The database an output points at: where a source on that connection lives unless its YAML names one. */
  databaseOf(output: string): string;
  nodes: Map<string, ExecutableNode>;
  sources: Map<string, SourceDefinition>;
  exposures: Map<string, Exposure>;
  unitTests: Map<string, UnitTestDefinition>;
  /** The package's own dbt_project.yml (test-paths for unit test fixture files). */
  packageConfig: ProjectConfig;
  macroPatches: Map<string, MacroPatch>;
  warnings: ProjectWarning[];
  /** unique_id -> file that patched it, to refuse a second patch. */
  patchedBy: Map<string, string>;
  /** Renders a generic test entry's config (at `line`) with the file's context; test arguments wait for the compiler. */
  renderTestConfig?: (config: Record<string, unknown>, line: number | undefined) => Record<string, unknown>;
  /** Adds a snapshot defined only in YAML (`relation:`), as if read from `file`. */
  addYamlSnapshot(name: string, rawCode: string, file: string): void;
}

export function applySchemaFile(source: YamlFile, ctx: SchemaContext): void {
  const doc = source.value;
  const file = source.file;
  if (doc === null || doc === undefined) return;
  if (!isRecord(doc)) throw new DvtError('config', 'a schema YAML file must be a mapping', { location: { file, line: 1 } });
  const at = (container: unknown, key?: string | number) => ({ file, line: source.lineOf(container, key) });
  // dbt 1.5 made `version:` optional (dbt-labs' own jaffle-shop omits it); a wrong one is still an error.
  if (doc.version !== undefined && Number(doc.version) !== 2) {
    throw new DvtError('config', `schema YAML version ${String(doc.version)} is not supported; use 'version: 2'`, { location: at(doc, 'version') });
  }
  for (const key of Object.keys(doc)) {
    if (!TOP_KEYS.has(key)) ctx.warnings.push({ message: `Unknown top-level key '${key}' in schema YAML is ignored`, location: at(doc, key) });
    else if (UNSUPPORTED_KEYS.has(key)) {
      const seen = ctx.unsupported.get(key);
      if (seen) seen.files += 1;
      else ctx.unsupported.set(key, { location: at(doc, key), files: 1 });
    }
  }
  const relative = file.startsWith(`${ctx.resourcePath}/`) ? file.slice(ctx.resourcePath.length + 1) : file;
  const folders = folderParts(relative);

  const list = (key: string): unknown[] => {
    const value = doc[key];
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) throw new DvtError('config', `'${key}' must be a list`, { location: at(doc, key) });
    return value;
  };

  for (const key of ['models', 'seeds', 'snapshots', 'analyses'] as const) {
    const resourceType = key === 'models' ? 'model' : key === 'seeds' ? 'seed' : key === 'snapshots' ? 'snapshot' : 'analysis';
    const entries = list(key);
    entries.forEach((entry, index) => patchNode(source, entries, index, entry, key, resourceType, folders, ctx));
  }
  const sources = list('sources');
  sources.forEach((entry, index) => defineSource(source, sources, index, entry, folders, ctx));
  const macros = list('macros');
  macros.forEach((entry, index) => {
    if (!isRecord(entry) || typeof entry.name !== 'string') throw new DvtError('config', "each 'macros' entry needs a name", { location: at(macros, index) });
    ctx.macroPatches.set(`${ctx.packageName}.${entry.name}`, {
      name: entry.name,
      package_name: ctx.packageName,
      description: String(entry.description ?? ''),
      arguments: Array.isArray(entry.arguments)
        ? entry.arguments.filter(isRecord).map((a) => ({ name: String(a.name), type: a.type == null ? null : String(a.type), description: String(a.description ?? '') }))
        : [],
      meta: isRecord(entry.meta) ? entry.meta : {},
      docs: { show: isRecord(entry.docs) && entry.docs.show === false ? false : true },
      patch_path: `${ctx.packageName}://${file}`,
    });
  });
  const exposures = list('exposures');
  exposures.forEach((entry, index) => defineExposure(source, exposures, index, entry, folders, ctx));
  defineUnitTests(list('unit_tests'), {
    source, packageName: ctx.packageName, rootPath: ctx.rootPath, project: ctx.project, packageConfig: ctx.packageConfig, folders, path: relative,
    unitTests: ctx.unitTests, warnings: ctx.warnings,
  });
}

function columnsOf(source: YamlFile, owner: Record<string, unknown>): { columns: Record<string, ColumnInfo>; raw: Record<string, unknown>[] } {
  const value = owner.columns;
  if (value === undefined || value === null) return { columns: {}, raw: [] };
  if (!Array.isArray(value)) throw new DvtError('config', "'columns' must be a list", { location: { file: source.file, line: source.lineOf(owner, 'columns') } });
  const columns: Record<string, ColumnInfo> = {};
  const raw: Record<string, unknown>[] = [];
  value.forEach((column, index) => {
    if (!isRecord(column) || column.name === undefined || column.name === null) {
      throw new DvtError('config', 'each column needs a name', { location: { file: source.file, line: source.lineOf(value, index) } });
    }
    const name = String(column.name);
    const config = isRecord(column.config) ? column.config : {};
    columns[name] = {
      name,
      description: String(column.description ?? ''),
      meta: { ...(isRecord(column.meta) ? column.meta : {}), ...(isRecord(config.meta) ? config.meta : {}) },
      data_type: column.data_type == null ? null : String(column.data_type),
      constraints: Array.isArray(column.constraints) ? column.constraints : [],
      quote: typeof column.quote === 'boolean' ? column.quote : null,
      tags: [...stringList(column.tags), ...stringList(config.tags)],
    };
    raw.push(column);
  });
  return { columns, raw };
}

function stringList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

function testsOf(source: YamlFile, entry: Record<string, unknown>): { key: string; tests: unknown[] } | undefined {
  if (entry.data_tests !== undefined && entry.tests !== undefined) {
    throw new DvtError('config', "'tests' and 'data_tests' cannot both be given; 'data_tests' is the current name", {
      location: { file: source.file, line: source.lineOf(entry, 'tests') },
    });
  }
  for (const key of ['data_tests', 'tests']) {
    const tests = entry[key];
    if (tests === undefined || tests === null) continue;
    if (!Array.isArray(tests)) throw new DvtError('config', `'${key}' must be a list`, { location: { file: source.file, line: source.lineOf(entry, key) } });
    return { key, tests };
  }
  return undefined;
}

function addTests(
  source: YamlFile,
  owner: Record<string, unknown>,
  siteBase: Omit<GenericTestSite, 'line' | 'columnName' | 'inheritedTags'>,
  columnName: string | null,
  inheritedTags: string[],
  ctx: SchemaContext,
): void {
  const found = testsOf(source, owner);
  if (!found) return;
  found.tests.forEach((test, index) => {
    const node = buildGenericTest(test, { ...siteBase, line: source.lineOf(found.tests, index), columnName, inheritedTags, renderConfig: ctx.renderTestConfig });
    if (ctx.nodes.has(node.unique_id)) {
      throw new DvtError('config', `test '${node.name}' is defined twice with the same arguments`, { location: { file: source.file, line: node.line } });
    }
    ctx.nodes.set(node.unique_id, node);
  });
}

function patchNode(
  source: YamlFile,
  entries: unknown[],
  index: number,
  entry: unknown,
  yamlKey: 'models' | 'seeds' | 'snapshots' | 'analyses',
  resourceType: ExecutableNode['resource_type'],
  folders: string[],
  ctx: SchemaContext,
): void {
  const file = source.file;
  const line = source.lineOf(entries, index);
  if (!isRecord(entry) || typeof entry.name !== 'string') {
    throw new DvtError('config', `each '${yamlKey}' entry needs a 'name'`, { location: { file, line } });
  }
  for (const key of Object.keys(entry)) {
    if (!PATCH_KEYS.has(key)) ctx.warnings.push({ message: `Unknown property '${key}' of ${resourceType} '${entry.name}' is ignored`, location: { file, line: source.lineOf(entry, key) } });
  }
  if (resourceType === 'snapshot' && entry.relation !== undefined && !ctx.nodes.has(`snapshot.${ctx.packageName}.${entry.name}`)) {
    // dbt 1.9 snapshots: the YAML names the relation to snapshot, no SQL file.
    if (typeof entry.relation !== 'string' || !/^\s*(ref|source)\(/.test(entry.relation)) {
      throw new DvtError('config', `'relation' of snapshot '${entry.name}' must be ref('...') or source('...', '...')`, { location: { file, line: source.lineOf(entry, 'relation') } });
    }
    ctx.addYamlSnapshot(entry.name, `select * from {{ ${entry.relation.trim()} }}`, file);
  }
  if (resourceType === 'model' && entry.versions !== undefined) {
    patchVersions(source, entry, line, folders, ctx);
    return;
  }
  const node = claimNode(`${resourceType}.${ctx.packageName}.${entry.name}`, resourceType, entry.name, source, line, ctx);
  if (node) applyPatch(source, node, entry, undefined, yamlKey, folders, ctx);
}

function claimNode(uniqueId: string, resourceType: string, label: string, source: YamlFile, line: number | undefined, ctx: SchemaContext): ExecutableNode | undefined {
  const file = source.file;
  const node = ctx.nodes.get(uniqueId);
  if (!node) {
    ctx.warnings.push({
      message: `${file} describes ${resourceType} '${label}', but no such ${resourceType} exists in package '${ctx.packageName}'`,
      location: { file, line },
    });
    return undefined;
  }
  const previous = ctx.patchedBy.get(uniqueId);
  if (previous) {
    throw new DvtError('config', `${resourceType} '${label}' is described twice: in ${previous} and here`, { location: { file, line } });
  }
  ctx.patchedBy.set(uniqueId, `${file}:${line ?? '?'}`);
  return node;
}

/**
 * `versions:` of a model: each `v` is built from `<name>_v<v>.sql` (or the
 * file named by `defined_in`), and becomes `model.<pkg>.<name>.v<v>` with
 * `version`/`latest_version` set; the latest may also live in `<name>.sql`.
 */
function patchVersions(source: YamlFile, entry: Record<string, unknown>, line: number | undefined, folders: string[], ctx: SchemaContext): void {
  const file = source.file;
  const name = entry.name as string;
  const versions = entry.versions;
  if (!Array.isArray(versions) || versions.length === 0) {
    throw new DvtError('config', `'versions' of model '${name}' must be a non-empty list`, { location: { file, line: source.lineOf(entry, 'versions') } });
  }
  const numbers = versions.map((v, i) => {
    if (!isRecord(v) || v.v === undefined || v.v === null) {
      throw new DvtError('config', `each version of model '${name}' needs 'v'`, { location: { file, line: source.lineOf(versions, i) } });
    }
    return v.v as string | number;
  });
  const latest = (entry.latest_version as string | number | undefined) ?? [...numbers].sort((a, b) => (Number(a) > Number(b) ? 1 : -1)).pop()!;
  versions.forEach((version, i) => {
    const v = numbers[i]!;
    const versionEntry = version as Record<string, unknown>;
    const versionLine = source.lineOf(versions, i);
    const definedIn = typeof versionEntry.defined_in === 'string' ? versionEntry.defined_in : `${name}_v${v}`;
    let fileId = `model.${ctx.packageName}.${definedIn}`;
    if (!ctx.nodes.has(fileId) && String(v) === String(latest) && versionEntry.defined_in === undefined) fileId = `model.${ctx.packageName}.${name}`;
    const node = claimNode(fileId, 'model', `${name}' version '${v}`, source, versionLine, ctx);
    if (!node) return;
    ctx.nodes.delete(fileId);
    node.unique_id = `model.${ctx.packageName}.${name}.v${v}`;
    node.name = name;
    node.version = v;
    node.latest_version = latest;
    node.fqn = [...node.fqn.slice(0, -1), name, `v${v}`];
    if (!node.config.alias) node.alias = `${name}_v${v}`;
    ctx.nodes.set(node.unique_id, node);
    applyPatch(source, node, entry, versionEntry, 'models', folders, ctx);
  });
}

function applyPatch(
  source: YamlFile,
  node: ExecutableNode,
  entry: Record<string, unknown>,
  versionEntry: Record<string, unknown> | undefined,
  yamlKey: string,
  folders: string[],
  ctx: SchemaContext,
): void {
  const file = source.file;
  const patchConfig: Record<string, unknown> = {};
  for (const layer of versionEntry ? [entry, versionEntry] : [entry]) {
    if (layer.tags !== undefined) Object.assign(patchConfig, mergeConfig(patchConfig, { tags: stringList(layer.tags) }));
    if (isRecord(layer.meta)) Object.assign(patchConfig, mergeConfig(patchConfig, { meta: layer.meta }));
    if (isRecord(layer.docs)) Object.assign(patchConfig, mergeConfig(patchConfig, { docs: layer.docs }));
    if (layer.config !== undefined) {
      if (!isRecord(layer.config)) throw new DvtError('config', `'config' of '${entry.name}' must be a mapping`, { location: { file, line: source.lineOf(layer, 'config') } });
      for (const [[key], known] of misspelledConfigKeys(treeKindOf(node.resource_type), layer.config)) {
        ctx.warnings.push({ message: `'${key}' in the config of '${entry.name}' is not a dbt config; did you mean '${known}'?`, location: { file, line: source.lineOf(layer.config, key!) } });
      }
      Object.assign(patchConfig, mergeConfig(patchConfig, layer.config));
    }
  }
  node.config = mergeConfig(node.config, patchConfig);
  node.tags = [...node.config.tags];
  node.meta = node.config.meta;
  if (typeof node.config.alias === 'string' && node.config.alias) node.alias = node.config.alias;
  node.description = String(versionEntry?.description ?? entry.description ?? '');
  node.patch_path = `${ctx.packageName}://${file}`;
  const base = columnsOf(source, entry);
  let columns = base.columns;
  let raw = base.raw;
  if (versionEntry) [columns, raw] = versionColumns(source, versionEntry, base.columns, base.raw);
  node.columns = columns;
  const modelConstraints = versionEntry?.constraints ?? entry.constraints;
  if (Array.isArray(modelConstraints)) node.constraints = modelConstraints;
  if (!versionEntry && entry.latest_version !== undefined) node.latest_version = entry.latest_version as string | number;

  const target: TestTarget = { yamlKey, name: node.name, uniqueId: node.unique_id, version: node.version ?? null };
  const siteBase = {
    packageName: ctx.packageName, rootPath: ctx.rootPath, originalFilePath: file, folders, target, project: ctx.project,
    defaultDatabase: ctx.defaultDatabase, defaultSchema: ctx.defaultSchema,
  };
  addTests(source, entry, siteBase, null, [], ctx);
  if (versionEntry) addTests(source, versionEntry, siteBase, null, [], ctx);
  for (const column of raw) addTests(source, column, siteBase, String(column.name), columns[String(column.name)]!.tags, ctx);
}

/** A version's columns: the model's, filtered by `include`/`exclude`, then the version's own. */
function versionColumns(
  source: YamlFile,
  versionEntry: Record<string, unknown>,
  baseColumns: Record<string, ColumnInfo>,
  baseRaw: Record<string, unknown>[],
): [Record<string, ColumnInfo>, Record<string, unknown>[]] {
  const items = Array.isArray(versionEntry.columns) ? versionEntry.columns : [];
  let keep = new Set(Object.keys(baseColumns));
  const own: unknown[] = [];
  for (const item of items) {
    if (isRecord(item) && (item.include !== undefined || item.exclude !== undefined)) {
      if (item.include !== undefined && item.include !== 'all' && item.include !== '*') keep = new Set(stringList(item.include));
      for (const name of stringList(item.exclude)) keep.delete(name);
    } else own.push(item);
  }
  const versioned = columnsOf(source, { columns: own });
  const columns: Record<string, ColumnInfo> = {};
  for (const [name, info] of Object.entries(baseColumns)) if (keep.has(name)) columns[name] = info;
  Object.assign(columns, versioned.columns);
  const raw = [...baseRaw.filter((c) => keep.has(String(c.name)) && !(String(c.name) in versioned.columns)), ...versioned.raw];
  return [columns, raw];
}

function defineSource(source: YamlFile, entries: unknown[], index: number, entry: unknown, folders: string[], ctx: SchemaContext): void {
  const file = source.file;
  const line = source.lineOf(entries, index);
  if (!isRecord(entry) || typeof entry.name !== 'string') throw new DvtError('config', "each 'sources' entry needs a 'name'", { location: { file, line } });
  const tables = entry.tables ?? [];
  if (!Array.isArray(tables)) throw new DvtError('config', `'tables' of source '${entry.name}' must be a list`, { location: { file, line: source.lineOf(entry, 'tables') } });
  const sourceConfig = isRecord(entry.config) ? entry.config : {};
  const sourceMeta = { ...(isRecord(entry.meta) ? entry.meta : {}) };
  const sourceTags = stringList(entry.tags);
  tables.forEach((table, tableIndex) => {
    const tableLine = source.lineOf(tables, tableIndex);
    if (!isRecord(table) || typeof table.name !== 'string') {
      throw new DvtError('config', `each table of source '${entry.name}' needs a 'name'`, { location: { file, line: tableLine } });
    }
    const uniqueId = `source.${ctx.packageName}.${entry.name}.${table.name}`;
    if (ctx.sources.has(uniqueId)) {
      throw new DvtError('config', `source '${entry.name}.${table.name}' is defined twice`, { location: { file, line: tableLine } });
    }
    const fqn = [ctx.packageName, ...folders, entry.name as string, table.name];
    const tableConfig = isRecord(table.config) ? table.config : {};
    const config = resolveConfig(
      'source',
      configFromTree('sources', ctx.project.configTrees.sources, fqn),
      { tags: sourceTags, meta: sourceMeta },
      sourceConfig,
      { tags: stringList(table.tags), meta: isRecord(table.meta) ? table.meta : {} },
      tableConfig,
    );
    const { columns, raw } = columnsOf(source, table);
    // The most specific level that sets a key wins, even with null (`freshness: null` turns it off for a table).
    const pick = (key: string): unknown => [tableConfig, table, sourceConfig, entry].find((level) => key in level)?.[key];
    const connection = table.connection ?? entry.connection;
    if (connection !== undefined && (typeof connection !== 'string' || !ctx.outputs.includes(connection))) {
      const line = table.connection !== undefined ? source.lineOf(table, 'connection') : source.lineOf(entry, 'connection');
      throw new DvtError(
        'config',
        ctx.outputProblem?.(String(connection)) ?? `source '${entry.name}.${table.name}' names connection ${JSON.stringify(connection)}, which is not an output of the profile; outputs: ${ctx.outputs.join(', ')}`,
        { location: { file, line } },
      );
    }
    const definition: SourceDefinition = {
      unique_id: uniqueId,
      resource_type: 'source',
      name: table.name,
      package_name: ctx.packageName,
      path: file,
      original_file_path: file,
      root_path: ctx.rootPath,
      fqn,
      description: String(table.description ?? ''),
      meta: config.meta,
      tags: config.tags,
      config,
      patch_path: null,
      line: tableLine,
      source_name: entry.name as string,
      source_description: String(entry.description ?? ''),
      identifier: table.identifier == null ? table.name : String(table.identifier),
      database: String(entry.database ?? (typeof connection === 'string' ? ctx.databaseOf(connection) : ctx.defaultDatabase)),
      schema: String(entry.schema ?? entry.name),
      loader: String(entry.loader ?? ''),
      columns,
      ...(typeof connection === 'string' ? { connection } : {}),
      loaded_at_field: (pick('loaded_at_field') as string | undefined) ?? null,
      freshness: mergeFreshness([entry, sourceConfig, table, tableConfig].map((level) => ('freshness' in level ? level.freshness : undefined))),
      quoting: { ...(isRecord(entry.quoting) ? entry.quoting : {}), ...(isRecord(table.quoting) ? table.quoting : {}) } as Record<string, boolean>,
    };
    ctx.sources.set(uniqueId, definition);
    const target: TestTarget = { yamlKey: 'sources', name: table.name, sourceName: entry.name as string, uniqueId };
    const siteBase = {
      packageName: ctx.packageName, rootPath: ctx.rootPath, originalFilePath: file, folders, target, project: ctx.project,
      defaultDatabase: ctx.defaultDatabase, defaultSchema: ctx.defaultSchema,
    };
    addTests(source, table, siteBase, null, [], ctx);
    for (const column of raw) addTests(source, column, siteBase, String(column.name), columns[String(column.name)]!.tags, ctx);
  });
}

function defineExposure(source: YamlFile, entries: unknown[], index: number, entry: unknown, folders: string[], ctx: SchemaContext): void {
  const file = source.file;
  const line = source.lineOf(entries, index);
  if (!isRecord(entry) || typeof entry.name !== 'string') throw new DvtError('config', "each 'exposures' entry needs a 'name'", { location: { file, line } });
  const validTypes = ['dashboard', 'notebook', 'analysis', 'ml', 'application'];
  if (!validTypes.includes(String(entry.type))) {
    throw new DvtError('config', `exposure '${entry.name}' has type ${JSON.stringify(entry.type ?? null)}; expected one of ${validTypes.join(', ')}`, {
      location: { file, line: source.lineOf(entry, 'type') },
    });
  }
  const dependsOn = Array.isArray(entry.depends_on) ? entry.depends_on : [];
  const calls = literalCalls(dependsOn);
  const config = isRecord(entry.config) ? entry.config : {};
  const uniqueId = `exposure.${ctx.packageName}.${entry.name}`;
  ctx.exposures.set(uniqueId, {
    unique_id: uniqueId,
    name: entry.name,
    package_name: ctx.packageName,
    original_file_path: file,
    path: file,
    fqn: [ctx.packageName, ...folders, entry.name],
    label: entry.label == null ? null : String(entry.label),
    url: entry.url == null ? null : String(entry.url),
    maturity: entry.maturity == null ? null : String(entry.maturity),
    tags: [...stringList(entry.tags), ...stringList(config.tags)],
    meta: { ...(isRecord(entry.meta) ? entry.meta : {}), ...(isRecord(config.meta) ? config.meta : {}) },
    config: { enabled: config.enabled !== false },
    type: String(entry.type),
    owner: isRecord(entry.owner) ? entry.owner : {},
    description: String(entry.description ?? ''),
    depends_on: { nodes: [] },
    refs: calls.refs,
    sources: calls.sources,
  });
}
