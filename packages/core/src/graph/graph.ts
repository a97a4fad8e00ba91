import { DvtError } from '../errors.js';
import type { Project } from '../project/types.js';
import { activeUnitTests } from '../project/unit-tests.js';

/**
 * The dependency graph of a project: enabled nodes, sources and exposures,
 * with an edge parent -> child for every `depends_on.nodes` entry. Built after
 * the compiler's parse step has filled `depends_on`.
 */
export interface Graph {
  /** Every vertex, in unique_id order. */
  readonly ids: readonly string[];
  readonly parents: ReadonlyMap<string, ReadonlySet<string>>;
  readonly children: ReadonlyMap<string, ReadonlySet<string>>;
}

export function buildGraph(project: Project): Graph {
  linkExposures(project);
  const edges: [string, string][] = [];
  const ids: string[] = [];
  for (const node of project.nodes.values()) {
    if (node.config.enabled === false) continue;
    ids.push(node.unique_id);
    for (const parent of node.depends_on.nodes) edges.push([parent, node.unique_id]);
  }
  for (const source of project.sources.values()) {
    if (source.config.enabled !== false) ids.push(source.unique_id);
  }
  for (const exposure of project.exposures.values()) {
    if (exposure.config?.enabled === false) continue;
    ids.push(exposure.unique_id);
    for (const parent of exposure.depends_on.nodes) edges.push([parent, exposure.unique_id]);
  }
  // A unit test hangs off the model it tests, as in dbt's graph (selection reaches it like a model's tests).
  for (const test of activeUnitTests(project)) {
    ids.push(test.unique_id);
    edges.push([test.depends_on.nodes[0]!, test.unique_id]);
  }
  return graphFromEdges(ids, edges);
}

/**
 * Fill each exposure's `depends_on.nodes` from its `ref()`/`source()` list
 * (once; exposures are not rendered, so this is all they depend on). A ref
 * without a version picks the latest version of a versioned model.
 */
export function linkExposures(project: Project): void {
  for (const exposure of project.exposures.values()) {
    if (exposure.depends_on.nodes.length > 0 || (exposure.refs.length === 0 && exposure.sources.length === 0)) continue;
    const where = { file: exposure.original_file_path };
    const nodes: string[] = [];
    for (const ref of exposure.refs) {
      const candidates = [...project.nodes.values()].filter(
        (n) =>
          n.name === ref.name &&
          (n.resource_type === 'model' || n.resource_type === 'seed' || n.resource_type === 'snapshot') &&
          n.config.enabled !== false &&
          (!ref.package || n.package_name === ref.package),
      );
      const wanted = ref.version != null ? String(ref.version) : undefined;
      const match = candidates.find((n) =>
        wanted !== undefined ? String(n.version) === wanted : n.version == null || String(n.version) === String(n.latest_version),
      );
      if (!match) throw new DvtError('compile', `exposure '${exposure.name}' depends on a node named '${ref.name}' which was not found`, { location: where });
      nodes.push(match.unique_id);
    }
    for (const [sourceName, table] of exposure.sources) {
      const source = [...project.sources.values()].find((s) => s.source_name === sourceName && s.name === table && s.config.enabled !== false);
      if (!source) throw new DvtError('compile', `exposure '${exposure.name}' depends on a source named '${sourceName}.${table}' which was not found`, { location: where });
      nodes.push(source.unique_id);
    }
    exposure.depends_on.nodes = [...new Set(nodes)];
  }
}

/** A graph from explicit vertices and [parent, child] edges; edges to unknown vertices are dropped. */
export function graphFromEdges(vertices: Iterable<string>, edges: Iterable<readonly [string, string]>): Graph {
  const ids = [...new Set(vertices)].sort();
  const parents = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  const children = new Map<string, Set<string>>(ids.map((id) => [id, new Set()]));
  for (const [parent, child] of edges) {
    if (!parents.has(parent) || !parents.has(child)) continue;
    parents.get(child)!.add(parent);
    children.get(parent)!.add(child);
  }
  return { ids, parents, children };
}

