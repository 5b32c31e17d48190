import { areaAt, clampToBody, findFreeSpot, flipchartOf, NOTE_GAP, NOTE_HEIGHT, NOTE_WIDTH, occupiedIn, type AreaLayout, type Rect, type WallLayout } from '../model/layout';
import { gridColumns } from '../../../shared/geometry';

/**
 * Where notes go: the grid cell a pointed-at new note lands on, and where a dragged note is dropped
 * (where an unpointed "New note" goes is model/newNote.ts).
 * Pure; coordinates are board units unless named body-relative.
 */

/**
 * The centre of the grid cell nearest to a body-relative point: new notes land on the same grid
 * findFreeSpot fills, so a wall written by double-clicks stays in tidy rows.
 */
export function snapToCell(point: { x: number; y: number }, bodyWidth: number): { x: number; y: number } {
  const stepX = NOTE_WIDTH + NOTE_GAP;
  const stepY = NOTE_HEIGHT + NOTE_GAP;
  const columns = gridColumns(bodyWidth);
  const column = Math.min(columns - 1, Math.max(0, Math.round((point.x - NOTE_GAP - NOTE_WIDTH / 2) / stepX)));
  const row = Math.max(0, Math.round((point.y - NOTE_GAP - NOTE_HEIGHT / 2) / stepY));
  return { x: NOTE_GAP + column * stepX + NOTE_WIDTH / 2, y: NOTE_GAP + row * stepY + NOTE_HEIGHT / 2 };
}

/** A free spot in `area`, body-relative, on the grid cell nearest a board point when one is given. */
export function spotIn(layout: WallLayout, area: AreaLayout, nearBoard?: { x: number; y: number }): { x: number; y: number } {
  const near = nearBoard ? snapToCell({ x: nearBoard.x - area.body.x, y: nearBoard.y - area.body.y }, area.body.width) : undefined;
  return findFreeSpot(occupiedIn(layout, area), area.body.width, near);
}

const distanceToRect = (p: { x: number; y: number }, r: Rect) =>
  Math.hypot(Math.max(r.x - p.x, 0, p.x - (r.x + r.width)), Math.max(r.y - p.y, 0, p.y - (r.y + r.height)));

/**
 * The area a note dropped with its centre at `center` goes to: the area under it on your own
 * flipchart, or the nearest one when it falls in a gap between areas; null (snap back) when it is
 * off your flipchart.
 */
export function dropArea(layout: WallLayout, center: { x: number; y: number }, myActorId: string | null): AreaLayout | null {
  const flipchart = flipchartOf(layout, myActorId);
  if (!flipchart) return null;
  const inside = center.x >= flipchart.x && center.x < flipchart.x + flipchart.width && center.y >= flipchart.y && center.y < flipchart.y + flipchart.height;
  if (!inside) return null;
  const direct = areaAt(layout, center, flipchart.actor.id);
  if (direct) return direct;
  let best: AreaLayout | null = null;
  let bestDistance = Infinity;
  for (const area of flipchart.areas) {
    const d = distanceToRect(center, area);
    if (d < bestDistance) {
      best = area;
      bestDistance = d;
    }
  }
  return best;
}

/** The stored position of a note whose top-left is dropped at `topLeft` into `area`. */
export function dropPosition(area: AreaLayout, topLeft: { x: number; y: number }): { x: number; y: number } {
  return clampToBody(topLeft.x - area.body.x, topLeft.y - area.body.y, area.body.width);
}
