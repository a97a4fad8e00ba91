import { NODE_HEIGHT, NODE_WIDTH, layeredLayout } from '../shared/layout.js';
import type { Point } from '../shared/layout.js';
import { selectNodes } from '../shared/select.js';
import type { ManifestNode, MovementPath } from '../shared/types.js';
import { PATH_LABELS, isFederated } from '../shared/types.js';
import { h, textColourOn } from './dom.js';
import type { DocsModel } from './model.js';

/** Selections up to this size are laid out in the page; larger ones reuse the project layout computed by `docs generate`. */
const LIVE_LAYOUT_LIMIT = 400;
/** Short enough to fit between two ranks; the page and the tooltip spell the path out. */
const EDGE_LABELS: Record<MovementPath, string> = { pushdown: '↦ pushdown', 'federate-duckdb': '⇄ federated', 'federate-target': '⇄ to target', 'federate-auto': '⇄ federated (auto)' };
/** A coloured band on each node's left edge holds no text: its pixels are the engine colour. */
const SWATCH = 14;

interface Scene {
  ids: string[];
  pos: Map<string, Point>;
  edges: [string, string][];
}

export interface ShowResult {
  nodes: number;
  edges: number;
  /** Milliseconds from selection to the first frame drawn. */
  ms: number;
}

/**
 * The lineage graph on a canvas: nodes filled with their engine's colour,
 * a badge naming the connection, cross-engine edges dashed in the two
 * engines' colours and labelled with the path the model takes. Canvas keeps
 * thousands of nodes cheap: one draw walks only what is on screen.
 */
