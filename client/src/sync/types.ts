import type { Claims } from '../../../shared/protocol/permissions';
import type { AnalysisSnapshot } from '../../../shared/read/analysis';
import type { RoomSnapshot } from '../../../shared/read/snapshot';
import type { Action } from '../../../shared/schema/action';
import type { Flow, FlowNode, MapView } from '../../../shared/schema/flow';
import type { Phase } from '../../../shared/schema/meta';
import type { PresentView } from '../../../shared/schema/session';
import type { ThemeKind } from '../../../shared/schema/theme';
import type { ActorInput } from '../../../shared/schema/actor';
import type { Note, NotePatch } from '../../../shared/schema/note';
import type { QuestionInput, QuestionPatch } from '../../../shared/ops/questions';

/**
 * What the sync layer gives the views: plain snapshots (no Y types) and intent-named actions.
 * Only client/src/sync touches Yjs; components render snapshots and call actions.
 */
import type { VoteTally } from '../../../shared/derive/votes';
import type { Voting } from '../../../shared/schema/vote';

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

  /** The server's clock (ms), estimated at connect: rounds count down on it on every device. */
  serverNow(): number;
  /** Participant: post one of my drafts to the wall before the round ends. */
  postDraft(noteId: string): void;

  // ——— facilitator (the server refuses these from anyone else) ———
  startRound(questionId: string, durationMs: number): void;
  pauseRound(): void;
  resumeRound(): void;
  extendRound(ms: number): void;
  /** Ends the round and posts its drafts to the wall. */
  endRound(): void;
  /** Posts every draft of a question to the wall without ending anything. */
  postToWall(questionId: string): void;
  setWallLocked(locked: boolean): void;
  setFlipchartLocked(actorId: string, locked: boolean): void;
  /** Read-aloud: the note everyone follows (noteRef `pid/nid`), or null. */
  setFocus(ref: string | null): void;
  markRead(ref: string, read: boolean): void;
  setPhase(phase: Phase): void;
  /** What the room screen shows ('auto' follows the stage). */
  setPresent(view: PresentView): void;
  /** Issue 9: tell everyone the memo is ready (false takes the notice back). */
  shareMemo(shared: boolean): void;
  /** Issue 9, the question editor: a used question (a round, notes) keeps its kind and cannot be deleted. */
  addQuestion(input: QuestionInput): string;
  updateQuestion(questionId: string, patch: QuestionPatch): void;
  moveQuestion(questionId: string, direction: -1 | 1): void;
  deleteQuestion(questionId: string): void;
  createTheme(name: string, kind: ThemeKind): string;
  updateTheme(themeId: string, patch: { name?: string; need?: string; order?: number }): void;
  assignNote(ref: string, themeId: string | null): void;
  mergeThemes(sourceId: string, targetId: string): void;
  deleteTheme(themeId: string): void;
  linkStrength(challengeThemeId: string, strengthRef: string): void;
  unlinkStrength(challengeThemeId: string, strengthRef: string): void;
  addFlow(flow: { from: FlowNode; to: FlowNode; layer: Flow['layer']; kind?: Flow['kind']; label?: string; noteRefs?: string[] }): string;
  updateFlow(flowId: string, patch: Partial<Pick<Flow, 'kind' | 'label' | 'layer'>>): void;
  mergeFlows(flowIds: string[]): void;
  deleteFlow(flowId: string): void;
  setMapPosition(nodeId: string, position: { x: number; y: number }): void;
  /** Forgets every stored map position: the map is laid out automatically again (new actors too). */
  clearMapLayout(): void;
  /** The map view the memo shows. */
  setMemoMap(view: MapView): void;
  addAction(action: { themeId: string | null; what: string } & Partial<Omit<Action, 'id' | 'createdAt'>>): string;
  updateAction(actionId: string, patch: Partial<Omit<Action, 'id' | 'createdAt'>>): void;
  deleteAction(actionId: string): void;
  /** Dot-voting (issue 9): open/close with votes per person, or null to clear. */
  setVoting(voting: Voting | null): void;
  /** Anonymous mode: author names hidden on every screen and export. */
  setAnonymous(anonymous: boolean): void;

  // ——— participant ———
  /** +1/−1 on `theme:<id>`/`action:<id>` within the budget (throws when none is left). */
  vote(target: string, delta: number): void;
}

/** Svelte's store contract, so components can write `$board`. */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}
