import { createHash } from 'node:crypto';
import { DvtError } from '../errors.js';
import { configFromTree, mergeConfig, resolveConfig } from './config.js';
import { pythonRepr, pythonStr } from './python.js';
import type { ExecutableNode, ProjectConfig, RefCall } from './types.js';
import { isRecord } from './yaml.js';

/** Keys of a generic test entry that configure the test rather than pass arguments to it. */
const CONFIG_ARGS = new Set([
  'severity', 'tags', 'enabled', 'where', 'limit', 'warn_if', 'error_if', 'fail_calc', 'store_failures', 'store_failures_as',
  'meta', 'database', 'schema', 'alias',
]);

/** What a generic test is attached to. */
export interface TestTarget {
  /** `models`, `seeds`, `snapshots` or `sources`: the YAML key the target sits under. */
  yamlKey: string;
  /** The model/seed/snapshot name, or the source table's name. */
  name: string;
  /** For source tables: the source's name. */
  sourceName?: string;
  uniqueId: string;
  version?: string | number | null;
}

export interface GenericTestSite {
  packageName: string;
  /** The package root (absolute). */
  rootPath: string;
  /** Schema YAML file relative to the package root. */
  originalFilePath: string;
  /** Folders of that file under its resource path (for the fqn). */
  folders: string[];
  line?: number;
  target: TestTarget;
  columnName: string | null;
  /** Tags of the column (or model) the test sits under. */
  inheritedTags: string[];
  project: ProjectConfig;
  defaultDatabase: string;
  defaultSchema: string;
  /** Renders the entry's config as dbt does at parse time (`enabled: "{{ target.type != 'spark' }}"`). */
  renderConfig?: (config: Record<string, unknown>, line: number | undefined) => Record<string, unknown>;
}

interface ParsedTestEntry {
  testName: string;
  namespace: string | null;
  customName: string | null;
  description: string;
  args: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** Read one entry of a `data_tests:`/`tests:` list in any of dbt's forms. */
export function parseTestEntry(entry: unknown, where: { file: string; line?: number }): ParsedTestEntry {
  let qualifiedName: string;
  let body: Record<string, unknown> = {};
  if (typeof entry === 'string') {
    qualifiedName = entry;
  } else if (isRecord(entry) && typeof entry.test_name === 'string') {
    const { test_name, ...rest } = entry;
    qualifiedName = test_name;
    body = rest;
  } else if (isRecord(entry) && Object.keys(entry).length === 1) {
    const [name, value] = Object.entries(entry)[0]!;
    qualifiedName = name;
    if (value !== null && value !== undefined && !isRecord(value)) {
      throw new DvtError('config', `test '${name}' must be given a mapping of arguments, got ${JSON.stringify(value)}`, { location: where });
    }
    body = (value as Record<string, unknown> | null) ?? {};
  } else {
    throw new DvtError(
      'config',
      `a test must be a name (- unique) or a mapping with one test name (- accepted_values: {values: [...]}), got ${JSON.stringify(entry)}`,
      { location: where },
    );
  }
  const dot = qualifiedName.lastIndexOf('.');
  const namespace = dot > 0 ? qualifiedName.slice(0, dot) : null;
  const testName = dot > 0 ? qualifiedName.slice(dot + 1) : qualifiedName;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(testName)) {
    throw new DvtError('config', `'${qualifiedName}' is not a valid test name`, { location: where });
  }

  const args: Record<string, unknown> = {};
  let config: Record<string, unknown> = {};
  let customName: string | null = null;
  let description = '';
  for (const [key, value] of Object.entries(body)) {
    if (key === 'name') customName = value === null ? null : String(value);
    else if (key === 'description') description = String(value ?? '');
    else if (key === 'config') {
      if (!isRecord(value)) throw new DvtError('config', `'config' of test '${qualifiedName}' must be a mapping`, { location: where });
      config = mergeConfig(config, value);
    } else if (key === 'arguments') {
      if (!isRecord(value)) throw new DvtError('config', `'arguments' of test '${qualifiedName}' must be a mapping`, { location: where });
      Object.assign(args, value);
    } else if (CONFIG_ARGS.has(key)) {
      // Old style: config keys next to the arguments. `config:` wins over them.
      config = mergeConfig({ [key]: value }, config);
    } else {
      args[key] = value;
    }
  }
  if ('model' in args) throw new DvtError('config', `test '${qualifiedName}' may not set the reserved argument 'model'`, { location: where });
  return { testName, namespace, customName, description, args, config };
}

/**
 * dbt's generated test names: `<test>_<target>_<flattened args>`, with the
 * long ones shortened to the first 30 characters of `<test>_<target>` plus
 * an md5 of the full name. Returns [short name (file, alias), full name].
 */
export function synthesizeTestNames(testType: string, targetName: string, args: Record<string, unknown>): [string, string] {
  const flat: string[] = [];
  for (const key of Object.keys(args).sort()) {
    if (key === 'model') continue;
    const value = args[key];
    const parts = isRecord(value) ? Object.values(value) : Array.isArray(value) ? value : [value];
    flat.push(...parts.map(pythonStr));
  }
  const unique = flat.map((part) => part.replace(/[^0-9a-zA-Z_]+/g, '_')).join('__');
  const identifier = `${testType}_${targetName}`;
  const fullName = `${identifier}_${unique}`;
  if (fullName.length >= 64) return [`${identifier.slice(0, 30)}_${md5(fullName)}`, fullName];
  return [fullName, fullName];
}

