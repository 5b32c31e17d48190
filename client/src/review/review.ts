import { buildMatrix } from '../../../shared/derive/matrix';
import { elapsedMs } from '../../../shared/ops/rounds';
import type { ReplayEvent } from '../../../shared/replay/types';
import { ACTION_STATUSES, type Action, type ActionStatus } from '../../../shared/schema/action';
import type { Actor } from '../../../shared/schema/actor';
import type { Participant } from '../../../shared/schema/participant';
import type { Question } from '../../../shared/schema/question';
import type { Round } from '../../../shared/schema/session';
import type { Theme } from '../../../shared/schema/theme';
import type { AuthoredNote, BoardSnapshot } from '../sync/types';

/**
 * The facilitator's review after a workshop (issue 5, "Review dashboard"): pure arithmetic over
 * the board as it is now and the timeline of the history API (`ReplayEngine.events`).
 *
 * Rounds come from the timeline's round-start/pause/resume/end events. The history loader
 * (`history.ts`) attaches to each of them the room's `session.round` as it was right after that
 * change (`round`), which carries the plan (`durationMs`, grown by every extension) and the
 * server's own times; without it the times of the events themselves are used and the plan is
 * unknown.
 *
 * A note belongs to a round when it answers that round's question and was written while the
 * round ran: its `createdAt` (the writer's clock) or the server's time of its arrival on the wall
 * falls between the round's start and end — or it was a draft the round engine posted at the end
 * (a note only becomes a draft while a round of its question runs). Every other note was written
 * outside the rounds: after the last round ended, or outside any round of its question.
 */
export type ReviewEvent = ReplayEvent & {
  /** Round events: the room's `session.round` right after the change. */
  round?: Round;
};

export type ReviewBoard = Pick<BoardSnapshot, 'room' | 'notes' | 'analysis'>;

export interface ActorCount {
  actor: Actor;
  /** Notes on the wall by the actor's participants. */
  notes: number;
  /** Participants (role participant) representing the actor. */
  participants: number;
  /** Of those, how many have no note on the wall. */
  silent: number;
}

export interface ParticipantCount {
  participantId: string;
  name: string;
  actorId: string | null;
  role: Participant['role'] | null;
  notes: number;
  /** Notes of theirs written during a round of the note's question. */
  inRounds: number;
  /** Notes of theirs written outside the rounds. */
  outside: number;
  /** Notes of theirs later deleted from the wall (by them or a moderator). */
  deleted: number;
  /** When their first and last note on the wall was written (createdAt). */
  firstAt: number | null;
  lastAt: number | null;
}

export interface QuestionCount {
  question: Question;
  notes: number;
  /** actorId → notes (only actors with notes). */
  byActor: Record<string, number>;
}

export type RoundStatus = 'running' | 'paused' | 'ended';

export interface RoundReview {
  /** `<questionId>@<startedAt>`: one round (a question can have several). */
  key: string;
  /** 1, 2, 3, … in the order the rounds were run. */
  number: number;
  questionId: string;
  question: Question | null;
  startedAt: number;
  endedAt: number | null;
  status: RoundStatus;
  /** The duration set when the round started; null when unknown. */
  plannedMs: number | null;
  /** The plan after every extension (null: unknown). */
  finalPlannedMs: number | null;
  /** How much the plan was extended (0: not at all). */
  extendedMs: number;
  /** Writing time: start to end (or now) less the pauses. */
  actualMs: number;
  pausedMs: number;
  pauses: number;
  /** actual − planned (the first plan); null when the plan is unknown. */
  differenceMs: number | null;
  /** Notes on the wall written in this round. */
  notes: number;
  byActor: Record<string, number>;
}

export type OutsideReason = 'after-last' | 'outside-round';

export interface OutsideNote {
  note: AuthoredNote;
  reason: OutsideReason;
}

export interface UnsolvedTheme {
  theme: Theme;
  /** Challenge notes in the theme. */
  challenges: number;
}

