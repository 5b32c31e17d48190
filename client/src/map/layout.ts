import { forceCollide, forceLink, forceManyBody, forceSimulation, forceX, forceY, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3-force';

/**
 * Automatic layout of the value-network map: a d3-force simulation run synchronously for a fixed
 * number of ticks from deterministic starting positions (nodes on an ellipse in order, the
 * clients in the middle) with a seeded random source, so every device computes the same map.
 * Stored positions (the facilitator dragged a node) are pinned and never moved.
 */
export interface LayoutNode {
  id: string;
  /** Radius of the circle the node must keep clear (its box's half-diagonal or so). */
  radius: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
}

export interface Point {
  x: number;
  y: number;
}

export interface Frame {
  width: number;
  height: number;
}

export interface LayoutOptions {
  frame?: Frame;
  ticks?: number;
  seed?: number;
  /** Clear space between two nodes' circles. */
  gap?: number;
  /** A node starting in the middle (the clients / residents hub). */
  centerId?: string;
}

/** The drawing area grows with the number of nodes so that 24 actors still fit. */
/** Room for the nodes and for the flows' labels: a map with many flows is drawn larger (never smaller) so its labels fit. */
export function frameFor(nodeCount: number, flowCount = 0): Frame {
  const width = Math.round(Math.max(1000, Math.sqrt(Math.max(1, nodeCount) * 90_000 + Math.max(0, flowCount) * 32_000)));
  return { width, height: Math.round(width * 0.62) };
}

/** Park–Miller style LCG: small, deterministic, good enough for jiggling coincident nodes. */
export function seededRandom(seed: number): () => number {
  let state = (Math.abs(Math.floor(seed)) % 2147483646) + 1;
  return () => {
    state = (state * 48271) % 2147483647;
    return (state - 1) / 2147483646;
  };
}

/** Starting positions: an ellipse in the nodes' order, starting at the top, clockwise. */
export function initialPositions(nodes: readonly LayoutNode[], frame: Frame, centerId?: string): Record<string, Point> {
  const ring = nodes.filter((n) => n.id !== centerId);
  const out: Record<string, Point> = {};
  const cx = frame.width / 2;
  const cy = frame.height / 2;
  const rx = frame.width * 0.36;
  const ry = frame.height * 0.36;
  ring.forEach((node, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(1, ring.length);
    out[node.id] = { x: cx + rx * Math.cos(angle), y: cy + ry * Math.sin(angle) };
  });
  if (centerId && nodes.some((n) => n.id === centerId)) out[centerId] = { x: cx, y: cy };
  return out;
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  radius: number;
  pinned: boolean;
}

export function layoutMap(
  nodes: readonly LayoutNode[],
  edges: readonly LayoutEdge[],
  stored: Readonly<Record<string, Point>>,
  options: LayoutOptions = {},
): Record<string, Point> {
  const frame = options.frame ?? frameFor(nodes.length);
  const ticks = options.ticks ?? 300;
  const gap = options.gap ?? 16;
  const start = initialPositions(nodes, frame, options.centerId);
  const sim: SimNode[] = nodes.map((node) => {
    const pin = stored[node.id];
    const p = pin ?? start[node.id] ?? { x: frame.width / 2, y: frame.height / 2 };
    return { id: node.id, radius: node.radius, pinned: Boolean(pin), x: p.x, y: p.y, ...(pin ? { fx: pin.x, fy: pin.y } : {}) };
  });
  const known = new Set(nodes.map((n) => n.id));
  // One spring per pair of nodes, however many flows run between them.
  const pairs = new Map<string, SimulationLinkDatum<SimNode>>();
  for (const edge of edges) {
    if (edge.from === edge.to || !known.has(edge.from) || !known.has(edge.to)) continue;
    const [source, target] = [edge.from, edge.to].sort() as [string, string];
    pairs.set(`${source}|${target}`, { source, target });
  }
  // Sorted, so that the order the flows were written in does not change the map.
  const links = [...pairs.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, link]) => link);
  const meanRadius = nodes.reduce((sum, n) => sum + n.radius, 0) / Math.max(1, nodes.length);
  // Springs about half the frame long and a repulsion that fills the frame: few nodes spread
  // out (room for the labels of many flows), many nodes still fit.
  const span = Math.min(frame.width, frame.height);
  const linkDistance = Math.max(meanRadius * 2.6, span * (nodes.length <= 6 ? 0.5 : 0.34));
  const simulation = forceSimulation<SimNode>(sim)
    .randomSource(seededRandom(options.seed ?? 1))
    .force('link', forceLink<SimNode, SimulationLinkDatum<SimNode>>(links).id((n) => n.id).distance(linkDistance).strength(0.2))
    .force('charge', forceManyBody<SimNode>().strength(-(frame.width * frame.height) / Math.max(2, nodes.length) / 90).distanceMax(frame.width))
    .force('collide', forceCollide<SimNode>((n) => n.radius + gap).iterations(3))
    .force('x', forceX<SimNode>(frame.width / 2).strength(0.03))
    .force('y', forceY<SimNode>(frame.height / 2).strength(0.05))
    .stop();
  simulation.tick(ticks);
  if (!sim.some((n) => n.pinned)) fill(sim, frame, gap);
  separate(sim, frame, gap);
  const out: Record<string, Point> = {};
  for (const node of sim) out[node.id] = node.pinned ? { x: node.fx!, y: node.fy! } : { x: Math.round(node.x!), y: Math.round(node.y!) };
  return out;
}