/** The 10-character suffix of a generic test's unique_id, as dbt computes it. */
export function testHash(name: string, metadata: { namespace: string | null; name: string; kwargs: Record<string, unknown> }): string {
  return md5(name + pythonRepr(hashable(metadata))).slice(-10);
}

function hashable(value: unknown): unknown {
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = hashable(value[key]);
    return out;
  }
  if (Array.isArray(value)) return value.map(hashable);
  return pythonStr(value);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function modelString(target: TestTarget): string {
  if (target.yamlKey === 'sources') return `{{ get_where_subquery(source('${target.sourceName}', '${target.name}')) }}`;
  const version = target.version === undefined || target.version === null ? '' : `, version=${pythonRepr(target.version)}`;
  return `{{ get_where_subquery(ref('${target.name}'${version})) }}`;
}

const QUOTED = `\\s*(?:'([^']*)'|"([^"]*)")\\s*`;
const REF_CALL = new RegExp(`\\bref\\(${QUOTED}(?:,${QUOTED})?(?:,\\s*(?:version|v)\\s*=\\s*['"]?([\\w.]+)['"]?\\s*)?\\)`, 'g');
const SOURCE_CALL = new RegExp(`\\bsource\\(${QUOTED},${QUOTED}\\)`, 'g');

/** `ref('x')`, `ref('pkg', 'x')`, `source('a', 'b')` written literally in test arguments. */
export function literalCalls(values: unknown[]): { refs: RefCall[]; sources: [string, string][] } {
  const refs: RefCall[] = [];
  const sources: [string, string][] = [];
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (!value.includes('(')) return;
      for (const m of value.matchAll(REF_CALL)) {
        const first = m[1] ?? m[2]!;
        const second = m[3] ?? m[4];
        refs.push(second === undefined ? { name: first, ...(m[5] ? { version: m[5] } : {}) } : { name: second, package: first, ...(m[5] ? { version: m[5] } : {}) });
      }
      for (const m of value.matchAll(SOURCE_CALL)) sources.push([m[1] ?? m[2]!, m[3] ?? m[4]!]);
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (isRecord(value)) Object.values(value).forEach(visit);
  };
  values.forEach(visit);
  return { refs, sources };
}

/** Build the test node for one generic test entry of a schema YAML file. */
export function buildGenericTest(entry: unknown, site: GenericTestSite): ExecutableNode {
  const where = { file: site.originalFilePath, line: site.line };
  const parsed = parseTestEntry(entry, where);
  const args: Record<string, unknown> = { ...parsed.args };
  if (site.columnName !== null) args.column_name = site.columnName;
  const isSource = site.target.yamlKey === 'sources';
  const testType = `${isSource ? 'source_' : ''}${parsed.namespace ? `${parsed.namespace}_` : ''}${parsed.testName}`;
  const version = site.target.version;
  const targetName = isSource ? `${site.target.sourceName}_${site.target.name}` : version != null ? `${site.target.name}_v${version}` : site.target.name;
  const [shortName, fullName] = synthesizeTestNames(testType, targetName, args);
  const name = parsed.customName ?? fullName;
  const compiledName = parsed.customName ?? shortName;
  args.model = modelString(site.target);

  const metadata = { namespace: parsed.namespace, name: parsed.testName, kwargs: args };
  const uniqueId = `test.${site.packageName}.${name}.${testHash(name, metadata)}`;
  const fqn = [site.packageName, ...site.folders, name];
  const tree = mergeConfig(
    configFromTree('tests', site.project.configTrees.tests, fqn),
    configFromTree('tests', site.project.configTrees.data_tests, fqn),
  );
  const entryConfig = site.renderConfig?.(parsed.config, site.line) ?? parsed.config;
  const config = resolveConfig('test', { tags: site.inheritedTags }, tree, entryConfig);
  if (config.alias === null && compiledName !== name) config.alias = compiledName;
  const calls = literalCalls(Object.entries(args).filter(([k]) => k !== 'model').map(([, v]) => v));
  const targetRefs: RefCall[] = isSource ? [] : [{ name: site.target.name, ...(site.target.version != null ? { version: site.target.version } : {}) }];
  const macroCall = `${parsed.namespace ? `${parsed.namespace}.` : ''}test_${parsed.testName}`;
  return {
    unique_id: uniqueId,
    resource_type: 'test',
    name,
    package_name: site.packageName,
    // dbt's pseudo path: the test as a file beside the YAML that defines it.
    path: [...site.folders, `${compiledName}.sql`].join('/'),
    original_file_path: site.originalFilePath,
    root_path: site.rootPath,
    fqn,
    description: parsed.description,
    meta: config.meta,
    tags: [...config.tags].sort(),
    config: { ...config, tags: [...config.tags].sort() },
    patch_path: null,
    line: site.line,
    raw_code: `{{ ${macroCall}(**_dbt_generic_test_kwargs) }}`,
    language: 'sql',
    database: typeof config.database === 'string' ? config.database : site.defaultDatabase,
    schema: site.defaultSchema,
    alias: typeof config.alias === 'string' ? config.alias : compiledName,
    checksum: { name: 'none', checksum: '' },
    columns: {},
    refs: [...targetRefs, ...calls.refs],
    sources: isSource ? [[site.target.sourceName!, site.target.name], ...calls.sources] : calls.sources,
    depends_on: { macros: [], nodes: [] },
    test_metadata: metadata,
    test_entry_config: entryConfig,
    attached_node: isSource ? null : site.target.uniqueId,
    column_name: site.columnName ?? (typeof args.column_name === 'string' ? args.column_name : null),
    file_key_name: `${site.target.yamlKey}.${isSource ? site.target.sourceName : site.target.name}`,
  };
}
