import { createHash } from 'node:crypto';
import { adjacencyRecord, buildGraph } from '../graph/graph.js';
import type { ColumnInfo, ExecutableNode, Exposure, HookConfig, NodeConfig, Project, SourceDefinition } from '../project/types.js';
import { isUnitTestActive, type UnitTestDefinition } from '../project/unit-tests.js';
import { baseMetadata, writeJsonFile } from './common.js';
import type { ArtifactMetadataOptions } from './common.js';

export const MANIFEST_SCHEMA = 'https://schemas.getdbt.com/dbt/manifest/v12.json';

/** What compilation produced for a node, when the manifest is written after compiling. */
export interface CompiledInfo {
  compiled_code?: string | null;
  /** Target-relative path of the compiled file (`target/compiled/shop/models/x.sql`). */
  compiled_path?: string | null;
  relation_name?: string | null;
  extra_ctes?: { id: string; sql: string }[];
}

export interface ManifestOptions extends ArtifactMetadataOptions {
  /** Per-node compilation results by unique_id. */
  compiled?: ReadonlyMap<string, CompiledInfo>;
  /** Relation names of sources by unique_id (`"db"."raw"."orders"`). */
  sourceRelations?: ReadonlyMap<string, string>;
}

type Json = Record<string, unknown>;

/**
 * manifest.json (v12) for a loaded (and ideally parsed/compiled) project.
 * dvt's own facts ride in each node's `config.dvt` (node configs accept
 * extra keys): the profile output a node is built on and its engine type.
 * Nothing from profiles.yml besides the adapter type is written.
 */
export function buildManifest(project: Project, options: ManifestOptions): Json {
  const createdAt = (options.generatedAt ?? new Date()).getTime() / 1000;
  const defaultOutput = project.profile.outputs[project.profile.target];
  const typeOf = (target: string): string => project.profile.outputs[target]?.type ?? defaultOutput?.type ?? '';
  const nodes: Json = {};
  const disabled: Record<string, Json[]> = {};
  for (const node of project.disabled?.values() ?? []) {
    if (project.nodes.has(node.unique_id)) continue;
    (disabled[node.unique_id] ??= []).push(nodeJson(node, undefined, createdAt, project.profile.target, typeOf, project.config.targetPath));
  }
  for (const node of project.nodes.values()) {
    const json = nodeJson(node, options.compiled?.get(node.unique_id), createdAt, project.profile.target, typeOf, project.config.targetPath);
    if (node.config.enabled === false) (disabled[node.unique_id] ??= []).push(json);
    else nodes[node.unique_id] = json;
  }
  const sources: Json = {};
  for (const source of project.sources.values()) {
    const json = sourceJson(source, options.sourceRelations?.get(source.unique_id) ?? null, createdAt, project.profile.target, typeOf);
    if (source.config.enabled === false) (disabled[source.unique_id] ??= []).push(json);
    else sources[source.unique_id] = json;
  }
  const exposures: Json = {};
  for (const exposure of project.exposures.values()) exposures[exposure.unique_id] = exposureJson(exposure, createdAt);
  const unitTests: Json = {};
  for (const test of project.unitTests.values()) {
    const json = unitTestJson(test, createdAt);
    if (isUnitTestActive(project, test)) unitTests[test.unique_id] = json;
    else (disabled[test.unique_id] ??= []).push(json);
  }
  const graph = buildGraph(project);
  return {
    metadata: {
      ...baseMetadata(MANIFEST_SCHEMA, options),
      project_name: project.config.name,
      project_id: createHash('md5').update(project.config.name).digest('hex'),
      user_id: null,
      send_anonymous_usage_stats: false,
      adapter_type: defaultOutput?.type ?? null,
    },
    nodes,
    sources,
    macros: macrosJson(project, createdAt),
    docs: docsJson(project),
    exposures,
    metrics: {},
    groups: {},
    selectors: selectorsJson(project),
    disabled,
    parent_map: adjacencyRecord(graph.parents),
    child_map: adjacencyRecord(graph.children),
    group_map: {},
    saved_queries: {},
    semantic_models: {},
    unit_tests: unitTests,
  };
}

/** Write `<dir>/manifest.json`; returns its path. */
export function writeManifest(dir: string, project: Project, options: ManifestOptions): string {
  return writeJsonFile(dir, 'manifest.json', buildManifest(project, options));
}

function hooksJson(hooks: readonly HookConfig[] | undefined): Json[] {
  return (hooks ?? []).map((h) => ({ sql: h.sql, transaction: h.transaction, index: h.index ?? null }));
}

function configJson(config: NodeConfig, dvt: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (value === undefined || key === 'pre_hook' || key === 'post_hook') continue;
    out[key] = value;
  }
  out['pre-hook'] = hooksJson(config.pre_hook);
  out['post-hook'] = hooksJson(config.post_hook);
  if (isObject(out.docs)) out.docs = { show: out.docs.show !== false, node_color: (out.docs.node_color as string | undefined) ?? null };
  if (isObject(out.contract)) out.contract = { enforced: out.contract.enforced === true, alias_types: out.contract.alias_types !== false };
  out.dvt = dvt;
  return out;
}

