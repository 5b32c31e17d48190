import { NOTE_TEXT_MAX } from '../../../shared/schema/note';

/**
 * The note length limit as an editor applies it. A textarea's `maxlength` cuts a long paste
 * silently — the end of someone's careful answer just disappears — so editors check a paste
 * first and refuse the whole of it with a message instead.
 */

/** How many characters too long the text would be after pasting `pasted` over the selection (0 when it fits). */
export function pasteOverflow(current: string, selectionStart: number, selectionEnd: number, pasted: string, max: number = NOTE_TEXT_MAX): number {
  const start = Math.max(0, Math.min(selectionStart, current.length));
  const end = Math.max(start, Math.min(selectionEnd, current.length));
  const length = current.length - (end - start) + pasted.length;
  return Math.max(0, length - max);
}

/** Show the counter when this close to the limit (the phone and list editors always show it). */
export const NEAR_LIMIT = 100;
