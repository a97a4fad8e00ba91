import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DvtError } from '../errors.js';
import { configFromTree, misspelledConfigKeys, resolveConfig, treeKindOf, unusedConfigPaths } from './config.js';
import type { ConfigTreeKind } from './config.js';
import { readProjectFile, readProjectProfileName, readProjectYaml } from './dbtProject.js';
import type { LoadedProjectFile, ProjectYaml } from './dbtProject.js';
import { baseName, discoverFiles, folderParts, subdirectories } from './discover.js';
import type { DiscoveredFile } from './discover.js';
import { loadIgnore } from './ignore.js';
import { loadProfile, unrenderedOutputReason } from './profiles.js';
import { renderYamlString, renderYamlTree } from './render.js';
import type { YamlRenderContext } from './render.js';
import { applySchemaFile, skipSchemaRender } from './schema.js';
import type { SchemaContext } from './schema.js';
import type {
  ExecutableNode, Exposure, MacroPatch, PackageInfo, ProfileOutput, Project, ProjectConfig, ProjectFile, ProjectWarning,
  SelectorsFile, SourceDefinition,
} from './types.js';
import { resolveUnitTests } from './unit-tests.js';
import type { UnitTestDefinition } from './unit-tests.js';
import { parseCliVars, projectVarResolver } from './vars.js';
import { isRecord, parseYaml } from './yaml.js';

export interface LoadProjectOptions {
  projectDir: string;
  profilesDir?: string;
  /** `--target`: overrides the profile's `target:`. */
  target?: string;
  /** `--vars`: the raw YAML/JSON text, or already-parsed values. */
  vars?: string | Record<string, unknown>;
  /** `--profile`: overrides dbt_project.yml's `profile:`. */
  profileName?: string;
  /** Environment for env_var() and profile lookup; defaults to process.env. */
  env?: Record<string, string | undefined>;
}

/**
 * Load a dbt project from disk: dbt_project.yml, the profile, installed
 * packages, and every model, seed, snapshot, analysis, singular and generic
 * test, source, exposure, macro file and docs file. Nothing is compiled here:
 * `raw_code` is the file text and `depends_on` is filled by the compiler.
 * Nodes disabled by config stay in `nodes` with `config.enabled === false`.
 */