/** The manifest's parent_map / child_map: every vertex, neighbours sorted. */
export function adjacencyRecord(map: ReadonlyMap<string, ReadonlySet<string>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [id, set] of [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[id] = [...set].sort();
  return out;
}

/**
 * A cycle, as the list of its vertices with the first repeated at the end
 * (`[a, b, a]`), or null when the graph is acyclic.
 */
export function findCycle(graph: Graph): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  for (const start of graph.ids) {
    if (state.has(start)) continue;
    // Iterative DFS: deep chains in big projects must not overflow the stack.
    const path: string[] = [];
    const stack: [string, Iterator<string>][] = [[start, graph.children.get(start)!.values()]];
    state.set(start, 'open');
    path.push(start);
    while (stack.length) {
      const [id, iterator] = stack[stack.length - 1]!;
      const next = iterator.next();
      if (next.done) {
        state.set(id, 'done');
        stack.pop();
        path.pop();
        continue;
      }
      const child = next.value;
      const seen = state.get(child);
      if (seen === 'open') return [...path.slice(path.indexOf(child)), child];
      if (seen === undefined) {
        state.set(child, 'open');
        path.push(child);
        stack.push([child, graph.children.get(child)!.values()]);
      }
    }
  }
  return null;
}

/** Throws the dbt-style cycle error when the graph has one. */
export function assertAcyclic(graph: Graph): void {
  const cycle = findCycle(graph);
  if (cycle) throw new DvtError('compile', `Found a cycle: ${cycle.join(' -> ')}`);
}

/**
 * Vertices in dependency order (parents first); among vertices that are
 * ready at the same time, unique_id order, so runs are reproducible.
 * With `only`, the order of that subset (edges through vertices outside it
 * still order it).
 */
export function topologicalOrder(graph: Graph, only?: ReadonlySet<string>): string[] {
  const remaining = new Map<string, number>();
  for (const id of graph.ids) remaining.set(id, graph.parents.get(id)!.size);
  const ready = new MinHeap(graph.ids.filter((id) => remaining.get(id) === 0));
  const order: string[] = [];
  while (ready.size) {
    const id = ready.pop();
    order.push(id);
    for (const child of graph.children.get(id)!) {
      const left = remaining.get(child)! - 1;
      remaining.set(child, left);
      if (left === 0) ready.push(child);
    }
  }
  if (order.length !== graph.ids.length) assertAcyclic(graph);
  return only ? order.filter((id) => only.has(id)) : order;
}

/** Ancestors of `ids` up to `depth` generations (all when undefined), excluding the starting vertices unless reached from another. */
export function ancestors(graph: Graph, ids: string | Iterable<string>, depth?: number): Set<string> {
  return walk(graph.parents, typeof ids === 'string' ? [ids] : ids, depth);
}

/** Descendants of `ids` up to `depth` generations (all when undefined), excluding the starting vertices unless reached from another. */
export function descendants(graph: Graph, ids: string | Iterable<string>, depth?: number): Set<string> {
  return walk(graph.children, typeof ids === 'string' ? [ids] : ids, depth);
}

/** Breadth-first from all starts at once: one pass however many vertices a selector matched. */
function walk(edges: ReadonlyMap<string, ReadonlySet<string>>, starts: Iterable<string>, depth?: number): Set<string> {
  const found = new Set<string>();
  let frontier = [...starts];
  for (let level = 0; frontier.length && (depth === undefined || level < depth); level++) {
    const next: string[] = [];
    for (const id of frontier) {
      for (const neighbour of edges.get(id) ?? []) {
        if (found.has(neighbour)) continue;
        found.add(neighbour);
        next.push(neighbour);
      }
    }
    frontier = next;
  }
  return found;
}

/** A binary heap of strings, smallest first: keeps topological ties in unique_id order in O(log n). */
class MinHeap {
  private readonly items: string[] = [];

  constructor(initial: readonly string[]) {
    for (const item of initial) this.push(item);
  }

  get size(): number {
    return this.items.length;
  }

  push(item: string): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (items[parent]! <= item) break;
      items[i] = items[parent]!;
      i = parent;
    }
    items[i] = item;
  }

  pop(): string {
    const items = this.items;
    const top = items[0]!;
    const last = items.pop()!;
    if (items.length === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && items[right]! < items[left]! ? right : left;
      if (items[child]! >= last) break;
      items[i] = items[child]!;
      i = child;
    }
    items[i] = last;
    return top;
  }
}
