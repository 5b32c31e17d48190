import type * as Y from 'yjs';
import type { Claims } from '../../../../shared/protocol/permissions';
import type { BoardSnapshot } from '../types';
import type { NotesRecords } from './notesRecords';

/** One participant's notes or drafts document, as the board reads it. */
export interface BoardDoc {
  name: string;
  doc: Y.Doc;
  participantId: string;
  draft: boolean;
}

/** Someone else's public notes that this tab only reads, as plain records (the workshop channel's records mode). */
export interface BoardRecords {
  name: string;
  records: NotesRecords;
  participantId: string;
  draft: false;
}

/** What the board reads a participant's notes from: a document, or its records. */
export type BoardEntry = BoardDoc | BoardRecords;

/** What the sync layer knows about itself (connection, undo, refusals): cheap fields, set from outside. */
export type BoardUi = Pick<BoardSnapshot, 'status' | 'statusReason' | 'canUndo' | 'canRedo' | 'lastRefusal'>;

export type Me = Claims & { name: string };

/** Diagnostics, once per key (a hostile document must not flood the console). */
export type Warn = (key: string, message: string, detail?: unknown) => void;

/** Public documents first, then drafts (each in the order opened): a draft whose public copy exists is left out. */
export const boardOrder = <T extends { draft: boolean }>(docs: readonly T[]): T[] => [...docs].sort((a, b) => Number(a.draft) - Number(b.draft));
