import type * as Y from 'yjs';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { newId } from '../schema/ids';
import { fromYMap, notesRoots, toYMap } from '../schema/layout';
import { noteInputSchema, notePatchSchema, type Note, type NoteInput, type NotePatch } from '../schema/note';
import { parseInput } from './validate';

/** Pure note operations on a notes (or drafts) document: `(doc, input, origin) → result`. */

export function addNote(doc: Y.Doc, input: NoteInput, now: number, origin: TransactionOrigin, id: string = newId()): Note {
  const parsed = parseInput(noteInputSchema, input, 'note');
  const note: Note = { id, ...parsed, createdAt: now };
  doc.transact(() => {
    notesRoots(doc).notes.set(id, toYMap({ ...note }));
  }, origin);
  return note;
}

export function updateNote(doc: Y.Doc, noteId: string, patch: NotePatch, now: number, origin: TransactionOrigin): void {
  const parsed = parseInput(notePatchSchema, patch, 'note change');
  const note = notesRoots(doc).notes.get(noteId);
  if (!note) throw new ArvoError('not-found', `no note ${noteId}`);
  doc.transact(() => {
    for (const [key, value] of Object.entries(parsed)) {
      // Only write what changed: each write is an update in the log that replay will show.
      if (value !== undefined && note.get(key) !== value) note.set(key, value);
    }
    note.set('updatedAt', now);
  }, origin);
}

export function deleteNote(doc: Y.Doc, noteId: string, origin: TransactionOrigin): void {
  const { notes } = notesRoots(doc);
  if (!notes.has(noteId)) throw new ArvoError('not-found', `no note ${noteId}`);
  doc.transact(() => notes.delete(noteId), origin);
}

/** Moves a note between documents (a draft posted to the wall): one delete, one insert, same id. */
export function moveNoteBetweenDocs(from: Y.Doc, to: Y.Doc, noteId: string, now: number, origin: TransactionOrigin, placement?: { x: number; y: number }): Note {
  const source = notesRoots(from).notes.get(noteId);
  if (!source) throw new ArvoError('not-found', `no note ${noteId}`);
  // Known fields only (never `toJSON()`: a hostile record may nest types as deep as it likes).
  const input = (fromYMap(source, ['questionId', 'text', 'x', 'y', 'aboutActorId', 'createdAt']) ?? {}) as Partial<Note>;
  const note = addNote(to, { questionId: input.questionId as string, text: input.text ?? '', x: placement?.x ?? (input.x as number), y: placement?.y ?? (input.y as number), aboutActorId: input.aboutActorId ?? null }, input.createdAt ?? now, origin, noteId);
  deleteNote(from, noteId, origin);
  return note;
}
