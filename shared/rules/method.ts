import { wallAcceptsEditsFrom } from '../ops/session';
import type { Claims } from '../protocol/permissions';
import type { Phase } from '../schema/meta';
import type { Round } from '../schema/session';
import { planNewNote, type NewNoteHints, type NewNotePlan, type PlanArea, type PlanLayout } from './newNote';

/**
 * The method's rules as one value per board snapshot: which round is open, where the viewer may
 * add a note and which document it lands in, which notes they may edit, move, delete or post,
 * and what is locked. Every view asks this instead of re-deriving it from the session.
 *
 * The server is the authority (shared/protocol/permissions.ts decides who writes which document,
 * the wall-lock write policy uses `wallAcceptsEditsFrom`); these rules are built from the same
 * shared functions and are never more permissive: whatever they offer, the server accepts
 * (tests/unit/method-rules.test.ts checks this against the real write policy). They may be
 * stricter: the server lets a facilitator write anyone's notes (repairs, tools), while the
 * views offer note writing only to participants on their own actor's flipchart.
 */

/** The least of a board snapshot the rules read (today's BoardSnapshot fits as it is). */
export interface RulesRoom {
  meta: { phase: Phase } | null;
  actors: readonly { id: string }[];
  /** In the room's order (the order the facilitator runs them). */
  questions: readonly { id: string }[];
  session: { round: Round | null; locked: boolean; lockedActors: readonly string[] };
}

export interface RulesInput {
  room: RulesRoom;
  me: Claims;
}

/** A note as the rules see it: whose it is, under which question, and whether it is still a private draft. */
export interface RulesNote {
  participantId: string;
  questionId: string;
  /** In its author's drafts document (private until posted). */
  draft: boolean;
}

/** Where a note is moved to: an area on a flipchart. */
export interface NoteTarget {
  actorId: string;
  questionId: string;
}

/** The document a note lives in: the author's private drafts, or their public notes on the wall. */
export type NoteDoc = 'drafts' | 'notes';

export interface MethodRules {
  readonly viewer: Claims;
  readonly phase: Phase | null;
  /** The open round: started and not ended. Paused and overtime rounds are open until the facilitator (or the clock on the server) ends them. */
  readonly round: Round | null;
  /** The open round's question, null outside a round. New answers to it are private drafts. */
  readonly roundQuestionId: string | null;
  /** The question the room is on: the open round's, else the last round's, else the first (room screen, wall's question view). */
  readonly currentQuestionId: string | null;
  /** The question to suggest for the next round: the one after the last round's (the first when none ran). */
  readonly nextQuestionId: string | null;
  /** A participant whose actor is on the wall: the only kind of viewer who writes notes. */
  readonly isWriter: boolean;
  /** The wall takes the viewer's public-note writes now: facilitators always, observers never, participants unless locked. */
  readonly canWriteWall: boolean;
  /** A participant the facilitator's locks (whole wall or their flipchart) keep from the wall: show the lock notice. */
  readonly lockedOut: boolean;
  /** The whole-wall lock (the facilitator's toggle). */
  readonly wallLocked: boolean;
  /** The per-flipchart lock toggle alone (the facilitator's checkbox). */
  actorLocked(actorId: string): boolean;
  /** Whether a flipchart refuses its participants' edits now: the whole wall or that flipchart is locked. */
  flipchartLocked(actorId: string): boolean;
  /** Questions the viewer may add a note under now (on their own flipchart), in the room's order. */
  readonly writableQuestionIds: readonly string[];
  /** The viewer may add a note somewhere now. */
  readonly canAdd: boolean;
  canAddIn(questionId: string): boolean;
  /** The document a new note under this question goes to: drafts while its round is open. */
  newNoteDoc(questionId: string): NoteDoc;
  /** The question a one-question composer (the phone) shows: the open round's when it exists, else the picked one, else the first. */
  composerQuestionId(picked: string | null): string | null;
  /** Edit the text or delete: own notes; public ones only while the wall takes the viewer's writes. */
  canEdit(note: RulesNote): boolean;
  /** Post one of the viewer's drafts to the wall now (writes the public notes: the locks apply). */
  canPost(note: RulesNote): boolean;
  /** Move a note to another area: own notes, on the own flipchart; a draft only between the columns of its question. */
  canMove(note: RulesNote, target: NoteTarget): boolean;
  /** Where an unpointed New note goes (see ./newNote.ts); `none` for anyone who does not write. */
  planNewNote<A extends PlanArea>(layout: PlanLayout<A>, hints: NewNoteHints): NewNotePlan<A>;
}

