import * as Y from 'yjs';
import { parseDocName } from '../protocol/docNames';
import { readAnalysis, type AnalysisSnapshot } from '../read/analysis';
import { readNotes, readRoom, type RoomSnapshot } from '../read/snapshot';
import { noteRef } from '../schema/layout';
import type { Note } from '../schema/note';
import { newReplayDoc, type ReplayCursor, type ReplayEngine } from './engine';
import { sortNotes } from './notesTrack';
import type { ReplayEvent, ReplayPosition } from './types';

/**
 * The board at a moment as plain data — what the wall, analysis board and map render (read-only
 * in replay) — built from the replay's documents with the same readers as the live views.
 */
export interface BoardNote extends Note {
  /** `<participantId>/<noteId>` */
  ref: string;
  /** The author: the participant whose document holds the note. */
  participantId: string;
  /** The author's actor, from the room's participants at that moment. */
  actorId: string | null;
}

export interface Board {
  room: RoomSnapshot;
  analysis: AnalysisSnapshot;
  /** Notes on the wall (every notes document), by createdAt then id. */
  notes: BoardNote[];
  /** Drafts: only the viewer's own drafts document is ever in a viewer's replay. */
  drafts: BoardNote[];
}

/** readNotes' order across the whole wall: by createdAt, then id. */
const byCreated = (a: BoardNote, b: BoardNote) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);

interface DocRead {
  kind: 'room' | 'notes' | 'drafts';
  room?: RoomSnapshot;
  analysis?: AnalysisSnapshot;
  participantId?: string;
  notes?: Note[];
  /** The notes as board notes, for the actor map they were made with (cached by ReplayView). */
  board?: { actors: Map<string, string | null>; notes: BoardNote[] };
}

function readDoc(name: string, doc: Y.Doc): DocRead | null {
  const ref = parseDocName(name);
  if (!ref) return null;
  if (ref.kind === 'room') return { kind: 'room', room: readRoom(doc), analysis: readAnalysis(doc) };
  return { kind: ref.kind, participantId: ref.participantId, notes: readNotes(doc).notes };
}

const emptyRoom = (): Board['room'] => readRoom(newReplayDoc());
const emptyAnalysis = (): AnalysisSnapshot => readAnalysis(newReplayDoc());

function boardNotesOf(read: DocRead, actors: Map<string, string | null>): BoardNote[] {
  if (read.board?.actors === actors) return read.board.notes;
  const participantId = read.participantId!;
  const actorId = actors.get(participantId) ?? null;
  // Built field by field: an object spread per note is a visible share of a seek.
  const notes = read.notes!.map((n): BoardNote => {
    const note: BoardNote = { id: n.id, questionId: n.questionId, text: n.text, x: n.x, y: n.y, createdAt: n.createdAt, ref: noteRef(participantId, n.id), participantId, actorId };
    if (n.updatedAt !== undefined) note.updatedAt = n.updatedAt;
    if (n.aboutActorId !== undefined) note.aboutActorId = n.aboutActorId;
    return note;
  });
  read.board = { actors, notes };
  return notes;
}

/** Actor of each participant; the same Map object while the room's participants are unchanged. */
function actorMap(room: RoomSnapshot, previous: Map<string, string | null> | null): Map<string, string | null> {
  const next = new Map(room.participants.map((p) => [p.id, p.actorId]));
  if (previous && previous.size === next.size && [...next].every(([id, actor]) => previous.get(id) === actor)) return previous;
  return next;
}

function assemble(reads: Iterable<DocRead>, previousActors: Map<string, string | null> | null = null): Board & { actors: Map<string, string | null> } {
  let room: RoomSnapshot | null = null;
  let analysis: AnalysisSnapshot | null = null;
  const parts: DocRead[] = [];
  for (const read of reads) {
    if (read.kind === 'room') {
      room = read.room!;
      analysis = read.analysis!;
    } else parts.push(read);
  }
  room ??= emptyRoom();
  analysis ??= emptyAnalysis();
  const actors = actorMap(room, previousActors);
  const notes: BoardNote[] = [];
  const drafts: BoardNote[] = [];
  for (const part of parts) {
    const target = part.kind === 'notes' ? notes : drafts;
    for (const note of boardNotesOf(part, actors)) target.push(note);
  }
  notes.sort(byCreated);
  drafts.sort(byCreated);
  return { room, analysis, notes, drafts, actors };
}

const plain = ({ room, analysis, notes, drafts }: Board): Board => ({ room, analysis, notes, drafts });

/** Reads a board from documents by name (e.g. `engine.docsAt(…)` or `ReplayCursor.docs`). */
export function readBoard(docs: ReadonlyMap<string, Y.Doc>): Board {
  const reads: DocRead[] = [];
  for (const [name, doc] of docs) {
    const read = readDoc(name, doc);
    if (read) reads.push(read);
  }
  return plain(assemble(reads));
}

/** Reads a board from encoded states (e.g. `engine.stateAt(…)` or the server's state endpoint). */
export function readBoardFromStates(states: ReadonlyMap<string, Uint8Array>): Board {
  const docs = new Map<string, Y.Doc>();
  for (const [name, state] of states) {
    const doc = newReplayDoc();
    try {
      Y.applyUpdate(doc, state);
    } catch {
      // A damaged state reads as an empty document: the rest of the board is still shown.
    }
    docs.set(name, doc);
  }
  const board = readBoard(docs);
  for (const doc of docs.values()) doc.destroy();
  return board;
}

