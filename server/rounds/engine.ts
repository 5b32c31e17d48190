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
import type { PostRequest, Round, Session } from '../../shared/schema/session';
import type { Logger } from '../log';
import type { DocRoom } from '../relay/docRoom';
import type { RoomListener, Rooms } from '../relay/rooms';

/**
 * The round engine: the server's part of timed writing rounds (issue 4). For every loaded room
 * document it
 *  - watches `session.postRequest` and, once per request id, moves every draft of that question
 *    from each participant's drafts document to their public notes document, at a free spot in
 *    the question's area on their actor's flipchart;
 *  - ends a running round when its time runs out (`expiresAt`), which also requests the post.
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

/** The room's session, or null when it is not valid (read as readers read it: known fields only). */
export function readSession(doc: Y.Doc): Session | null {
  const { session, valid } = readSharedSession(doc);
  return valid ? session : null;
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

const roomRef = (workshopId: string): DocRef => ({ kind: 'room', workshopId });

export function createRoundEngine(deps: RoundEngineDeps): RoundEngine {
  const now = deps.now ?? Date.now;
  const watched = new Map<DocRoom, Watch>();
  /** The tail of each workshop's task chain. */
  const queues = new Map<string, Promise<void>>();
  /** Post-request ids queued or being carried out (so a burst of session changes queues one). */
  const queued = new Set<string>();
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
        // What is already in the question's area(s) on this actor's flipchart, from all its participants.
        const occupied = new Map<string, Rect[]>();
        const area = (aboutActorId: string | null | undefined) => {
          const key = aboutActorId ?? '';
          let rects = occupied.get(key);
          if (!rects) occupied.set(key, (rects = []));
          return rects;
        };
        for (const { notesRoom } of writers) {
          for (const note of readNotes(notesRoom.doc).notes) {
            if (note.questionId === request.questionId) area(note.aboutActorId).push({ ...clampToBody(note.x, note.y, width), width: NOTE_WIDTH, height: NOTE_HEIGHT });
          }
        }
        for (const { participant, notesRoom } of writers) {
          try {
            const draftsRoom = await hold(draftsDocName(workshopId, participant.id), { kind: 'drafts', workshopId, participantId: participant.id });
            await postDraftsOf(workshopId, request, participant, draftsRoom, notesRoom, area, width, outcome);
          } catch (error) {
            failed(participant, error);
          }
        }
      }
      await room.change((doc) =>
        doc.transact(() => roomRoots(doc).session.set(POSTED_KEY, [...postedRequestIds(doc), request.id].slice(-POSTED_KEEP)), ROUND_ENGINE_ORIGIN),
      );
      deps.log.info('drafts-posted', { workshop: workshopId, request: request.id, question: request.questionId, notes: outcome.moved, skipped: outcome.skipped, failedParticipants: outcome.failedParticipants });
    } finally {
      for (const room of held) deps.rooms.release(room);
    }
  }

  /** One participant's drafts of the question to their notes document, draft by draft. */
  async function postDraftsOf(
    workshopId: string,
    request: PostRequest,
    participant: Participant,
    draftsRoom: DocRoom,
    notesRoom: DocRoom,
    area: (aboutActorId: string | null | undefined) => Rect[],
    width: number,
    outcome: PostOutcome,
  ): Promise<void> {
    const draftsDoc = draftsRoom.doc;
    const drafts: Note[] = [];
    let seen = 0;
    for (const [key, value] of notesRoots(draftsDoc).notes.entries()) {
      if (++seen > MAX_RECORDS) break;
      const note = readNoteRecord(key, value);
      if (note && note.questionId !== request.questionId) continue;
      if (!note || holdsNestedType(value)) {
        outcome.skipped++;
        deps.log.warn('draft-skipped', { workshop: workshopId, request: request.id, participant: participant.id, draft: key.slice(0, 40), reason: note ? 'nested-type' : 'invalid' });
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
                rects.push({ ...spot, width: NOTE_WIDTH, height: NOTE_HEIGHT });
                moved++;
              } catch (error) {
                outcome.skipped++;
                deps.log.warn('draft-skipped', { workshop: workshopId, request: request.id, participant: participant.id, draft: draft.id, reason: String(error) });
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

  return {
    loaded(room) {
      if (room.ref.kind !== 'room' || closed) return;
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
      await this.settled();
    },
  };
}
