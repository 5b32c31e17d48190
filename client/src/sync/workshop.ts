import { IndexeddbPersistence } from 'y-indexeddb';
import { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import * as analysisOps from '../../../shared/ops/analysis';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../../shared/ops/notes';
import { addActor, updateActor } from '../../../shared/ops/room';
import * as rounds from '../../../shared/ops/rounds';
import * as sessionOps from '../../../shared/ops/session';
import * as questionOps from '../../../shared/ops/questions';
import { readAnalysis } from '../../../shared/read/analysis';
import { displayAuthor, isAnonymous } from '../../../shared/derive/anonymity';
import { tallyVotes, type ParticipantVotes } from '../../../shared/derive/votes';
import * as voteOps from '../../../shared/ops/votes';
import { readVotes } from '../../../shared/read/votes';
import type { Voting } from '../../../shared/schema/vote';
import type { Phase } from '../../../shared/schema/meta';
import type { PresentView } from '../../../shared/schema/session';
import type { ThemeKind } from '../../../shared/schema/theme';
import type { MapView } from '../../../shared/schema/flow';
import { ServerClock } from './clock';
import { LOCAL_ORIGIN } from '../../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../../shared/protocol/docNames';
import type { Claims } from '../../../shared/protocol/permissions';
import { readNotes, readRoom, type RoomSnapshot } from '../../../shared/read/snapshot';
import { notesRoots, roomRoots } from '../../../shared/schema/layout';
import { MuxConnection } from './mux';
import type { AuthoredNote, BoardSnapshot, ConnectionStatus, NewNote, PresenceEntry, Readable, WorkshopActions } from './types';

/**
 * A workshop as the browser holds it: the room document, every participant's public notes, your
 * own drafts — all over one multiplexed socket, each kept in IndexedDB so that offline edits
 * survive a reload. New participants' documents are opened as they appear in the room.
 * Publishes one plain `BoardSnapshot` per animation frame at most.
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
}

interface OpenDoc {
  doc: Y.Doc;
  persistence: IndexeddbPersistence | null;
  participantId: string | null;
  draft: boolean;
}

const PRESENCE_INTERVAL_MS = 50;

export class WorkshopSync implements WorkshopActions, Readable<BoardSnapshot> {
  readonly room = new Y.Doc();
  readonly awareness = new Awareness(this.room);
  private readonly docs = new Map<string, OpenDoc>();
  private readonly mux: MuxConnection;
  private readonly ownNotes: Y.Doc;
  private readonly ownDrafts: Y.Doc;
  /** One undo history per own document; undo picks whichever changed last. */
  private readonly undoManagers: Y.UndoManager[] = [];
  private readonly undoOrder: Y.UndoManager[] = [];
  private readonly clock = new ServerClock();
  private readonly listeners = new Set<(snapshot: BoardSnapshot) => void>();
  private status: ConnectionStatus = 'connecting';
  private statusReason: string | null = null;
  private lastRefusal: BoardSnapshot['lastRefusal'] = null;
  private snapshot: BoardSnapshot;
  private frame: number | null = null;
  private cursorTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingCursor: { x: number; y: number } | null | undefined = undefined;

  constructor(private readonly options: WorkshopSyncOptions) {
    const origin = options.wsOrigin ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
    this.mux = new MuxConnection({
      url: `${origin}/mux?w=${encodeURIComponent(options.workshopId)}&token=${encodeURIComponent(options.token)}`, // w: the load balancer's routing hint (deploy/haproxy.cfg)
      onStatus: (status, reason) => {
        this.status = status;
        this.statusReason = reason;
        this.schedule();
      },
      onRefusal: (docName, reason, code) => this.refused(docName, reason, code),
    });
    this.openDoc(roomDocName(options.workshopId), this.room, null, false);
    this.mux.open(roomDocName(options.workshopId), this.room, this.awareness);
    this.awareness.setLocalState({ participantId: options.claims.participantId, name: options.name, cursor: null });
    this.awareness.on('change', () => this.schedule());

    const own = options.claims.role === 'participant' ? options.claims.participantId : null;
    this.ownNotes = own ? this.openNotes(own, false) : new Y.Doc();
    this.ownDrafts = own ? this.openNotes(own, true) : new Y.Doc();
    for (const doc of [this.ownNotes, this.ownDrafts]) {
      const manager = new Y.UndoManager(notesRoots(doc).notes, { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: 400 });
      manager.on('stack-item-added', () => {
        this.undoOrder.push(manager);
        this.schedule();
      });
      manager.on('stack-item-popped', () => this.schedule());
      this.undoManagers.push(manager);
    }
    void this.clock.sync(options.httpOrigin ?? '');

    roomRoots(this.room).participants.observe(() => this.openParticipantDocs());
    this.room.on('update', () => this.schedule());
    this.snapshot = this.compute();
  }

  /** Resolves when the room document has arrived from the server (or from IndexedDB offline). */
  whenRoomReady(): Promise<void> {
    return this.mux.whenSynced(roomDocName(this.options.workshopId));
  }

  subscribe(run: (snapshot: BoardSnapshot) => void): () => void {
    this.listeners.add(run);
    run(this.snapshot);
    return () => this.listeners.delete(run);
  }

  get current(): BoardSnapshot {
    return this.snapshot;
  }

  // ——— actions ———

  /** During a round, answers to its question are private drafts until the round ends. */
  addNote(note: NewNote): string {
    const round = this.snapshot?.room.session.round ?? readRoom(this.room).session.round;
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
    while (this.undoOrder.length > 0) {
      const manager = this.undoOrder.pop()!;
      if (manager.canUndo()) {
        manager.undo();
        return;
      }
    }
  }

  redo(): void {
    this.undoManagers.find((m) => m.canRedo())?.redo();
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
    const notes = this.snapshot.notes;
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
    const voting = this.snapshot.room.session.voting;
    if (this.options.claims.role !== 'participant' || !voting?.open) return;
    const analysis = this.snapshot.analysis;
    const live = new Set([...analysis.themes.map((t) => `theme:${t.id}`), ...analysis.actions.map((a) => `action:${a.id}`)]);
    voteOps.castVote(this.ownNotes, target, delta, voting.votesPerPerson, (key) => live.has(key), LOCAL_ORIGIN);
  }

  setCursor(cursor: { x: number; y: number } | null): void {
    // Presence is throttled here as well as on the server: a moving mouse is not a message flood.
    this.pendingCursor = cursor;
    if (this.cursorTimer) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      if (this.pendingCursor === undefined) return;
      this.awareness.setLocalStateField('cursor', this.pendingCursor);
      this.pendingCursor = undefined;
    }, PRESENCE_INTERVAL_MS);
  }

  addActor(actor: Parameters<WorkshopActions['addActor']>[0]): void {
    addActor(this.room, actor, LOCAL_ORIGIN);
  }

  updateActor(actorId: string, patch: { name?: string; color?: string }): void {
    updateActor(this.room, actorId, patch, LOCAL_ORIGIN);
  }

  destroy(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    if (this.cursorTimer) clearTimeout(this.cursorTimer);
    this.mux.destroy();
    for (const manager of this.undoManagers) manager.destroy();
    for (const { doc, persistence } of this.docs.values()) {
      void persistence?.destroy();
      doc.destroy();
    }
    this.listeners.clear();
  }

  // ——— documents ———

  private openDoc(name: string, doc: Y.Doc, participantId: string | null, draft: boolean): void {
    const persistence = this.options.persistOffline === false ? null : new IndexeddbPersistence(`arvo:${name}`, doc);
    this.docs.set(name, { doc, persistence, participantId, draft });
  }

  private openNotes(participantId: string, draft: boolean): Y.Doc {
    const name = draft ? draftsDocName(this.options.workshopId, participantId) : notesDocName(this.options.workshopId, participantId);
    const existing = this.docs.get(name);
    if (existing) return existing.doc;
    const doc = new Y.Doc();
    this.openDoc(name, doc, participantId, draft);
    this.mux.open(name, doc);
    doc.on('update', () => this.schedule());
    return doc;
  }

  private openParticipantDocs(): void {
    for (const participant of readRoom(this.room).participants) {
      if (participant.role === 'participant') this.openNotes(participant.id, false);
    }
  }

  /**
   * A refused write, or a document the server would not open. A refusal of someone else's notes
   * (their document is damaged, say) is theirs: the board goes on without those notes and the
   * console says so once. Refusals of my own documents or the room are shown (a toast).
   */
  private refused(docName: string, reason: string, code: number | undefined): void {
    const open = this.docs.get(docName);
    const mine = !open || open.participantId === null || open.participantId === this.options.claims.participantId;
    if (code === undefined || mine) {
      this.lastRefusal = { at: Date.now(), reason };
      this.schedule();
      return;
    }
    this.warnOnce(docName, `arvo: the server refused ${docName} (${code} ${reason}); the board is shown without it`);
  }

  private readonly warned = new Set<string>();
  /** Diagnostics, once per document and problem: a hostile or damaged document must not flood the console. */
  private warnOnce(key: string, message: string, detail?: unknown): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    console.warn(message, ...(detail === undefined ? [] : [detail]));
  }

  // ——— snapshots ———

  private schedule(): void {
    if (this.frame !== null) return;
    const run = () => {
      this.frame = null;
      this.snapshot = this.compute();
      for (const listener of this.listeners) listener(this.snapshot);
    };
    this.frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : (setTimeout(run, 16) as unknown as number);
  }

  private compute(): BoardSnapshot {
    const room: RoomSnapshot = readRoom(this.room);
    const participants = new Map(room.participants.map((p) => [p.id, p]));
    const me = this.options.claims;
    const notes: AuthoredNote[] = [];
    const ballots: ParticipantVotes[] = [];
    // One note per participant and id: a draft whose public copy exists (a move cut short, or a
    // hostile copy) is left out, so views keyed by participant/id never see it twice.
    const seen = new Set<string>();
    const ordered = [...this.docs.entries()].sort(([, a], [, b]) => Number(a.draft) - Number(b.draft));
    for (const [name, { doc, participantId, draft }] of ordered) {
      if (!participantId) continue;
      const author = participants.get(participantId);
      let read: ReturnType<typeof readNotes>;
      try {
        read = readNotes(doc);
      } catch (error) {
        // Readers do not throw on any content; should one ever, that document is left out, not the board.
        this.warnOnce(`read:${name}`, `arvo: could not read ${name}; the board is shown without it`, error);
        continue;
      }
      if (!draft) ballots.push({ participantId, votes: readVotes(doc) });
      if (read.problems.length > 0) this.warnOnce(`problems:${name}`, `arvo: skipped invalid records in ${name}`, read.problems.slice(0, 5));
      for (const note of read.notes) {
        const key = `${participantId}/${note.id}`;
        if (seen.has(key)) continue;
        seen.add(key);
        notes.push({
          ...note,
          participantId,
          // Anonymous mode: the one place the board's author names come from (derive/anonymity.ts).
          authorName: displayAuthor(author?.name ?? '?', room.session),
          actorId: author?.actorId ?? (participantId === me.participantId ? me.actorId : null),
          mine: participantId === me.participantId,
          draft,
        });
      }
    }
    const actorColor = new Map(room.actors.map((a) => [a.id, a.color]));
    const presence: PresenceEntry[] = [];
    for (const [clientId, state] of this.awareness.getStates()) {
      const participantId = typeof state.participantId === 'string' ? state.participantId : null;
      if (!participantId) continue;
      const participant = participants.get(participantId);
      presence.push({
        clientId,
        participantId,
        // Anonymous mode hides others' cursor names too: a cursor beside a new note would name its author.
        name: isAnonymous(room.session) && clientId !== this.awareness.clientID ? '' : (participant?.name ?? String(state.name ?? '?')),
        color: (participant?.actorId && actorColor.get(participant.actorId)) || '#888888',
        cursor: isPoint(state.cursor) ? state.cursor : null,
        self: clientId === this.awareness.clientID,
      });
    }
    const analysis = readAnalysis(this.room);
    const live = new Set([...analysis.themes.map((t) => `theme:${t.id}`), ...analysis.actions.map((a) => `action:${a.id}`)]);
    return {
      room,
      notes,
      votes: tallyVotes(ballots, room.session.voting, (key) => live.has(key)),
      myVotes: me.role === 'participant' && this.ownNotes ? readVotes(this.ownNotes) : {},
      me: { ...me, name: this.options.name },
      status: this.status,
      statusReason: this.statusReason,
      presence,
      canUndo: this.undoManagers?.some((m) => m.canUndo()) ?? false,
      canRedo: this.undoManagers?.some((m) => m.canRedo()) ?? false,
      lastRefusal: this.lastRefusal,
      analysis,
      canWriteWall: me.role === 'facilitator' || (me.role === 'participant' && sessionOps.wallAcceptsEditsFrom(room.session, me.actorId)),
    };
  }
}

function isPoint(value: unknown): value is { x: number; y: number } {
  return typeof value === 'object' && value !== null && typeof (value as { x: unknown }).x === 'number' && typeof (value as { y: unknown }).y === 'number';
}
