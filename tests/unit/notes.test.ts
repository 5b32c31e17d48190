import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { readNotes } from '../../shared/read/snapshot';
import { notesRoots } from '../../shared/schema/layout';
import { NOTE_TEXT_MAX } from '../../shared/schema/note';
import { ID, NOW, expectArvoError } from './helpers';

describe('addNote', () => {
  it('stores a note as a Y.Map under its id', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1b', text: 'Tiloja iltaisin', x: 120, y: -40 }, NOW, LOCAL_ORIGIN);
    expect(note).toEqual({ id: note.id, questionId: '1b', text: 'Tiloja iltaisin', x: 120, y: -40, createdAt: NOW });
    expect(note.id).toMatch(/^[0-9A-Za-z]{16}$/);
    const stored = notesRoots(doc).notes.get(note.id);
    expect(stored).toBeInstanceOf(Y.Map);
    expect(stored!.toJSON()).toEqual(note);
    expect(stored!.has('aboutActorId')).toBe(false); // undefined fields are not written
    expect(readNotes(doc)).toEqual({ notes: [note], problems: [] });
  });

  it('keeps aboutActorId for per-actor questions and defaults text to empty', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1a', x: 0, y: 0, aboutActorId: ID.actorB }, NOW, LOCAL_ORIGIN, ID.me);
    expect(note).toEqual({ id: ID.me, questionId: '1a', text: '', x: 0, y: 0, aboutActorId: ID.actorB, createdAt: NOW });
    expect(readNotes(doc).notes).toEqual([note]);
  });

  it('uses the given origin', () => {
    const doc = new Y.Doc();
    const origin = serverOrigin('round-end');
    const origins: unknown[] = [];
    doc.on('update', (_u: Uint8Array, o: unknown) => origins.push(o));
    addNote(doc, { questionId: '1b', text: 'x', x: 1, y: 2 }, NOW, origin);
    expect(origins).toEqual([origin]);
  });

  it(`accepts exactly ${NOTE_TEXT_MAX} characters`, () => {
    expect(NOTE_TEXT_MAX).toBe(500);
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '3a', text: 'a'.repeat(500), x: 0, y: 0 }, NOW, LOCAL_ORIGIN);
    expect(note.text).toHaveLength(500);
  });

  it('refuses text over 500 characters with invalid-input and writes nothing', () => {
    const doc = new Y.Doc();
    const error = expectArvoError(() => addNote(doc, { questionId: '3a', text: 'a'.repeat(501), x: 0, y: 0 }, NOW, LOCAL_ORIGIN), 'invalid-input');
    expect(error.message).toContain('at most 500 characters');
    expect(error.details).toEqual(['text: at most 500 characters']);
    expect(notesRoots(doc).notes.size).toBe(0);
    expect(doc.store.clients.size).toBe(0);
  });

  it.each([
    ['empty question', { questionId: '', text: 't', x: 0, y: 0 }],
    ['long question id', { questionId: 'q'.repeat(33), text: 't', x: 0, y: 0 }],
    ['missing x', { questionId: '1b', text: 't', y: 0 }],
    ['x out of the board', { questionId: '1b', text: 't', x: 1e6 + 1, y: 0 }],
    ['y not finite', { questionId: '1b', text: 't', x: 0, y: Number.POSITIVE_INFINITY }],
    ['y NaN', { questionId: '1b', text: 't', x: 0, y: Number.NaN }],
    ['bad aboutActorId', { questionId: '1a', text: 't', x: 0, y: 0, aboutActorId: 'nope' }],
    ['text not a string', { questionId: '1b', text: 42, x: 0, y: 0 }],
  ])('refuses %s with invalid-input', (_what, input) => {
    const doc = new Y.Doc();
    expectArvoError(() => addNote(doc, input as never, NOW, LOCAL_ORIGIN), 'invalid-input');
    expect(notesRoots(doc).notes.size).toBe(0);
  });
});

