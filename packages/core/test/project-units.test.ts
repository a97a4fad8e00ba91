import { describe, expect, it } from 'vitest';
import { configFromTree, mergeConfig, misspelledConfigKeys, resolveConfig } from '../src/project/config.js';
import { parseTestEntry, synthesizeTestNames, testHash } from '../src/project/tests.js';
import { parseCliVars, varLookup } from '../src/project/vars.js';
import { parseYaml } from '../src/project/yaml.js';
import { ignoreMatcher } from '../src/project/ignore.js';

describe('parseYaml', () => {
  it('keeps the line of every key and item', () => {
    const file = parseYaml('a: 1\nlist:\n  - x\n  - y: 2\n', 'f.yml');
    const value = file.value as { list: unknown[] };
    expect(file.lineOf(value, 'list')).toBe(2);
    expect(file.lineOf(value.list, 1)).toBe(4);
    expect(file.lineOf(value.list[1], 'y')).toBe(4);
  });

  it('reads YAML 1.1 like PyYAML, but keeps dates as text', () => {
    const value = parseYaml('flag: yes\nday: 2024-01-01\nbase: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\nk: 1\nk: 2\n', 'f.yml').value;
    expect(value).toEqual({ flag: true, day: '2024-01-01', base: { x: 1 }, derived: { x: 1, y: 2 }, k: 2 });
  });

  it('reports malformed YAML with file and line', () => {
    expect(() => parseYaml('a: 1\nb: [1, 2\nc: 3\n', 'models/x.yml')).toThrow(expect.objectContaining({ location: expect.objectContaining({ file: 'models/x.yml' }) }));
    try {
      parseYaml('a:\n  b: 1\n c: 2\n', 'x.yml');
    } catch (error) {
      expect((error as { location: { line: number } }).location.line).toBe(3);
    }
  });
});

describe('parseCliVars', () => {
  it('accepts YAML and JSON mappings', () => {
    expect(parseCliVars('{a: 1, b: [x, y]}')).toEqual({ a: 1, b: ['x', 'y'] });
    expect(parseCliVars('{"a": "1"}')).toEqual({ a: '1' });
    expect(parseCliVars('a: 2')).toEqual({ a: 2 });
    expect(parseCliVars('')).toEqual({});
  });
  it('refuses anything else with a usage error', () => {
    expect(() => parseCliVars('[1, 2]')).toThrow(/must be a YAML or JSON mapping/);
    expect(() => parseCliVars('{a: ')).toThrow(/--vars is not valid/);
  });
  it('looks vars up with package scoping', () => {
    const lookup = varLookup({ cli: 1, shared: 'cli' }, { shared: 'root', pkg: { scoped: 's' }, other: { x: 1 } }, 'pkg', new Set(['root', 'pkg', 'other']), {
      own: 'o',
    });
    expect(lookup('shared')).toBe('cli');
    expect(lookup('scoped')).toBe('s');
    expect(lookup('own')).toBe('o');
    expect(lookup('x')).toBeUndefined();
    expect(lookup('missing')).toBeUndefined();
  });
});

describe('config trees and merging', () => {
  const tree = {
    '+tags': ['all'],
    shop: {
      materialized: 'view',
      '+pre-hook': 'select 1',
      staging: { '+schema': 'stg', tags: 'staging', orders: { '+materialized': 'table', '+pre-hook': ['select 2'] } },
      meta: { owner: 'a' },
    },
  };

  it('walks folders along the fqn; plain known keys are configs, others folders', () => {
    expect(configFromTree('models', tree, ['shop', 'staging', 'orders'])).toEqual({
      tags: ['all', 'staging'],
      materialized: 'table',
      pre_hook: [{ sql: 'select 1', transaction: true }, { sql: 'select 2', transaction: true }],
      schema: 'stg',
      meta: { owner: 'a' },
    });
    expect(configFromTree('models', tree, ['shop', 'marts', 'x'])).toMatchObject({ materialized: 'view', tags: ['all'] });
    expect(configFromTree('models', tree, ['other', 'x'])).toEqual({ tags: ['all'] });
  });

  it('merges like dbt: tags/hooks append, meta/docs update, grants by key, rest clobbers', () => {
    const merged = mergeConfig(
      { tags: ['a'], meta: { x: 1, y: 1 }, grants: { select: ['r1'], insert: ['w'] }, materialized: 'view', post_hook: [{ sql: 'a', transaction: true }] },
      { tags: ['b', 'a'], meta: { y: 2 }, grants: { '+select': ['r2'], insert: ['w2'] }, materialized: 'table', 'post-hook': { sql: 'b', transaction: false } },
    );
    expect(merged).toEqual({
      tags: ['a', 'b'],
      meta: { x: 1, y: 2 },
      grants: { select: ['r1', 'r2'], insert: ['w2'] },
      materialized: 'table',
      post_hook: [{ sql: 'a', transaction: true }, { sql: 'b', transaction: false }],
    });
  });

  it('spots config keys a letter or two from dbt ones, and leaves custom keys alone', () => {
    const found = misspelledConfigKeys('models', {
      '+materialised': 'table',
      shop: { '+tag': ['x'], '+post_hook': 'select 1', '+my_custom_setting': 1, '+persist-docs': {}, staging: { '+schmea': 'stg', '+full_refresh': false } },
    });
    expect(found).toEqual([
      [['+materialised'], 'materialized'],
      [['shop', '+tag'], 'tags'],
      [['shop', '+persist-docs'], 'persist_docs'],
      [['shop', 'staging', '+schmea'], 'schema'],
    ]);
    expect(misspelledConfigKeys('tests', { '+severty': 'warn', '+where': 'x' })).toEqual([[['+severty'], 'severity']]);
  });

  it('starts from dbt defaults per resource type', () => {
    expect(resolveConfig('model')).toMatchObject({ materialized: 'view', enabled: true, on_schema_change: 'ignore' });
    expect(resolveConfig('test', { severity: 'warn' })).toMatchObject({ materialized: 'test', severity: 'warn', warn_if: '!= 0', fail_calc: 'count(*)' });
    expect(resolveConfig('seed')).toMatchObject({ materialized: 'seed', delimiter: ',' });
  });
});

