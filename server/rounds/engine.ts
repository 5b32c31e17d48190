import type * as Y from 'yjs';
import { areaBodyWidth, clampToBody, findFreeSpot, NOTE_HEIGHT, NOTE_WIDTH, type Rect } from '../../shared/geometry';
import { deleteNote, moveNoteBetweenDocs } from '../../shared/ops/notes';
import { endRound, expiresAt } from '../../shared/ops/rounds';
import { serverOrigin } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName, type DocRef } from '../../shared/protocol/docNames';
import { MAX_RECORDS } from '../../shared/read/records';
import { readNoteRecord, readNotes, readRoom, readSession as readSharedSession } from '../../shared/read/snapshot';
import { holdsNestedType, notesRoots, readField, roomRoots } from '../../shared/schema/layout';
import type { Note } from '../../shared/schema/note';
import type { Participant } from '../../shared/schema/participant';
import type { PostRequest, Round, RoundStats, Session } from '../../shared/schema/session';
import type { Logger } from '../log';
import type { DocRoom } from '../relay/docRoom';
import type { RoomListener, Rooms } from '../relay/rooms';

/**
 * The round engine: the server's part of timed writing rounds (issue 4). For every loaded room
 * document it
 *  - watches `session.postRequest` and, once per request id, moves every draft of that question
 *    from each participant's drafts document to their public notes document, at a free spot in
 *    the question's area on their actor's flipchart;
 *  - ends a running round when its time runs out (`expiresAt`), which also requests the post;
 *  - posts LATE drafts (issue 9): a draft that reaches a drafts document when its question no
 *    longer has a running round and no post request pending (written offline as the round
 *    ended) is posted to its author's notes at once, marked `late: true`;
 *  - counts the running round's drafts per actor (drafts are private: only the server can) and
 *    publishes the numbers in `session.roundStats`, at most every `STATS_INTERVAL_MS`.
 *
 * Handled request ids are recorded in the room's `session.postedRequests` (see docs/schema.md),
 * AFTER the drafts are moved; a move is idempotent (a note already on the wall is only deleted
 * from the drafts), so a crash in between re-runs the request harmlessly on the next load.
 * Work for one workshop runs one task at a time, in order. Every change goes through
 * `DocRoom.change`: stored, then relayed, like any other.
 */
export const ROUND_ENGINE_ORIGIN = serverOrigin('round-engine');
/** The room `session` key listing the post-request ids already carried out (newest last). */
export const POSTED_KEY = 'postedRequests';
/** How many handled ids are kept: far more than the rounds of any workshop. */
export const POSTED_KEEP = 200;
/** The room `session` key listing the questions whose drafts a post request has moved (late drafts of these are posted). */
export const POSTED_QUESTIONS_KEY = 'postedQuestions';
/** The round's per-actor counts are published at most this often. */
export const STATS_INTERVAL_MS = 2000;
/** setTimeout's longest delay; a later expiry is simply re-checked when this one fires. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export interface RoundEngineDeps {
  rooms: Rooms;
  log: Logger;
  /** The server clock (the one /api/time reports: server/clock.ts, monotonic); Date.now when left out. */
  now?: () => number;
}

export interface RoundEngine extends RoomListener {
  /** Resolves when every task queued so far has finished (tests, shutdown). */
  settled(): Promise<void>;
  /** Stops the timers, takes no new work, and waits for the work in progress. */
  close(): Promise<void>;
}

interface Watch {
  stopObserving: () => void;
  timer: NodeJS.Timeout | null;
  timerAt: number | null;
}

/**
 * Is a draft of this question stranded? When its question's drafts were posted before (its round
 * ended) and no round on it runs now and no post of it is pending. A draft of a question never
 * posted stays a draft.
 */
export function draftIsLate(session: Session, posted: readonly string[], postedQuestions: readonly string[], questionId: string): boolean {
  if (!postedQuestions.includes(questionId)) return false;
  const round = session.round;
  if (round && round.endedAt === null && round.questionId === questionId) return false;
  const request = session.postRequest;
  if (request && request.questionId === questionId && !posted.includes(request.id)) return false;
  return true;
}

