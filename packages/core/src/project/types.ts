/**
 * The project model: what loading a dbt project produces, before compilation.
 * Field names follow dbt's manifest (v12) so artifacts are a projection of
 * these objects, not a translation.
 */

import type { UnitTestDefinition } from './unit-tests.js';

export type ResourceType = 'model' | 'seed' | 'test' | 'snapshot' | 'analysis' | 'source' | 'macro' | 'operation' | 'unit_test';

/** A position in a project file, for error messages. */
export interface SourceLocation {
  /** Path relative to the project root, '/' separated. */
  file: string;
  line?: number;
}

/**
 * Resolved node config: dbt_project.yml tree (+key, folder nesting), then
 * schema YAML `config:`, then `{{ config(...) }}` in the file, later wins.
 * Known keys are typed; the rest are kept as they were given.
 */
export interface NodeConfig {
  enabled: boolean;
  materialized: string;
  schema?: string | null;
  database?: string | null;
  alias?: string | null;
  tags: string[];
  meta: Record<string, unknown>;
  /** dvt: the profile output this node is written to (`config(target=...)`). */
  target?: string;
  unique_key?: string | string[];
  incremental_strategy?: string;
  on_schema_change?: 'ignore' | 'append_new_columns' | 'sync_all_columns' | 'fail';
  full_refresh?: boolean | null;
  pre_hook: HookConfig[];
  post_hook: HookConfig[];
  persist_docs: { relation?: boolean; columns?: boolean };
  quoting: Record<string, boolean>;
  column_types: Record<string, string>;
  grants: Record<string, string[]>;
  contract?: { enforced: boolean; alias_types?: boolean };
  docs: { show: boolean; node_color?: string | null };
  // tests
  severity?: 'error' | 'warn' | 'ERROR' | 'WARN';
  where?: string | null;
  limit?: number | null;
  warn_if?: string;
  error_if?: string;
  fail_calc?: string;
  store_failures?: boolean | null;
  store_failures_as?: string | null;
  // seeds
  delimiter?: string;
  quote_columns?: boolean | null;
  [key: string]: unknown;
}

export interface HookConfig {
  sql: string;
  transaction: boolean;
  index?: number;
}

export interface ColumnInfo {
  name: string;
  description: string;
  meta: Record<string, unknown>;
  data_type?: string | null;
  constraints: unknown[];
  quote?: boolean | null;
  tags: string[];
}

export interface NodeBase {
  /** `model.my_project.stg_orders` */
  unique_id: string;
  resource_type: ResourceType;
  name: string;
  package_name: string;
  /** Path relative to the resource folder (e.g. `staging/stg_orders.sql`). */
  path: string;
  /** Path relative to the project root (e.g. `models/staging/stg_orders.sql`). */
  original_file_path: string;
  /** Absolute path of the package root the node came from. */
  root_path: string;
  fqn: string[];
  description: string;
  meta: Record<string, unknown>;
  tags: string[];
  config: NodeConfig;
  /** Schema YAML that documented this node, if any (`my_project://models/schema.yml`). */
  patch_path?: string | null;
  /** dvt: the 1-based line the node was defined on (schema YAML nodes), for messages. */
  line?: number;
}

/** A node made from SQL (models, tests, snapshots, analyses, seeds). */
export interface ExecutableNode extends NodeBase {
  resource_type: Exclude<ResourceType, 'source' | 'macro'>;
  /** Raw file text (Jinja). */
  raw_code: string;
  /** Model-level `constraints:` from schema YAML (enforced with a contract), as written. */
  constraints?: unknown[];
  language: 'sql';
  /** Resolved after `generate_database_name` / `generate_schema_name` / `generate_alias_name`. */
  database: string;
  schema: string;
  alias: string;
  /** sha256 of the file; seeds over 1 MiB: `{name: 'path', checksum: <path>}`; generic tests: `none`. */
  checksum: { name: 'sha256' | 'path' | 'none'; checksum: string };
  columns: Record<string, ColumnInfo>;
  /** Literal calls found by parse: ref(...) args, source(...) args. */
  refs: RefCall[];
  sources: [string, string][];
  depends_on: { macros: string[]; nodes: string[] };
  version?: string | number | null;
  latest_version?: string | number | null;
  /** Schema YAML entry the node came from (`models.orders`), for generic tests. */
  file_key_name?: string | null;
  /** Set for tests. */
  test_metadata?: TestMetadata;
  /**
   * The config a generic test's YAML entry set itself: it wins over the
   * config() calls of the test macro, which win over dbt_project.yml.
   */
  test_entry_config?: Record<string, unknown>;
  /** The node a generic test is attached to. */
  attached_node?: string | null;
  column_name?: string | null;
}

export interface RefCall {
  name: string;
  package?: string | null;
  version?: string | number | null;
}

export interface TestMetadata {
  /** `unique`, `not_null`, `accepted_values`, `relationships`, or a custom test's name. */
  name: string;
  namespace?: string | null;
  kwargs: Record<string, unknown>;
}

