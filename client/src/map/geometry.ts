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

const overlapArea = (a: Box, b: Box) =>
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/** Where along its curve each label goes: the middle if free, else the least crowded spot. */
const LABEL_STOPS = [0.5, 0.42, 0.58, 0.34, 0.66, 0.27, 0.73, 0.2, 0.8];

export function placeLabels(labels: ReadonlyArray<{ id: string; route: EdgeRoute; width: number; height: number }>, obstacles: readonly Box[]): Map<string, Box> {
  const placed: Box[] = [];
  const out = new Map<string, Box>();
  for (const label of labels) {
    let best: Box | null = null;
    let bestScore = Infinity;
    for (const t of LABEL_STOPS) {
      const at = pointAt(label.route, t);
      const box = { x: at.x - label.width / 2, y: at.y - label.height / 2, width: label.width, height: label.height };
      // Covering a node is worse than covering another label; drifting from the middle costs a little.
      const score = placed.reduce((sum, p) => sum + overlapArea(box, p), 0) + obstacles.reduce((sum, o) => sum + 3 * overlapArea(box, o), 0) + Math.abs(t - 0.5) * 40;
      if (score < bestScore) {
        bestScore = score;
        best = box;
      }
    }
    placed.push(best!);
    out.set(label.id, best!);
  }
  return out;
}

/** A rough width for generic sans-serif text: the exported file has no font of its own. */
export const textWidth = (text: string, fontSize: number) => text.length * fontSize * 0.6;
