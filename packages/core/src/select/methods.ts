import { DvtError } from '../errors.js';
import type { Project, ResourceType } from '../project/types.js';
import { activeUnitTests } from '../project/unit-tests.js';
import { fnmatch } from './match.js';
import { matchesState, type StateChange } from '../state/compare.js';

/** What selection methods look at, the same for nodes, sources and exposures. */
export interface Selectable {
  unique_id: string;
  resource_type: ResourceType | 'exposure';
  name: string;
  package_name: string;
  fqn: string[];
  tags: string[];
  original_file_path: string;
  config: Record<string, unknown>;
  /** Set for generic tests. */
  testName?: string;
  sourceName?: string;
  version?: string | number | null;
}

export function selectables(project: Project): Selectable[] {
  const out: Selectable[] = [];
  for (const node of project.nodes.values()) {
    if (node.config.enabled === false) continue;
    out.push({
      unique_id: node.unique_id, resource_type: node.resource_type, name: node.name, package_name: node.package_name,
      fqn: node.fqn, tags: node.tags, original_file_path: node.original_file_path, config: node.config,
      ...(node.test_metadata ? { testName: node.test_metadata.name } : {}), version: node.version ?? null,
    });
  }
  for (const source of project.sources.values()) {
    if (source.config.enabled === false) continue;
    out.push({
      unique_id: source.unique_id, resource_type: 'source', name: source.name, package_name: source.package_name, fqn: source.fqn,
      tags: source.tags, original_file_path: source.original_file_path, config: sourceConfig(source.config), sourceName: source.source_name,
    });
  }
  for (const test of activeUnitTests(project)) {
    out.push({
      unique_id: test.unique_id, resource_type: 'unit_test', name: test.name, package_name: test.package_name, fqn: test.fqn,
      tags: test.tags, original_file_path: test.original_file_path, config: test.config, version: test.version,
    });
  }
  for (const exposure of project.exposures.values()) {
    if (exposure.config?.enabled === false) continue;
    out.push({
      unique_id: exposure.unique_id, resource_type: 'exposure', name: exposure.name, package_name: exposure.package_name,
      fqn: exposure.fqn ?? [exposure.package_name, exposure.name], tags: exposure.tags ?? [], original_file_path: exposure.original_file_path,
      config: { ...exposure.config },
    });
  }
  return out;
}

/** Node-only defaults a source's config carries in the model but dbt's source config does not have. */
const NODE_ONLY_CONFIG = ['materialized', 'pre_hook', 'post_hook', 'persist_docs', 'column_types', 'grants', 'docs', 'alias'];

function sourceConfig(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).filter(([key]) => !NODE_ONLY_CONFIG.includes(key)));
}

/** What a `--state` directory tells the selectors; each part absent without it. */
export interface PreviousState {
  /** Changes against its manifest (`compareWithState`), for `state:` selectors. */
  state?: ReadonlyMap<string, ReadonlySet<StateChange>>;
  /** Each node's status in its run_results.json (`readStateResults`), for `result:` selectors. */
  results?: ReadonlyMap<string, string>;
  /** Sources whose data is newer than in its sources.json (`fresherSources`), for `source_status:fresher`. */
  fresher?: ReadonlySet<string>;
}

export interface MethodContext extends PreviousState {
  rootProject: string;
}

/** Does `item` match `method[.args]:value`? */
export function matchesMethod(item: Selectable, method: string, args: readonly string[], value: string, ctx: MethodContext): boolean {
  switch (method) {
    case 'fqn':
      return isNode(item) && fqnMatches(item.fqn, value, item.version !== null && item.version !== undefined);
    case 'tag':
      return item.tags.some((tag) => fnmatch(tag, value));
    case 'path':
      return pathMatches(item.original_file_path, value);
    case 'file': {
      const file = item.original_file_path.split('/').pop()!;
      const stem = file.includes('.') ? file.slice(0, file.lastIndexOf('.')) : file;
      return isNode(item) && (fnmatch(file, value) || fnmatch(stem, value));
    }
    case 'package':
      return fnmatch(item.package_name, value === 'this' ? ctx.rootProject : value);
    case 'config':
      return configMatches(item.config, args, value);
    case 'resource_type':
      return item.resource_type === value;
    case 'test_type':
      return (item.resource_type === 'test' || item.resource_type === 'unit_test') && testTypeMatches(item, value);
    case 'test_name':
      return item.resource_type === 'test' && fnmatch(item.testName ?? item.name, value);
    case 'source':
      return item.resource_type === 'source' && sourceMatches(item, value);
    case 'exposure': {
      if (item.resource_type !== 'exposure') return false;
      const parts = value.split('.');
      return parts.length === 1 ? fnmatch(item.name, value) : fnmatch(item.package_name, parts[0]!) && fnmatch(item.name, parts.slice(1).join('.'));
    }
    case 'access':
      return item.resource_type === 'model' && String(item.config.access ?? 'protected') === value;
    case 'group':
      return typeof item.config.group === 'string' && fnmatch(item.config.group, value);
    case 'version':
      return versionMatches(item, value);
    case 'state':
      if (!ctx.state) throw new DvtError('usage', `state:${value} needs --state DIR: the directory of a previous manifest.json to compare with`);
      return matchesState(ctx.state.get(item.unique_id), value, args);
    case 'result':
      if (!ctx.results) throw new DvtError('usage', `result:${value} needs --state DIR holding a previous run's run_results.json`);
      return ctx.results.get(item.unique_id) === value;
    case 'source_status':
      if (value !== 'fresher') throw new DvtError('usage', `source_status:${value} is not supported; use source_status:fresher`);
      if (!ctx.fresher) throw new DvtError('usage', 'source_status:fresher needs --state DIR holding a sources.json, and target/sources.json from dvt source freshness run now');
      return item.resource_type === 'source' && ctx.fresher.has(item.unique_id);
    case 'unit_test':
      return item.resource_type === 'unit_test' && (fnmatch(item.name, value) || fqnMatches(item.fqn, value));
    default:
      throw new DvtError('usage', `selector method '${method}' cannot be matched here`);
  }
}