export interface SourceDefinition extends NodeBase {
  resource_type: 'source';
  source_name: string;
  source_description: string;
  /** Table name as in YAML (`name:`). */
  identifier: string;
  database: string;
  schema: string;
  loader: string;
  columns: Record<string, ColumnInfo>;
  /** dvt: the profile output this source lives on; absent = the profile's default target. */
  connection?: string;
  loaded_at_field?: string | null;
  freshness?: unknown;
  quoting: Record<string, boolean>;
}

export interface MacroDefinition {
  unique_id: string;
  name: string;
  package_name: string;
  original_file_path: string;
  root_path: string;
  macro_sql: string;
  /** 1-based line of `{% macro %}` in its file. */
  line: number;
  description: string;
  arguments: { name: string; type?: string | null; description: string }[];
}

export interface DocBlock {
  unique_id: string;
  name: string;
  package_name: string;
  original_file_path: string;
  block_contents: string;
}

export interface Exposure {
  unique_id: string;
  name: string;
  package_name: string;
  original_file_path: string;
  path?: string;
  fqn?: string[];
  label?: string | null;
  url?: string | null;
  maturity?: string | null;
  tags?: string[];
  meta?: Record<string, unknown>;
  config?: { enabled: boolean; tags?: string[]; meta?: Record<string, unknown> };
  type: string;
  owner: Record<string, unknown>;
  description: string;
  depends_on: { nodes: string[] };
  refs: RefCall[];
  sources: [string, string][];
}

export interface ProjectConfig {
  name: string;
  version?: string;
  profile: string;
  configVersion: number;
  modelPaths: string[];
  seedPaths: string[];
  macroPaths: string[];
  testPaths: string[];
  snapshotPaths: string[];
  analysisPaths: string[];
  docsPaths: string[];
  targetPath: string;
  cleanTargets: string[];
  vars: Record<string, unknown>;
  quoting: Record<string, boolean>;
  onRunStart: string[];
  onRunEnd: string[];
  dispatch: { macro_namespace: string; search_order: string[] }[];
  /** `flags:` (dbt 1.8+): global flags the command line and environment may override. */
  flags: Record<string, unknown>;
  /** The raw `models:`, `seeds:`, `tests:`/`data_tests:`, `snapshots:`, `sources:` config trees. */
  configTrees: Record<string, Record<string, unknown>>;
  /** Absolute path of dbt_project.yml's directory. */
  rootDir: string;
}

/** A profile output after env_var() rendering; secrets stay inside. */
export interface ProfileOutput {
  name: string;
  type: string;
  /** Explicit adapter package (`adapter:` key), when given. */
  adapter?: string;
  threads: number;
  config: Record<string, unknown>;
}

export interface Profile {
  name: string;
  /** The output selected by --target or the profile's `target:`. */
  target: string;
  outputs: Record<string, ProfileOutput>;
  /** Where profiles.yml was found. */
  path: string;
}

export interface Project {
  config: ProjectConfig;
  profile: Profile;
  /** Models, seeds, tests, snapshots, analyses by unique_id. */
  nodes: Map<string, ExecutableNode>;
  /**
   * Nodes taken out of `nodes` because they are disabled (the compiler's
   * parse moves them here); the manifest lists them under `disabled`.
   */
  disabled?: Map<string, ExecutableNode>;
  sources: Map<string, SourceDefinition>;
  macros: Map<string, MacroDefinition>;
  docs: Map<string, DocBlock>;
  exposures: Map<string, Exposure>;
  /** `unit_tests:` of schema YAML, by unique_id, each tied to its model (see `activeUnitTests`). */
  unitTests: Map<string, UnitTestDefinition>;
  /** Values given with --vars (override project vars). */
  cliVars: Record<string, unknown>;
  warnings: ProjectWarning[];
  /** Every macro file (macro-paths, and `generic/` under test-paths) of every package, in load order. */
  macroFiles: ProjectFile[];
  /** Markdown files under docs-paths (the compiler extracts `{% docs %}` blocks). */
  docFiles: ProjectFile[];
  /** `macros:` entries of schema YAML, by `<package>.<macro name>`. */
  macroPatches: Map<string, MacroPatch>;
  /** The root project and installed packages (dbt_packages/), root first. */
  packages: PackageInfo[];
  /** `selectors:` of selectors.yml, unvalidated (the selection module checks them). */
  selectors: SelectorsFile | null;
  /**
   * Var lookup for code in `packageName`: --vars, then the root project's vars
   * scoped to the package, its global vars, then the package's own vars.
   * `undefined` = not defined.
   */
  lookupVar(packageName: string, name: string): unknown;
}

export interface ProjectFile {
  /** Relative to its package root, '/' separated. */
  path: string;
  package: string;
  absolutePath: string;
  contents: string;
}

export interface MacroPatch {
  name: string;
  package_name: string;
  description: string;
  arguments: { name: string; type?: string | null; description: string }[];
  meta: Record<string, unknown>;
  docs: { show: boolean };
  patch_path: string;
}

export interface PackageInfo {
  name: string;
  /** Absolute path of the package's root (where its dbt_project.yml is). */
  rootDir: string;
  config: ProjectConfig;
  isRoot: boolean;
}

export interface SelectorsFile {
  /** Path relative to the project root. */
  file: string;
  definitions: unknown[];
  /** 1-based line of each definition, by index. */
  lines: (number | undefined)[];
}

export interface ProjectWarning {
  message: string;
  location?: SourceLocation;
}