describe('generic test names', () => {
  it('matches dbt names and unique_id hashes', () => {
    expect(synthesizeTestNames('unique', 'customers', { column_name: 'customer_id' })).toEqual(['unique_customers_customer_id', 'unique_customers_customer_id']);
    // dbt's jaffle_shop: test.jaffle_shop.unique_customers_customer_id.c5af1ff4b1
    expect(testHash('unique_customers_customer_id', {
      namespace: null, name: 'unique', kwargs: { column_name: 'customer_id', model: "{{ get_where_subquery(ref('customers')) }}" },
    })).toBe('c5af1ff4b1');
    expect(synthesizeTestNames('accepted_values', 'orders', { column_name: 'status', values: ['placed', 'shipped'] })[1]).toBe(
      'accepted_values_orders_status__placed__shipped',
    );
    expect(synthesizeTestNames('relationships', 'orders', { column_name: 'customer_id', to: "ref('customers')", field: 'customer_id' })[1]).toBe(
      'relationships_orders_customer_id__customer_id__ref_customers_',
    );
  });

  it('shortens names of 64+ characters to <test>_<target> (at most 30 characters) and an md5', () => {
    const [short, full] = synthesizeTestNames('accepted_values', 'orders', { column_name: 'status', values: ['placed', 'shipped', 'completed', 'return_pending', 'returned'] });
    expect(full).toBe('accepted_values_orders_status__placed__shipped__completed__return_pending__returned');
    expect(short).toMatch(/^accepted_values_orders_[0-9a-f]{32}$/);
    const [longTarget] = synthesizeTestNames('not_null', 'a_really_long_model_name_for_testing', { column_name: 'id_column_with_long_name' });
    expect(longTarget).toMatch(/^not_null_a_really_long_model_n_[0-9a-f]{32}$/);
  });

  it('reads every YAML form of a test entry', () => {
    const at = { file: 'x.yml', line: 1 };
    expect(parseTestEntry('not_null', at)).toMatchObject({ testName: 'not_null', namespace: null, args: {}, config: {} });
    expect(parseTestEntry({ accepted_values: { values: [1], severity: 'warn', config: { where: 'x' } } }, at)).toMatchObject({
      args: { values: [1] }, config: { severity: 'warn', where: 'x' },
    });
    expect(parseTestEntry({ 'dbt_utils.expression_is_true': { arguments: { expression: 'a > 0' }, name: 'positive' } }, at)).toMatchObject({
      testName: 'expression_is_true', namespace: 'dbt_utils', customName: 'positive', args: { expression: 'a > 0' },
    });
    expect(parseTestEntry({ test_name: 'unique', name: 'pk' }, at)).toMatchObject({ testName: 'unique', customName: 'pk' });
    expect(() => parseTestEntry({ a: 1, b: 2 }, at)).toThrow(/a test must be/);
    expect(() => parseTestEntry({ unique: { model: 'x' } }, at)).toThrow(/reserved argument 'model'/);
  });
});

describe('.dbtignore', () => {
  const ignored = ignoreMatcher(['# scratch work', '*.tmp.sql', 'models/legacy/', '/analyses/old_*', '**/wip/**', '!models/legacy/keep.sql', 'scratch'].join('\n'));

  it('follows gitignore rules', () => {
    expect(ignored('models/a.tmp.sql')).toBe(true);
    expect(ignored('models/deep/b.tmp.sql')).toBe(true);
    expect(ignored('models/legacy/x.sql')).toBe(true);
    expect(ignored('models/legacy/keep.sql')).toBe(false);
    expect(ignored('analyses/old_report.sql')).toBe(true);
    expect(ignored('models/analyses/old_report.sql')).toBe(false);
    expect(ignored('models/a/wip/c.sql')).toBe(true);
    expect(ignored('models/scratch/c.sql')).toBe(true);
    expect(ignored('models/scratchpad.sql')).toBe(false);
    expect(ignored('models/legacy.sql')).toBe(false);
    expect(ignored('models/orders.sql')).toBe(false);
  });
});
