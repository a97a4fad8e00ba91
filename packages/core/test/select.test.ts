import { describe, expect, it } from 'vitest';
import { buildGraph, DvtError, fnmatch, loadProject, parseCriteria, parseSelectionArgs, Selector } from '../src/index.js';
import type { SelectOptions } from '../src/index.js';
import { linkedShop, SHOP } from './select-helpers.js';

const { project, graph } = linkedShop();
const selector = new Selector(project, graph);
const testIds = [...project.nodes.values()].filter((n) => n.resource_type === 'test');
const testOf = (name: string) => testIds.find((t) => t.name === name)!.unique_id;

function pick(options: SelectOptions, types: string[] = ['model', 'seed', 'snapshot', 'analysis', 'source', 'exposure']): string[] {
  return selector.select({ ...options, resourceTypes: types });
}

describe('selection grammar', () => {
  it('parses criteria with graph operators', () => {
    expect(parseCriteria('2+tag:nightly+3')).toMatchObject({ method: 'tag', value: 'nightly', parents: true, parentsDepth: 2, children: true, childrenDepth: 3 });
    expect(parseCriteria('@orders')).toMatchObject({ method: 'fqn', value: 'orders', childrensParents: true, parents: false });
    expect(parseCriteria('config.meta.owner:data')).toMatchObject({ method: 'config', methodArgs: ['meta', 'owner'], value: 'data' });
    expect(parseCriteria('path:models/staging+')).toMatchObject({ method: 'path', value: 'models/staging', children: true });
    // bare values that look like paths or file names use those methods, as in dbt
    expect(parseCriteria('models/staging+')).toMatchObject({ method: 'path', value: 'models/staging', children: true });
    expect(parseCriteria('+fct_orders.sql')).toMatchObject({ method: 'file', value: 'fct_orders.sql', parents: true });
    expect(parseCriteria('shop.staging')).toMatchObject({ method: 'fqn' });
  });

  it('names an unknown method and lists the valid ones, exit code 2', () => {
    try {
      parseCriteria('colour:red');
      throw new Error('expected an error');
    } catch (error) {
      expect(error).toBeInstanceOf(DvtError);
      expect((error as DvtError).message).toContain("'colour' is not a valid method name");
      expect((error as DvtError).message).toContain('tag, path');
      expect((error as DvtError).exitCode).toBe(2);
    }
    expect(() => parseCriteria('@+x')).toThrow(/cannot be combined/);
  });

  it('treats spaces as union and commas as intersection', () => {
    expect(parseSelectionArgs(['a b', 'c'])).toMatchObject({ kind: 'union', items: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] });
    expect(parseSelectionArgs(['tag:x,tag:y'])).toMatchObject({ kind: 'intersection', items: [{ value: 'x' }, { value: 'y' }] });
    expect(parseSelectionArgs(['  '])).toBeUndefined();
  });

  it('fnmatch follows Python', () => {
    expect(fnmatch('stg_orders', 'stg_*')).toBe(true);
    expect(fnmatch('stg_orders', 'stg_?rders')).toBe(true);
    expect(fnmatch('stg.orders', 'stg?orders')).toBe(true);
    expect(fnmatch('a1', 'a[0-9]')).toBe(true);
    expect(fnmatch('ab', 'a[!b]')).toBe(false);
    expect(fnmatch('stg_orders', 'stg')).toBe(false);
  });
});

