import { NODE_HEIGHT, NODE_WIDTH, type MapEdgeView, type MapNodeView } from './model';

/**
 * Where arrows run: from box edge to box edge, straight when a pair of nodes has one flow,
 * curving apart (quadratic Béziers, symmetric about the straight line) when it has several in
 * either direction, so parallel flows never lie on top of each other.
 */
export interface Point {
  x: number;
  y: number;
}

export interface EdgeRoute {
  path: string;
  start: Point;
  end: Point;
  control: Point;
  /** The middle of the curve, where the label goes. */
  mid: Point;
}

/** Space between the curves of parallel flows at their middles. */
export const CURVE_SPACING = 52;
const ARROW_CLEARANCE = 3;

/** Where the ray from a box's centre in direction (dx, dy) leaves the box, plus a margin. */
export function boxExit(center: Point, dx: number, dy: number, margin = 0, halfW = NODE_WIDTH / 2, halfH = NODE_HEIGHT / 2): Point {
  const length = Math.hypot(dx, dy);
  if (length < 1e-9) return center;
  const ux = dx / length;
  const uy = dy / length;
  const t = Math.min(Math.abs(ux) > 1e-9 ? halfW / Math.abs(ux) : Infinity, Math.abs(uy) > 1e-9 ? halfH / Math.abs(uy) : Infinity);
  return { x: center.x + ux * (t + margin), y: center.y + uy * (t + margin) };
}

/** Offset (in curve-spacing units) of every edge from the straight line between its nodes. */
export function curveOffsets(edges: readonly Pick<MapEdgeView, 'id' | 'from' | 'to'>[]): Map<string, number> {
  const groups = new Map<string, string[]>();
  for (const edge of edges) {
    const key = [edge.from, edge.to].sort().join('|');
    const group = groups.get(key) ?? [];
    group.push(edge.id);
    groups.set(key, group);
  }
  const offsets = new Map<string, number>();
  for (const ids of groups.values()) {
    ids.forEach((id, i) => offsets.set(id, i - (ids.length - 1) / 2));
  }
  return offsets;
}

const round = (n: number) => Math.round(n * 10) / 10;

export function routeEdge(from: Point, to: Point, fromId: string, toId: string, offset: number): EdgeRoute {
  // The normal is taken from the pair's canonical direction, so A→B and B→A bend to opposite sides.
  const [a, b] = fromId < toId ? [from, to] : [to, from];
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const length = Math.hypot(dx, dy) || 1;
  const nx = -dy / length;
  const ny = dx / length;
  const bend = offset * CURVE_SPACING;
  const control = { x: (from.x + to.x) / 2 + nx * bend * 2, y: (from.y + to.y) / 2 + ny * bend * 2 };
  const start = boxExit(from, control.x - from.x, control.y - from.y, 1);
  const end = boxExit(to, control.x - to.x, control.y - to.y, ARROW_CLEARANCE);
  const mid = { x: 0.25 * start.x + 0.5 * control.x + 0.25 * end.x, y: 0.25 * start.y + 0.5 * control.y + 0.25 * end.y };
  const path = offset === 0
    ? `M${round(start.x)} ${round(start.y)} L${round(end.x)} ${round(end.y)}`
    : `M${round(start.x)} ${round(start.y)} Q${round(control.x)} ${round(control.y)} ${round(end.x)} ${round(end.y)}`;
  return { path, start, end, control, mid };
}

export function routeEdges(nodes: readonly MapNodeView[], edges: readonly MapEdgeView[]): Map<string, EdgeRoute> {
  const at = new Map(nodes.map((n) => [n.id, { x: n.x, y: n.y }]));
  const offsets = curveOffsets(edges);
  const routes = new Map<string, EdgeRoute>();
  for (const edge of edges) {
    const from = at.get(edge.from);
    const to = at.get(edge.to);
    if (!from || !to) continue;
    routes.set(edge.id, routeEdge(from, to, edge.from, edge.to, offsets.get(edge.id) ?? 0));
  }
  return routes;
}

/**
 * Breaks text into at most `maxLines` lines of about `maxChars` characters at spaces, with an
 * ellipsis when it does not fit (the full text is in the tooltip, the side panel and the table).
 */
export function wrapText(text: string, maxChars: number, maxLines: number): string[] {
  const words = text.replace(/\s+/g, ' ').trim().split(' ').filter(Boolean);
  const lines: string[] = [];
  let line = '';
  let index = 0;
  for (; index < words.length; index++) {
    let word = words[index]!;
    if (word.length > maxChars) word = `${word.slice(0, maxChars - 1)}…`;
    const candidate = line ? `${line} ${word}` : word;
    if (candidate.length <= maxChars) {
      line = candidate;
      continue;
    }
    lines.push(line);
    line = word;
    if (lines.length === maxLines) break;
  }
  if (lines.length < maxLines && line) {
    lines.push(line);
    line = '';
  }
  const truncated = index < words.length || line !== '';
  if (truncated && lines.length > 0) {
    const last = lines[lines.length - 1]!;
    lines[lines.length - 1] = last.length >= maxChars ? `${last.slice(0, maxChars - 1)}…` : `${last}…`;
  }
  return lines;
}

