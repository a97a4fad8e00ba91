import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv } from '../adapter/csv.js';
import { DvtError } from '../errors.js';
import { configFromTree, mergeConfig } from './config.js';
import type { ExecutableNode, PackageInfo, Project, ProjectConfig, ProjectWarning, RefCall } from './types.js';
import type { YamlFile } from './yaml.js';
import { isRecord } from './yaml.js';

/**
 * dbt 1.8 unit tests (`unit_tests:` in schema YAML): reading the entries,
 * their rows in each format (dict, csv, sql, fixture files), and tying each
 * to the model it tests. Running them is `src/unit`'s job.
 */

export type UnitTestFormat = 'dict' | 'csv' | 'sql';

/** Rows as dbt keeps them after parsing: dicts for dict and csv, SQL text for sql. */
export type FixtureRows = Record<string, unknown>[] | string;

export interface UnitTestGiven {
  /** `ref('x')`, `source('s', 't')` or `this`, as written. */
  input: string;
  rows: FixtureRows | null;
  format: UnitTestFormat;
  fixture: string | null;
  line?: number;
}

export interface UnitTestExpect {
  rows: FixtureRows | null;
  format: UnitTestFormat;
  fixture: string | null;
  line?: number;
}

export interface UnitTestOverrides {
  macros: Record<string, unknown>;
  vars: Record<string, unknown>;
  env_vars: Record<string, unknown>;
}

export interface UnitTestDefinition {
  /** `unit_test.<package>.<model>.<name>`, `_v<version>` appended per version of a versioned model. */
  unique_id: string;
  resource_type: 'unit_test';
  name: string;
  /** The tested model's name, as written. */
  model: string;
  package_name: string;
  /** The schema YAML file, relative to its resource folder. */
  path: string;
  original_file_path: string;
  root_path: string;
  fqn: string[];
  description: string;
  given: UnitTestGiven[];
  expect: UnitTestExpect;
  overrides: UnitTestOverrides | null;
  config: { enabled: boolean; tags: string[]; meta: Record<string, unknown>; [key: string]: unknown };
  tags: string[];
  meta: Record<string, unknown>;
  /** `nodes` is the tested model, once resolved. */
  depends_on: { macros: string[]; nodes: string[] };
  versions: { include?: (string | number)[] | null; exclude?: (string | number)[] | null } | null;
  version: string | number | null;
  schema: string | null;
  checksum: string;
  /** 1-based line of the entry in its YAML file. */
  line?: number;
}

/** What a `given` input names. */
export type InputCall = { kind: 'this' } | { kind: 'ref'; ref: RefCall } | { kind: 'source'; source: string; table: string };

const STRING = String.raw`\s*(?:'([^']*)'|"([^"]*)")\s*`;
const REF_RE = new RegExp(String.raw`^ref\(${STRING}(?:,${STRING})?(?:,\s*(?:v|version)\s*=\s*(?:'([^']*)'|"([^"]*)"|(\d+(?:\.\d+)?))\s*)?\)$`);
const SOURCE_RE = new RegExp(String.raw`^source\(${STRING},${STRING}\)$`);

/** Reads `ref('x')`, `ref('pkg', 'x', v=2)`, `source('s', 't')` or `this`; undefined for anything else. */
export function parseInputCall(text: string): InputCall | undefined {
  const input = text.trim();
  if (input === 'this') return { kind: 'this' };
  const ref = REF_RE.exec(input);
  if (ref) {
    const first = ref[1] ?? ref[2]!;
    const second = ref[3] ?? ref[4];
    const version = ref[5] ?? ref[6] ?? ref[7];
    const call: RefCall = second === undefined ? { name: first } : { package: first, name: second };
    if (version !== undefined) call.version = ref[7] !== undefined ? Number(version) : version;
    return { kind: 'ref', ref: call };
  }
  const source = SOURCE_RE.exec(input);
  if (source) return { kind: 'source', source: source[1] ?? source[2]!, table: source[3] ?? source[4]! };
  return undefined;
}

export interface UnitTestSite {
  source: YamlFile;
  packageName: string;
  rootPath: string;
  project: ProjectConfig;
  /** The package's own dbt_project.yml (its test-paths hold the fixture files). */
  packageConfig: ProjectConfig;
  /** Folders of the YAML file under its resource path, for the fqn. */
  folders: string[];
  /** The YAML file relative to its resource folder. */
  path: string;
  unitTests: Map<string, UnitTestDefinition>;
  warnings: ProjectWarning[];
}

