import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import * as analysisOps from '../../../shared/ops/analysis';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../../shared/ops/notes';
import { addActor, updateActor } from '../../../shared/ops/room';
import * as rounds from '../../../shared/ops/rounds';
import * as sessionOps from '../../../shared/ops/session';
import * as questionOps from '../../../shared/ops/questions';
import * as voteOps from '../../../shared/ops/votes';
import type { Voting } from '../../../shared/schema/vote';
import type { Phase } from '../../../shared/schema/meta';
import type { PresentView } from '../../../shared/schema/session';
import type { ThemeKind } from '../../../shared/schema/theme';
import type { MapView } from '../../../shared/schema/flow';
import { LOCAL_ORIGIN } from '../../../shared/origins';
import type { Claims } from '../../../shared/protocol/permissions';
import { readRoom } from '../../../shared/read/snapshot';
import { notesRoots } from '../../../shared/schema/layout';
import { BoardFeed } from './board/feed';
import { BoardModel } from './board/model';
import { ServerClock } from './clock';
import { CursorSender } from './cursor';
import { WorkshopDocs } from './documents';
import { MuxConnection } from './mux';
import { browserTransports, type SyncTransports } from './transports';
import type { BoardSnapshot, ConnectionStatus, NewNote, Readable, WorkshopActions } from './types';
import { OwnUndo } from './undo';

/**
 * A workshop as the browser holds it: the room document, every participant's public notes, your
 * own drafts — all over one multiplexed socket, each kept offline (IndexedDB) so that offline
 * edits survive a reload. This is the composition root of the sync layer; each part has one job:
 *   documents.ts   which documents are open (and their persistence)
 *   mux.ts         the socket and the y-websocket exchange per document
 *   board/         the board read incrementally (model.ts) and when it is published (feed.ts)
 *   undo.ts, cursor.ts, clock.ts   per-user undo, pointer presence, the server's clock
 * Its transports (socket, storage, fetch, clock, frames) come in through `transports`.
 */
export interface WorkshopSyncOptions {
  workshopId: string;
  token: string;
  claims: Claims;
  name: string;
  /** ws(s)://host — defaults to the page's origin. */
  wsOrigin?: string;
  /** Off in tests that want a cold start. */
  persistOffline?: boolean;
  /** http(s)://host for /api/time — defaults to the page's origin. */
  httpOrigin?: string;
  /** The browser's by default; tests pass Node's (the `ws` socket, no persistence). */
  transports?: Partial<SyncTransports>;
  /** Reconnect backoff of the socket (tests shorten it). */
  minBackoffMs?: number;
}

export class WorkshopSync implements WorkshopActions, Readable<BoardSnapshot> {
  readonly room = new Y.Doc();
  readonly awareness = new Awareness(this.room);
  private readonly transports: SyncTransports;
  private readonly mux: MuxConnection;
  private readonly docs: WorkshopDocs;
  private readonly model: BoardModel;
  private readonly feed: BoardFeed;
  private readonly undoHistory: OwnUndo;
  private readonly cursor: CursorSender;
  private readonly clock: ServerClock;
  private status: ConnectionStatus = 'connecting';
  private statusReason: string | null = null;
  private lastRefusal: BoardSnapshot['lastRefusal'] = null;
  private readonly warned = new Set<string>();

