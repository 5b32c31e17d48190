import type { Claims } from '../../../shared/protocol/permissions';
import type { RoomSnapshot } from '../../../shared/read/snapshot';
import type { ActorInput } from '../../../shared/schema/actor';
import type { Note, NotePatch } from '../../../shared/schema/note';

/**
 * What the sync layer gives the views: plain snapshots (no Y types) and intent-named actions.
 * Only client/src/sync touches Yjs; components render snapshots and call actions.
 */
export type ConnectionStatus = 'connecting' | 'live' | 'offline' | 'denied';

export interface AuthoredNote extends Note {
  participantId: string;
  authorName: string;
  /** The author's actor (from the room's participants map), null if unknown. */
  actorId: string | null;
  mine: boolean;
  /** Drafts are private notes written during a round, visible only to their author. */
  draft: boolean;
}

export interface PresenceEntry {
  clientId: number;
  participantId: string;
  name: string;
  color: string;
  /** Board coordinates of the pointer, when over the wall. */
  cursor: { x: number; y: number } | null;
  self: boolean;
}

export interface BoardSnapshot {
  room: RoomSnapshot;
  notes: AuthoredNote[];
  me: Claims & { name: string };
  status: ConnectionStatus;
  /** Why the server refused (token expired, …) when status is 'denied'. */
  statusReason: string | null;
  presence: PresenceEntry[];
  canUndo: boolean;
  canRedo: boolean;
  /** The last write the server refused (wall locked, read-only, …), for a toast. */
  lastRefusal: { at: number; reason: string } | null;
}

export interface NewNote {
  questionId: string;
  text: string;
  /** Position within its question area (see client/src/model/layout.ts). */
  x: number;
  y: number;
  aboutActorId?: string | null;
}

export interface WorkshopActions {
  addNote(note: NewNote): string;
  updateNote(noteId: string, patch: NotePatch): void;
  deleteNote(noteId: string): void;
  undo(): void;
  redo(): void;
  setCursor(cursor: { x: number; y: number } | null): void;
  /** Facilitator only (the server refuses others). */
  addActor(actor: ActorInput): void;
  updateActor(actorId: string, patch: { name?: string; color?: string }): void;
}

/** Svelte's store contract, so components can write `$board`. */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}