const ENTRY_KEYS = new Set(['name', 'model', 'description', 'given', 'expect', 'overrides', 'config', 'versions']);

/** Each entry of a schema file's `unit_tests:` list becomes a definition (the model is resolved later). */
export function defineUnitTests(entries: unknown[], site: UnitTestSite): void {
  const { source } = site;
  const file = source.file;
  entries.forEach((entry, index) => {
    const line = source.lineOf(entries, index);
    const at = (container: unknown, key?: string | number) => ({ file, line: source.lineOf(container, key) ?? line });
    if (!isRecord(entry) || typeof entry.name !== 'string' || entry.name === '') {
      throw new DvtError('config', "each 'unit_tests' entry needs a 'name'", { location: { file, line } });
    }
    const name = entry.name;
    if (typeof entry.model !== 'string' || entry.model.trim() === '') {
      throw new DvtError('config', `unit test '${name}' needs 'model': the name of the model it tests`, { location: { file, line } });
    }
    for (const key of Object.keys(entry)) {
      if (!ENTRY_KEYS.has(key)) site.warnings.push({ message: `Unknown property '${key}' of unit test '${name}' is ignored`, location: at(entry, key) });
    }
    const model = entry.model.trim();
    if (!Array.isArray(entry.given)) {
      throw new DvtError('config', `unit test '${name}' needs 'given': a list of inputs (input, rows)`, { location: at(entry, 'given') });
    }
    if (!isRecord(entry.expect)) {
      throw new DvtError('config', `unit test '${name}' needs 'expect': a mapping with the expected rows`, { location: at(entry, 'expect') });
    }
    const given = entry.given.map((item, i): UnitTestGiven => {
      const where = at(entry.given, i);
      if (!isRecord(item) || typeof item.input !== 'string') {
        throw new DvtError('config', `each 'given' of unit test '${name}' needs 'input': ref('...'), source('...', '...') or this`, { location: where });
      }
      if (!parseInputCall(item.input)) {
        throw new DvtError('config', `unit test '${name}': input ${JSON.stringify(item.input)} must be ref('...'), source('...', '...') or this`, { location: where });
      }
      return { input: item.input.trim(), ...readRows(item, `input ${item.input.trim()}`, name, where, site), line: where.line };
    });
    const expect: UnitTestExpect = { ...readRows(entry.expect, 'expected output', name, at(entry, 'expect'), site), line: at(entry, 'expect').line };
    if (expect.rows === null) {
      throw new DvtError('config', `unit test '${name}': 'expect' needs 'rows' or 'fixture'`, { location: at(entry, 'expect') });
    }

    const fqn = [site.packageName, ...site.folders, model, name];
    const config = unitTestConfig(site, entry, fqn, name);
    const uniqueId = `unit_test.${site.packageName}.${model}.${name}`;
    if (site.unitTests.has(uniqueId)) {
      throw new DvtError('config', `unit test '${name}' of model '${model}' is defined twice (first in ${site.unitTests.get(uniqueId)!.original_file_path})`, {
        location: { file, line },
      });
    }
    const definition: UnitTestDefinition = {
      unique_id: uniqueId,
      resource_type: 'unit_test',
      name,
      model,
      package_name: site.packageName,
      path: site.path,
      original_file_path: file,
      root_path: site.rootPath,
      fqn,
      description: typeof entry.description === 'string' ? entry.description : '',
      given,
      expect,
      overrides: readOverrides(entry.overrides, name, at(entry, 'overrides')),
      config,
      tags: config.tags,
      meta: config.meta,
      depends_on: { macros: [], nodes: [] },
      versions: readVersions(entry.versions, name, at(entry, 'versions')),
      version: null,
      schema: null,
      checksum: '',
      line,
    };
    definition.checksum = createHash('sha256').update(JSON.stringify([definition.model, definition.given, definition.expect, definition.overrides])).digest('hex');
    site.unitTests.set(uniqueId, definition);
  });
}

function unitTestConfig(site: UnitTestSite, entry: Record<string, unknown>, fqn: string[], name: string): UnitTestDefinition['config'] {
  let config: Record<string, unknown> = { enabled: true, tags: [], meta: {} };
  config = mergeConfig(config, configFromTree('unit_tests', site.project.configTrees.unit_tests, fqn));
  if (entry.config !== undefined && entry.config !== null) {
    if (!isRecord(entry.config)) {
      throw new DvtError('config', `'config' of unit test '${name}' must be a mapping`, { location: { file: site.source.file, line: site.source.lineOf(entry, 'config') } });
    }
    config = mergeConfig(config, entry.config);
  }
  return config as UnitTestDefinition['config'];
}

