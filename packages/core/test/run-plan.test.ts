import { describe, expect, it } from 'vitest';
import type { ColumnMeta } from '../src/adapter/contract.js';
import type { ExecutableNode, NodeConfig, Project } from '../src/project/types.js';
import { judgeTest } from '../src/run/data-test.js';
import { chooseStrategy, uniqueKeyList } from '../src/run/materialize/incremental.js';
import { diffColumns, parseOnSchemaChange } from '../src/run/materialize/schema-change.js';
import { planRun } from '../src/run/plan.js';
import { countsText, summarize } from '../src/run/describe.js';

function node(id: string, deps: string[] = [], config: Partial<NodeConfig> = {}): ExecutableNode {
  const [type, pkg, name] = id.split('.') as [ExecutableNode['resource_type'], string, string];
  return {
    unique_id: id,
    resource_type: type,
    name,
    package_name: pkg,
    path: `${name}.sql`,
    original_file_path: `models/${name}.sql`,
    root_path: '/tmp',
    fqn: [pkg, name],
    description: '',
    meta: {},
    tags: [],
    config: { enabled: true, materialized: 'view', tags: [], meta: {}, pre_hook: [], post_hook: [], persist_docs: {}, quoting: {}, column_types: {}, grants: {}, docs: { show: true }, ...config } as NodeConfig,
    raw_code: '',
    language: 'sql',
    database: 'db',
    schema: 'main',
    alias: name,
    checksum: { name: 'sha256', checksum: '' },
    columns: {},
    refs: [],
    sources: [],
    depends_on: { macros: [], nodes: deps },
  };
}

function project(nodes: ExecutableNode[]): Project {
  return { nodes: new Map(nodes.map((n) => [n.unique_id, n])), unitTests: new Map() } as unknown as Project;
}

describe('planRun', () => {
  const seed = node('seed.p.raw');
  const eph = node('model.p.eph', ['seed.p.raw'], { materialized: 'ephemeral' });
  const stg = node('model.p.stg', ['model.p.eph']);
  const mart = node('model.p.mart', ['model.p.stg']);
  const test = node('test.p.not_null_stg_id', ['model.p.stg']);
  const all = project([seed, eph, stg, mart, test]);
  const ids = [...all.nodes.keys()];

  it('keeps the resource types of the command, parents first', () => {
    expect(planRun(all, 'run', ids).nodes.map((n) => n.name)).toEqual(['stg', 'mart']);
    expect(planRun(all, 'seed', ids).nodes.map((n) => n.name)).toEqual(['raw']);
    expect(planRun(all, 'test', ids).nodes.map((n) => n.name)).toEqual(['not_null_stg_id']);
  });

  it('looks through ephemeral models for parents', () => {
    const plan = planRun(all, 'build', ids);
    expect(plan.tasks.find((t) => t.id === 'model.p.stg')!.parents).toEqual(['seed.p.raw']);
  });

  it('in build, children of a tested model wait for its tests', () => {
    const plan = planRun(all, 'build', ids);
    expect([...plan.tasks.find((t) => t.id === 'model.p.mart')!.parents].sort()).toEqual(['model.p.stg', 'test.p.not_null_stg_id']);
    expect(plan.nodes.map((n) => n.name)).toEqual(['raw', 'stg', 'not_null_stg_id', 'mart']);
    // not in run: tests are not part of it
    expect(planRun(all, 'run', ids).tasks.find((t) => t.id === 'model.p.mart')!.parents).toEqual(['model.p.stg']);
  });

  it('leaves out unselected and disabled nodes', () => {
    const disabled = node('model.p.off', [], { enabled: false });
    const p = project([seed, stg, mart, disabled]);
    expect(planRun(p, 'run', ['model.p.mart', 'model.p.off']).nodes.map((n) => n.name)).toEqual(['mart']);
  });
});

describe('incremental helpers', () => {
  it('unique_key as string or list', () => {
    expect(uniqueKeyList('id')).toEqual(['id']);
    expect(uniqueKeyList(['id', ' k2 '])).toEqual(['id', 'k2']);
    expect(uniqueKeyList(undefined)).toEqual([]);
  });

  it('chooses dbt defaults and refuses what the adapter lacks', () => {
    const none = () => false;
    expect(chooseStrategy(node('model.p.a'), ['append', 'delete+insert'], none)).toBe('append');
    expect(chooseStrategy(node('model.p.a', [], { unique_key: 'id' }), ['append', 'delete+insert'], none)).toBe('delete+insert');
    expect(chooseStrategy(node('model.p.a', [], { unique_key: 'id' }), ['append', 'merge'], none)).toBe('merge');
    expect(() => chooseStrategy(node('model.p.a', [], { incremental_strategy: 'merge' }), ['append'], none)).toThrow(/supports: append/);
    expect(chooseStrategy(node('model.p.a', [], { incremental_strategy: 'mine' }), ['append'], (m) => m === 'get_incremental_mine_sql')).toBe('mine');
  });

  it('diffs columns by name (any case) and type', () => {
    const col = (name: string, nativeType: string): ColumnMeta => ({ name, nativeType, type: { kind: 'unknown', native: nativeType } });
    const diff = diffColumns([col('ID', 'INTEGER'), col('val', 'INTEGER'), col('gone', 'VARCHAR')], [col('id', 'INTEGER'), col('val', 'VARCHAR'), col('new', 'DATE')]);
    expect(diff).toEqual({
      added: [{ name: 'new', data_type: 'DATE' }],
      removed: [{ name: 'gone', data_type: 'VARCHAR' }],
      changed: [{ name: 'val', data_type: 'VARCHAR', from: 'INTEGER' }],
    });
    expect(parseOnSchemaChange(undefined)).toBe('ignore');
    expect(() => parseOnSchemaChange('sometimes')).toThrow(/on_schema_change must be one of/);
  });
});

describe('judgeTest', () => {
  const t = (config: Partial<NodeConfig> = {}) => node('test.p.t', [], config);
  it('fails only with severity error', () => {
    expect(judgeTest({ failures: 2n, should_warn: 1, should_error: 1 }, t())).toEqual({ status: 'fail', failures: 2, message: 'Got 2 results, configured to fail if != 0' });
    expect(judgeTest({ failures: 2n, should_warn: 1, should_error: 1 }, t({ severity: 'warn' })).status).toBe('warn');
    expect(judgeTest({ failures: 1, should_warn: true, should_error: false }, t({ warn_if: '>0' })).message).toBe('Got 1 result, configured to warn if >0');
    expect(judgeTest({ failures: 0, should_warn: 0, should_error: 0 }, t()).status).toBe('pass');
  });
});

describe('run summary', () => {
  it('counts like dbt', () => {
    expect(countsText({ model: 5, seed: 1, test: 8, source: 0, macro: 120 })).toBe('5 models, 1 seed, 8 data tests, 120 macros');
    const r = (status: string) => ({ status }) as never;
    expect(summarize([r('success'), r('pass'), r('warn'), r('error'), r('fail'), r('skipped')])).toEqual({ pass: 2, warn: 1, error: 2, skip: 1, total: 6 });
  });
});