describe('selection methods', () => {
  it('fqn: bare names, package/folder prefixes and wildcards', () => {
    expect(pick({ select: ['stg_orders'] })).toEqual(['model.shop.stg_orders']);
    expect(pick({ select: ['shop.staging'] })).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(pick({ select: ['shop.marts.*'] })).toEqual(['model.shop.dim_customers', 'model.shop.dim_orders.v1', 'model.shop.dim_orders.v2', 'model.shop.fct_orders']);
    expect(pick({ select: ['stg_*'] })).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(pick({ select: ['fqn:shop'] })).toHaveLength(11);
    expect(pick({ select: ['shop_utils'] })).toEqual(['model.shop_utils.util_calendar']);
    expect(pick({ select: ['dim_orders'] })).toEqual(['model.shop.dim_orders.v1', 'model.shop.dim_orders.v2']);
    expect(pick({ select: ['shop.marts.dim_orders.v1'] })).toEqual(['model.shop.dim_orders.v1']);
    expect(pick({ select: ['dim_orders_v2'] })).toEqual(['model.shop.dim_orders.v2']);
    expect(pick({ select: ['dim_orders.v2'] })).toEqual(['model.shop.dim_orders.v2']);
  });

  it('tag, path, file, package, resource_type, config', () => {
    expect(pick({ select: ['tag:marts'] })).toEqual(['model.shop.dim_customers', 'model.shop.dim_orders.v1', 'model.shop.dim_orders.v2', 'model.shop.fct_orders']);
    expect(pick({ select: ['tag:raw'] })).toEqual(['source.shop.raw.customers', 'source.shop.raw.orders']);
    expect(pick({ select: ['path:models/staging'] })).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders', 'source.shop.raw.customers', 'source.shop.raw.orders']);
    expect(pick({ select: ['path:models/marts/fct_orders.sql'] })).toEqual(['model.shop.fct_orders']);
    expect(pick({ select: ['path:seeds/*.csv'] })).toEqual(['seed.shop.raw_customers', 'seed.shop.raw_orders']);
    expect(pick({ select: ['file:fct_orders.sql'] })).toEqual(['model.shop.fct_orders']);
    expect(pick({ select: ['file:fct_orders'] })).toEqual(['model.shop.fct_orders']);
    expect(pick({ select: ['package:this'] })).toHaveLength(14);
    expect(pick({ select: ['package:shop_utils'] })).toEqual(['model.shop_utils.util_calendar']);
    expect(pick({ select: ['resource_type:seed'] })).toEqual(['seed.shop.raw_customers', 'seed.shop.raw_orders']);
    expect(pick({ select: ['config.materialized:incremental'] })).toEqual(['model.shop.fct_orders']);
    expect(pick({ select: ['config.materialized:view'] })).toEqual(['analysis.shop.order_counts', 'model.shop.dim_customers', 'model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(pick({ select: ['config.meta.tier:gold'] })).toEqual(['model.shop.fct_orders']);
    expect(pick({ select: ['config.tags:staging'] })).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(pick({ select: ['config.quote_columns:false'] })).toEqual(['seed.shop.raw_customers', 'seed.shop.raw_orders']);
  });

  it('source and exposure', () => {
    expect(pick({ select: ['source:raw'] })).toEqual(['source.shop.raw.customers', 'source.shop.raw.orders']);
    expect(pick({ select: ['source:raw.orders'] })).toEqual(['source.shop.raw.orders']);
    expect(pick({ select: ['source:shop.raw.cust*'] })).toEqual(['source.shop.raw.customers']);
    expect(pick({ select: ['source:raw.orders+1'] })).toEqual(['model.shop.stg_orders', 'source.shop.raw.orders']);
    expect(pick({ select: ['exposure:weekly_report'] })).toEqual(['exposure.shop.weekly_report']);
    expect(pick({ select: ['+exposure:weekly_report'] })).toContain('model.shop.stg_orders');
  });

  it('test_type and test_name', () => {
    const singular = selector.select({ select: ['test_type:singular'] });
    expect(singular).toEqual(['test.shop.assert_positive_amount']);
    const generic = selector.select({ select: ['test_type:generic'] });
    expect(generic).toHaveLength(testIds.length - 1);
    expect(selector.select({ select: ['test_name:accepted_values'] })).toEqual([
      testOf('accepted_values_stg_orders_status__placed__shipped__completed__returned'),
    ]);
    expect(selector.select({ select: ['test_name:assert_*'] })).toEqual(singular);
  });
});

describe('graph operators, set operations and exclusion', () => {
  it('+ and N+ walk parents and children', () => {
    expect(pick({ select: ['+fct_orders'] })).toEqual([
      'model.shop.fct_orders', 'model.shop.stg_customers', 'model.shop.stg_orders', 'seed.shop.raw_customers', 'source.shop.raw.orders',
    ]);
    expect(pick({ select: ['1+fct_orders'] })).toEqual(['model.shop.fct_orders', 'model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(pick({ select: ['stg_customers+'] })).toEqual([
      'analysis.shop.order_counts', 'exposure.shop.weekly_report', 'model.shop.dim_customers', 'model.shop.dim_orders.v1', 'model.shop.dim_orders.v2',
      'model.shop.fct_orders', 'model.shop.stg_customers',
    ]);
    expect(pick({ select: ['stg_customers+1'] })).toEqual(['model.shop.dim_customers', 'model.shop.fct_orders', 'model.shop.stg_customers']);
  });

  it('@ adds the parents of every descendant', () => {
    const at = pick({ select: ['@stg_customers'] });
    expect(at).toContain('model.shop.stg_orders'); // a parent of fct_orders, a child
    expect(at).toContain('source.shop.raw.orders');
    expect(at).toContain('source.shop.raw.customers'); // parent of the exposure
  });

  it('union, intersection and --exclude', () => {
    expect(pick({ select: ['tag:staging,stg_orders'] })).toEqual(['model.shop.stg_orders']);
    expect(pick({ select: ['dim_customers', 'fct_orders'] })).toEqual(['model.shop.dim_customers', 'model.shop.fct_orders']);
    expect(pick({ select: ['tag:shop'], exclude: ['tag:marts'] })).toEqual(['model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(pick({ exclude: ['resource_type:source resource_type:exposure resource_type:model'] })).toEqual([
      'analysis.shop.order_counts', 'seed.shop.raw_customers', 'seed.shop.raw_orders', 'snapshot.shop.customers_snapshot', 'snapshot.shop.orders_snapshot',
    ]);
  });
});

describe('indirect test selection', () => {
  it('eager: tests on any selected parent join; excluding a model drops its tests', () => {
    const tests = selector.select({ select: ['stg_orders'], resourceTypes: ['test'] });
    expect(tests).toContain(testOf('unique_stg_orders_order_id'));
    expect(tests).toContain(testOf('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_'));
    expect(tests).not.toContain(testOf('stg_customers_pk_unique'));
    const excluded = selector.select({ select: ['tag:staging'], exclude: ['stg_customers'], resourceTypes: ['test'] });
    expect(excluded).not.toContain(testOf('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_'));
    expect(excluded).toContain(testOf('unique_stg_orders_order_id'));
  });

  it('cautious: only tests whose parents are all selected', () => {
    const tests = selector.select({ select: ['stg_orders'], resourceTypes: ['test'], indirectSelection: 'cautious' });
    expect(tests).not.toContain(testOf('relationships_stg_orders_customer_id__customer_id__ref_stg_customers_'));
    expect(tests).toContain(testOf('unique_stg_orders_order_id'));
    expect(selector.select({ select: ['stg_orders'], resourceTypes: ['test'], indirectSelection: 'empty' })).toEqual([]);
  });
});

describe('selectors.yml', () => {
  it('--selector evaluates a named definition with exclusions', () => {
    expect(pick({ selector: 'nightly' })).toEqual(['model.shop.dim_customers', 'model.shop.dim_orders.v1', 'model.shop.dim_orders.v2', 'model.shop.fct_orders']);
    expect(pick({ selector: 'orders_tree' })).toEqual([
      'analysis.shop.order_counts', 'exposure.shop.weekly_report', 'model.shop.dim_orders.v1', 'model.shop.dim_orders.v2', 'model.shop.fct_orders',
      'model.shop.stg_orders', 'snapshot.shop.orders_snapshot',
    ]);
  });

  it('the default selector applies when nothing is selected', () => {
    expect(pick({})).toEqual(['model.shop.dim_customers', 'model.shop.dim_orders.v1', 'model.shop.dim_orders.v2', 'model.shop.fct_orders']);
    expect(pick({ exclude: ['resource_type:model'] })).not.toContain('model.shop.fct_orders');
    // selectors.yml renders with the target: its `default` is only true on dev
    const prod = loadProject({ projectDir: SHOP, env: { HOME: '/nonexistent-home' }, target: 'prod' });
    expect(new Selector(prod, buildGraph(prod)).select({ resourceTypes: ['model'] })).toHaveLength(7);
  });

  it('refuses unknown selectors and --selector with --select', () => {
    expect(() => selector.select({ selector: 'nope' })).toThrow(/Could not find selector named 'nope'.*nightly, orders_tree/);
    expect(() => selector.select({ selector: 'nightly', select: ['x'] })).toThrow(/cannot be combined/);
  });
});

describe('selectors.yml definitions', () => {
  function withSelectors(definitions: unknown[]): Selector {
    const { project: p, graph: g } = linkedShop();
    p.selectors = { file: 'selectors.yml', definitions, lines: definitions.map((_, i) => i * 5 + 2) };
    return new Selector(p, g);
  }
  const models = (s: Selector, name: string) => s.select({ selector: name, resourceTypes: ['model'] });

  it('supports intersection, depth limits, childrens_parents, shorthand, CLI strings and selector references', () => {
    const s = withSelectors([
      { name: 'both', definition: { intersection: [{ method: 'tag', value: 'shop' }, { method: 'path', value: 'models/marts' }, { exclude: [{ tag: 'v2' }] }] } },
      { name: 'near', definition: { method: 'fqn', value: 'fct_orders', parents: true, parents_depth: 1 } },
      { name: 'down1', definition: { method: 'fqn', value: 'stg_customers', children_depth: 1 } },
      { name: 'family', definition: { method: 'fqn', value: 'stg_customers', childrens_parents: true } },
      { name: 'short', definition: { 'config.materialized': 'incremental' } },
      { name: 'cli', definition: 'tag:staging,stg_orders' },
      { name: 'ref', definition: { union: [{ method: 'selector', value: 'short' }, 'selector:cli'] } },
    ]);
    expect(models(s, 'both')).toEqual(['model.shop.dim_customers', 'model.shop.dim_orders.v1', 'model.shop.fct_orders']);
    expect(models(s, 'near')).toEqual(['model.shop.fct_orders', 'model.shop.stg_customers', 'model.shop.stg_orders']);
    expect(models(s, 'down1')).toEqual(['model.shop.dim_customers', 'model.shop.fct_orders', 'model.shop.stg_customers']);
    expect(models(s, 'family')).toContain('model.shop.stg_orders');
    expect(models(s, 'short')).toEqual(['model.shop.fct_orders']);
    expect(models(s, 'cli')).toEqual(['model.shop.stg_orders']);
    expect(models(s, 'ref')).toEqual(['model.shop.fct_orders', 'model.shop.stg_orders']);
    expect(s.select({ select: ['selector:short'], resourceTypes: ['model'] })).toEqual(['model.shop.fct_orders']);
  });

  it('reports bad definitions with file and line', () => {
    const expectConfigError = (definitions: unknown[], message: RegExp, line: number) => {
      try {
        withSelectors(definitions);
        throw new Error('expected an error');
      } catch (error) {
        expect(error).toBeInstanceOf(DvtError);
        expect((error as DvtError).message).toMatch(message);
        expect((error as DvtError).location).toEqual({ file: 'selectors.yml', line });
      }
    };
    expectConfigError([{ name: 'a', definition: { method: 'colour', value: 'x' } }], /'colour' is not a valid method name.*Valid methods: fqn, tag/, 2);
    expectConfigError([{ name: 'a', definition: 'tag:x' }, { name: 'b', definition: { method: 'selector', value: 'zzz' } }], /selector 'zzz' is not defined/, 7);
    expectConfigError([{ name: 'a', definition: 'selector:b' }, { name: 'b', definition: 'selector:a' }], /refers to itself/, 7);
    expectConfigError([{ name: 'a', default: true, definition: 'x' }, { name: 'b', default: true, definition: 'y' }], /only one selector may set 'default: true'/, 7);
    expectConfigError([{ name: 'a' }], /needs a name and a definition/, 2);
  });
});