export interface ActionsReview {
  total: number;
  byStatus: Record<ActionStatus, number>;
  /** Check date before today and neither done nor dropped; earliest first. */
  overdue: Action[];
  /** Open actions (planned, in progress) without a check date. */
  undated: number;
}

export interface Review {
  totalNotes: number;
  actors: ActorCount[];
  /** Notes whose writer has no (known) actor. */
  notesWithoutActor: number;
  /** Participants (role participant) and anyone else with notes, by notes (most first), then name. */
  participants: ParticipantCount[];
  /** Participants (role participant) with no note on the wall, in order of joining. */
  silent: ParticipantCount[];
  questions: QuestionCount[];
  rounds: RoundReview[];
  /** Notes written outside the rounds (none when no round was run), in the order written. */
  outside: OutsideNote[];
  challengeThemes: number;
  unsolvedThemes: UnsolvedTheme[];
  actions: ActionsReview;
}

const increment = (record: Record<string, number>, key: string) => (record[key] = (record[key] ?? 0) + 1);

/** The local calendar date of a time, YYYY-MM-DD (check dates are calendar dates). */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

interface RoundBuild {
  questionId: string;
  startTs: number;
  endTs: number | null;
  first: Round | null;
  last: Round | null;
  pauses: Array<{ from: number; to: number | null }>;
}

const isRoundEvent = (e: ReviewEvent) => e.kind === 'round-start' || e.kind === 'round-pause' || e.kind === 'round-resume' || e.kind === 'round-end';

/** The rounds in the order run, from the timeline. */
function collectRounds(events: readonly ReviewEvent[], current: Round | null): RoundBuild[] {
  const rounds: RoundBuild[] = [];
  let open: RoundBuild | null = null;
  for (const event of events) {
    if (!isRoundEvent(event)) continue;
    const snapshot = event.round && event.round.questionId === event.questionId ? event.round : null;
    if (event.kind === 'round-start') {
      if (open && open.endTs === null) open.endTs = event.ts; // a round replaced before it ended
      open = { questionId: event.questionId ?? snapshot?.questionId ?? '', startTs: snapshot?.startedAt ?? event.ts, endTs: null, first: snapshot, last: snapshot, pauses: [] };
      rounds.push(open);
      // A round started and ended in one change: both events come from the same update.
      continue;
    }
    if (!open) continue;
    if (snapshot && (open.first === null || snapshot.startedAt === open.first.startedAt)) {
      open.first ??= snapshot;
      open.last = snapshot;
    }
    if (event.kind === 'round-pause') open.pauses.push({ from: snapshot?.pausedAt ?? event.ts, to: null });
    else if (event.kind === 'round-resume') {
      const pause = open.pauses.at(-1);
      if (pause && pause.to === null) pause.to = event.ts;
    } else if (event.kind === 'round-end') open.endTs = snapshot?.endedAt ?? event.ts;
  }
  // The round still in the room (running, paused, or extended after the last event) is the freshest.
  const last = rounds.at(-1);
  if (last && current && current.questionId === last.questionId && (last.first === null || current.startedAt === last.first.startedAt)) {
    last.first ??= current;
    last.last = current;
    if (current.endedAt !== null) last.endTs = current.endedAt;
  }
  return rounds;
}

