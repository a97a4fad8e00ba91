import { Graph, layout } from '@dagrejs/dagre';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 34;
const COMPONENT_GAP = 60;

export type Point = [number, number];

/**
 * Layered (Sugiyama) layout, left to right, by dagre. Weakly connected
 * components are laid out one by one and stacked: crossing minimisation costs
 * grow much faster than the graph, and separate components never cross.
 */
export function layeredLayout(ids: readonly string[], edges: readonly (readonly [string, string])[]): Map<string, Point> {
  const components = connectedComponents(ids, edges);
  const positions = new Map<string, Point>();
  let offsetY = 0;
  // Singletons first, packed in a grid, so large projects do not stack thousands of rows of loose nodes.
  const singles = components.filter((c) => c.nodes.length === 1);
  const columns = Math.max(1, Math.ceil(Math.sqrt(singles.length / 4)));
  singles.forEach((c, i) => {
    const col = i % columns;
    const row = Math.floor(i / columns);
    positions.set(c.nodes[0], [col * (NODE_WIDTH + 40) + NODE_WIDTH / 2, row * (NODE_HEIGHT + 14) + NODE_HEIGHT / 2]);
  });
  if (singles.length > 0) offsetY = Math.ceil(singles.length / columns) * (NODE_HEIGHT + 14) + COMPONENT_GAP;
  for (const component of components.filter((c) => c.nodes.length > 1).sort((a, b) => b.nodes.length - a.nodes.length)) {
    const g = new Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 110, marginx: 0, marginy: 0 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const id of component.nodes) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
    for (const [from, to] of component.edges) g.setEdge(from, to);
    layout(g);
    let maxY = 0;
    for (const id of component.nodes) {
      const n = g.node(id);
      positions.set(id, [n.x, n.y + offsetY]);
      maxY = Math.max(maxY, n.y + NODE_HEIGHT / 2);
    }
    offsetY += maxY + COMPONENT_GAP;
  }
  return positions;
}

interface Component {
  nodes: string[];
  edges: (readonly [string, string])[];
}

function connectedComponents(ids: readonly string[], edges: readonly (readonly [string, string])[]): Component[] {
  const parent = new Map<string, string>(ids.map((id) => [id, id]));
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let y = x; y !== root; ) {
      const next = parent.get(y)!;
      parent.set(y, root);
      y = next;
    }
    return root;
  };
  const known = edges.filter(([a, b]) => parent.has(a) && parent.has(b) && a !== b);
  for (const [a, b] of known) parent.set(find(a), find(b));
  const byRoot = new Map<string, Component>();
  for (const id of ids) {
    const root = find(id);
    let c = byRoot.get(root);
    if (!c) byRoot.set(root, (c = { nodes: [], edges: [] }));
    c.nodes.push(id);
  }
  for (const edge of known) byRoot.get(find(edge[0]))!.edges.push(edge);
  return [...byRoot.values()];
}