function readOverrides(value: unknown, name: string, where: { file: string; line?: number }): UnitTestOverrides | null {
  if (value === undefined || value === null) return null;
  if (!isRecord(value)) throw new DvtError('config', `'overrides' of unit test '${name}' must be a mapping (macros, vars, env_vars)`, { location: where });
  const part = (key: string): Record<string, unknown> => {
    const v = value[key];
    if (v === undefined || v === null) return {};
    if (!isRecord(v)) throw new DvtError('config', `'overrides.${key}' of unit test '${name}' must be a mapping`, { location: where });
    return v;
  };
  for (const key of Object.keys(value)) {
    if (!['macros', 'vars', 'env_vars'].includes(key)) throw new DvtError('config', `unknown key 'overrides.${key}' in unit test '${name}' (expected macros, vars, env_vars)`, { location: where });
  }
  return { macros: part('macros'), vars: part('vars'), env_vars: part('env_vars') };
}

function readVersions(value: unknown, name: string, where: { file: string; line?: number }): UnitTestDefinition['versions'] {
  if (value === undefined || value === null) return null;
  const list = (v: unknown): (string | number)[] | null => (v === undefined || v === null ? null : (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'number' ? x : String(x))));
  if (!isRecord(value)) throw new DvtError('config', `'versions' of unit test '${name}' must be a mapping (include or exclude)`, { location: where });
  return { include: list(value.include), exclude: list(value.exclude) };
}

/** `rows`/`format`/`fixture` of a given or expect, normalized as dbt does (csv becomes dicts, empty csv fields null). */
function readRows(
  item: Record<string, unknown>,
  what: string,
  testName: string,
  where: { file: string; line?: number },
  site: UnitTestSite,
): { rows: FixtureRows | null; format: UnitTestFormat; fixture: string | null } {
  const format = item.format === undefined || item.format === null ? 'dict' : String(item.format);
  if (format !== 'dict' && format !== 'csv' && format !== 'sql') {
    throw new DvtError('config', `unit test '${testName}': format '${format}' of ${what} must be dict, csv or sql`, { location: where });
  }
  const fixture = item.fixture === undefined || item.fixture === null ? null : String(item.fixture);
  if (fixture !== null && item.rows !== undefined && item.rows !== null) {
    throw new DvtError('config', `unit test '${testName}': ${what} has both 'rows' and 'fixture'; give one`, { location: where });
  }
  if (format === 'dict') {
    if (fixture !== null) throw new DvtError('config', `unit test '${testName}': a fixture file needs format csv or sql (${what})`, { location: where });
    if (item.rows === undefined || item.rows === null) return { rows: null, format, fixture };
    if (!Array.isArray(item.rows) || !item.rows.every(isRecord)) {
      throw new DvtError('config', `unit test '${testName}' has ${what} rows which do not match format dict: expected a list of mappings`, { location: where });
    }
    return { rows: item.rows as Record<string, unknown>[], format, fixture };
  }
  let text: string;
  if (fixture !== null) text = readFixture(site, fixture, format, testName, where);
  else if (typeof item.rows === 'string') text = item.rows;
  else throw new DvtError('config', `unit test '${testName}' has ${what} rows which do not match format ${format}: expected a string (or a fixture file)`, { location: where });
  return { rows: format === 'csv' ? csvRows(text) : text, format, fixture };
}

/** CSV text as dicts by header; an empty field is NULL (dbt's reading), a quoted empty one too. */
export function csvRows(text: string): Record<string, unknown>[] {
  const [header, ...body] = csvRecords(text);
  if (!header) return [];
  const names = header.map((h) => (h ?? '').trim());
  return body.map((record) => Object.fromEntries(names.map((n, i) => [n, record[i] === '' || record[i] === undefined ? null : record[i]])));
}

/** The header of CSV text: its column names, even when no row follows. */
export function csvHeader(text: string): string[] {
  return (csvRecords(text)[0] ?? []).map((h) => (h ?? '').trim());
}

function csvRecords(text: string) {
  return parseCsv(text.replace(/^\s*\n/, ''), { delimiter: ',', nullString: '' }).filter((r) => !(r.length === 1 && (r[0] === null || r[0] === '')));
}