/** The open round of a session: what "a round is running" means everywhere (paused and overtime included). */
export const openRound = (session: { round: Round | null }): Round | null => (session.round && session.round.endedAt === null ? session.round : null);

/** The document a new note under `questionId` goes to, from the session alone (the sync layer's addNote). */
export const newNoteDocFor = (session: { round: Round | null }, questionId: string): NoteDoc => (openRound(session)?.questionId === questionId ? 'drafts' : 'notes');

function compute(room: RulesRoom, viewer: Claims): MethodRules {
  const session = room.session;
  const round = openRound(session);
  const roundQuestionId = round?.questionId ?? null;
  const questionIds = new Set(room.questions.map((q) => q.id));
  const first = room.questions[0]?.id ?? null;
  const lastRoundQuestion = session.round && questionIds.has(session.round.questionId) ? session.round.questionId : null;
  const lastIndex = lastRoundQuestion ? room.questions.findIndex((q) => q.id === lastRoundQuestion) : -1;

  const participant = viewer.role === 'participant';
  const isWriter = participant && viewer.actorId !== null && room.actors.some((a) => a.id === viewer.actorId);
  const acceptsMine = wallAcceptsEditsFrom(session, viewer.actorId);
  const canWriteWall = viewer.role === 'facilitator' || (participant && acceptsMine);
  const lockedActors = new Set(session.lockedActors);

  const canAddIn = (questionId: string) => isWriter && questionIds.has(questionId) && (canWriteWall || questionId === roundQuestionId);
  const writableQuestionIds = room.questions.map((q) => q.id).filter(canAddIn);
  const mine = (note: RulesNote) => isWriter && note.participantId === viewer.participantId;
  // A draft is written in the drafts document, which no lock touches; a public note only while the wall takes my writes.
  const canEdit = (note: RulesNote) => mine(note) && (note.draft || canWriteWall);

  const rules: MethodRules = {
    viewer,
    phase: room.meta?.phase ?? null,
    round,
    roundQuestionId,
    currentQuestionId: (roundQuestionId && questionIds.has(roundQuestionId) ? roundQuestionId : null) ?? lastRoundQuestion ?? first,
    nextQuestionId: room.questions[lastIndex + 1]?.id ?? first,
    isWriter,
    canWriteWall,
    lockedOut: participant && !acceptsMine,
    wallLocked: session.locked,
    actorLocked: (actorId) => lockedActors.has(actorId),
    flipchartLocked: (actorId) => session.locked || lockedActors.has(actorId),
    writableQuestionIds,
    canAdd: writableQuestionIds.length > 0,
    canAddIn,
    newNoteDoc: (questionId) => newNoteDocFor(session, questionId),
    composerQuestionId: (picked) =>
      (roundQuestionId && questionIds.has(roundQuestionId) ? roundQuestionId : null) ?? (picked && questionIds.has(picked) ? picked : null) ?? first,
    canEdit,
    canPost: (note) => mine(note) && note.draft && canWriteWall,
    canMove: (note, target) =>
      canEdit(note) && target.actorId === viewer.actorId && questionIds.has(target.questionId) && (!note.draft || target.questionId === note.questionId),
    planNewNote: (layout, hints) =>
      isWriter ? planNewNote(layout, { ...hints, myActorId: viewer.actorId, roundQuestionId, canWriteIn: canAddIn }) : { kind: 'none' },
  };
  return rules;
}

/**
 * Computed once per snapshot: keyed by the snapshot's room object (a new one per change), so
 * every view and every note asking during one render share one computation. A different viewer
 * on the same room (never in one tab; tests) recomputes.
 */
const cache = new WeakMap<object, { viewer: Claims; rules: MethodRules }>();

const sameViewer = (a: Claims, b: Claims) => a.participantId === b.participantId && a.role === b.role && a.actorId === b.actorId && a.workshopId === b.workshopId;

export function methodRules(input: RulesInput): MethodRules {
  const hit = cache.get(input.room);
  if (hit && sameViewer(hit.viewer, input.me)) return hit.rules;
  const rules = compute(input.room, input.me);
  cache.set(input.room, { viewer: input.me, rules });
  return rules;
}