  constructor(private readonly options: WorkshopSyncOptions) {
    this.transports = { ...browserTransports(), ...options.transports };
    this.clock = new ServerClock(this.transports.fetch, this.transports.now);
    this.feed = new BoardFeed(() => this.model.snapshot(), this.transports.frames);
    this.model = new BoardModel({
      room: this.room,
      awareness: this.awareness,
      me: { ...options.claims, name: options.name },
      ui: () => ({
        status: this.status,
        statusReason: this.statusReason,
        lastRefusal: this.lastRefusal,
        canUndo: this.undoHistory?.canUndo ?? false,
        canRedo: this.undoHistory?.canRedo ?? false,
      }),
      onChange: (local) => this.feed.invalidate(local),
      warn: (key, message, detail) => this.warnOnce(key, message, detail),
    });
    const origin = options.wsOrigin ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    this.mux = new MuxConnection({
      url: `${origin}/mux?token=${encodeURIComponent(options.token)}`,
      onStatus: (status, reason) => {
        this.status = status;
        this.statusReason = reason;
        this.feed.invalidate(false);
      },
      onRefusal: (docName, reason, code) => this.refused(docName, reason, code),
      createSocket: this.transports.createSocket,
      ...(options.minBackoffMs === undefined ? {} : { minBackoffMs: options.minBackoffMs }),
    });
    this.docs = new WorkshopDocs({
      workshopId: options.workshopId,
      claims: options.claims,
      room: this.room,
      awareness: this.awareness,
      mux: this.mux,
      persistence: options.persistOffline === false ? null : this.transports.persistence,
      onNotes: (entry) => this.model.addDoc(entry),
    });
    this.awareness.setLocalState({ participantId: options.claims.participantId, name: options.name, cursor: null });
    this.undoHistory = new OwnUndo([this.docs.ownNotes, this.docs.ownDrafts], () => this.feed.invalidate(true));
    this.cursor = new CursorSender(this.awareness);
    void this.clock.sync(options.httpOrigin ?? '');
  }

  private get ownNotes(): Y.Doc {
    return this.docs.ownNotes;
  }

  private get ownDrafts(): Y.Doc {
    return this.docs.ownDrafts;
  }

  /** Resolves when the room document has arrived from the server (or from IndexedDB offline). */
  whenRoomReady(): Promise<void> {
    return this.mux.whenSynced(this.docs.roomName);
  }

  subscribe(run: (snapshot: BoardSnapshot) => void): () => void {
    return this.feed.subscribe(run);
  }

  /** The board now, local edits included (it may be ahead of what listeners have heard). */
  get current(): BoardSnapshot {
    return this.feed.current;
  }

  // ——— actions ———

  /** During a round, answers to its question are private drafts until the round ends. */
  addNote(note: NewNote): string {
    const round = this.current.room.session.round;
    const draft = round !== null && round.endedAt === null && round.questionId === note.questionId;
    return addNote(draft ? this.ownDrafts : this.ownNotes, { ...note, aboutActorId: note.aboutActorId ?? null }, Date.now(), LOCAL_ORIGIN).id;
  }

  updateNote(noteId: string, patch: Parameters<WorkshopActions['updateNote']>[1]): void {
    updateNote(this.docOfOwnNote(noteId), noteId, patch, Date.now(), LOCAL_ORIGIN);
  }

  deleteNote(noteId: string): void {
    deleteNote(this.docOfOwnNote(noteId), noteId, LOCAL_ORIGIN);
  }

  postDraft(noteId: string): void {
    this.ownNotes.transact(() => moveNoteBetweenDocs(this.ownDrafts, this.ownNotes, noteId, Date.now(), LOCAL_ORIGIN), LOCAL_ORIGIN);
  }

  private docOfOwnNote(noteId: string): Y.Doc {
    return notesRoots(this.ownDrafts).notes.has(noteId) ? this.ownDrafts : this.ownNotes;
  }

  /** Per-user undo: only this browser's own note edits (origin LOCAL), never anyone else's. */
  undo(): void {
    this.undoHistory.undo();
  }

  redo(): void {
    this.undoHistory.redo();
  }

  serverNow(): number {
    return this.clock.now();
  }

  // ——— facilitator ———