describe('updateNote', () => {
  it('changes the given fields and stamps updatedAt', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1b', text: 'vanha', x: 10, y: 20 }, NOW, LOCAL_ORIGIN);
    updateNote(doc, note.id, { text: 'uusi', x: 30 }, NOW + 1000, LOCAL_ORIGIN);
    expect(readNotes(doc).notes).toEqual([{ ...note, text: 'uusi', x: 30, updatedAt: NOW + 1000 }]);
  });

  it('can clear aboutActorId with null', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1a', text: 't', x: 0, y: 0, aboutActorId: ID.actorA }, NOW, LOCAL_ORIGIN);
    updateNote(doc, note.id, { aboutActorId: null }, NOW + 1, LOCAL_ORIGIN);
    expect(notesRoots(doc).notes.get(note.id)!.get('aboutActorId')).toBeNull();
    expect(readNotes(doc).notes[0]!.aboutActorId).toBeNull();
  });

  it('ignores fields that are not part of a note (id, createdAt cannot be changed)', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1b', text: 't', x: 0, y: 0 }, NOW, LOCAL_ORIGIN);
    updateNote(doc, note.id, { text: 'u', id: ID.other, createdAt: 1 } as never, NOW + 1, LOCAL_ORIGIN);
    expect(readNotes(doc).notes).toEqual([{ ...note, text: 'u', updatedAt: NOW + 1 }]);
  });

  it('refuses an unknown note with not-found', () => {
    expectArvoError(() => updateNote(new Y.Doc(), ID.me, { text: 'x' }, NOW, LOCAL_ORIGIN), 'not-found');
  });

  it('refuses text over 500 characters with invalid-input and keeps the old text', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1b', text: 'ok', x: 0, y: 0 }, NOW, LOCAL_ORIGIN);
    expectArvoError(() => updateNote(doc, note.id, { text: 'b'.repeat(501) }, NOW + 1, LOCAL_ORIGIN), 'invalid-input');
    expect(readNotes(doc).notes).toEqual([note]);
  });
});

describe('deleteNote', () => {
  it('removes the note', () => {
    const doc = new Y.Doc();
    const keep = addNote(doc, { questionId: '1b', text: 'keep', x: 0, y: 0 }, NOW, LOCAL_ORIGIN);
    const gone = addNote(doc, { questionId: '1b', text: 'gone', x: 0, y: 0 }, NOW + 1, LOCAL_ORIGIN);
    deleteNote(doc, gone.id, LOCAL_ORIGIN);
    expect(readNotes(doc).notes).toEqual([keep]);
    expect(notesRoots(doc).notes.has(gone.id)).toBe(false);
  });

  it('refuses an unknown note with not-found', () => {
    expectArvoError(() => deleteNote(new Y.Doc(), ID.me, LOCAL_ORIGIN), 'not-found');
  });
});

describe('moveNoteBetweenDocs', () => {
  it('moves a draft to the wall under the same id, keeping createdAt', () => {
    const drafts = new Y.Doc();
    const wall = new Y.Doc();
    const draft = addNote(drafts, { questionId: '2a', text: 'Tietoa', x: 5, y: 6, aboutActorId: ID.actorB }, NOW, LOCAL_ORIGIN);
    const moved = moveNoteBetweenDocs(drafts, wall, draft.id, NOW + 60_000, serverOrigin('round-end'));
    expect(moved).toEqual(draft);
    expect(moved.id).toBe(draft.id);
    expect(readNotes(wall).notes).toEqual([draft]);
    expect(readNotes(drafts).notes).toEqual([]);
  });

  it('places the note at the given board coordinates', () => {
    const drafts = new Y.Doc();
    const wall = new Y.Doc();
    const draft = addNote(drafts, { questionId: '1b', text: 't', x: 5, y: 6 }, NOW, LOCAL_ORIGIN);
    const moved = moveNoteBetweenDocs(drafts, wall, draft.id, NOW, LOCAL_ORIGIN, { x: 900, y: -300 });
    // A missing aboutActorId is written as null on the wall (same meaning: not about an actor).
    expect(moved).toEqual({ ...draft, x: 900, y: -300, aboutActorId: null });
    expect(readNotes(wall).notes[0]).toMatchObject({ id: draft.id, x: 900, y: -300 });
  });

  it('refuses an unknown note with not-found and leaves both documents alone', () => {
    const drafts = new Y.Doc();
    const wall = new Y.Doc();
    addNote(drafts, { questionId: '1b', text: 't', x: 0, y: 0 }, NOW, LOCAL_ORIGIN);
    expectArvoError(() => moveNoteBetweenDocs(drafts, wall, ID.other, NOW, LOCAL_ORIGIN), 'not-found');
    expect(readNotes(drafts).notes).toHaveLength(1);
    expect(wall.store.clients.size).toBe(0);
  });
});