export function loadProject(options: LoadProjectOptions): Project {
  const env = options.env ?? process.env;
  const cliVars = typeof options.vars === 'string' ? parseCliVars(options.vars) : { ...(options.vars ?? {}) };
  const projectDir = resolve(options.projectDir);
  const cliOnly = (name: string): unknown => (Object.prototype.hasOwnProperty.call(cliVars, name) ? cliVars[name] : undefined);
  // Parsed once: the profile name is read from it before the profile exists, the rest after.
  let rootYaml: ProjectYaml | undefined;
  const projectYaml = () => (rootYaml ??= readProjectYaml(projectDir));
  const profile = loadProfile({
    profilesDir: options.profilesDir,
    projectDir,
    env,
    profileName: options.profileName ?? readProjectProfileName(projectDir, { env, lookupVar: cliOnly }, projectYaml()),
    target: options.target,
    cliVars,
  });
  const output = profile.outputs[profile.target]!;
  const defaultDatabase = targetDatabase(output);
  const defaultSchema = String(output.config.schema ?? output.config.dataset ?? 'main');
  const targetContext = {
    name: profile.target, type: output.type, schema: defaultSchema, database: defaultDatabase, threads: output.threads, profile_name: profile.name,
  };
  const projectContext = { env, lookupVar: cliOnly, globals: { target: targetContext } };
  const root = readProjectFile(projectDir, projectContext, projectYaml());
  const warnings: ProjectWarning[] = [...root.warnings];

  const packages = [
    { name: root.config.name, rootDir: projectDir, config: root.config, isRoot: true },
    ...installedPackages(projectDir, root.packagesInstallPath, projectContext),
  ];
  const lookupVar = projectVarResolver({
    cliVars, rootProject: root.config, packages, env, globals: { target: targetContext, project_name: root.config.name },
  });

  const nodes = new Map<string, ExecutableNode>();
  const sources = new Map<string, SourceDefinition>();
  const exposures = new Map<string, Exposure>();
  const unitTests = new Map<string, UnitTestDefinition>();
  const macroPatches = new Map<string, MacroPatch>();
  const macroFiles: ProjectFile[] = [];
  const docFiles: ProjectFile[] = [];
  const patchedBy = new Map<string, string>();
  const unsupported: SchemaContext['unsupported'] = new Map();
  const ignores = new Map(packages.map((pkg) => [pkg.name, loadIgnore(pkg.rootDir)]));
  for (const pkg of packages) {
    const pkgConfig = pkg.config;
    const ignored = ignores.get(pkg.name);
    const discover = (paths: readonly string[], extensions: string[]) => discoverFiles(pkg.rootDir, paths, extensions, ignored);
    const read = (file: DiscoveredFile): string => readFileSync(file.absolutePath, 'utf8');
    const nodeBase = { pkg, root: root.config, defaultDatabase, defaultSchema, nodes };

    for (const file of discover(pkgConfig.modelPaths, ['.sql'])) addSqlNode('model', file, read(file), nodeBase);
    for (const file of discover(pkgConfig.analysisPaths, ['.sql'])) addSqlNode('analysis', file, read(file), nodeBase);
    // Seeds are not read here: the runner streams them, and big ones are never held as one string.
    for (const file of discover(pkgConfig.seedPaths, ['.csv'])) addSqlNode('seed', file, '', nodeBase);
    for (const file of discover(pkgConfig.testPaths, ['.sql'])) {
      // `<test-path>/generic/` holds `{% test %}` definitions: macros, not singular tests.
      if (file.path.startsWith('generic/')) macroFiles.push(projectFile(pkg.name, file, read(file)));
      // `<test-path>/fixtures/` holds unit test fixtures, read by name when a unit test names one.
      else if (!file.path.startsWith('fixtures/')) addSqlNode('test', file, read(file), nodeBase);
    }
    for (const file of discover(pkgConfig.snapshotPaths, ['.sql'])) {
      for (const block of snapshotBlocks(read(file), file.originalFilePath)) addSqlNode('snapshot', file, block.body, { ...nodeBase, name: block.name });
    }
    for (const file of discover(pkgConfig.macroPaths, ['.sql'])) macroFiles.push(projectFile(pkg.name, file, read(file)));
    for (const file of discover(pkgConfig.docsPaths, ['.md'])) docFiles.push(projectFile(pkg.name, file, read(file)));
  }

  for (const pkg of packages) {
    const pkgConfig = pkg.config;
    const renderContext: YamlRenderContext = {
      env,
      allowSecrets: false,
      lookupVar: (name) => lookupVar(pkg.name, name),
      globals: { target: targetContext, project_name: root.config.name },
    };
    const schemaPaths: [string, string][] = [];
    for (const resourcePath of [...pkgConfig.modelPaths, ...pkgConfig.seedPaths, ...pkgConfig.snapshotPaths, ...pkgConfig.analysisPaths, ...pkgConfig.testPaths, ...pkgConfig.macroPaths]) {
      for (const file of discoverFiles(pkg.rootDir, [resourcePath], ['.yml', '.yaml'], ignores.get(pkg.name))) schemaPaths.push([resourcePath, file.originalFilePath]);
    }
    const seen = new Set<string>();
    for (const [resourcePath, originalFilePath] of schemaPaths) {
      if (seen.has(originalFilePath)) continue;
      seen.add(originalFilePath);
      const source = parseYaml(readFileSync(join(pkg.rootDir, originalFilePath), 'utf8'), originalFilePath);
      renderYamlTree(source, source.value, renderContext, skipSchemaRender);
      const ctx: SchemaContext = {
        packageName: pkg.name, rootPath: pkg.rootDir, project: root.config, resourcePath, defaultDatabase, defaultSchema,
        nodes, sources, exposures, unitTests, packageConfig: pkgConfig, macroPatches, warnings, patchedBy, outputs: Object.keys(profile.outputs), outputProblem: (name: string) => unrenderedOutputReason(profile, name), databaseOf: (name: string) => targetDatabase(profile.outputs[name]!), unsupported,
        renderTestConfig: (config, line) =>
          // As dbt: each string value renders natively (`where` included); nested ones (meta) stay as written.
          Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === 'string' ? renderYamlString(value, renderContext, source.file, line) : value])),
        addYamlSnapshot: (name, rawCode, file) => {
          const relative = file.slice(resourcePath.length + 1);
          const folder = relative.includes('/') ? relative.slice(0, relative.lastIndexOf('/') + 1) : '';
          const discovered: DiscoveredFile = { originalFilePath: file, path: `${folder}${name}.yml`, resourcePath, absolutePath: join(pkg.rootDir, file) };
          addSqlNode('snapshot', discovered, rawCode, { pkg, root: root.config, defaultDatabase, defaultSchema, nodes, name });
        },
      };
      applySchemaFile(source, ctx);
    }
  }

  warnings.push(...unusedPathWarnings(root, nodes, sources));
  for (const [key, { location, files }] of unsupported) {
    warnings.push({ message: `'${key}' is not supported by dvt yet and is ignored (${files === 1 ? '1 file' : `${files} files`})`, location });
  }
  disableTestsOfDisabledTargets(nodes, sources);
  resolveUnitTests(unitTests, nodes, packages);

  return {
    config: root.config,
    profile,
    nodes,
    sources,
    macros: new Map(),
    docs: new Map(),
    exposures,
    unitTests,
    cliVars,
    warnings,
    macroFiles,
    docFiles,
    macroPatches,
    packages,
    selectors: readSelectors(projectDir, { ...projectContext, allowSecrets: false }),
    lookupVar,
  };
}

