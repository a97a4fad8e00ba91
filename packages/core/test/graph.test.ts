import { describe, expect, it } from 'vitest';
import { adjacencyRecord, ancestors, assertAcyclic, buildGraph, descendants, linkExposures, DvtError, findCycle, graphFromEdges, topologicalOrder } from '../src/index.js';
import { linkedShop } from './select-helpers.js';

describe('graph', () => {
  const diamond = graphFromEdges(['a', 'b', 'c', 'd', 'x'], [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'ghost']]);

  it('orders parents before children, ties by unique_id', () => {
    expect(topologicalOrder(diamond)).toEqual(['a', 'b', 'c', 'd', 'x']);
    expect(topologicalOrder(diamond, new Set(['d', 'a']))).toEqual(['a', 'd']);
  });

  it('drops edges to unknown vertices and keeps parent/child maps', () => {
    expect(adjacencyRecord(diamond.parents)).toEqual({ a: [], b: ['a'], c: ['a'], d: ['b', 'c'], x: [] });
    expect(adjacencyRecord(diamond.children).a).toEqual(['b', 'c']);
  });

  it('walks ancestors and descendants with depth', () => {
    expect([...descendants(diamond, 'a')].sort()).toEqual(['b', 'c', 'd']);
    expect([...descendants(diamond, 'a', 1)].sort()).toEqual(['b', 'c']);
    expect([...ancestors(diamond, 'd')].sort()).toEqual(['a', 'b', 'c']);
    expect([...ancestors(diamond, 'd', 1)].sort()).toEqual(['b', 'c']);
    expect([...descendants(diamond, ['b', 'c'])]).toEqual(['d']);
    expect([...ancestors(diamond, ['b', 'x'])]).toEqual(['a']);
  });

  it('finds a cycle and names it in the error', () => {
    const cyclic = graphFromEdges(['model.a', 'model.b', 'model.c', 'model.z'], [['model.z', 'model.a'], ['model.a', 'model.b'], ['model.b', 'model.c'], ['model.c', 'model.a']]);
    expect(findCycle(cyclic)).toEqual(['model.a', 'model.b', 'model.c', 'model.a']);
    expect(findCycle(diamond)).toBeNull();
    expect(() => topologicalOrder(cyclic)).toThrow('Found a cycle: model.a -> model.b -> model.c -> model.a');
    try {
      assertAcyclic(cyclic);
    } catch (error) {
      expect(error).toBeInstanceOf(DvtError);
      expect((error as DvtError).exitCode).toBe(2);
    }
    const self = graphFromEdges(['model.s'], [['model.s', 'model.s']]);
    expect(findCycle(self)).toEqual(['model.s', 'model.s']);
  });

  it('orders wide graphs by unique_id among ready vertices', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `n${String(i).padStart(4, '0')}`);
    const wide = graphFromEdges(ids, ids.slice(30).map((id, i) => [ids[(i + 30) % 30]!, id] as [string, string]));
    const order = topologicalOrder(wide);
    expect(order.slice(0, 31)).toEqual([...ids.slice(0, 30), 'n0030']);
    expect(order).toHaveLength(3000);
    expect(new Set(order).size).toBe(3000);
  });

  it('handles deep chains without recursion limits', () => {
    const ids = Array.from({ length: 20000 }, (_, i) => `n${String(i).padStart(5, '0')}`);
    const chain = graphFromEdges(ids, ids.slice(1).map((id, i) => [ids[i]!, id] as [string, string]));
    expect(findCycle(chain)).toBeNull();
    expect(topologicalOrder(chain)).toEqual(ids);
  });

  it('links exposures to what they name, and names what is missing', () => {
    const { project } = linkedShop();
    const exposure = project.exposures.get('exposure.shop.weekly_report')!;
    exposure.depends_on.nodes = [];
    exposure.refs.push({ name: 'dim_orders' });
    linkExposures(project);
    expect(exposure.depends_on.nodes).toEqual(['model.shop.fct_orders', 'model.shop.dim_orders.v2', 'source.shop.raw.customers']);
    exposure.depends_on.nodes = [];
    exposure.refs.push({ name: 'nope' });
    expect(() => buildGraph(project)).toThrow(/exposure 'weekly_report' depends on a node named 'nope' which was not found/);
  });

  it('builds from a project: sources and exposures are vertices, disabled nodes are not', () => {
    const { project, graph } = linkedShop();
    expect(graph.parents.get('model.shop.stg_orders')).toEqual(new Set(['source.shop.raw.orders']));
    expect(graph.parents.get('exposure.shop.weekly_report')).toEqual(new Set(['model.shop.fct_orders', 'source.shop.raw.customers']));
    expect(graph.children.get('model.shop.stg_customers')).toContain('model.shop.dim_customers');
    const order = topologicalOrder(graph);
    expect(order.indexOf('seed.shop.raw_customers')).toBeLessThan(order.indexOf('model.shop.stg_customers'));
    expect(order.indexOf('model.shop.stg_customers')).toBeLessThan(order.indexOf('model.shop.fct_orders'));
    project.nodes.get('model.shop.dim_customers')!.config.enabled = false;
    expect(buildGraph(project).ids).not.toContain('model.shop.dim_customers');
  });
});