function roundTimes(build: RoundBuild, now: number): Pick<RoundReview, 'status' | 'endedAt' | 'actualMs' | 'pausedMs' | 'pauses' | 'plannedMs' | 'finalPlannedMs' | 'extendedMs'> {
  const pauses = build.pauses.length;
  const snapshot = build.last;
  if (snapshot) {
    // An end seen only as an event (or a round replaced by the next one) still ends it.
    const endedAt = snapshot.endedAt ?? build.endTs;
    const round: Round = endedAt !== null && snapshot.endedAt === null ? { ...snapshot, endedAt, pausedAt: null } : snapshot;
    const openPauseMs = round.endedAt === null && round.pausedAt !== null ? Math.max(0, now - round.pausedAt) : 0;
    const plannedMs = build.first?.durationMs ?? null;
    return {
      status: round.endedAt !== null ? 'ended' : round.pausedAt !== null ? 'paused' : 'running',
      endedAt: round.endedAt,
      actualMs: elapsedMs(round, now),
      pausedMs: round.pausedTotalMs + openPauseMs,
      pauses: Math.max(pauses, round.pausedTotalMs > 0 || round.pausedAt !== null ? 1 : 0),
      plannedMs,
      finalPlannedMs: round.durationMs,
      extendedMs: plannedMs === null ? 0 : round.durationMs - plannedMs,
    };
  }
  const end = build.endTs ?? now;
  const pausedMs = build.pauses.reduce((sum, p) => sum + Math.max(0, Math.min(p.to ?? end, end) - p.from), 0);
  const openPause = build.pauses.at(-1)?.to === null;
  return {
    status: build.endTs !== null ? 'ended' : openPause ? 'paused' : 'running',
    endedAt: build.endTs,
    actualMs: Math.max(0, end - build.startTs - pausedMs),
    pausedMs,
    pauses,
    plannedMs: null,
    finalPlannedMs: null,
    extendedMs: 0,
  };
}

