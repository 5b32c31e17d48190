import { wrapText, type Measure } from '../model/text';

/**
 * Type sizes for the projector, chosen before drawing (pure, so they are testable and the same
 * on every screen): the round stage's notes and the read-aloud note. Sizes are CSS pixels.
 */

/** Never smaller than this on the projector: legible from the back of a room at 1080p. */
export const MIN_NOTE_PX = 20;
export const MAX_NOTE_PX = 40;
export const LINE_HEIGHT = 1.25;

export interface ColumnBox {
  /** Width available for a note's text (inside the note's padding). */
  textWidth: number;
  /** Height of a column's note area. */
  height: number;
  /** Vertical space a note takes besides its text lines (padding, author line, gap), at a font size. */
  chrome: (fontSize: number) => number;
}

export interface RoundFit {
  fontSize: number;
  /** Lines a note may show (null: all); a longer note ends with "…" (its whole text is read aloud later). */
  maxLines: number | null;
  /** How many notes each column shows (the newest are kept when not all fit at the smallest size). */
  visible: number[];
}

function columnHeight(texts: readonly string[], box: ColumnBox, size: number, maxLines: number | null, measure: Measure): number {
  let total = 0;
  for (const text of texts) {
    const lines = Math.max(1, wrapText(text, box.textWidth, size, measure).length);
    total += Math.min(lines, maxLines ?? lines) * size * LINE_HEIGHT + box.chrome(size);
  }
  return total;
}

/**
 * The largest size (MAX..MIN) at which every column's notes fit whole; failing that, the smallest
 * size with as many lines per note as fit (at least 2); failing that, two lines and only the newest
 * notes of a crowded column. Text never drops below MIN_NOTE_PX.
 */
export function fitRound(columns: ReadonlyArray<readonly string[]>, box: ColumnBox, measure: Measure, sizes: { min?: number; max?: number } = {}): RoundFit {
  const min = sizes.min ?? MIN_NOTE_PX;
  const max = sizes.max ?? MAX_NOTE_PX;
  const all = columns.map((c) => c.length);
  const fits = (size: number, maxLines: number | null) => columns.every((texts) => columnHeight(texts, box, size, maxLines, measure) <= box.height);
  for (let size = max; size >= min; size -= 2) if (fits(size, null)) return { fontSize: size, maxLines: null, visible: all };
  for (let lines = 6; lines >= 2; lines--) if (fits(min, lines)) return { fontSize: min, maxLines: lines, visible: all };
  const visible = columns.map((texts) => {
    let count = texts.length;
    while (count > 0 && columnHeight(texts.slice(texts.length - count), box, min, 2, measure) > box.height) count--;
    return count;
  });
  return { fontSize: min, maxLines: 2, visible };
}

/**
 * The read-aloud note: the largest size (max..min) at which its whole text fits the box. A note is
 * at most 500 characters, which fits a 1080p screen well above the minimum; if a box is too small
 * even so, the minimum is returned and the view scrolls inside the box rather than overflowing.
 */
export function fitReading(text: string, box: { width: number; height: number }, measure: Measure, sizes: { min?: number; max?: number } = {}): number {
  const min = sizes.min ?? 24;
  const max = sizes.max ?? 96;
  for (let size = max; size > min; size -= 2) {
    const lines = wrapText(text, box.width, size, measure).length;
    if (lines * size * LINE_HEIGHT <= box.height) return size;
  }
  return min;
}
