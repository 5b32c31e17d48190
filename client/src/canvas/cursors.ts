import * as Konva from './konva';
import type { PresenceEntry } from '../sync/types';
import { FONT, INK, shade } from './theme';

/**
 * Other people's pointers: a small arrow in their actor's colour with their name. Drawn at a
 * constant screen size whatever the zoom, and glided towards each new position (presence arrives
 * about twenty times a second per person) rather than jumping.
 *
 * All cursors are ONE shape on their own layer: 49 people moving is one node redrawn per frame,
 * not 200 (a group, arrow, tag and text each), and a position update only sets a target — the
 * name is measured once per name.
 */
export type CursorItem = PresenceEntry & { cursor: { x: number; y: number } };

const ARROW = 'M0 0 L0 17 L4.6 12.8 L7.6 19.6 L10.6 18.3 L7.7 11.6 L13.6 11.4 Z';
const NAME_SIZE = 12.5;

interface Cursor {
  name: string;
  color: string;
  edge: string;
  labelWidth: number;
  x: number;
  y: number;
  target: { x: number; y: number };
}

export class CursorsShape extends Konva.Shape {
  private readonly cursors = new Map<number, Cursor>();
  private arrow: Path2D | null = null;
  /** The view's scale: cursors are drawn at 1/scale, so they keep their screen size. */
  viewScale = 1;

  constructor(private readonly measure: (text: string, size: number) => number) {
    super({ name: 'cursors', listening: false, perfectDrawEnabled: false });
    this.sceneFunc((context) => this.paint(context._context));
  }

  get count(): number {
    return this.cursors.size;
  }

  /** New targets from presence; returns true when anything is to be drawn differently. */
  sync(items: readonly CursorItem[]): boolean {
    let changed = false;
    const seen = new Set<number>();
    for (const item of items) {
      seen.add(item.clientId);
      const known = this.cursors.get(item.clientId);
      if (!known || known.name !== item.name || known.color !== item.color) {
        const at = known ?? { x: item.cursor.x, y: item.cursor.y };
        this.cursors.set(item.clientId, {
          name: item.name, color: item.color, edge: shade(item.color, -0.55), labelWidth: Math.ceil(this.measure(item.name, NAME_SIZE) + 18),
          x: at.x, y: at.y, target: item.cursor,
        });
        changed = true;
      } else if (known.target.x !== item.cursor.x || known.target.y !== item.cursor.y) {
        known.target = item.cursor;
        changed = true;
      }
    }
    for (const id of this.cursors.keys()) {
      if (!seen.has(id)) {
        this.cursors.delete(id);
        changed = true;
      }
    }
    return changed;
  }

  /** Moves each cursor a step towards its target; returns true while any is still moving. */
  glide(): boolean {
    return glideCursors(this.cursors.values(), this.viewScale);
  }

  private paint(g: CanvasRenderingContext2D): void {
    if (this.cursors.size === 0) return;
    this.arrow ??= new Path2D(ARROW);
    const k = 1 / this.viewScale;
    g.font = `bold ${NAME_SIZE}px ${FONT}`;
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.lineJoin = 'round';
    for (const c of this.cursors.values()) {
      g.save();
      g.translate(c.x, c.y);
      g.scale(k, k);
      g.fillStyle = c.color;
      g.strokeStyle = c.edge;
      g.lineWidth = 1.6;
      g.fill(this.arrow);
      g.stroke(this.arrow);
      g.beginPath();
      g.roundRect(12, 20, c.labelWidth, 22, 11);
      g.lineWidth = 1;
      g.fill();
      g.stroke();
      g.fillStyle = INK;
      g.fillText(c.name, 12 + c.labelWidth / 2, 31);
      g.restore();
    }
  }
}

/** Moves each cursor a step towards its target; returns true while any is still moving. */
export function glideCursors(cursors: Iterable<{ x: number; y: number; target: { x: number; y: number } }>, scale: number): boolean {
  let moving = false;
  for (const c of cursors) {
    const dx = c.target.x - c.x;
    const dy = c.target.y - c.y;
    if (Math.abs(dx) * scale < 0.5 && Math.abs(dy) * scale < 0.5) {
      c.x = c.target.x;
      c.y = c.target.y;
      continue;
    }
    // A large jump (someone moved to another flipchart) is taken at once.
    if (Math.hypot(dx, dy) * scale > 600) {
      c.x = c.target.x;
      c.y = c.target.y;
    } else {
      c.x += dx * 0.35;
      c.y += dy * 0.35;
    }
    moving = true;
  }
  return moving;
}