  startRound(questionId: string, durationMs: number): void {
    rounds.startRound(this.room, questionId, durationMs, this.serverNow(), LOCAL_ORIGIN);
  }
  pauseRound(): void {
    rounds.updateRound(this.room, (r) => rounds.paused(r, this.serverNow()), LOCAL_ORIGIN);
  }
  resumeRound(): void {
    rounds.updateRound(this.room, (r) => rounds.resumed(r, this.serverNow()), LOCAL_ORIGIN);
  }
  extendRound(ms: number): void {
    rounds.updateRound(this.room, (r) => rounds.extended(r, ms), LOCAL_ORIGIN);
  }
  endRound(): void {
    rounds.endRound(this.room, this.serverNow(), LOCAL_ORIGIN);
  }
  postToWall(questionId: string): void {
    rounds.requestPost(this.room, questionId, this.serverNow(), LOCAL_ORIGIN);
  }
  setWallLocked(locked: boolean): void {
    sessionOps.setWallLocked(this.room, locked, LOCAL_ORIGIN);
  }
  setFlipchartLocked(actorId: string, locked: boolean): void {
    sessionOps.setFlipchartLocked(this.room, actorId, locked, LOCAL_ORIGIN);
  }
  setFocus(ref: string | null): void {
    const [participantId, noteId] = ref ? ref.split('/') : [];
    sessionOps.setFocus(this.room, participantId && noteId ? { participantId, noteId } : null, LOCAL_ORIGIN);
  }
  markRead(ref: string, read: boolean): void {
    sessionOps.markRead(this.room, ref, read, this.serverNow(), LOCAL_ORIGIN);
  }
  setPhase(phase: Phase): void {
    sessionOps.setPhase(this.room, phase, LOCAL_ORIGIN);
  }
  setPresent(view: PresentView): void {
    sessionOps.setPresent(this.room, view, LOCAL_ORIGIN);
  }
  shareMemo(shared: boolean): void {
    sessionOps.setMemoShared(this.room, shared ? this.serverNow() : null, LOCAL_ORIGIN);
  }
  /** What a question is part of, from the room and every note this client can read. */
  private questionUse(questionId: string): questionOps.QuestionUse {
    const room = readRoom(this.room);
    const notes = this.current.notes;
    return questionOps.questionUses(room.questions, room.session.round?.questionId ?? null, notes).get(questionId) ?? { usedByRound: false, noteCount: 0 };
  }
  addQuestion(input: questionOps.QuestionInput): string {
    return questionOps.addQuestion(this.room, input, LOCAL_ORIGIN).id;
  }
  updateQuestion(questionId: string, patch: questionOps.QuestionPatch): void {
    questionOps.updateQuestion(this.room, questionId, patch, this.questionUse(questionId), LOCAL_ORIGIN);
  }
  moveQuestion(questionId: string, direction: -1 | 1): void {
    questionOps.moveQuestion(this.room, questionId, direction, LOCAL_ORIGIN);
  }
  deleteQuestion(questionId: string): void {
    questionOps.deleteQuestion(this.room, questionId, this.questionUse(questionId), LOCAL_ORIGIN);
  }
  createTheme(name: string, kind: ThemeKind): string {
    return analysisOps.createTheme(this.room, { name, kind }, LOCAL_ORIGIN).id;
  }
  updateTheme(themeId: string, patch: { name?: string; need?: string; order?: number }): void {
    analysisOps.updateTheme(this.room, themeId, patch, LOCAL_ORIGIN);
  }
  assignNote(ref: string, themeId: string | null): void {
    analysisOps.assignNote(this.room, ref, themeId, LOCAL_ORIGIN);
  }
  mergeThemes(sourceId: string, targetId: string): void {
    analysisOps.mergeThemes(this.room, sourceId, targetId, LOCAL_ORIGIN);
  }
  deleteTheme(themeId: string): void {
    analysisOps.deleteTheme(this.room, themeId, LOCAL_ORIGIN);
  }
  linkStrength(challengeThemeId: string, strengthRef: string): void {
    analysisOps.linkStrength(this.room, challengeThemeId, strengthRef, this.serverNow(), LOCAL_ORIGIN);
  }
  unlinkStrength(challengeThemeId: string, strengthRef: string): void {
    analysisOps.unlinkStrength(this.room, challengeThemeId, strengthRef, LOCAL_ORIGIN);
  }
  addFlow(flow: Parameters<WorkshopActions['addFlow']>[0]): string {
    return analysisOps.addFlow(this.room, flow, LOCAL_ORIGIN).id;
  }
  updateFlow(flowId: string, patch: Parameters<WorkshopActions['updateFlow']>[1]): void {
    analysisOps.updateFlow(this.room, flowId, patch, LOCAL_ORIGIN);
  }
  mergeFlows(flowIds: string[]): void {
    analysisOps.mergeFlows(this.room, flowIds, LOCAL_ORIGIN);
  }
  deleteFlow(flowId: string): void {
    analysisOps.deleteFlow(this.room, flowId, LOCAL_ORIGIN);
  }
  setMapPosition(nodeId: string, position: { x: number; y: number }): void {
    analysisOps.setMapPosition(this.room, nodeId, position, LOCAL_ORIGIN);
  }
  setMemoMap(view: MapView): void {
    analysisOps.setMemoMap(this.room, view, LOCAL_ORIGIN);
  }
  clearMapLayout(): void {
    analysisOps.clearMapLayout(this.room, LOCAL_ORIGIN);
  }
  addAction(action: Parameters<WorkshopActions['addAction']>[0]): string {
    return analysisOps.addAction(this.room, action, this.serverNow(), LOCAL_ORIGIN).id;
  }
  updateAction(actionId: string, patch: Parameters<WorkshopActions['updateAction']>[1]): void {
    analysisOps.updateAction(this.room, actionId, patch, LOCAL_ORIGIN);
  }
  deleteAction(actionId: string): void {
    analysisOps.deleteAction(this.room, actionId, LOCAL_ORIGIN);
  }

