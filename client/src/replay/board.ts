import { isAnonymous } from '../../../shared/derive/anonymity';
import type { Claims } from '../../../shared/protocol/permissions';
import type { Board, BoardDiff, BoardNote } from '../../../shared/replay';
import type { Participant } from '../../../shared/schema/participant';
import type { NoteMark } from '../canvas/notes';
import type { AuthoredNote, BoardSnapshot } from '../sync/types';

/**
 * The replay's board (shared/replay `Board`) in the shape the live views draw (`BoardSnapshot`),
 * so the wall canvas, the matrix and the value map are reused as they are, read-only. Pure;
 * unit-tested in tests/unit/client-replay.test.ts.
 */
export type Me = Claims & { name: string };

/** Key of a note on the wall canvas (`participantId:noteId`), as canvas/notes.ts keys them. */
export const wallKey = (participantId: string, noteId: string) => `${participantId}:${noteId}`;
/** `participantId:noteId` → `participantId/noteId` (the replay's and the analysis' note ref). */
export const refOfWallKey = (key: string) => key.replace(':', '/');

/**
 * Converts board notes to authored notes, keeping the converted object of a note that did not
 * change (boards share unchanged notes), so playback does not rebuild thousands per frame.
 */
export class NoteConverter {
  private cache = new WeakMap<BoardNote, AuthoredNote>();
  private names = new Map<string, string>();
  private me = '';

  /**
   * `names`: participant id → name (everyone who ever joined, so a note keeps its author's name
   * even at a moment before the room knew it).
   */
  convert(notes: readonly BoardNote[], draft: boolean, me: string, names: ReadonlyMap<string, string>): AuthoredNote[] {
    if (me !== this.me || !sameNames(names, this.names)) {
      this.cache = new WeakMap();
      this.names = new Map(names);
      this.me = me;
    }
    return notes.map((note) => {
      let authored = this.cache.get(note);
      if (!authored || authored.draft !== draft) {
        authored = toAuthored(note, draft, me, names);
        this.cache.set(note, authored);
      }
      return authored;
    });
  }
}

function sameNames(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, name] of a) if (b.get(id) !== name) return false;
  return true;
}

export function toAuthored(note: BoardNote, draft: boolean, me: string, names: ReadonlyMap<string, string>): AuthoredNote {
  const authored: AuthoredNote = {
    id: note.id,
    questionId: note.questionId,
    text: note.text,
    x: note.x,
    y: note.y,
    createdAt: note.createdAt,
    participantId: note.participantId,
    authorName: names.get(note.participantId) ?? '?',
    actorId: note.actorId,
    mine: note.participantId === me,
    draft,
  };
  if (note.updatedAt !== undefined) authored.updatedAt = note.updatedAt;
  if (note.aboutActorId !== undefined) authored.aboutActorId = note.aboutActorId;
  return authored;
}

/** Participant id → name, the moment's room first, then everyone known (the live room). */
export function nameMap(...rooms: ReadonlyArray<{ participants: readonly Participant[] }>): Map<string, string> {
  const names = new Map<string, string>();
  for (const room of rooms) for (const p of room.participants) if (!names.has(p.id)) names.set(p.id, p.name);
  return names;
}

/**
 * The board of a moment as a read-only snapshot for the live views. Drafts: only the reader's
 * own (the history API sends no others; anything else is dropped here too), marked as drafts.
 * `ghosts`: notes drawn in addition (compare: the removed ones, faded).
 */
export function toSnapshot(board: Board, me: Me, allNames: ReadonlyMap<string, string>, converter: NoteConverter, ghosts: readonly BoardNote[] = []): BoardSnapshot {
  // Anonymous mode (at that moment of the replay) hides authors here as on the live board.
  const names = isAnonymous(board.room.session) ? new Map([...allNames.keys()].map((id) => [id, ''] as const)) : allNames;
  // Mine only; and a draft the round engine is posting right now is drawn once, as the wall's.
  const onWall = board.drafts.length > 0 ? new Set(board.notes.map((n) => n.ref)) : null;
  const own = board.drafts.filter((d) => d.participantId === me.participantId && !onWall?.has(d.ref));
  const notes = converter.convert(board.notes, false, me.participantId, names);
  const drafts = converter.convert(own, true, me.participantId, names);
  const ghostNotes = ghosts.map((g) => toAuthored(g, false, me.participantId, names));
  return {
    room: board.room,
    analysis: board.analysis,
    notes: ghostNotes.length + drafts.length > 0 ? [...notes, ...ghostNotes, ...drafts] : notes,
    me,
    status: 'live',
    statusReason: null,
    presence: [],
    canUndo: false,
    canRedo: false,
    lastRefusal: null,
    canWriteWall: false,
    votes: { counts: {}, spent: {}, voters: 0 },
    myVotes: {},
  };
}

/** A note in the replay's note panel. */
export interface ShownNote {
  ref: string;
  text: string;
  participantId: string;
  actorId: string | null;
  questionId: string;
  aboutActorId: string | null;
  draft: boolean;
}

// ——— compare ———

/** Wall marks for a difference between two moments, by note key; the later moment is drawn. */
export function diffMarks(diff: BoardDiff): Map<string, NoteMark> {
  const marks = new Map<string, NoteMark>();
  for (const pair of diff.edited) marks.set(wallKey(pair.after.participantId, pair.after.id), 'edited');
  for (const pair of diff.moved) marks.set(wallKey(pair.after.participantId, pair.after.id), 'moved');
  for (const note of diff.removed) marks.set(wallKey(note.participantId, note.id), 'removed');
  for (const note of diff.added) marks.set(wallKey(note.participantId, note.id), 'added');
  return marks;
}

export interface CountRow {
  /** Actor id; null: notes of no actor. */
  actorId: string | null;
  a: number;
  b: number;
}

/** Notes per actor at two moments, in the given actor order (then anything else), for the side-by-side table. */
export function countsByActor(a: readonly BoardNote[], b: readonly BoardNote[], actorOrder: readonly string[]): CountRow[] {
  const count = (notes: readonly BoardNote[]) => {
    const out = new Map<string | null, number>();
    for (const n of notes) out.set(n.actorId, (out.get(n.actorId) ?? 0) + 1);
    return out;
  };
  const ca = count(a);
  const cb = count(b);
  const ids: Array<string | null> = [...actorOrder];
  for (const id of [...ca.keys(), ...cb.keys()]) if (!ids.includes(id)) ids.push(id);
  return ids.map((actorId) => ({ actorId, a: ca.get(actorId) ?? 0, b: cb.get(actorId) ?? 0 })).filter((row) => row.a + row.b > 0 || row.actorId !== null);
}

/** Signed difference for display: `+3`, `−2`, `0`. */
export const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');