/**
 * Stretches a free layout to fill the frame (never shrinks it, so nothing comes closer): the
 * simulation settles into a compact shape, but labels need the room.
 */
function fill(nodes: SimNode[], frame: Frame, gap: number): void {
  if (nodes.length < 2) return;
  const xs = nodes.map((n) => n.x!);
  const ys = nodes.map((n) => n.y!);
  const [minX, maxX, minY, maxY] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const margin = Math.max(...nodes.map((n) => n.radius)) + gap + 4;
  const scale = (span: number, room: number) => (span < 1 ? 1 : Math.min(2.5, Math.max(1, room / span)));
  const sx = scale(maxX - minX, frame.width - 2 * margin);
  const sy = scale(maxY - minY, frame.height - 2 * margin);
  const cx = (minX + maxX) / 2;
  const cy = (minY + maxY) / 2;
  for (const node of nodes) {
    node.x = frame.width / 2 + (node.x! - cx) * sx;
    node.y = frame.height / 2 + (node.y! - cy) * sy;
  }
}

/**
 * The simulation only tends to separate nodes; this makes it certain (unless two pinned nodes
 * overlap, which the facilitator chose), and keeps free nodes inside the frame.
 */
function separate(nodes: SimNode[], frame: Frame, gap: number): void {
  const clamp = (node: SimNode) => {
    if (node.pinned) return;
    const margin = node.radius + gap + 4;
    node.x = Math.min(frame.width - margin, Math.max(margin, node.x!));
    node.y = Math.min(frame.height - margin, Math.max(margin, node.y!));
  };
  nodes.forEach(clamp);
  for (let round = 0; round < 200; round++) {
    let moved = false;
    for (let i = 0; i < nodes.length; i++) {
      for (let j = i + 1; j < nodes.length; j++) {
        const a = nodes[i]!;
        const b = nodes[j]!;
        if (a.pinned && b.pinned) continue;
        const need = a.radius + b.radius + gap + 1;
        let dx = b.x! - a.x!;
        let dy = b.y! - a.y!;
        let dist = Math.hypot(dx, dy);
        if (dist >= need) continue;
        if (dist < 1e-6) {
          // Coincident: part them in a direction that depends only on their order.
          const angle = ((i * 7 + j * 13) % 360) * (Math.PI / 180);
          dx = Math.cos(angle);
          dy = Math.sin(angle);
          dist = 1;
        }
        const push = need - dist;
        const ux = dx / dist;
        const uy = dy / dist;
        const shareA = a.pinned ? 0 : b.pinned ? 1 : 0.5;
        const shareB = 1 - shareA;
        a.x = a.x! - ux * push * shareA;
        a.y = a.y! - uy * push * shareA;
        b.x = b.x! + ux * push * shareB;
        b.y = b.y! + uy * push * shareB;
        clamp(a);
        clamp(b);
        moved = true;
      }
    }
    if (!moved) return;
  }
}