export class GraphView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly tooltip: HTMLElement;
  private readonly status: HTMLElement;
  private scene: Scene = { ids: [], pos: new Map(), edges: [] };
  private scale = 1;
  private tx = 0;
  private ty = 0;
  private focus: Set<string> = new Set();
  private hovered: string | undefined;
  private frame = 0;
  /** Milliseconds the last frame took to draw (pan and zoom redraw whole frames). */
  lastDrawMs = 0;
  private drag: { x: number; y: number; tx: number; ty: number; moved: boolean } | undefined;

  constructor(
    private readonly model: DocsModel,
    private readonly open: (uniqueId: string) => void,
  ) {
    this.canvas = h('canvas', { class: 'graph-canvas', 'aria-label': 'Lineage graph' });
    this.tooltip = h('div', { class: 'graph-tooltip', hidden: true });
    this.status = h('span', { class: 'graph-status' });
    this.element = h('div', { class: 'graph-stage' }, this.canvas, this.tooltip, this.status);
    this.canvas.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    this.canvas.addEventListener('mousedown', (e) => (this.drag = { x: e.clientX, y: e.clientY, tx: this.tx, ty: this.ty, moved: false }));
    window.addEventListener('mousemove', (e) => this.onMove(e));
    window.addEventListener('mouseup', (e) => this.onUp(e));
    new ResizeObserver(() => this.redraw()).observe(this.element);
  }

  get nodeCount(): number {
    return this.scene.ids.length;
  }

  /** The unique_ids drawn now. */
  get drawnIds(): string[] {
    return [...this.scene.ids];
  }

  /** Lays out and draws the nodes `selection` names (all when blank). */
  show(selection: string): ShowResult {
    const started = performance.now();
    const chosen = selectNodes(this.model, selection);
    const ids = [...chosen];
    const edges: [string, string][] = [];
    for (const id of ids) for (const child of this.model.children.get(id) ?? []) if (chosen.has(child)) edges.push([id, child]);
    const precomputed = this.model.data.dvt.layout;
    const whole = ids.length === this.model.nodes.size;
    const usePrecomputed = (whole || ids.length > LIVE_LAYOUT_LIMIT) && ids.every((id) => precomputed[id] !== undefined);
    const pos = usePrecomputed ? new Map(ids.map((id) => [id, precomputed[id]] as [string, Point])) : layeredLayout(ids, edges);
    this.scene = { ids, pos, edges };
    this.focus = selection.trim() === '' ? new Set() : new Set(ids.filter((id) => selectNodes(this.model, bareNames(selection)).has(id)));
    this.fit();
    this.draw();
    const ms = performance.now() - started;
    this.status.textContent = `${ids.length} nodes, ${edges.length} edges`;
    return { nodes: ids.length, edges: edges.length, ms };
  }

  /** Centres and scales the scene into the stage. */
  fit(): void {
    const { width, height } = this.element.getBoundingClientRect();
    if (this.scene.ids.length === 0 || width === 0) return;
    let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const [x, y] of this.scene.pos.values()) {
      minX = Math.min(minX, x - NODE_WIDTH / 2);
      maxX = Math.max(maxX, x + NODE_WIDTH / 2);
      minY = Math.min(minY, y - NODE_HEIGHT / 2);
      maxY = Math.max(maxY, y + NODE_HEIGHT / 2);
    }
    const margin = 40;
    this.scale = Math.min(1.2, (width - margin * 2) / (maxX - minX), (height - margin * 2) / (maxY - minY));
    this.tx = (width - (maxX - minX) * this.scale) / 2 - minX * this.scale;
    this.ty = (height - (maxY - minY) * this.scale) / 2 - minY * this.scale;
  }

  /** Zoom by `factor` around the stage's centre (the toolbar's buttons). */
  zoom(factor: number): void {
    const { width, height } = this.element.getBoundingClientRect();
    this.zoomAt(width / 2, height / 2, factor);
  }

  /**
   * Where a node's colour swatch is on the page (CSS pixels from the
   * viewport's top left), if it is drawn; browser tests sample it.
   */
  swatchPosition(uniqueId: string): { x: number; y: number } | undefined {
    const p = this.scene.pos.get(uniqueId);
    if (!p) return undefined;
    const rect = this.canvas.getBoundingClientRect();
    return { x: rect.left + (p[0] - NODE_WIDTH / 2 + SWATCH / 2) * this.scale + this.tx, y: rect.top + p[1] * this.scale + this.ty };
  }

  /** Puts one node at the centre at a readable zoom. */
  centreOn(uniqueId: string): void {
    const p = this.scene.pos.get(uniqueId);
    if (!p) return;
    const { width, height } = this.element.getBoundingClientRect();
    this.scale = Math.max(this.scale, 1);
    this.tx = width / 2 - p[0] * this.scale;
    this.ty = height / 2 - p[1] * this.scale;
    this.draw();
  }

  redraw(): void {
    cancelAnimationFrame(this.frame);
    this.frame = requestAnimationFrame(() => this.draw());
  }

  private zoomAt(x: number, y: number, factor: number): void {
    const next = Math.min(4, Math.max(0.02, this.scale * factor));
    this.tx = x - ((x - this.tx) * next) / this.scale;
    this.ty = y - ((y - this.ty) * next) / this.scale;
    this.scale = next;
    this.redraw();
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const rect = this.canvas.getBoundingClientRect();
    this.zoomAt(e.clientX - rect.left, e.clientY - rect.top, Math.exp(-e.deltaY * 0.0015));
  }

  private onMove(e: MouseEvent): void {
    if (this.drag) {
      const dx = e.clientX - this.drag.x;
      const dy = e.clientY - this.drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) this.drag.moved = true;
      this.tx = this.drag.tx + dx;
      this.ty = this.drag.ty + dy;
      this.redraw();
      return;
    }
    if (e.target !== this.canvas) return;
    const hit = this.nodeAt(e.clientX, e.clientY);
    if (hit !== this.hovered) {
      this.hovered = hit;
      this.canvas.style.cursor = hit ? 'pointer' : 'grab';
      this.redraw();
    }
    const node = hit ? this.model.nodes.get(hit) : undefined;
    this.tooltip.hidden = !node;
    if (node) {
      const engine = this.model.engine(node);
      const path = this.model.data.dvt.paths[node.unique_id];
      this.tooltip.textContent = `${node.resource_type} ${this.model.label(node)} — ${engine.displayName} (${this.model.output(node)})${path ? `, ${PATH_LABELS[path]}` : ''}`;
      const rect = this.element.getBoundingClientRect();
      this.tooltip.style.left = `${e.clientX - rect.left + 12}px`;
      this.tooltip.style.top = `${e.clientY - rect.top + 12}px`;
    }
  }

  private onUp(e: MouseEvent): void {
    const drag = this.drag;
    this.drag = undefined;
    if (!drag || drag.moved || e.target !== this.canvas) return;
    const hit = this.nodeAt(e.clientX, e.clientY);
    if (hit) this.open(hit);
  }

  private nodeAt(clientX: number, clientY: number): string | undefined {
    const rect = this.canvas.getBoundingClientRect();
    const x = (clientX - rect.left - this.tx) / this.scale;
    const y = (clientY - rect.top - this.ty) / this.scale;
    for (const [id, p] of this.scene.pos) {
      if (Math.abs(x - p[0]) <= NODE_WIDTH / 2 && Math.abs(y - p[1]) <= NODE_HEIGHT / 2) return id;
    }
    return undefined;
  }

  private draw(): void {
    const started = performance.now();
    this.paint();
    this.lastDrawMs = performance.now() - started;
  }

  private paint(): void {
    const { width, height } = this.element.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    if (this.canvas.width !== Math.round(width * dpr) || this.canvas.height !== Math.round(height * dpr)) {
      this.canvas.width = Math.round(width * dpr);
      this.canvas.height = Math.round(height * dpr);
      this.canvas.style.width = `${width}px`;
      this.canvas.style.height = `${height}px`;
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr * this.scale, 0, 0, dpr * this.scale, dpr * this.tx, dpr * this.ty);
    const view = {
      left: -this.tx / this.scale - NODE_WIDTH,
      top: -this.ty / this.scale - NODE_HEIGHT,
      right: (width - this.tx) / this.scale + NODE_WIDTH,
      bottom: (height - this.ty) / this.scale + NODE_HEIGHT,
    };
    const visible = (p: Point) => p[0] >= view.left && p[0] <= view.right && p[1] >= view.top && p[1] <= view.bottom;
    this.drawEdges(ctx, view);
    const detailed = this.scale * NODE_HEIGHT >= 14;
    if (!detailed) {
      this.paintOverview(ctx, visible);
      return;
    }
    for (const id of this.scene.ids) {
      const p = this.scene.pos.get(id)!;
      if (!visible(p)) continue;
      this.drawNode(ctx, this.model.nodes.get(id)!, p);
    }
  }

  /** Zoomed far out: plain boxes, one path per engine colour, so thousands of nodes cost a few fills. */
  private paintOverview(ctx: CanvasRenderingContext2D, visible: (p: Point) => boolean): void {
    const byColour = new Map<string, Path2D>();
    const emphasised = new Path2D();
    for (const id of this.scene.ids) {
      const p = this.scene.pos.get(id)!;
      if (!visible(p)) continue;
      const colour = this.model.engine(this.model.nodes.get(id)!).color;
      let path = byColour.get(colour);
      if (!path) byColour.set(colour, (path = new Path2D()));
      path.rect(p[0] - NODE_WIDTH / 2, p[1] - NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT);
      if (this.focus.has(id) || this.hovered === id) emphasised.rect(p[0] - NODE_WIDTH / 2, p[1] - NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT);
    }
    for (const [colour, path] of byColour) {
      ctx.fillStyle = colour;
      ctx.fill(path);
      ctx.lineWidth = 1 / this.scale;
      ctx.strokeStyle = 'rgba(0,0,0,0.35)';
      ctx.stroke(path);
    }
    ctx.lineWidth = 3 / this.scale;
    ctx.strokeStyle = '#ff5a36';
    ctx.stroke(emphasised);
  }

  private drawEdges(ctx: CanvasRenderingContext2D, view: { left: number; top: number; right: number; bottom: number }): void {
    const crossing: [ManifestNode, ManifestNode, Point, Point][] = [];
    ctx.beginPath();
    for (const [from, to] of this.scene.edges) {
      const a = this.scene.pos.get(from)!;
      const b = this.scene.pos.get(to)!;
      if (Math.max(a[0], b[0]) < view.left || Math.min(a[0], b[0]) > view.right) continue;
      if (Math.max(a[1], b[1]) < view.top || Math.min(a[1], b[1]) > view.bottom) continue;
      const parent = this.model.nodes.get(from)!;
      const child = this.model.nodes.get(to)!;
      if (this.model.crossesEngines(parent, child)) {
        crossing.push([parent, child, a, b]);
        continue;
      }
      edgePath(ctx, a, b);
    }
    ctx.strokeStyle = '#a7b0ba';
    ctx.lineWidth = 1.2;
    ctx.stroke();
    // Data that moves between engines: thick, dashed, from one brand colour to the other.
    for (const [parent, child, a, b] of crossing) {
      const gradient = ctx.createLinearGradient(a[0], a[1], b[0], b[1]);
      gradient.addColorStop(0, this.model.engine(parent).color);
      gradient.addColorStop(1, this.model.engine(child).color);
      ctx.beginPath();
      edgePath(ctx, a, b);
      ctx.strokeStyle = gradient;
      ctx.lineWidth = 3;
      ctx.setLineDash([8, 5]);
      ctx.stroke();
      ctx.setLineDash([]);
      const path = this.model.data.dvt.paths[child.unique_id];
      if (path && this.scale >= 0.4) {
        const mx = (a[0] + NODE_WIDTH / 2 + b[0] - NODE_WIDTH / 2) / 2;
        const my = (a[1] + b[1]) / 2;
        const text = EDGE_LABELS[path];
        ctx.font = '600 10px system-ui, sans-serif';
        const w = ctx.measureText(text).width + 10;
        ctx.fillStyle = isFederated(path) ? '#b3261e' : '#1b6e3a';
        roundRect(ctx, mx - w / 2, my - 8, w, 16, 8);
        ctx.fill();
        ctx.fillStyle = '#fff';
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.fillText(text, mx, my);
      }
    }
  }

  private drawNode(ctx: CanvasRenderingContext2D, node: ManifestNode, [cx, cy]: Point): void {
    const engine = this.model.engine(node);
    const x = cx - NODE_WIDTH / 2;
    const y = cy - NODE_HEIGHT / 2;
    ctx.fillStyle = engine.color;
    roundRect(ctx, x, y, NODE_WIDTH, NODE_HEIGHT, 6);
    ctx.fill();
    if (this.hovered === node.unique_id || this.focus.has(node.unique_id)) {
      ctx.lineWidth = 3;
      ctx.strokeStyle = '#ff5a36';
      ctx.stroke();
    }
    const ink = textColourOn(engine.color);
    ctx.fillStyle = ink;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.font = '9px system-ui, sans-serif';
    ctx.globalAlpha = 0.75;
    ctx.fillText(node.resource_type, x + SWATCH + 2, y + 9);
    ctx.globalAlpha = 1;
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.fillText(clip(ctx, this.model.label(node), NODE_WIDTH - SWATCH - 8), x + SWATCH + 2, y + 23);
    if (node.resource_type === 'source' || node.resource_type === 'model' || node.resource_type === 'seed' || node.resource_type === 'snapshot') {
      // Connection badge: which profile output the node lives on.
      const label = this.model.output(node);
      ctx.font = '600 9px system-ui, sans-serif';
      const w = Math.min(70, ctx.measureText(label).width + 8);
      ctx.fillStyle = 'rgba(255,255,255,0.92)';
      roundRect(ctx, x + NODE_WIDTH - w - 3, y + 3, w, 12, 6);
      ctx.fill();
      ctx.fillStyle = '#222';
      ctx.textAlign = 'center';
      ctx.fillText(clip(ctx, label, w - 4), x + NODE_WIDTH - w / 2 - 3, y + 9.5);
    }
  }
}

/** The names of a selection without its graph operators (the nodes asked for, drawn emphasised). */
function bareNames(selection: string): string {
  return selection
    .split(/[\s,]+/)
    .map((t) => t.replace(/^@/, '').replace(/^\d*\+/, '').replace(/\+\d*$/, ''))
    .join(' ');
}

function edgePath(ctx: CanvasRenderingContext2D, a: Point, b: Point): void {
  const x1 = a[0] + NODE_WIDTH / 2;
  const x2 = b[0] - NODE_WIDTH / 2;
  const bend = Math.max(30, (x2 - x1) / 2);
  ctx.moveTo(x1, a[1]);
  ctx.bezierCurveTo(x1 + bend, a[1], x2 - bend, b[1], x2, b[1]);
}

function roundRect(ctx: CanvasRenderingContext2D, x: number, y: number, w: number, hgt: number, r: number): void {
  ctx.beginPath();
  ctx.roundRect(x, y, w, hgt, r);
}

function clip(ctx: CanvasRenderingContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let end = text.length;
  while (end > 1 && ctx.measureText(`${text.slice(0, end)}…`).width > width) end--;
  return `${text.slice(0, end)}…`;
}