/** Packages under `packages-install-path` (dbt_packages/), by folder name, each read like the root project. */
function installedPackages(projectDir: string, installPath: string, context: Parameters<typeof readProjectFile>[1]): PackageInfo[] {
  const installDir = join(projectDir, installPath);
  const found: PackageInfo[] = [];
  for (const folder of subdirectories(installDir)) {
    const dir = join(installDir, folder);
    if (!existsSync(join(dir, 'dbt_project.yml'))) continue;
    const pkg = readProjectFile(dir, context);
    const clash = found.find((p) => p.name === pkg.config.name);
    if (clash) {
      throw new DvtError('config', `two packages are named '${pkg.config.name}': ${clash.rootDir} and ${dir}`, {
        location: { file: `${installPath}/${folder}/dbt_project.yml` },
      });
    }
    found.push({ name: pkg.config.name, rootDir: dir, config: pkg.config, isRoot: false });
  }
  return found;
}

/**
 * Config tree mistakes, each with its line: keys one or two letters from a
 * dbt config, and dbt's "configuration paths exist which do not apply to any
 * resources".
 */
function unusedPathWarnings(root: LoadedProjectFile, nodes: Map<string, ExecutableNode>, sources: Map<string, SourceDefinition>): ProjectWarning[] {
  const fqnsOf = (kind: ConfigTreeKind): string[][] =>
    kind === 'sources' ? [...sources.values()].map((s) => s.fqn) : [...nodes.values()].filter((n) => treeKindOf(n.resource_type) === kind).map((n) => n.fqn);
  const warnings: ProjectWarning[] = [];
  for (const [treeName, tree] of Object.entries(root.config.configTrees)) {
    const kind: ConfigTreeKind = treeName === 'data_tests' ? 'tests' : (treeName as ConfigTreeKind);
    if (!['models', 'seeds', 'snapshots', 'tests', 'sources', 'analyses'].includes(kind)) continue;
    for (const [path, known] of misspelledConfigKeys(kind, tree)) {
      warnings.push({
        message: `'${path[path.length - 1]}' in ${[treeName, ...path.slice(0, -1)].join('.')} is not a dbt config; did you mean '${known}'?`,
        location: { file: 'dbt_project.yml', line: root.lineOfPath([treeName, ...path]) },
      });
    }
    for (const path of unusedConfigPaths(kind, tree, fqnsOf(kind))) {
      const dotted = [treeName, ...path].join('.');
      warnings.push({
        message: `Configuration path ${dotted} in dbt_project.yml does not apply to any resource (a misspelled folder, or a package that is not installed?)`,
        location: { file: 'dbt_project.yml', line: root.lineOfPath([treeName, ...path]) },
      });
    }
  }
  return warnings;
}