const isNotesDoc = (name: string) => {
  const kind = parseDocName(name)?.kind;
  return kind === 'notes' || kind === 'drafts';
};

/**
 * Scrubbing and playback: the board at any moment, re-reading only what changed. The room
 * document is moved with a cursor (forward in place or from a checkpoint) and read with
 * readRoom/readAnalysis; notes and drafts come from the engine's plain per-note model
 * (`engine.notesAt`), which gives exactly what readNotes would, without decoding Yjs.
 */
export class ReplayView {
  private readonly cursor: ReplayCursor;
  private readonly reads = new Map<string, DocRead>();
  private readonly plain = new Map<string, { map: Map<string, Note>; count: number }>();
  private board: Board | null = null;
  private actors: Map<string, string | null> | null = null;
  private position = -1;

  constructor(readonly engine: ReplayEngine) {
    this.cursor = engine.cursor();
  }

  /** The entry index the board is at (−1: before the first entry). */
  get index(): number {
    return this.position;
  }

  /**
   * The board at a moment, the documents that changed, and (moving forward) the events since the
   * previous position. Boards are immutable snapshots: unchanged parts are the same objects.
   */
  seek(at: ReplayPosition): { board: Board; changed: Set<string>; events: readonly ReplayEvent[] } {
    const from = this.position;
    const index = this.engine.resolve(at);
    const changed = this.cursor.seek({ index }, (name) => !isNotesDoc(name));
    for (const name of changed) {
      const doc = this.cursor.doc(name);
      const read = doc ? readDoc(name, doc) : null;
      if (read) this.reads.set(name, read);
      else this.reads.delete(name);
    }
    let notesChanged = false;
    for (const name of this.engine.docNames) {
      if (!isNotesDoc(name)) continue;
      const count = this.engine.docCountAt(name, index);
      const current = this.plain.get(name);
      if ((current?.count ?? 0) === count) continue;
      changed.add(name);
      notesChanged = true;
      if (count === 0) {
        this.plain.delete(name);
        this.reads.delete(name);
        continue;
      }
      const map = this.engine.notesAt(name, count, current)!;
      this.plain.set(name, { map, count });
      const ref = parseDocName(name) as { kind: 'notes' | 'drafts'; participantId: string };
      this.reads.set(name, { kind: ref.kind, participantId: ref.participantId, notes: sortNotes([...map.values()]) });
    }
    this.position = index;
    if (!this.board || notesChanged) {
      const next = assemble(this.reads.values(), this.actors);
      this.actors = next.actors;
      this.board = plain(next);
    } else if (changed.size > 0) {
      // Only the room changed: the notes stay unless who-is-in-which-actor changed too.
      const roomRead = [...this.reads.values()].find((r) => r.kind === 'room');
      const room = roomRead?.room ?? emptyRoom();
      if (actorMap(room, this.actors) !== this.actors) {
        const next = assemble(this.reads.values(), this.actors);
        this.actors = next.actors;
        this.board = plain(next);
      } else this.board = { ...this.board, room, analysis: roomRead?.analysis ?? emptyAnalysis() };
    }
    return { board: this.board, changed, events: index > from ? this.engine.eventsBetween(from, index) : [] };
  }

  destroy(): void {
    this.cursor.destroy();
    this.reads.clear();
    this.plain.clear();
  }
}

// ——— filters ———

/** One actor, one participant, one question — any combination; unset fields do not filter. */
export interface ReplayFilter {
  actorId?: string | null | undefined;
  participantId?: string | undefined;
  questionId?: string | undefined;
}

export function noteMatches(note: Pick<BoardNote, 'actorId' | 'participantId' | 'questionId'>, filter: ReplayFilter): boolean {
  if (filter.actorId !== undefined && note.actorId !== filter.actorId) return false;
  if (filter.participantId !== undefined && note.participantId !== filter.participantId) return false;
  if (filter.questionId !== undefined && note.questionId !== filter.questionId) return false;
  return true;
}

/** The board with only the notes (and drafts) that match; themes and the room are left as they are. */
export function filterBoard(board: Board, filter: ReplayFilter): Board {
  return { ...board, notes: board.notes.filter((n) => noteMatches(n, filter)), drafts: board.drafts.filter((n) => noteMatches(n, filter)) };
}

/** Whom an event is about: a note's author, otherwise whoever sent the change (null: the server). */
export const eventParticipant = (event: ReplayEvent): string | null => event.author ?? event.participantId ?? event.by;

/**
 * Events that match a filter. An event passes a participant or actor filter when its participant
 * (`eventParticipant`) matches, and a question filter when its `questionId` equals; events that
 * have no participant or no question do not pass a filter on that. Markers (`MARKER_KINDS`)
 * are usually shown unfiltered: filter them separately if at all.
 */
export function filterEvents(events: readonly ReplayEvent[], filter: ReplayFilter, actorOf: (participantId: string | null) => string | null): ReplayEvent[] {
  return events.filter((event) => {
    const participant = eventParticipant(event);
    if (filter.participantId !== undefined && participant !== filter.participantId) return false;
    if (filter.actorId !== undefined && (participant === null || actorOf(participant) !== filter.actorId)) return false;
    if (filter.questionId !== undefined && event.questionId !== filter.questionId) return false;
    return true;
  });
}