function columnsJson(columns: Record<string, ColumnInfo>): Json {
  const out: Json = {};
  for (const [name, c] of Object.entries(columns)) {
    out[name] = {
      name: c.name, description: c.description, meta: c.meta, data_type: c.data_type ?? null, constraints: c.constraints,
      quote: c.quote ?? null, tags: c.tags,
    };
  }
  return out;
}

/** Where dbt writes a node's compiled SQL: `target/compiled/<package>/<file>` (generic tests under their YAML file). */
function defaultCompiledPath(node: ExecutableNode, targetPath: string): string {
  const file = node.test_metadata ? `${node.original_file_path}/${node.path.split('/').pop()}` : node.original_file_path;
  return `${targetPath}/compiled/${node.package_name}/${file}`;
}

function nodeJson(
  node: ExecutableNode,
  compiled: CompiledInfo | undefined,
  createdAt: number,
  defaultTarget: string,
  typeOf: (t: string) => string,
  targetPath: string,
): Json {
  const target = typeof node.config.target === 'string' ? node.config.target : defaultTarget;
  const config = configJson(node.config, { target, adapter_type: typeOf(target) });
  const common: Json = {
    database: node.database,
    schema: node.schema,
    name: node.name,
    resource_type: node.resource_type,
    package_name: node.package_name,
    path: node.path,
    original_file_path: node.original_file_path,
    unique_id: node.unique_id,
    fqn: node.fqn,
    alias: node.alias,
    checksum: node.checksum,
    config,
    tags: node.tags,
    description: node.description,
    columns: columnsJson(node.columns),
    meta: node.meta,
    group: typeof node.config.group === 'string' ? node.config.group : null,
    docs: config.docs ?? { show: true, node_color: null },
    patch_path: node.patch_path ?? null,
    build_path: null,
    unrendered_config: {},
    created_at: createdAt,
    config_call_dict: {},
    unrendered_config_call_dict: {},
    relation_name: compiled?.relation_name ?? null,
    raw_code: node.raw_code,
    doc_blocks: [],
  };
  if (node.resource_type === 'seed') {
    return { ...common, root_path: node.root_path, depends_on: { macros: node.depends_on.macros } };
  }
  const sqlNode: Json = {
    ...common,
    language: node.language,
    refs: node.refs.map((r) => ({ name: r.name, package: r.package ?? null, version: r.version ?? null })),
    sources: node.sources,
    metrics: [],
    depends_on: { macros: node.depends_on.macros, nodes: node.depends_on.nodes },
    compiled_path: compiled?.compiled_path ?? (compiled?.compiled_code != null ? defaultCompiledPath(node, targetPath) : null),
    compiled: compiled?.compiled_code != null,
    ...(compiled?.compiled_code != null ? { compiled_code: compiled.compiled_code, extra_ctes_injected: true, extra_ctes: compiled.extra_ctes ?? [] } : {}),
    contract: { enforced: node.config.contract?.enforced === true, alias_types: node.config.contract?.alias_types !== false, checksum: null },
  };
  if (node.resource_type === 'model') {
    return {
      ...sqlNode,
      access: ['private', 'protected', 'public'].includes(String(node.config.access)) ? node.config.access : 'protected',
      constraints: [],
      version: node.version ?? null,
      latest_version: node.latest_version ?? null,
      deprecation_date: null,
    };
  }
  if (node.resource_type === 'test' && node.test_metadata) {
    return {
      ...sqlNode,
      column_name: node.column_name ?? null,
      file_key_name: node.file_key_name ?? null,
      attached_node: node.attached_node ?? null,
      test_metadata: { name: node.test_metadata.name, kwargs: node.test_metadata.kwargs, namespace: node.test_metadata.namespace ?? null },
    };
  }
  return sqlNode;
}

function sourceJson(source: SourceDefinition, relationName: string | null, createdAt: number, defaultTarget: string, typeOf: (t: string) => string): Json {
  const connection = source.connection ?? defaultTarget;
  const quoting = source.quoting ?? {};
  return {
    database: source.database,
    schema: source.schema,
    name: source.name,
    resource_type: 'source',
    package_name: source.package_name,
    path: source.path,
    original_file_path: source.original_file_path,
    unique_id: source.unique_id,
    fqn: source.fqn,
    source_name: source.source_name,
    source_description: source.source_description,
    loader: source.loader,
    identifier: source.identifier,
    quoting: {
      database: quoting.database ?? null, schema: quoting.schema ?? null, identifier: quoting.identifier ?? null, column: quoting.column ?? null,
    },
    loaded_at_field: source.loaded_at_field ?? null,
    freshness: freshnessJson(source.freshness),
    external: null,
    description: source.description,
    columns: columnsJson(source.columns),
    meta: source.meta,
    source_meta: {},
    tags: source.tags,
    config: { enabled: source.config.enabled !== false, dvt: { connection, adapter_type: typeOf(connection) } },
    patch_path: null,
    unrendered_config: {},
    relation_name: relationName,
    created_at: createdAt,
  };
}