/** A generic test of a disabled model or source is disabled with it, as in dbt. */
function disableTestsOfDisabledTargets(nodes: Map<string, ExecutableNode>, sources: Map<string, SourceDefinition>): void {
  for (const node of nodes.values()) {
    if (node.resource_type !== 'test' || !node.test_metadata) continue;
    const model = node.attached_node ? nodes.get(node.attached_node) : undefined;
    const sourceTable = node.attached_node ? undefined : node.sources[0];
    const source = sourceTable ? sources.get(`source.${node.package_name}.${sourceTable[0]}.${sourceTable[1]}`) : undefined;
    if (model?.config.enabled === false || source?.config.enabled === false) node.config.enabled = false;
  }
}

/**
 * The database nodes live in by default: the output's `database` (or
 * `dbname`), or for file databases (DuckDB's `path`) the file's stem, as
 * dbt-duckdb names its catalog.
 */
export function targetDatabase(output: ProfileOutput): string {
  const { database, dbname, path } = output.config;
  if (typeof database === 'string' && database) return database;
  if (typeof dbname === 'string' && dbname) return dbname;
  if (typeof path === 'string' && path) {
    if (path === ':memory:') return 'memory';
    const file = basename(path);
    const dot = file.indexOf('.');
    return dot > 0 ? file.slice(0, dot) : file;
  }
  return output.type === 'duckdb' ? 'memory' : '';
}

interface NodeBuildContext {
  pkg: PackageInfo;
  root: ProjectConfig;
  defaultDatabase: string;
  defaultSchema: string;
  nodes: Map<string, ExecutableNode>;
  /** Overrides the file name (snapshot blocks are named by their tag). */
  name?: string;
}

function addSqlNode(resourceType: ExecutableNode['resource_type'], file: DiscoveredFile, rawCode: string, ctx: NodeBuildContext): void {
  const name = ctx.name ?? baseName(file.path);
  const packageName = ctx.pkg.name;
  const uniqueId = `${resourceType}.${packageName}.${name}`;
  const existing = ctx.nodes.get(uniqueId);
  if (existing) {
    throw new DvtError(
      'config',
      `dbt found two ${resourceType}s with the name "${name}": ${existing.original_file_path} and ${file.originalFilePath}. Rename one of them.`,
      { location: { file: file.originalFilePath } },
    );
  }
  // dbt files analyses under a virtual `analysis/` folder: it shows in their path and fqn.
  const path = resourceType === 'analysis' ? `analysis/${file.path}` : file.path;
  const fqn = [packageName, ...folderParts(path), name];
  const kind = treeKindOf(resourceType);
  const layers: Record<string, unknown>[] = [];
  if (!ctx.pkg.isRoot) layers.push(configFromTree(kind, ctx.pkg.config.configTrees[kind], fqn));
  layers.push(configFromTree(kind, ctx.root.configTrees[kind], fqn));
  if (kind === 'tests') layers.push(configFromTree(kind, ctx.root.configTrees.data_tests, fqn));
  const config = resolveConfig(resourceType, ...layers);
  const checksum = fileChecksum(resourceType, file, rawCode);
  ctx.nodes.set(uniqueId, {
    unique_id: uniqueId,
    resource_type: resourceType,
    name,
    package_name: packageName,
    path,
    original_file_path: file.originalFilePath,
    root_path: ctx.pkg.rootDir,
    fqn,
    description: '',
    meta: config.meta,
    tags: config.tags,
    config,
    patch_path: null,
    raw_code: resourceType === 'seed' ? '' : rawCode,
    language: 'sql',
    database: typeof config.database === 'string' && config.database ? config.database : ctx.defaultDatabase,
    schema: ctx.defaultSchema,
    alias: typeof config.alias === 'string' && config.alias ? config.alias : name,
    checksum,
    columns: {},
    refs: [],
    sources: [],
    depends_on: { macros: [], nodes: [] },
  });
}

