/**
 * The wall's pure geometry that both sides need: note size, flipchart width, the width of a
 * question area's body, and where a new note fits. Note x/y are RELATIVE to their question
 * area's body (docs/schema.md, "Where notes go"). The client lays the wall out with these; the
 * server's round engine uses them to place posted drafts.
 */
export const NOTE_WIDTH = 180;
export const NOTE_HEIGHT = 120;
export const NOTE_GAP = 16;
/** Room for four notes side by side, with gaps. */
export const FLIPCHART_WIDTH = 2 * NOTE_GAP + 4 * (NOTE_WIDTH + NOTE_GAP);
/** The narrowest per-actor column that still holds a note with a gap on each side. */
const MIN_COLUMN = NOTE_WIDTH + 2 * NOTE_GAP;

/**
 * Flipcharts widen when a per-actor question (1a, 2a) would otherwise split into columns
 * narrower than a note: with many actors, every flipchart is as wide as its columns need.
 */
export function flipchartWidth(actorCount: number): number {
  const others = Math.max(0, Math.floor(actorCount) - 1);
  return Math.max(FLIPCHART_WIDTH, 2 * NOTE_GAP + others * MIN_COLUMN);
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const overlaps = (a: Rect, b: Rect) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/**
 * The body width of a question's area on one actor's flipchart. A per-actor question (1a, 2a) is
 * split into one column per OTHER actor, so with `actorCount` actors on the wall it is split
 * `actorCount - 1` ways; any other question spans the flipchart. With no other actor a per-actor
 * question has no columns at all; the full width is returned so callers still get a sane value.
 */
export function areaBodyWidth(question: { perActor: boolean }, actorCount: number): number {
  const full = flipchartWidth(actorCount) - 2 * NOTE_GAP;
  const others = Math.max(0, Math.floor(actorCount) - 1);
  return question.perActor && others > 0 ? full / others : full;
}

/** Keeps a note inside its body horizontally; vertically the body grows to fit. */
export function clampToBody(x: number, y: number, bodyWidth: number): { x: number; y: number } {
  return {
    x: Math.round(Math.min(Math.max(x, 0), Math.max(0, bodyWidth - NOTE_WIDTH))),
    y: Math.round(Math.max(y, 0)),
  };
}

/** How many grid columns of notes a body holds: cell i sits at NOTE_GAP + i·(NOTE_WIDTH + NOTE_GAP) and must end inside. */
export function gridColumns(bodyWidth: number): number {
  return Math.max(1, Math.floor((bodyWidth - NOTE_GAP - NOTE_WIDTH) / (NOTE_WIDTH + NOTE_GAP)) + 1);
}

/** A note-sized rect with its top left corner at `spot`. */
export const noteAt = (spot: { x: number; y: number }): Rect => ({ ...spot, width: NOTE_WIDTH, height: NOTE_HEIGHT });

/**
 * The first free place for a new note in an area body, scanning a grid row by row; `near`
 * prefers the pointed place (a note centred on it) if free, else the closest free grid cell.
 * Coordinates are body-relative. The grid scanned reaches a row wholly below the lowest occupied
 * note, so a free cell always exists, however the occupied notes lie.
 */
export function findFreeSpot(occupied: readonly Rect[], bodyWidth: number, near?: { x: number; y: number }): { x: number; y: number } {
  let lowest = 0;
  for (const o of occupied) lowest = Math.max(lowest, o.y + o.height);
  const isFree = (spot: { x: number; y: number }) => !occupied.some((o) => overlaps(o, noteAt(spot)));
  return findFreeSpotAmong({ count: occupied.length, lowest, isFree }, bodyWidth, near);
}

/** What `findFreeSpotAmong` needs to know of the notes already in a body. */
export interface Occupancy {
  /** How many notes there are. */
  count: number;
  /** Where the lowest of them ends (0 without any). */
  lowest: number;
  /** Whether a note at `spot` would overlap none of them. */
  isFree(spot: { x: number; y: number }): boolean;
}

/** `findFreeSpot` for notes kept some other way (client/src/model/freeSpots.ts indexes them by position). */
export function findFreeSpotAmong(occupancy: Occupancy, bodyWidth: number, near?: { x: number; y: number }): { x: number; y: number } {
  const stepX = NOTE_WIDTH + NOTE_GAP;
  const stepY = NOTE_HEIGHT + NOTE_GAP;
  const columns = gridColumns(bodyWidth);
  const { isFree } = occupancy;
  if (near) {
    const wanted = clampToBody(near.x - NOTE_WIDTH / 2, near.y - NOTE_HEIGHT / 2, bodyWidth);
    if (isFree(wanted)) return wanted;
  }
  const lastRow = Math.max(Math.ceil((occupancy.count + 1) / columns) + 1, Math.ceil(occupancy.lowest / stepY), near ? Math.ceil(Math.max(0, near.y) / stepY) + 1 : 0);
  const cell = (row: number, column: number) => ({ x: NOTE_GAP + column * stepX, y: NOTE_GAP + row * stepY });
  if (!near) {
    for (let row = 0; row <= lastRow; row++) {
      for (let column = 0; column < columns; column++) if (isFree(cell(row, column))) return cell(row, column);
    }
  } else {
    let best: { x: number; y: number } | null = null;
    let bestDistance = Infinity;
    for (let row = 0; row <= lastRow; row++) {
      for (let column = 0; column < columns; column++) {
        const candidate = cell(row, column);
        // Measured from the cell's centre: the pointed place is where the note should sit.
        const distance = Math.hypot(candidate.x + NOTE_WIDTH / 2 - near.x, candidate.y + NOTE_HEIGHT / 2 - near.y);
        if (distance < bestDistance && isFree(candidate)) {
          best = candidate;
          bestDistance = distance;
        }
      }
    }
    if (best) return best;
  }
  // Unreachable: row `lastRow` lies below every occupied note.
  return cell(lastRow + 1, 0);
}
