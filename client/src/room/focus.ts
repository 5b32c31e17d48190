import type { AuthoredNote, BoardSnapshot } from '../sync/types';

/**
 * The note the facilitator is reading aloud (the room's `session.focus`), as every view shows it:
 * null while nothing is read, or while the note has not arrived here yet (or is a draft, which is
 * never read aloud).
 */
export function focusedNote(board: Pick<BoardSnapshot, 'room' | 'notes'>): AuthoredNote | null {
  const focus = board.room.session.focus;
  if (!focus) return null;
  return board.notes.find((n) => n.id === focus.noteId && n.participantId === focus.participantId && !n.draft) ?? null;
}

export const noteRef = (note: Pick<AuthoredNote, 'participantId' | 'id'>) => `${note.participantId}/${note.id}`;