  setVoting(voting: Voting | null): void {
    voteOps.setVoting(this.room, voting, LOCAL_ORIGIN);
  }
  setAnonymous(anonymous: boolean): void {
    voteOps.setAnonymous(this.room, anonymous, LOCAL_ORIGIN);
  }
  /** A participant's +1/−1 on `theme:<id>`/`action:<id>`, into their own notes document (the server checks the budget too). */
  vote(target: string, delta: number): void {
    const { room, analysis } = this.current;
    const voting = room.session.voting;
    if (this.options.claims.role !== 'participant' || !voting?.open) return;
    const live = new Set([...analysis.themes.map((t) => `theme:${t.id}`), ...analysis.actions.map((a) => `action:${a.id}`)]);
    voteOps.castVote(this.ownNotes, target, delta, voting.votesPerPerson, (key) => live.has(key), LOCAL_ORIGIN);
  }

  setCursor(cursor: { x: number; y: number } | null): void {
    this.cursor.set(cursor);
  }

  addActor(actor: Parameters<WorkshopActions['addActor']>[0]): void {
    addActor(this.room, actor, LOCAL_ORIGIN);
  }

  updateActor(actorId: string, patch: { name?: string; color?: string }): void {
    updateActor(this.room, actorId, patch, LOCAL_ORIGIN);
  }

  destroy(): void {
    this.feed.destroy();
    this.cursor.destroy();
    this.mux.destroy();
    this.model.destroy();
    this.undoHistory.destroy();
    this.docs.destroy();
  }

  /**
   * A refused write, or a document the server would not open. A refusal of someone else's notes
   * (their document is damaged, say) is theirs: the board goes on without those notes and the
   * console says so once. Refusals of my own documents or the room are shown (a toast).
   */
  private refused(docName: string, reason: string, code: number | undefined): void {
    const open = this.docs?.get(docName);
    const mine = !open || open.participantId === null || open.participantId === this.options.claims.participantId;
    if (code === undefined || mine) {
      this.lastRefusal = { at: Date.now(), reason };
      this.feed.invalidate(false);
      return;
    }
    this.warnOnce(docName, `arvo: the server refused ${docName} (${code} ${reason}); the board is shown without it`);
  }

  /** Diagnostics, once per document and problem: a hostile or damaged document must not flood the console. */
  private warnOnce(key: string, message: string, detail?: unknown): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    console.warn(message, ...(detail === undefined ? [] : [detail]));
  }
}