/** `fixture: name` is `<test-path>/fixtures/**\/name.csv` (or `.sql`) of the package. */
function readFixture(site: UnitTestSite, name: string, format: 'csv' | 'sql', testName: string, where: { file: string; line?: number }): string {
  for (const testPath of site.packageConfig.testPaths) {
    const found = findFile(join(site.rootPath, testPath, 'fixtures'), `${name}.${format}`);
    if (found) return readFileSync(found, 'utf8');
  }
  const dirs = site.packageConfig.testPaths.map((p) => `${p}/fixtures/`).join(', ');
  throw new DvtError('config', `fixture '${name}' of unit test '${testName}' not found: expected ${name}.${format} under ${dirs}`, { location: where });
}

function findFile(dir: string, fileName: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name === fileName) return path;
    if (entry.isDirectory()) {
      const deeper = findFile(path, fileName);
      if (deeper) return deeper;
    }
  }
  return undefined;
}

/**
 * Ties each unit test to its model once every schema file is read: the
 * model must exist in the test's package; a versioned model gets one unit
 * test per version tested (`versions: include/exclude`), named
 * `<id>_v<version>`; a seed input without rows reads the seed's CSV.
 */
export function resolveUnitTests(unitTests: Map<string, UnitTestDefinition>, nodes: ReadonlyMap<string, ExecutableNode>, packages: readonly PackageInfo[]): void {
  for (const [id, test] of [...unitTests]) {
    const where = { file: test.original_file_path, line: test.line };
    const plain = nodes.get(`model.${test.package_name}.${test.model}`);
    const versions = [...nodes.values()].filter((n) => n.resource_type === 'model' && n.package_name === test.package_name && n.name === test.model && n.version != null);
    if (!plain && versions.length === 0) {
      throw new DvtError('config', `Unable to find model '${test.package_name}.${test.model}' for unit test '${test.name}' in ${test.original_file_path}`, { location: where });
    }
    for (const given of test.given) if (given.rows === null) given.rows = seedRows(given, test, nodes, packages);
    if (plain) {
      if (test.versions && (test.versions.include || test.versions.exclude)) {
        throw new DvtError('config', `unit test '${test.name}' should not have a versions include or exclude when testing non-versioned model '${test.model}'`, { location: where });
      }
      test.depends_on.nodes = [plain.unique_id];
      test.schema = plain.schema;
      continue;
    }
    const wanted = versions.filter((n) => {
      const v = String(n.version);
      if (test.versions?.include) return test.versions.include.some((x) => String(x) === v);
      if (test.versions?.exclude) return !test.versions.exclude.some((x) => String(x) === v);
      return true;
    });
    if (wanted.length === 0) throw new DvtError('config', `unit test '${test.name}' referenced a version of '${test.model}' which was not found`, { location: where });
    unitTests.delete(id);
    for (const model of wanted.sort((a, b) => String(a.version).localeCompare(String(b.version), undefined, { numeric: true }))) {
      const versioned: UnitTestDefinition = { ...structuredClone(test), unique_id: `${id}_v${model.version}`, version: model.version ?? null, schema: model.schema };
      versioned.depends_on.nodes = [model.unique_id];
      unitTests.set(versioned.unique_id, versioned);
    }
  }
}

/** dbt: a `given` of a seed with no rows reads the seed file itself. */
function seedRows(given: UnitTestGiven, test: UnitTestDefinition, nodes: ReadonlyMap<string, ExecutableNode>, packages: readonly PackageInfo[]): FixtureRows {
  const where = { file: test.original_file_path, line: given.line };
  const call = parseInputCall(given.input);
  const seed = call?.kind === 'ref' ? nodes.get(`seed.${call.ref.package ?? test.package_name}.${call.ref.name}`) : undefined;
  if (!seed) {
    throw new DvtError('config', `unit test '${test.name}': input ${given.input} has no rows; only a seed's rows may be left out (they are read from its CSV)`, { location: where });
  }
  const root = packages.find((p) => p.name === seed.package_name)?.rootDir ?? seed.root_path;
  return csvRows(readFileSync(join(root, seed.original_file_path), 'utf8'));
}

/**
 * The unit tests that can run: enabled, testing a model that is in the
 * project and enabled (a disabled model's unit tests are disabled, as in dbt).
 */
export function activeUnitTests(project: Pick<Project, 'unitTests' | 'nodes'>): UnitTestDefinition[] {
  return [...project.unitTests.values()].filter((t) => isUnitTestActive(project, t));
}

export function isUnitTestActive(project: Pick<Project, 'nodes'>, test: UnitTestDefinition): boolean {
  if (test.config.enabled === false) return false;
  const model = project.nodes.get(test.depends_on.nodes[0] ?? '');
  return model !== undefined && model.config.enabled !== false;
}
