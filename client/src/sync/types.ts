import type { Claims } from '../../../shared/protocol/permissions';
import type { AnalysisSnapshot } from '../../../shared/read/analysis';
import type { RoomSnapshot } from '../../../shared/read/snapshot';
import type { Note } from '../../../shared/schema/note';
import type { NewNote as RegistryNewNote, OpMethods } from '../../../shared/ops/registry';

/**
 * What the sync layer gives the views: plain snapshots (no Y types) and intent-named actions.
 * Only client/src/sync touches Yjs; components render snapshots and call actions.
 */
import type { VoteTally } from '../../../shared/derive/votes';

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
  /** Themes, matrix links, flows, actions, read marks, map positions (room document). */
  analysis: AnalysisSnapshot;
  /** Whether the wall takes my edits now (the facilitator's locks; the server enforces them). */
  canWriteWall: boolean;
  /** Dot-votes (shared/derive/votes.ts): everyone's, bounded by the budget; and my own ballot. */
  votes: VoteTally;
  myVotes: Readonly<Record<string, number>>;
}

/** A new note as views give it (position within its question area, see client/src/model/layout.ts). */
export type NewNote = RegistryNewNote;

/**
 * What views may do: every operation of shared/ops/registry.ts as a typed method (generated, one
 * generic path), plus what is the tab's own: undo, pointer presence, the server's clock.
 */
export interface WorkshopActions extends OpMethods {
  undo(): void;
  redo(): void;
  setCursor(cursor: { x: number; y: number } | null): void;
  /** The server's clock (ms), estimated at connect: rounds count down on it on every device. */
  serverNow(): number;
}

/** Svelte's store contract, so components can write `$board`. */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}