export const pointAt = (route: Pick<EdgeRoute, 'start' | 'control' | 'end'>, t: number): Point => ({
  x: (1 - t) * (1 - t) * route.start.x + 2 * (1 - t) * t * route.control.x + t * t * route.end.x,
  y: (1 - t) * (1 - t) * route.start.y + 2 * (1 - t) * t * route.control.y + t * t * route.end.y,
});

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Whether two boxes overlap (touching edges do not count). */
export const boxesOverlap = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

export interface LabelRequest {
  id: string;
  route: EdgeRoute;
  /** The label's sizes, best first: the full text, then shorter forms ("…") for a last resort. */
  sizes: ReadonlyArray<{ width: number; height: number }>;
}

export interface PlacedLabel {
  box: Box;
  /** Which of the request's sizes was used (0 = the full text). */
  size: number;
  /** Placed away from its arrow: the renderer draws a thin leader line to the arrow's middle. */
  leader: boolean;
  /** The point on the arrow the label belongs to. */
  anchor: Point;
}

/** Where along its curve a label may go, best first. */
const LABEL_STOPS = [0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8];
/** Sideways shifts from the curve (in label heights), best first. */
const SIDE_SHIFTS = [0, 0.6, -0.6, 1.2, -1.2];
/** Space kept free around every label. */
const LABEL_GAP = 3;
/** Beyond this distance from its arrow, a label with its full text is not worth a leader line: it is shortened first. */
const NEAR_RING = 140;

const grow = (b: Box, by: number): Box => ({ x: b.x - by, y: b.y - by, width: b.width + 2 * by, height: b.height + 2 * by });

/**
 * Places every label so that no two labels overlap and no label overlaps a node (`obstacles`):
 * a small deterministic greedy placer. For each label, in order: the full text on its arrow
 * (middle first, then along the curve and a little to either side), then the full text nearby
 * with a leader line; only then a shorter form ("…", the whole text stays in a tooltip), the
 * same way; and at last the shortest form anywhere free around it (the search grows until it
 * finds room, so it always ends with no overlap).
 */
export function placeLabels(labels: readonly LabelRequest[], obstacles: readonly Box[]): Map<string, PlacedLabel> {
  const taken: Box[] = obstacles.map((o) => grow(o, LABEL_GAP));
  const out = new Map<string, PlacedLabel>();
  const free = (box: Box) => !taken.some((t) => boxesOverlap(box, t));
  const centred = (at: Point, size: { width: number; height: number }): Box => ({ x: at.x - size.width / 2, y: at.y - size.height / 2, width: size.width, height: size.height });

  function onCurve(route: EdgeRoute, size: { width: number; height: number }): Box | null {
    const dx = route.end.x - route.start.x;
    const dy = route.end.y - route.start.y;
    const length = Math.hypot(dx, dy) || 1;
    const nx = -dy / length;
    const ny = dx / length;
    for (const shift of SIDE_SHIFTS) {
      for (const t of LABEL_STOPS) {
        const at = pointAt(route, t);
        const box = centred({ x: at.x + nx * shift * size.height, y: at.y + ny * shift * size.height }, size);
        if (free(box)) return box;
      }
    }
    return null;
  }

  function around(anchor: Point, size: { width: number; height: number }, maxRadius: number): Box | null {
    for (let radius = 24; radius <= maxRadius; radius += 14) {
      const steps = Math.max(12, Math.ceil((2 * Math.PI * radius) / 28));
      for (let k = 0; k < steps; k++) {
        const angle = -Math.PI / 2 + (2 * Math.PI * k) / steps;
        const box = centred({ x: anchor.x + Math.cos(angle) * radius, y: anchor.y + Math.sin(angle) * radius }, size);
        if (free(box)) return box;
      }
    }
    return null;
  }

  for (const label of labels) {
    const anchor = pointAt(label.route, 0.5);
    const last = label.sizes.length - 1;
    let placed: PlacedLabel | null = null;
    // Each form in turn: on the arrow, then close by with a leader line (closer for the longer forms).
    for (let size = 0; size <= last && !placed; size++) {
      const form = label.sizes[size]!;
      const on = onCurve(label.route, form);
      if (on) placed = { box: on, size, leader: false, anchor };
      else {
        const near = around(anchor, form, NEAR_RING * (size + 1));
        if (near) placed = { box: near, size, leader: true, anchor };
      }
    }
    // Always ends: far enough out, nothing is in the way.
    placed ??= { box: around(anchor, label.sizes[last]!, 100_000)!, size: last, leader: true, anchor };
    taken.push(grow(placed.box, LABEL_GAP));
    out.set(label.id, placed);
  }
  return out;
}

/** A rough width for generic sans-serif text: the exported file has no font of its own. */
export const textWidth = (text: string, fontSize: number) => text.length * fontSize * 0.6;
