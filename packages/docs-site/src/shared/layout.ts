import { Graph, layout } from '@dagrejs/dagre';

export const NODE_WIDTH = 180;
export const NODE_HEIGHT = 34;
const COMPONENT_GAP = 60;

export type Point = [number, number];

/**
 * Layered (Sugiyama) layout, left to right, by dagre. Weakly connected
 * components are laid out one by one — crossing minimisation costs grow much
 * faster than the graph, and separate components never cross — then packed
 * in rows into a roughly 16:9 area, largest first; lone nodes fill a grid.
 */
export function layeredLayout(ids: readonly string[], edges: readonly (readonly [string, string])[]): Map<string, Point> {
  const boxes: Box[] = [];
  const singles: string[] = [];
  for (const component of connectedComponents(ids, edges)) {
    if (component.nodes.length === 1) singles.push(component.nodes[0]);
    else boxes.push(layoutComponent(component));
  }
  if (singles.length > 0) boxes.push(gridBox(singles));
  return pack(boxes);
}

/** Node centres relative to the box's top left. */
interface Box {
  width: number;
  height: number;
  positions: Map<string, Point>;
}

function layoutComponent(component: Component): Box {
  const g = new Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 14, ranksep: 110, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of component.nodes) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const [from, to] of component.edges) g.setEdge(from, to);
  layout(g);
  const positions = new Map<string, Point>();
  let width = 0;
  let height = 0;
  for (const id of component.nodes) {
    const n = g.node(id);
    positions.set(id, [n.x, n.y]);
    width = Math.max(width, n.x + NODE_WIDTH / 2);
    height = Math.max(height, n.y + NODE_HEIGHT / 2);
  }
  return { width, height, positions };
}

function gridBox(ids: string[]): Box {
  const columns = Math.max(1, Math.ceil(Math.sqrt(ids.length / 4)));
  const positions = new Map<string, Point>();
  ids.forEach((id, i) => positions.set(id, [(i % columns) * (NODE_WIDTH + 40) + NODE_WIDTH / 2, Math.floor(i / columns) * (NODE_HEIGHT + 14) + NODE_HEIGHT / 2]));
  return { width: columns * (NODE_WIDTH + 40) - 40, height: Math.ceil(ids.length / columns) * (NODE_HEIGHT + 14) - 14, positions };
}

/** Shelf packing: boxes by height, left to right, a new row when the row is full. */
function pack(boxes: Box[]): Map<string, Point> {
  boxes.sort((a, b) => b.height - a.height || b.width - a.width);
  const area = boxes.reduce((sum, b) => sum + (b.width + COMPONENT_GAP) * (b.height + COMPONENT_GAP), 0);
  const rowWidth = Math.max(Math.sqrt(area * (16 / 9)), ...boxes.map((b) => b.width));
  const out = new Map<string, Point>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const box of boxes) {
    if (x > 0 && x + box.width > rowWidth) {
      x = 0;
      y += rowHeight + COMPONENT_GAP;
      rowHeight = 0;
    }
    for (const [id, [px, py]] of box.positions) out.set(id, [px + x, py + y]);
    x += box.width + COMPONENT_GAP;
    rowHeight = Math.max(rowHeight, box.height);
  }
  return out;
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