function freshnessJson(value: unknown): Json | null {
  if (!isObject(value)) return null;
  const time = (t: unknown): Json | null =>
    isObject(t) ? { count: typeof t.count === 'number' ? t.count : null, period: ['minute', 'hour', 'day'].includes(String(t.period)) ? t.period : null } : null;
  return { warn_after: time(value.warn_after), error_after: time(value.error_after), filter: typeof value.filter === 'string' ? value.filter : null };
}

function exposureJson(exposure: Exposure, createdAt: number): Json {
  const owner = exposure.owner ?? {};
  return {
    name: exposure.name,
    resource_type: 'exposure',
    package_name: exposure.package_name,
    path: exposure.path ?? exposure.original_file_path,
    original_file_path: exposure.original_file_path,
    unique_id: exposure.unique_id,
    fqn: exposure.fqn ?? [exposure.package_name, exposure.name],
    type: exposure.type,
    owner: { email: owner.email ?? null, name: owner.name ?? null },
    description: exposure.description,
    label: exposure.label ?? null,
    maturity: ['low', 'medium', 'high'].includes(String(exposure.maturity)) ? exposure.maturity : null,
    meta: exposure.meta ?? {},
    tags: exposure.tags ?? [],
    config: { enabled: exposure.config?.enabled !== false, tags: exposure.tags ?? [], meta: exposure.meta ?? {} },
    unrendered_config: {},
    url: exposure.url ?? null,
    depends_on: { macros: [], nodes: exposure.depends_on.nodes },
    refs: exposure.refs.map((r) => ({ name: r.name, package: r.package ?? null, version: r.version ?? null })),
    sources: exposure.sources,
    metrics: [],
    created_at: createdAt,
  };
}

/** A unit test as dbt's manifest has it: the given and expected rows as parsed (csv read into dicts). */
function unitTestJson(test: UnitTestDefinition, createdAt: number): Json {
  const fixture = (f: { rows: unknown; format: string; fixture: string | null }) => ({ rows: f.rows ?? null, format: f.format, fixture: f.fixture });
  return {
    model: test.model,
    given: test.given.map((g) => ({ input: g.input, ...fixture(g) })),
    expect: fixture(test.expect),
    name: test.name,
    resource_type: 'unit_test',
    package_name: test.package_name,
    path: test.path,
    original_file_path: test.original_file_path,
    unique_id: test.unique_id,
    fqn: test.fqn,
    description: test.description,
    overrides: test.overrides,
    depends_on: { macros: test.depends_on.macros, nodes: test.depends_on.nodes },
    config: { ...test.config },
    checksum: test.checksum,
    schema: test.schema,
    created_at: createdAt,
    versions: test.versions ? { include: test.versions.include ?? null, exclude: test.versions.exclude ?? null } : null,
    version: test.version,
  };
}

function macrosJson(project: Project, createdAt: number): Json {
  const out: Json = {};
  for (const macro of project.macros.values()) {
    const patch = project.macroPatches.get(`${macro.package_name}.${macro.name}`);
    out[macro.unique_id] = {
      name: macro.name,
      resource_type: 'macro',
      package_name: macro.package_name,
      path: macro.original_file_path,
      original_file_path: macro.original_file_path,
      unique_id: macro.unique_id,
      macro_sql: macro.macro_sql,
      depends_on: { macros: [] },
      description: patch?.description ?? macro.description,
      meta: patch?.meta ?? {},
      docs: { show: patch?.docs.show ?? true, node_color: null },
      patch_path: patch?.patch_path ?? null,
      arguments: (patch?.arguments ?? macro.arguments).map((a) => ({ name: a.name, type: a.type ?? null, description: a.description })),
      created_at: createdAt,
      supported_languages: null,
    };
  }
  return out;
}

function docsJson(project: Project): Json {
  const out: Json = {};
  for (const doc of project.docs.values()) {
    out[doc.unique_id] = {
      name: doc.name,
      resource_type: 'doc',
      package_name: doc.package_name,
      path: doc.original_file_path,
      original_file_path: doc.original_file_path,
      unique_id: doc.unique_id,
      block_contents: doc.block_contents,
    };
  }
  return out;
}

function selectorsJson(project: Project): Json {
  const out: Json = {};
  for (const entry of project.selectors?.definitions ?? []) {
    if (isObject(entry) && typeof entry.name === 'string') out[entry.name] = entry;
  }
  return out;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
