import type { Rect } from '../model/layout';
import type { Size, View } from './viewport';

/**
 * Which notes the wall draws, and how much of each: pure geometry, no Konva. Only notes near the
 * view get canvas nodes (viewport culling); zoomed out a note is coloured paper, zoomed in it
 * gets its author and tags (level of detail). Board units throughout (model/layout's).
 */

/** full: everything; reduced: no author line (too small to read); minimal: coloured paper only. */
export type Detail = 'full' | 'reduced' | 'minimal';

/** At 0.18 the largest note type (20 px) is under 4 px: text would be grey noise, so none is drawn. */
export function detailFor(scale: number): Detail {
  return scale < 0.18 ? 'minimal' : scale < 0.42 ? 'reduced' : 'full';
}

/** The board rectangle a view shows in a container of `size`. */
export function viewRect(view: View, size: Size): Rect {
  return { x: -view.x / view.scale, y: -view.y / view.scale, width: size.width / view.scale, height: size.height / view.scale };
}

/** `rect` grown by `fraction` of its own size on every side. */
export function expand(rect: Rect, fraction: number): Rect {
  const dx = rect.width * fraction;
  const dy = rect.height * fraction;
  return { x: rect.x - dx, y: rect.y - dy, width: rect.width + 2 * dx, height: rect.height + 2 * dy };
}

export const contains = (outer: Rect, inner: Rect) =>
  inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width && inner.y + inner.height <= outer.y + outer.height;

export const intersects = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * The set of drawn notes is recomputed only when the view leaves the area it was computed for
 * (the view plus half a view on every side, so a pan of less than half a screen touches no node),
 * when the view has zoomed in so far that most drawn notes are off screen, or when the detail
 * level changes. Everything else — every frame of a drag or a wheel zoom — moves the stage only.
 */
export function needsRecull(covered: Rect | null, coveredDetail: Detail | null, view: View, size: Size): boolean {
  if (!covered || coveredDetail !== detailFor(view.scale)) return true;
  const shown = viewRect(view, size);
  if (!contains(covered, shown)) return true;
  return shown.width * shown.height * 16 < covered.width * covered.height;
}

/** The area to draw notes for at this view (see needsRecull). */
export const coverFor = (view: View, size: Size): Rect => expand(viewRect(view, size), 0.5);

/**
 * A uniform grid over note rectangles: which notes meet a rectangle, without looking at all of
 * them. Notes are few hundred board units wide; cells of 600 hold a handful each.
 */
export class RectGrid {
  private readonly cells = new Map<string, number[]>();

  constructor(
    private readonly rects: readonly Rect[],
    private readonly cell = 600,
  ) {
    rects.forEach((r, index) => {
      for (const key of this.keys(r)) {
        const list = this.cells.get(key);
        if (list) list.push(index);
        else this.cells.set(key, [index]);
      }
    });
  }

  private *keys(r: Rect): Iterable<string> {
    const c = this.cell;
    const x0 = Math.floor(r.x / c);
    const x1 = Math.floor((r.x + r.width) / c);
    const y0 = Math.floor(r.y / c);
    const y1 = Math.floor((r.y + r.height) / c);
    for (let gx = x0; gx <= x1; gx++) for (let gy = y0; gy <= y1; gy++) yield `${gx},${gy}`;
  }

  /** Indices of the rects that meet `area`, ascending (the layout's order is the drawing order). */
  query(area: Rect): number[] {
    const found = new Set<number>();
    const c = this.cell;
    const x0 = Math.floor(area.x / c);
    const x1 = Math.floor((area.x + area.width) / c);
    const y0 = Math.floor(area.y / c);
    const y1 = Math.floor((area.y + area.height) / c);
    // A view much larger than the wall (zoomed far out) has more cells than rects: scan the rects.
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > this.rects.length) {
      this.rects.forEach((r, i) => {
        if (intersects(r, area)) found.add(i);
      });
    } else {
      for (let gx = x0; gx <= x1; gx++) {
        for (let gy = y0; gy <= y1; gy++) {
          for (const i of this.cells.get(`${gx},${gy}`) ?? []) if (intersects(this.rects[i]!, area)) found.add(i);
        }
      }
    }
    return [...found].sort((a, b) => a - b);
  }
}

/**
 * Zoomed far out, whether a note still needs a node of its own (see notes.ts BulkNotes): only
 * when you can act on it or it is drawn differently from plain paper.
 */
export function keepsNode(note: { editable: boolean; selected: boolean; editing: boolean; focused: boolean; marked: boolean; held: boolean }): boolean {
  return note.editable || note.selected || note.editing || note.focused || note.marked || note.held;
}

/** The topmost rect (the last in drawing order) under a point, or null. */
export function topmostAt(grid: RectGrid, point: { x: number; y: number }): number | null {
  const found = grid.query({ x: point.x, y: point.y, width: 0, height: 0 });
  return found.length > 0 ? found[found.length - 1]! : null;
}
