import { LOCALES, type Language } from '../../../shared/schema/common';
import { pasteOverflow } from '../model/noteText';
import { NOTE_GAP, areaKey, findArea, findFreeSpot, layoutWall, occupiedIn, type WallLayout } from '../model/layout';
import type { BoardSnapshot } from '../sync/types';

/**
 * Helpers the list and phone views share: where a note added without a pointer goes (the first
 * free spot in its area on the author's flipchart), and how note times are shown.
 */
export function freeSpotFor(
  board: BoardSnapshot,
  actorId: string,
  questionId: string,
  aboutActorId: string | null,
  layout: WallLayout = layoutWall(board.room.actors, board.room.questions, board.notes),
): { x: number; y: number } {
  const area = findArea(layout, areaKey(actorId, questionId, aboutActorId));
  if (!area) return { x: NOTE_GAP, y: NOTE_GAP };
  return findFreeSpot(occupiedIn(layout, area), area.body.width);
}

const locale = (language: Language) => LOCALES[language];

export function formatNoteTime(timestamp: number, language: Language, now = Date.now()): string {
  const date = new Date(timestamp);
  const sameDay = new Date(now).toDateString() === date.toDateString();
  return new Intl.DateTimeFormat(locale(language), sameDay ? { hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'numeric', hour: '2-digit', minute: '2-digit' }).format(date);
}

/** The first words of a note, for button labels ("Edit note: Networks and …"). */
export function snippet(text: string, max = 40): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Moves focus to an element by id once it exists (after Svelte has rendered). */
export function focusById(id: string): void {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

/**
 * A note textarea's paste handler: a paste that would take the text over NOTE_TEXT_MAX is refused
 * whole (the textarea's `maxlength` would cut it silently) and `onRefused` says by how much.
 */
export function guardPaste(event: ClipboardEvent, onRefused: (over: number) => void): void {
  const field = event.currentTarget as HTMLTextAreaElement;
  const pasted = event.clipboardData?.getData('text/plain') ?? '';
  const over = pasteOverflow(field.value, field.selectionStart, field.selectionEnd, pasted);
  if (over > 0) {
    event.preventDefault();
    onRefused(over);
  }
}