function isNode(item: Selectable): boolean {
  return item.resource_type !== 'source' && item.resource_type !== 'exposure';
}

/**
 * dbt's fqn match: the value equals the node's name, or its dot-separated
 * parts match the start of the fqn (`shop.staging` = everything under
 * models/staging of package shop); `*` in a part matches the rest. A
 * versioned model (fqn ending `name, v2`) also answers to `name` (every
 * version), `name_v2` and `name.v2`.
 */
export function fqnMatches(fqn: readonly string[], value: string, versioned = false): boolean {
  const leaf = fqn[fqn.length - 1]!;
  if (versioned && fqn.length >= 2) {
    const name = fqn[fqn.length - 2]!;
    if (name === value || fnmatch(name, value)) return true;
    if (`${name}_${leaf}` === value.split('.').slice(-2).join('_')) return true;
  } else if (leaf === value || fnmatch(leaf, value)) return true;
  const flat = fqn.flatMap((part) => part.split('.'));
  const parts = value.split('.');
  if (flat.length < parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '*') return true;
    if (!fnmatch(flat[i]!, parts[i]!)) return false;
  }
  return true;
}

function pathMatches(filePath: string, selector: string): boolean {
  const pattern = selector.replace(/\\/g, '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (pattern === '' || pattern === '.') return true;
  // The file itself, or any folder containing it.
  const parts = filePath.split('/');
  for (let i = parts.length; i > 0; i--) {
    if (fnmatch(parts.slice(0, i).join('/'), pattern)) return true;
  }
  return false;
}

function configMatches(config: Record<string, unknown>, keys: readonly string[], value: string): boolean {
  let current: unknown = config;
  for (const key of keys) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  const same = (v: unknown): boolean => {
    if (v === null || v === undefined) return false;
    if (typeof v === 'boolean' || typeof v === 'number') return String(v).toLowerCase() === value.toLowerCase();
    return typeof v === 'string' && fnmatch(v, value);
  };
  return Array.isArray(current) ? current.some(same) : same(current);
}

function testTypeMatches(item: Selectable, value: string): boolean {
  switch (value) {
    case 'generic':
    case 'schema':
      return item.resource_type === 'test' && item.testName !== undefined;
    case 'singular':
    case 'data':
      return item.resource_type === 'test' && item.testName === undefined;
    case 'unit':
      return item.resource_type === 'unit_test';
    default:
      throw new DvtError('usage', `Invalid test type '${value}': expected generic, singular or unit`);
  }
}

function sourceMatches(item: Selectable, value: string): boolean {
  const parts = value.split('.');
  let pkg = '*';
  let source: string;
  let table = '*';
  if (parts.length === 1) source = parts[0]!;
  else if (parts.length === 2) [source, table] = parts as [string, string];
  else if (parts.length === 3) [pkg, source, table] = parts as [string, string, string];
  else throw new DvtError('usage', `Invalid source selector "source:${value}": expected source, source.table or package.source.table`);
  return fnmatch(item.package_name, pkg) && fnmatch(item.sourceName ?? '', source) && fnmatch(item.name, table);
}

function versionMatches(item: Selectable, value: string): boolean {
  if (item.version === null || item.version === undefined) return false;
  if (value === 'latest' || value === 'prerelease' || value === 'old') {
    throw new DvtError('usage', `version:${value} is not supported yet; select a version by number`);
  }
  return String(item.version) === value;
}