/** The room's session, or null when it is not valid (read as readers read it: known fields only). */
export function readSession(doc: Y.Doc): Session | null {
  const { session, valid } = readSharedSession(doc);
  return valid ? session : null;
}

export function postedQuestionIds(doc: Y.Doc): string[] {
  const value = readField(roomRoots(doc).session, POSTED_QUESTIONS_KEY);
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

export function postedRequestIds(doc: Y.Doc): string[] {
  // Only a plain, bounded array counts (a hostile value is never walked).
  const value = readField(roomRoots(doc).session, POSTED_KEY);
  return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
}

interface PostOutcome {
  moved: number;
  /** Drafts of the question left in the drafts document: invalid, nesting Y types, or failing to move. */
  skipped: number;
  /** Participants whose documents could not be loaded or written. */
  failedParticipants: number;
}

/** The pseudo-origin of the look at a drafts document when it loads. */
const LOADED = Symbol('loaded');
const roomRef = (workshopId: string): DocRef => ({ kind: 'room', workshopId });

/** What is already in a question's area(s) on an actor's flipchart, from all its participants' notes. */
function occupiedAreas(notesRooms: readonly DocRoom[], questionId: string, width: number): (aboutActorId: string | null | undefined) => Rect[] {
  const occupied = new Map<string, Rect[]>();
  const area = (aboutActorId: string | null | undefined) => {
    const key = aboutActorId ?? '';
    let rects = occupied.get(key);
    if (!rects) occupied.set(key, (rects = []));
    return rects;
  };
  for (const notesRoom of notesRooms) {
    for (const note of readNotes(notesRoom.doc).notes) {
      if (note.questionId === questionId) area(note.aboutActorId).push({ ...clampToBody(note.x, note.y, width), width: NOTE_WIDTH, height: NOTE_HEIGHT });
    }
  }
  return area;
}

export function createRoundEngine(deps: RoundEngineDeps): RoundEngine {
  const now = deps.now ?? Date.now;
  const watched = new Map<DocRoom, Watch>();
  /** The tail of each workshop's task chain. */
  const queues = new Map<string, Promise<void>>();
  /** Post-request ids queued or being carried out (so a burst of session changes queues one). */
  const queued = new Set<string>();
  /** Loaded room documents by workshop (for the cheap synchronous look at a drafts update). */
  const roomsByWorkshop = new Map<string, DocRoom>();
  /** Drafts documents with a late-drafts check queued. */
  const lateQueued = new Set<string>();
  /** Loaded drafts documents and how to stop hearing them. */
  const draftWatches = new Map<DocRoom, () => void>();
  /** Per workshop: the pending count's timer and when the counts were last published. */
  const stats = new Map<string, { timer: NodeJS.Timeout | null; lastAt: number }>();
  let closed = false;

  function enqueue(workshopId: string, what: string, task: () => Promise<void>): Promise<void> {
    const run = (queues.get(workshopId) ?? Promise.resolve())
      .then(() => (closed ? undefined : task()))
      .catch((error: unknown) => deps.log.error('round-engine-failed', { workshop: workshopId, task: what, error: String((error as Error)?.stack ?? error) }));
    queues.set(workshopId, run);
    void run.then(() => {
      if (queues.get(workshopId) === run) queues.delete(workshopId);
    });
    return run;
  }

  /** Looks at a room's session: (re)arms the expiry timer, queues a post request not yet handled. */
  function evaluate(room: DocRoom): void {
    const watch = watched.get(room);
    if (!watch || closed) return;
    const session = readSession(room.doc);
    schedule(room, watch, session?.round ?? null);
    const round = session?.round ?? null;
    if (round && round.endedAt === null && session?.roundStats?.questionId !== round.questionId) countSoon(room.ref.workshopId);
    const request = session?.postRequest;
    if (request && !queued.has(request.id) && !postedRequestIds(room.doc).includes(request.id)) {
      queued.add(request.id);
      void enqueue(room.ref.workshopId, 'post', () => post(room.ref.workshopId, request)).finally(() => queued.delete(request.id));
    }
  }

  function schedule(room: DocRoom, watch: Watch, round: Round | null): void {
    const at = round ? expiresAt(round) : null;
    if (at === watch.timerAt) return;
    if (watch.timer) clearTimeout(watch.timer);
    watch.timer = null;
    watch.timerAt = at;
    if (at === null) return;
    watch.timer = setTimeout(
      () => {
        watch.timer = null;
        watch.timerAt = null;
        void enqueue(room.ref.workshopId, 'expire', () => expire(room.ref.workshopId));
      },
      Math.min(MAX_DELAY_MS, Math.max(0, at - now())),
    );
    watch.timer.unref();
  }

  /** The timer fired: end the round if it really ran out (it may have been paused or extended since). */
  async function expire(workshopId: string): Promise<void> {
    const room = await deps.rooms.acquire(roomDocName(workshopId), roomRef(workshopId));
    try {
      const round = readSession(room.doc)?.round ?? null;
      const at = round ? expiresAt(round) : null;
      if (at === null) return;
      if (at > now()) {
        evaluate(room); // fired early (clock skew, or a delay longer than setTimeout allows)
        return;
      }
      // Ended at the moment it ran out, not when the timer got round to it (or the room reloaded).
      await room.change((doc) => endRound(doc, at, ROUND_ENGINE_ORIGIN));
      deps.log.info('round-expired', { workshop: workshopId, question: round!.questionId });
    } finally {
      deps.rooms.release(room);
    }
  }

  /**
   * Carries out one post request. Each participant's drafts of the question go to their notes
   * document in one server operation (inserted there, deleted from the drafts, committed in the
   * same tick), so a draft reaches nobody else before it is public.
   *
   * Documents are written by their participants, so anything may be in them: each participant
   * and each draft is handled on its own. A draft that is not a valid note, or that nests Y
   * types (deleting it would make Yjs recurse as deep as the nesting), stays where it is and is
   * logged; a participant whose documents cannot load is logged and skipped; everyone else's
   * drafts are posted, and the request is recorded as handled in any case.
   */
  async function post(workshopId: string, request: PostRequest): Promise<void> {
    const held: DocRoom[] = [];
    const hold = async (name: string, ref: DocRef) => {
      const room = await deps.rooms.acquire(name, ref);
      held.push(room);
      return room;
    };
    try {
      const room = await hold(roomDocName(workshopId), roomRef(workshopId));
      if (postedRequestIds(room.doc).includes(request.id)) return;
      const snapshot = readRoom(room.doc);
      const question = snapshot.questions.find((q) => q.id === request.questionId);
      const width = areaBodyWidth(question ?? { perActor: false }, snapshot.actors.length);
      // Writers are participants with an actor: facilitators and observers have no flipchart.
      const byActor = new Map<string, Participant[]>();
      for (const p of snapshot.participants) {
        if (p.role !== 'participant' || p.actorId === null) continue;
        byActor.set(p.actorId, [...(byActor.get(p.actorId) ?? []), p]);
      }
      const outcome: PostOutcome = { moved: 0, skipped: 0, failedParticipants: 0 };
      const failed = (participant: Participant, error: unknown) => {
        outcome.failedParticipants++;
        deps.log.error('post-participant-failed', { workshop: workshopId, request: request.id, participant: participant.id, error: String((error as Error)?.stack ?? error) });
      };
      for (const group of byActor.values()) {
        const writers: Array<{ participant: Participant; notesRoom: DocRoom }> = [];
        for (const participant of group) {
          try {
            writers.push({ participant, notesRoom: await hold(notesDocName(workshopId, participant.id), { kind: 'notes', workshopId, participantId: participant.id }) });
          } catch (error) {
            failed(participant, error);
          }
        }
        const area = occupiedAreas(writers.map((w) => w.notesRoom), request.questionId, width);
        for (const { participant, notesRoom } of writers) {
          try {
            const draftsRoom = await hold(draftsDocName(workshopId, participant.id), { kind: 'drafts', workshopId, participantId: participant.id });
            await postDraftsOf(workshopId, request.id, request.questionId, participant, draftsRoom, notesRoom, area, width, outcome, false);
          } catch (error) {
            failed(participant, error);
          }
        }
      }
      await room.change((doc) =>
        doc.transact(() => {
          const session = roomRoots(doc).session;
          session.set(POSTED_KEY, [...postedRequestIds(doc), request.id].slice(-POSTED_KEEP));
          const questions = postedQuestionIds(doc);
          if (!questions.includes(request.questionId)) session.set(POSTED_QUESTIONS_KEY, [...questions, request.questionId].slice(-POSTED_KEEP));
        }, ROUND_ENGINE_ORIGIN),
      );
      deps.log.info('drafts-posted', { workshop: workshopId, request: request.id, question: request.questionId, notes: outcome.moved, skipped: outcome.skipped, failedParticipants: outcome.failedParticipants });
    } finally {
      for (const room of held) deps.rooms.release(room);
    }
  }

  /** One participant's drafts of the question to their notes document, draft by draft. */
  async function postDraftsOf(
    workshopId: string,
    requestId: string,
    questionId: string,
    participant: Participant,
    draftsRoom: DocRoom,
    notesRoom: DocRoom,
    area: (aboutActorId: string | null | undefined) => Rect[],
    width: number,
    outcome: PostOutcome,
    late: boolean,
  ): Promise<void> {
    const draftsDoc = draftsRoom.doc;
    const drafts: Note[] = [];
    let seen = 0;
    for (const [key, value] of notesRoots(draftsDoc).notes.entries()) {
      if (++seen > MAX_RECORDS) break;
      const note = readNoteRecord(key, value);
      if (note && note.questionId !== questionId) continue;
      if (!note || holdsNestedType(value)) {
        outcome.skipped++;
        deps.log.warn('draft-skipped', { workshop: workshopId, request: requestId, participant: participant.id, draft: key.slice(0, 40), reason: note ? 'nested-type' : 'invalid' });
        continue;
      }
      drafts.push(note);
    }
    if (drafts.length === 0) return;
    let moved = 0;
    await notesRoom.change((notesDoc) =>
      notesDoc.transact(
        () =>
          draftsDoc.transact(() => {
            for (const draft of drafts) {
              try {
                if (notesRoots(notesDoc).notes.has(draft.id)) {
                  // Posted before a crash cut the deletion short: finish the move.
                  deleteNote(draftsDoc, draft.id, ROUND_ENGINE_ORIGIN);
                  continue;
                }
                const rects = area(draft.aboutActorId);
                const spot = findFreeSpot(rects, width);
                moveNoteBetweenDocs(draftsDoc, notesDoc, draft.id, now(), ROUND_ENGINE_ORIGIN, spot);
                // Marked in the same transaction: nobody ever sees a late note unmarked.
                if (late) notesRoots(notesDoc).notes.get(draft.id)?.set('late', true);
                rects.push({ ...spot, width: NOTE_WIDTH, height: NOTE_HEIGHT });
                moved++;
              } catch (error) {
                outcome.skipped++;
                deps.log.warn('draft-skipped', { workshop: workshopId, request: requestId, participant: participant.id, draft: draft.id, reason: String(error) });
              }
            }
          }, ROUND_ENGINE_ORIGIN),
        ROUND_ENGINE_ORIGIN,
      ),
    );
    // The deletions were made in the same synchronous step; wait for their commit as well.
    await draftsRoom.change(() => undefined);
    outcome.moved += moved;
  }

  /** Queues a count of the running round's drafts, at most one per STATS_INTERVAL_MS per workshop. */
  function countSoon(workshopId: string): void {
    if (closed) return;
    let entry = stats.get(workshopId);
    if (!entry) stats.set(workshopId, (entry = { timer: null, lastAt: -Infinity }));
    if (entry.timer) return;
    const state = entry;
    state.timer = setTimeout(
      () => {
        state.timer = null;
        state.lastAt = now();
        void enqueue(workshopId, 'count', () => count(workshopId));
      },
      Math.max(0, Math.min(STATS_INTERVAL_MS, state.lastAt + STATS_INTERVAL_MS - now())),
    );
    state.timer.unref();
  }

  /**
   * Counts every writer's drafts of the running round's question and publishes the numbers only
   * (never a word of a draft) in `session.roundStats`. Drafts documents not loaded are loaded
   * for the count and released again.
   */
  async function count(workshopId: string): Promise<void> {
    const held: DocRoom[] = [];
    try {
      const room = await deps.rooms.acquire(roomDocName(workshopId), roomRef(workshopId));
      held.push(room);
      const snapshot = readRoom(room.doc);
      const round = snapshot.session.round;
      if (!round || round.endedAt !== null) return;
      const actors: RoundStats['actors'] = {};
      for (const actor of snapshot.actors) actors[actor.id] = { writers: 0, drafts: 0 };
      for (const p of snapshot.participants) {
        if (p.role !== 'participant' || p.actorId === null) continue;
        const entry = (actors[p.actorId] ??= { writers: 0, drafts: 0 });
        try {
          const drafts = await deps.rooms.acquire(draftsDocName(workshopId, p.id), { kind: 'drafts', workshopId, participantId: p.id });
          held.push(drafts);
          const mine = countDrafts(drafts.doc, round.questionId);
          entry.drafts += mine;
          if (mine > 0) entry.writers++;
        } catch (error) {
          deps.log.warn('count-participant-failed', { workshop: workshopId, participant: p.id, error: String(error) });
        }
      }
      const previous = snapshot.session.roundStats;
      if (previous && previous.questionId === round.questionId && JSON.stringify(previous.actors) === JSON.stringify(actors)) return;
      const next: RoundStats = { questionId: round.questionId, at: Math.round(now()), actors };
      await room.change((doc) => doc.transact(() => roomRoots(doc).session.set('roundStats', next), ROUND_ENGINE_ORIGIN));
    } finally {
      for (const room of held) deps.rooms.release(room);
    }
  }

  function countDrafts(doc: Y.Doc, questionId: string): number {
    let n = 0;
    let seen = 0;
    for (const [key, value] of notesRoots(doc).notes.entries()) {
      if (++seen > MAX_RECORDS) break;
      if (readNoteRecord(key, value)?.questionId === questionId) n++;
    }
    return n;
  }

  /** A drafts document changed (or loaded): recount a running round, and post late drafts. */
  function draftsChanged(drafts: DocRoom, recount: boolean): void {
    if (closed || drafts.ref.kind !== 'drafts') return;
    const { workshopId } = drafts.ref;
    const room = roomsByWorkshop.get(workshopId);
    const session = room ? readSession(room.doc) : null;
    // (Not on load: the count itself loads drafts documents.)
    if (recount && session?.round && session.round.endedAt === null) countSoon(workshopId);
    // The cheap look first: most updates are someone typing a draft of the running round.
    if (session && room) {
      const posted = postedRequestIds(room.doc);
      const postedQuestions = postedQuestionIds(room.doc);
      if (postedQuestions.length === 0) return;
      const candidates = readNotes(drafts.doc).notes.some((n) => draftIsLate(session, posted, postedQuestions, n.questionId));
      if (!candidates) return;
    }
    if (lateQueued.has(drafts.name)) return;
    lateQueued.add(drafts.name);
    const ref = drafts.ref;
    void enqueue(workshopId, 'late', () => postLate(workshopId, ref.participantId)).finally(() => lateQueued.delete(drafts.name));
  }

  /** Posts one participant's late drafts (see `draftIsLate`), marked `late`, at free spots. */
  async function postLate(workshopId: string, participantId: string): Promise<void> {
    const held: DocRoom[] = [];
    const hold = async (name: string, ref: DocRef) => {
      const room = await deps.rooms.acquire(name, ref);
      held.push(room);
      return room;
    };
    try {
      const room = await hold(roomDocName(workshopId), roomRef(workshopId));
      const session = readSession(room.doc);
      if (!session) return;
      const posted = postedRequestIds(room.doc);
      const postedQuestions = postedQuestionIds(room.doc);
      const snapshot = readRoom(room.doc);
      const participant = snapshot.participants.find((p) => p.id === participantId);
      if (!participant || participant.role !== 'participant' || participant.actorId === null) return;
      const draftsRoom = await hold(draftsDocName(workshopId, participantId), { kind: 'drafts', workshopId, participantId });
      const late = new Set(readNotes(draftsRoom.doc).notes.filter((n) => draftIsLate(session, posted, postedQuestions, n.questionId)).map((n) => n.questionId));
      if (late.size === 0) return;
      const group = snapshot.participants.filter((p) => p.role === 'participant' && p.actorId === participant.actorId);
      const others: DocRoom[] = [];
      let notesRoom: DocRoom | null = null;
      for (const p of group) {
        try {
          const notes = await hold(notesDocName(workshopId, p.id), { kind: 'notes', workshopId, participantId: p.id });
          if (p.id === participantId) notesRoom = notes;
          others.push(notes);
        } catch (error) {
          if (p.id === participantId) throw error;
        }
      }
      if (!notesRoom) return;
      const outcome: PostOutcome = { moved: 0, skipped: 0, failedParticipants: 0 };
      for (const questionId of late) {
        const question = snapshot.questions.find((q) => q.id === questionId);
        const width = areaBodyWidth(question ?? { perActor: false }, snapshot.actors.length);
        const area = occupiedAreas(others, questionId, width);
        await postDraftsOf(workshopId, `late:${questionId}`, questionId, participant, draftsRoom, notesRoom, area, width, outcome, true);
      }
      deps.log.info('late-drafts-posted', { workshop: workshopId, participant: participantId, notes: outcome.moved, skipped: outcome.skipped });
    } finally {
      for (const room of held) deps.rooms.release(room);
    }
  }

  return {
    loaded(room) {
      if (closed) return;
      if (room.ref.kind === 'drafts') {
        const onUpdate = (_update: Uint8Array, origin: unknown) => {
          if (origin === ROUND_ENGINE_ORIGIN) return;
          try {
            draftsChanged(room, origin !== LOADED);
          } catch (error) {
            deps.log.error('round-engine-failed', { doc: room.name, task: 'drafts', error: String(error) });
          }
        };
        room.doc.on('update', onUpdate);
        draftWatches.set(room, () => room.doc.off('update', onUpdate));
        onUpdate(new Uint8Array(), LOADED);
        return;
      }
      if (room.ref.kind !== 'room') return;
      roomsByWorkshop.set(room.ref.workshopId, room);
      const session = roomRoots(room.doc).session;
      const observer = () => {
        try {
          evaluate(room);
        } catch (error) {
          deps.log.error('round-engine-failed', { doc: room.name, task: 'evaluate', error: String(error) });
        }
      };
      session.observe(observer);
      watched.set(room, { stopObserving: () => session.unobserve(observer), timer: null, timerAt: null });
      observer();
    },
    unloading(room) {
      draftWatches.get(room)?.();
      draftWatches.delete(room);
      if (roomsByWorkshop.get(room.ref.workshopId) === room) roomsByWorkshop.delete(room.ref.workshopId);
      const watch = watched.get(room);
      if (!watch) return;
      watched.delete(room);
      watch.stopObserving();
      if (watch.timer) clearTimeout(watch.timer);
    },
    async settled() {
      while (queues.size > 0) await Promise.all([...queues.values()]);
    },
    async close() {
      closed = true;
      for (const watch of watched.values()) {
        watch.stopObserving();
        if (watch.timer) clearTimeout(watch.timer);
      }
      watched.clear();
      for (const stop of draftWatches.values()) stop();
      draftWatches.clear();
      for (const entry of stats.values()) if (entry.timer) clearTimeout(entry.timer);
      stats.clear();
      await this.settled();
    },
  };
}
