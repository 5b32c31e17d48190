import * as buffer from 'lib0/buffer';
import type { DocKind } from '../schema/layout';
import type { Phase } from '../schema/meta';

/**
 * Replay (issue 5). One entry of a workshop's update log, as the history API returns it
 * (`GET /api/workshops/:id/history`, docs/schema.md "History API") with `update` decoded.
 */
export interface ReplayEntry {
  /** Document name: `<workshopId>`, `<workshopId>/p/<participantId>` or `<workshopId>/drafts/<participantId>`. */
  doc: string;
  /** The document's own log sequence number (1, 2, 3, … per document). */
  seq: number;
  /** Server time of the change, in milliseconds since the epoch. */
  ts: number;
  /** Who sent the change; null for the server itself (joins, migrations, the round engine). */
  participantId: string | null;
  update: Uint8Array;
}

/** The wire form of an entry: `update` in base64. */
export interface ReplayEntryJson {
  doc: string;
  seq: number;
  ts: number;
  participantId: string | null;
  update: string;
}

export const entryFromJson = (e: ReplayEntryJson): ReplayEntry => ({ doc: e.doc, seq: e.seq, ts: e.ts, participantId: e.participantId, update: buffer.fromBase64(e.update) });
export const entryToJson = (e: ReplayEntry): ReplayEntryJson => ({ doc: e.doc, seq: e.seq, ts: e.ts, participantId: e.participantId, update: buffer.toBase64(e.update) });

/** The log's order: time, then document name (code-unit order, as SQLite's BINARY collation), then seq. */
export function compareEntries(a: Pick<ReplayEntry, 'ts' | 'doc' | 'seq'>, b: Pick<ReplayEntry, 'ts' | 'doc' | 'seq'>): number {
  if (a.ts !== b.ts) return a.ts - b.ts;
  if (a.doc !== b.doc) return a.doc < b.doc ? -1 : 1;
  return a.seq - b.seq;
}

/** A moment in the replay: after the entry at `index` (−1: before the first), or the last entry at or before `ts`. */
export type ReplayPosition = { index: number } | { ts: number };

export type ReplayEventKind =
  | 'participant-joined'
  | 'round-start'
  | 'round-pause'
  | 'round-resume'
  | 'round-end'
  | 'phase'
  | 'post'
  | 'wall-lock'
  | 'theme-added'
  | 'theme-changed'
  | 'theme-removed'
  | 'note-themed'
  | 'note-added'
  | 'note-edited'
  | 'note-moved'
  | 'note-deleted';

/** The kinds drawn as timeline markers (rounds, phase changes, posts to the wall). */
export const MARKER_KINDS: readonly ReplayEventKind[] = ['round-start', 'round-end', 'phase', 'post'];

/**
 * One thing that happened, derived while the log is applied (observers on the documents' roots,
 * so only what changed is looked at). Fields beyond the first six are set when they apply.
 */
export interface ReplayEvent {
  /** The log entry (engine index) that made the change; `ts` is that entry's time. */
  index: number;
  ts: number;
  kind: ReplayEventKind;
  doc: string;
  docKind: DocKind;
  /** Who sent the change (the log's participantId); null: the server. */
  by: string | null;
  /** Note events: the note's author, i.e. the participant whose notes or drafts document holds it. */
  author?: string;
  noteId?: string;
  /** `<participantId>/<noteId>` (note events, note-themed). */
  noteRef?: string;
  /** Note events (the note's question after the change; before it, for deletions), rounds, posts. */
  questionId?: string;
  /** note-added / note-edited: the text after the change. */
  text?: string;
  /** note-moved: where it was and where it went (position within its question area, question, about-actor). */
  from?: NotePlace;
  to?: NotePlace;
  /** phase: the previous and new phase. */
  phase?: { from: Phase | null; to: Phase | null };
  /** participant-joined. */
  participantId?: string;
  /** theme-*: the theme; note-themed: the theme the note went into (null: out of any theme). */
  themeId?: string | null;
  themeName?: string;
  /** wall-lock. */
  locked?: boolean;
}

export interface NotePlace {
  x: number;
  y: number;
  questionId: string;
  aboutActorId: string | null;
}

/** One version of a note (hover in replay: who wrote it, when, and its edit history). */
export interface NoteVersion {
  index: number;
  ts: number;
  by: string | null;
  change: 'added' | 'edited' | 'moved' | 'deleted';
  /** Drafts versions exist only in their author's own replay. */
  docKind: 'notes' | 'drafts';
  text: string;
  questionId: string;
  x: number;
  y: number;
  aboutActorId: string | null;
}