/** Seeds over 1 MiB are identified by path, as dbt does, so they are never hashed whole. */
const SEED_HASH_LIMIT = 1024 * 1024;

function fileChecksum(resourceType: ExecutableNode['resource_type'], file: DiscoveredFile, rawCode: string): ExecutableNode['checksum'] {
  if (resourceType === 'seed') {
    if (statSync(file.absolutePath).size > SEED_HASH_LIMIT) return { name: 'path', checksum: file.originalFilePath };
    return { name: 'sha256', checksum: createHash('sha256').update(readFileSync(file.absolutePath)).digest('hex') };
  }
  // Snapshot blocks and YAML snapshots hash their whole file, like dbt's file hash.
  const text = resourceType === 'snapshot' ? readFileSync(file.absolutePath) : rawCode;
  return { name: 'sha256', checksum: createHash('sha256').update(text).digest('hex') };
}

function projectFile(packageName: string, file: DiscoveredFile, contents: string): ProjectFile {
  return { path: file.originalFilePath, package: packageName, absolutePath: file.absolutePath, contents };
}

/**
 * `{% snapshot name %} ... {% endsnapshot %}` blocks of a snapshot file. The
 * body (what the compiler renders) is the text between the tags.
 */
export function snapshotBlocks(text: string, file: string): { name: string; body: string; line: number }[] {
  const blocks: { name: string; body: string; line: number }[] = [];
  const open = /\{%-?\s*snapshot\s+([A-Za-z_][A-Za-z0-9_]*)\s*-?%\}/g;
  for (let match = open.exec(text); match; match = open.exec(text)) {
    const start = match.index + match[0].length;
    const close = /\{%-?\s*endsnapshot\s*-?%\}/g;
    close.lastIndex = start;
    const end = close.exec(text);
    const line = text.slice(0, match.index).split('\n').length;
    if (!end) throw new DvtError('config', `snapshot '${match[1]}' has no {% endsnapshot %}`, { location: { file, line } });
    blocks.push({ name: match[1]!, body: text.slice(start, end.index), line });
    open.lastIndex = end.index + end[0].length;
  }
  return blocks;
}

/** selectors.yml, rendered like dbt_project.yml (`default: "{{ target.name == 'prod' }}"`). */
function readSelectors(projectDir: string, context: YamlRenderContext): SelectorsFile | null {
  const path = join(projectDir, 'selectors.yml');
  if (!existsSync(path)) return null;
  const source = parseYaml(readFileSync(path, 'utf8'), 'selectors.yml');
  const doc = source.value;
  renderYamlTree(source, doc, context, () => false);
  if (doc === null) return { file: 'selectors.yml', definitions: [], lines: [] };
  if (!isRecord(doc) || !Array.isArray(doc.selectors)) {
    throw new DvtError('config', "selectors.yml must have a top-level 'selectors:' list", { location: { file: 'selectors.yml', line: 1 } });
  }
  const definitions = doc.selectors;
  return { file: 'selectors.yml', definitions, lines: definitions.map((_, i) => source.lineOf(definitions, i)) };
}

