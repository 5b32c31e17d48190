import { wrapText, type Measure } from '../model/text';

/**
 * Type sizes for the projector, chosen before drawing (pure, so they are testable and the same
 * on every screen): the round stage's notes and the read-aloud note. Sizes are CSS pixels.
 */

/** Never smaller than this on the projector: legible from the back of a room at 1080p. */
export const MIN_NOTE_PX = 20;
export const MAX_NOTE_PX = 40;
export const LINE_HEIGHT = 1.2;

export interface ColumnBox {
  /** Width available for a note's text (inside the note's padding). */
  textWidth: number;
  /** Height of a column's note area. */
  height: number;
  /** Vertical space a note takes besides its text lines (padding and the gap to the next). */
  chrome: number;
}

export interface RoundFit {
  fontSize: number;
  /**
   * Per column, per shown note: the lines it may show, or null for all. A note given fewer lines
   * than it needs ends with "…" (its whole text is read aloud later, on every screen).
   */
  lines: Array<Array<number | null>>;
  /** How many notes each column shows: the newest, when not all fit even at two lines each. */
  visible: number[];
}

const lineCount = (text: string, width: number, size: number, measure: Measure) => Math.max(1, wrapText(text, width, size, measure).length);

/**
 * Lines for each note of a column so that the column fits `budget` lines: everything when it
 * fits; otherwise every note is cut to the same number of lines L (the largest that fits, at
 * least `floor`), and the lines left over go, in order, to notes that need more than L. Returns
 * null when even `floor` lines each do not fit.
 */
export function shareLines(needs: readonly number[], budget: number, floor = 2): Array<number | null> | null {
  const total = needs.reduce((a, b) => a + b, 0);
  if (total <= budget) return needs.map(() => null);
  const used = (limit: number) => needs.reduce((sum, need) => sum + Math.min(need, limit), 0);
  let limit = Math.max(...needs);
  while (limit >= floor && used(limit) > budget) limit--;
  if (limit < floor) return null;
  let spare = budget - used(limit);
  return needs.map((need) => {
    if (need <= limit) return null;
    if (spare > 0) {
      const extra = Math.min(spare, need - limit);
      spare -= extra;
      return limit + extra >= need ? null : limit + extra;
    }
    return limit;
  });
}

/** Every note of every column shown, none cut short with "…". */
export function showsAllWhole(fit: RoundFit, counts: readonly number[]): boolean {
  return counts.every((count, i) => fit.visible[i] === count) && fit.lines.every((column) => column.every((lines) => lines === null));
}

/**
 * One size for the whole screen (calm: every note alike): the largest (MAX..MIN, step 2) at which
 * every column's notes fit whole; failing that, the minimum with the longest notes cut to fewer
 * lines (shareLines, at least two each); failing that, two lines each and only the newest notes
 * of a crowded column. Text is never drawn below MIN_NOTE_PX.
 */
export function fitRound(columns: ReadonlyArray<readonly string[]>, box: ColumnBox, measure: Measure, sizes: { min?: number; max?: number } = {}): RoundFit {
  const min = sizes.min ?? MIN_NOTE_PX;
  const max = sizes.max ?? MAX_NOTE_PX;
  const all = columns.map((c) => c.length);
  const needsAt = (size: number) => columns.map((texts) => texts.map((text) => lineCount(text, box.textWidth, size, measure)));
  const budget = (size: number, count: number) => Math.floor((box.height - count * box.chrome) / (size * LINE_HEIGHT));
  for (let size = max; size > min; size -= 2) {
    const needs = needsAt(size);
    if (needs.every((column) => column.reduce((a, b) => a + b, 0) <= budget(size, column.length))) {
      return { fontSize: size, lines: needs.map((column) => column.map(() => null)), visible: all };
    }
  }
  const needs = needsAt(min);
  const lines: RoundFit['lines'] = [];
  const visible: number[] = [];
  for (const column of needs) {
    let count = column.length;
    let shared = shareLines(column, budget(min, count));
    while (!shared && count > 0) {
      count--;
      // The "+ N more" line below takes one line and one note's spacing.
      shared = shareLines(column.slice(column.length - count), budget(min, count + 1) - 1);
    }
    lines.push(shared ?? []);
    visible.push(count);
  }
  return { fontSize: min, lines, visible };
}

/**
 * The read-aloud note: the largest size (max..min) at which its whole text fits the box. A note is
 * at most 500 characters, which fits a 1080p screen well above the minimum; if a box is too small
 * even so, the minimum is returned and the box clips rather than overflow the screen.
 */
export function fitReading(text: string, box: { width: number; height: number }, measure: Measure, sizes: { min?: number; max?: number } = {}): number {
  const min = sizes.min ?? 24;
  const max = sizes.max ?? 96;
  for (let size = max; size > min; size -= 2) {
    if (lineCount(text, box.width, size, measure) * size * LINE_HEIGHT <= box.height) return size;
  }
  return min;
}