export function computeReview(board: ReviewBoard, events: readonly ReviewEvent[], now: number): Review {
  const { room, analysis } = board;
  const wall = board.notes.filter((n) => !n.draft);
  const actorIds = new Set(room.actors.map((a) => a.id));
  const questionById = new Map(room.questions.map((q) => [q.id, q]));

  // ——— rounds ———
  const builds = collectRounds(events, room.session.round);
  const intervals = builds.map((b) => {
    const times = roundTimes(b, now);
    return { build: b, times, from: b.startTs, to: times.endedAt ?? now };
  });

  // First arrival of each note on the wall (server time) and who put it there.
  const arrival = new Map<string, { ts: number; by: string | null }>();
  const deleted = new Map<string, number>();
  for (const event of events) {
    if (event.docKind !== 'notes' || !event.noteRef) continue;
    if (event.kind === 'note-added' && !arrival.has(event.noteRef)) arrival.set(event.noteRef, { ts: event.ts, by: event.by });
    if (event.kind === 'note-deleted' && event.author) deleted.set(event.author, (deleted.get(event.author) ?? 0) + 1);
  }

  const roundOf = (note: AuthoredNote): number | null => {
    const came = arrival.get(`${note.participantId}/${note.id}`);
    const within = (t: number, r: (typeof intervals)[number]) => t >= r.from && t <= r.to;
    let byArrival: number | null = null;
    for (let i = intervals.length - 1; i >= 0; i--) {
      const r = intervals[i]!;
      if (r.build.questionId !== note.questionId) continue;
      if (within(note.createdAt, r)) return i;
      if (byArrival === null && came && within(came.ts, r)) byArrival = i;
    }
    if (byArrival !== null) return byArrival;
    // A draft the round engine posted: it was written in the latest round of its question before the post.
    if (came && came.by === null) {
      for (let i = intervals.length - 1; i >= 0; i--) {
        const r = intervals[i]!;
        if (r.build.questionId === note.questionId && r.from <= came.ts) return i;
      }
    }
    return null;
  };

  const lastEnd = intervals.reduce<number | null>((max, r) => (r.times.endedAt !== null && (max === null || r.times.endedAt > max) ? r.times.endedAt : max), null);
  const roundNotes = intervals.map(() => ({ notes: 0, byActor: {} as Record<string, number> }));
  const outside: OutsideNote[] = [];
  const inRoundBy = new Map<string, number>();
  const outsideBy = new Map<string, number>();
  for (const note of wall) {
    const i = intervals.length > 0 ? roundOf(note) : null;
    if (i !== null) {
      roundNotes[i]!.notes++;
      if (note.actorId) increment(roundNotes[i]!.byActor, note.actorId);
      inRoundBy.set(note.participantId, (inRoundBy.get(note.participantId) ?? 0) + 1);
    } else if (intervals.length > 0) {
      outside.push({ note, reason: lastEnd !== null && note.createdAt > lastEnd ? 'after-last' : 'outside-round' });
      outsideBy.set(note.participantId, (outsideBy.get(note.participantId) ?? 0) + 1);
    }
  }
  outside.sort((a, b) => a.note.createdAt - b.note.createdAt || a.note.id.localeCompare(b.note.id));

  const rounds: RoundReview[] = intervals.map((r, i) => ({
    key: `${r.build.questionId}@${r.build.startTs}`,
    number: i + 1,
    questionId: r.build.questionId,
    question: questionById.get(r.build.questionId) ?? null,
    startedAt: r.build.startTs,
    ...r.times,
    differenceMs: r.times.plannedMs === null ? null : r.times.actualMs - r.times.plannedMs,
    notes: roundNotes[i]!.notes,
    byActor: roundNotes[i]!.byActor,
  }));

  // ——— people and actors ———
  const people = new Map<string, ParticipantCount>();
  for (const p of room.participants) {
    people.set(p.id, { participantId: p.id, name: p.name, actorId: p.actorId, role: p.role, notes: 0, inRounds: 0, outside: 0, deleted: 0, firstAt: null, lastAt: null });
  }
  for (const note of wall) {
    let person = people.get(note.participantId);
    if (!person) {
      person = { participantId: note.participantId, name: note.authorName, actorId: note.actorId, role: null, notes: 0, inRounds: 0, outside: 0, deleted: 0, firstAt: null, lastAt: null };
      people.set(note.participantId, person);
    }
    person.notes++;
    person.firstAt = person.firstAt === null ? note.createdAt : Math.min(person.firstAt, note.createdAt);
    person.lastAt = person.lastAt === null ? note.createdAt : Math.max(person.lastAt, note.createdAt);
  }
  for (const person of people.values()) {
    person.inRounds = inRoundBy.get(person.participantId) ?? 0;
    person.outside = outsideBy.get(person.participantId) ?? 0;
    person.deleted = deleted.get(person.participantId) ?? 0;
  }
  const writers = [...people.values()].filter((p) => p.role === 'participant' || p.notes > 0);
  const participants = [...writers].sort((a, b) => b.notes - a.notes || a.name.localeCompare(b.name));
  const silent = writers.filter((p) => p.role === 'participant' && p.notes === 0);

  const actors: ActorCount[] = room.actors.map((actor) => {
    const members = writers.filter((p) => p.role === 'participant' && p.actorId === actor.id);
    return {
      actor,
      notes: wall.filter((n) => n.actorId === actor.id).length,
      participants: members.length,
      silent: members.filter((p) => p.notes === 0).length,
    };
  });

  const questions: QuestionCount[] = room.questions.map((question) => {
    const byActor: Record<string, number> = {};
    const mine = wall.filter((n) => n.questionId === question.id);
    for (const n of mine) if (n.actorId) increment(byActor, n.actorId);
    return { question, notes: mine.length, byActor };
  });

  // ——— analysis ———
  const matrix = buildMatrix(analysis, wall, room.actors);
  const unsolvedThemes = matrix.rows.filter((row) => row.unsolved).map((row) => ({ theme: row.theme, challenges: row.challenges.length }));

  const today = localDate(now);
  const byStatus = Object.fromEntries(ACTION_STATUSES.map((s) => [s, 0])) as Record<ActionStatus, number>;
  for (const action of analysis.actions) byStatus[action.status]++;
  const open = (a: Action) => a.status !== 'done' && a.status !== 'dropped';
  const overdue = analysis.actions
    .filter((a) => open(a) && a.checkDate !== '' && a.checkDate < today)
    .sort((a, b) => a.checkDate.localeCompare(b.checkDate) || a.createdAt - b.createdAt);

  return {
    totalNotes: wall.length,
    actors,
    notesWithoutActor: wall.filter((n) => !n.actorId || !actorIds.has(n.actorId)).length,
    participants,
    silent,
    questions,
    rounds,
    outside,
    challengeThemes: matrix.rows.length,
    unsolvedThemes,
    actions: { total: analysis.actions.length, byStatus, overdue, undated: analysis.actions.filter((a) => open(a) && a.checkDate === '').length },
  };
}
