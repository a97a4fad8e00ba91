import { describe, expect, it } from 'vitest';
import { selectNodes } from '../src/shared/select.js';
import type { LineageIndex, SelectableNode } from '../src/shared/select.js';

// raw.orders -> stg_orders -> orders -> customers ; seed payments -> orders ; other -> unrelated
function index(): LineageIndex {
  const list: SelectableNode[] = [
    { unique_id: 'source.p.raw.orders', name: 'orders', resource_type: 'source', source_name: 'raw' },
    { unique_id: 'model.p.stg_orders', name: 'stg_orders', resource_type: 'model' },
    { unique_id: 'seed.p.payments', name: 'payments', resource_type: 'seed' },
    { unique_id: 'model.p.orders', name: 'orders', resource_type: 'model' },
    { unique_id: 'model.p.customers', name: 'customers', resource_type: 'model' },
    { unique_id: 'model.p.unrelated', name: 'unrelated', resource_type: 'model' },
  ];
  const edges: [string, string][] = [
    ['source.p.raw.orders', 'model.p.stg_orders'],
    ['model.p.stg_orders', 'model.p.orders'],
    ['seed.p.payments', 'model.p.orders'],
    ['model.p.orders', 'model.p.customers'],
  ];
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  for (const [a, b] of edges) {
    children.set(a, [...(children.get(a) ?? []), b]);
    parents.set(b, [...(parents.get(b) ?? []), a]);
  }
  return { nodes: new Map(list.map((n) => [n.unique_id, n])), parents, children };
}

const sorted = (s: Set<string>) => [...s].sort();

describe('graph selection', () => {
  const idx = index();
  it('blank selects everything', () => expect(selectNodes(idx, '  ').size).toBe(6));
  it('a bare name is the node alone (models, not a same-named source)', () => expect(sorted(selectNodes(idx, 'orders'))).toEqual(['model.p.orders']));
  it('+name+ adds all ancestors and descendants', () =>
    expect(sorted(selectNodes(idx, '+orders+'))).toEqual(['model.p.customers', 'model.p.orders', 'model.p.stg_orders', 'seed.p.payments', 'source.p.raw.orders']));
  it('depth limits: 1+name', () => expect(sorted(selectNodes(idx, '1+orders'))).toEqual(['model.p.orders', 'model.p.stg_orders', 'seed.p.payments']));
  it('name+ only descendants', () => expect(sorted(selectNodes(idx, 'stg_orders+'))).toEqual(['model.p.customers', 'model.p.orders', 'model.p.stg_orders']));
  it('source:src.table and wildcards', () => {
    expect(sorted(selectNodes(idx, 'source:raw.orders+1'))).toEqual(['model.p.stg_orders', 'source.p.raw.orders']);
    expect(sorted(selectNodes(idx, 'stg_*'))).toEqual(['model.p.stg_orders']);
  });
  it('@name: descendants and their ancestors', () =>
    expect(sorted(selectNodes(idx, '@stg_orders'))).toEqual(['model.p.customers', 'model.p.orders', 'model.p.stg_orders', 'seed.p.payments', 'source.p.raw.orders']));
  it('several terms are a union', () => expect(sorted(selectNodes(idx, 'customers, unrelated'))).toEqual(['model.p.customers', 'model.p.unrelated']));
});
