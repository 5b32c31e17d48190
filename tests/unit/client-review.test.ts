import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { en, type MessageKey } from '../../client/src/i18n/en';
import { fi } from '../../client/src/i18n/fi';
import { sv } from '../../client/src/i18n/sv';
import { csvField, timelineCsv, type TimelineNames, type Translate } from '../../client/src/review/csv';
import { formatDifference, formatDuration, questionShort } from '../../client/src/review/format';
import { HistoryError, loadHistory, reviewEvents } from '../../client/src/review/history';
import { computeReview, localDate, type ReviewBoard, type ReviewEvent } from '../../client/src/review/review';
import type { AuthoredNote } from '../../client/src/sync/types';
import { addNote, deleteNote, moveNoteBetweenDocs } from '../../shared/ops/notes';
import { addParticipant, initRoom } from '../../shared/ops/room';
import { endRound, extended, paused, resumed, startRound, updateRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import type { AnalysisSnapshot } from '../../shared/read/analysis';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { ReplayEngine, compareEntries, entryToJson, type ReplayEntry } from '../../shared/replay';
import type { Action } from '../../shared/schema/action';
import type { Actor } from '../../shared/schema/actor';
import type { Participant } from '../../shared/schema/participant';
import type { Round } from '../../shared/schema/session';
import type { Theme } from '../../shared/schema/theme';
import { templateQuestions } from '../../shared/templates/questions';
import { parseCsv } from '../helpers/csv';

/**
 * The facilitator's review (issue 5): computeReview over hand-made boards and timelines, the
 * timeline CSV, the duration wording, and the history loader (paging, refusals, and the round
 * plan read from the room at each round event) over a log made with Arvo's real operations.
 */

const W = 'Workshop00000001';
const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(16 - prefix.length, '0')}`;
const A = id('ActorA', 1);
const B = id('ActorB', 1);
const C = id('ActorC', 1);
const F = id('Fac', 1);
const P1 = id('P', 1);
const P2 = id('P', 2);
const P3 = id('P', 3);
const P4 = id('P', 4);
const OBS = id('Obs', 1);
const MIN = 60_000;
/** Noon UTC: the same calendar day in every time zone from −11 to +11. */
const T0 = Date.UTC(2025, 4, 14, 12, 0, 0);
const NOW = T0 + 40 * MIN;

const ACTORS: Actor[] = [
  { id: A, name: 'Kunta', color: '#77aadd', order: 0 },
  { id: B, name: 'Yhdistys', color: '#ee8866', order: 1 },
  { id: C, name: 'Koulu', color: '#eedd88', order: 2 },
];
const PARTICIPANTS: Participant[] = [
  { id: F, name: 'Fasi', actorId: null, role: 'facilitator', joinedAt: T0 - 10 * MIN },
  { id: P1, name: 'Aino', actorId: A, role: 'participant', joinedAt: T0 - 9 * MIN },
  { id: P2, name: 'Bertta', actorId: A, role: 'participant', joinedAt: T0 - 8 * MIN },
  { id: P3, name: 'Cecilia', actorId: B, role: 'participant', joinedAt: T0 - 7 * MIN },
  { id: P4, name: 'Daniel', actorId: C, role: 'participant', joinedAt: T0 - 6 * MIN },
  { id: OBS, name: 'Olli', actorId: null, role: 'observer', joinedAt: T0 - 5 * MIN },
];
const actorOfP = (p: string) => PARTICIPANTS.find((x) => x.id === p)?.actorId ?? null;
const nameOfP = (p: string) => PARTICIPANTS.find((x) => x.id === p)?.name ?? '?';

function note(n: number, participantId: string, questionId: string, createdAt: number, extra: Partial<AuthoredNote> = {}): AuthoredNote {
  return {
    id: id('N', n),
    questionId,
    text: `note ${n}`,
    x: 0,
    y: 0,
    createdAt,
    aboutActorId: null,
    participantId,
    authorName: nameOfP(participantId),
    actorId: actorOfP(participantId),
    mine: false,
    draft: false,
    ...extra,
  };
}
const ref = (n: AuthoredNote) => `${n.participantId}/${n.id}`;

// ——— the hand-made workshop ———
// Round 1: question 1b, planned 10 min, paused 1 min, extended by 2 min, ended at 13 min → 12 min of writing.
// Round 2: question 4a, planned 5 min, ended after 4 min.
const n1 = note(1, P1, '1b', T0 + 1 * MIN);
const n2 = note(2, P1, '1b', T0 + 5 * MIN);
/** Written on a clock 30 s behind the server's: before the round by its own time; the round engine posted it. */
const n3 = note(3, P2, '1b', T0 - 30_000);
const n4 = note(4, P3, '4a', T0 + 21 * MIN);
/** 1b written during the 4a round: outside any round of its question. */
const n5 = note(5, P3, '1b', T0 + 22 * MIN);
/** After the last round. */
const n6 = note(6, P2, '3a', T0 + 30 * MIN);
/** 4a written during the 1b round, before the 4a round: outside its round. */
const n7 = note(7, P1, '4a', T0 + 2.5 * MIN);
/** A clock 3 min ahead (26 min), but the server received it at 23 min, during round 2. */
const n8 = note(8, P3, '4a', T0 + 26 * MIN);
const draft = note(9, P1, '1b', T0 + 35 * MIN, { draft: true, mine: true });
const NOTES = [n1, n2, n3, n4, n5, n6, n7, n8, draft];

const round1: Round = { questionId: '1b', startedAt: T0, durationMs: 10 * MIN, pausedAt: null, pausedTotalMs: 0, endedAt: null };
const round2: Round = { questionId: '4a', startedAt: T0 + 20 * MIN, durationMs: 5 * MIN, pausedAt: null, pausedTotalMs: 0, endedAt: null };

let index = 0;
function ev(kind: ReviewEvent['kind'], ts: number, extra: Partial<ReviewEvent> = {}): ReviewEvent {
  const doc = extra.author ? notesDocName(W, extra.author) : roomDocName(W);
  return { index: index++, ts, kind, doc, docKind: extra.author ? 'notes' : 'room', by: F, ...extra };
}
const added = (n: AuthoredNote, ts: number, by: string | null = n.participantId) =>
  ev('note-added', ts, { author: n.participantId, noteId: n.id, noteRef: ref(n), questionId: n.questionId, text: n.text, by });

function events(withRounds = true): ReviewEvent[] {
  index = 0;
  const r = (round: Round) => (withRounds ? { round } : {});
  const list: ReviewEvent[] = [
    ev('phase', T0 - 10 * MIN, { phase: { from: null, to: 'setup' } }),
    ev('participant-joined', T0 - 9 * MIN, { participantId: P1, by: null }),
    ev('round-start', T0 + 15, { questionId: '1b', ...r(round1) }),
    added(n1, T0 + 1 * MIN + 200),
    ev('round-pause', T0 + 2 * MIN, { questionId: '1b', ...r({ ...round1, pausedAt: T0 + 2 * MIN }) }),
    added(n7, T0 + 2.5 * MIN + 100),
    ev('round-resume', T0 + 3 * MIN, { questionId: '1b', ...r({ ...round1, pausedTotalMs: MIN }) }),
    added(n2, T0 + 5 * MIN + 300),
    ev('round-end', T0 + 13 * MIN, { questionId: '1b', ...r({ ...round1, durationMs: 12 * MIN, pausedTotalMs: MIN, endedAt: T0 + 13 * MIN }) }),
    ev('post', T0 + 13 * MIN, { questionId: '1b' }),
    added(n3, T0 + 13 * MIN + 50, null),
    ev('round-start', T0 + 20 * MIN, { questionId: '4a', ...r(round2) }),
    added(n4, T0 + 21 * MIN + 100),
    added(n5, T0 + 22 * MIN + 100),
    added(n8, T0 + 23 * MIN),
    ev('round-end', T0 + 24 * MIN, { questionId: '4a', ...r({ ...round2, endedAt: T0 + 24 * MIN }) }),
    added(n6, T0 + 30 * MIN + 100),
    // Daniel wrote one note, which the facilitator removed.
    added(note(10, P4, '1b', T0 + 31 * MIN), T0 + 31 * MIN),
    ev('note-deleted', T0 + 32 * MIN, { author: P4, noteId: id('N', 10), noteRef: `${P4}/${id('N', 10)}`, questionId: '1b', by: F }),
  ];
  return list;
}

const T1 = id('Th', 1);
const T2 = id('Th', 2);
const S1 = id('Th', 3);
const THEMES: Theme[] = [
  { id: T1, name: 'Resources', kind: 'challenge', order: 0, need: '' },
  { id: T2, name: 'Attitudes', kind: 'challenge', order: 1, need: '' },
  { id: S1, name: 'Networks', kind: 'strength', order: 2, need: '' },
];

function action(n: number, status: Action['status'], checkDate: string): Action {
  return { id: id('Act', n), themeId: T1, what: `action ${n}`, ownerActorId: A, ownerName: '', checkDate, status, notes: '', createdAt: T0 + n };
}
const ACTIONS: Action[] = [
  action(1, 'planned', '2025-05-13'),
  action(2, 'in-progress', '2025-05-12'),
  action(3, 'done', '2025-05-01'),
  action(4, 'dropped', '2025-05-02'),
  action(5, 'planned', '2025-05-20'),
  action(6, 'planned', ''),
  action(7, 'in-progress', '2025-05-14'),
];

function analysis(overrides: Partial<AnalysisSnapshot> = {}): AnalysisSnapshot {
  return {
    themes: THEMES,
    themeOf: { [ref(n7)]: T1, [ref(n4)]: T2, [ref(n6)]: S1 },
    matrix: [{ challengeThemeId: T1, strengthRef: `note:${ref(n6)}`, createdAt: T0 }],
    flows: [],
    actions: ACTIONS,
    readMarks: {},
    mapLayout: {},
    ...overrides,
  };
}

function board(overrides: { notes?: AuthoredNote[]; round?: Round | null; analysis?: AnalysisSnapshot; participants?: Participant[] } = {}): ReviewBoard {
  return {
    room: {
      meta: { schemaVersion: 3, title: 'Review test', template: 'value-network', language: 'en', phase: 'analysis', createdAt: T0 - 20 * MIN },
      actors: ACTORS,
      questions: templateQuestions('value-network'),
      participants: overrides.participants ?? PARTICIPANTS,
      session: { round: overrides.round === undefined ? { ...round2, endedAt: T0 + 24 * MIN } : overrides.round, focus: null, locked: false, lockedActors: [], postRequest: null },
      problems: [],
    },
    notes: overrides.notes ?? NOTES,
    analysis: overrides.analysis ?? analysis(),
  };
}

describe('computeReview: counts', () => {
  const review = computeReview(board(), events(), NOW);

  it('counts wall notes per actor (drafts left out), with every actor listed and its silent members', () => {
    expect(review.totalNotes).toBe(8);
    expect(review.actors.map((a) => [a.actor.name, a.notes, a.participants, a.silent])).toEqual([
      ['Kunta', 5, 2, 0],
      ['Yhdistys', 3, 1, 0],
      ['Koulu', 0, 1, 1],
    ]);
    expect(review.notesWithoutActor).toBe(0);
  });

  it('counts notes whose writer has no known actor separately', () => {
    const stray = note(20, id('P', 9), '1b', T0 + 1 * MIN, { authorName: 'Vieras', actorId: null });
    const r = computeReview(board({ notes: [...NOTES, stray] }), events(), NOW);
    expect(r.notesWithoutActor).toBe(1);
    expect(r.actors.reduce((s, a) => s + a.notes, 0)).toBe(8);
    // Someone with notes who is not in the room's participants is still counted (not as silent).
    expect(r.participants.find((p) => p.participantId === id('P', 9))).toMatchObject({ name: 'Vieras', notes: 1, role: null });
    expect(r.silent.map((p) => p.name)).toEqual(['Daniel']);
  });

  it('counts per participant, most notes first, with notes in and outside the rounds and deletions', () => {
    expect(review.participants.map((p) => [p.name, p.notes, p.inRounds, p.outside, p.deleted])).toEqual([
      ['Aino', 3, 2, 1, 0],
      ['Cecilia', 3, 2, 1, 0],
      ['Bertta', 2, 1, 1, 0],
      ['Daniel', 0, 0, 0, 1],
    ]);
    expect(review.participants.find((p) => p.name === 'Aino')).toMatchObject({ firstAt: n1.createdAt, lastAt: n2.createdAt });
    // Neither the facilitator nor the observer is a writer.
    expect(review.participants.some((p) => p.participantId === F || p.participantId === OBS)).toBe(false);
  });

  it('lists who has not written anything: participants only, in order of joining', () => {
    expect(review.silent.map((p) => p.participantId)).toEqual([P4]);
    const late = { id: id('P', 5), name: 'Eero', actorId: B, role: 'participant' as const, joinedAt: T0 + 25 * MIN };
    const r = computeReview(board({ participants: [...PARTICIPANTS, late] }), events(), NOW);
    expect(r.silent.map((p) => p.name)).toEqual(['Daniel', 'Eero']);
    expect(r.actors.find((a) => a.actor.id === B)).toMatchObject({ participants: 2, silent: 1 });
  });

  it('counts per question, split by actor, in question order', () => {
    expect(review.questions.map((q) => [q.question.id, q.notes, q.byActor])).toEqual([
      ['1a', 0, {}],
      ['1b', 4, { [A]: 3, [B]: 1 }],
      ['2a', 0, {}],
      ['2b', 0, {}],
      ['3a', 1, { [A]: 1 }],
      ['3b', 0, {}],
      ['4a', 3, { [A]: 1, [B]: 2 }],
      ['4b', 0, {}],
    ]);
  });
});

describe('computeReview: rounds', () => {
  it('gives each round its plan, extension, pauses, actual writing time and notes', () => {
    const [r1, r2, ...rest] = computeReview(board(), events(), NOW).rounds;
    expect(rest).toEqual([]);
    expect(r1).toMatchObject({
      number: 1,
      questionId: '1b',
      startedAt: T0,
      endedAt: T0 + 13 * MIN,
      status: 'ended',
      plannedMs: 10 * MIN,
      finalPlannedMs: 12 * MIN,
      extendedMs: 2 * MIN,
      actualMs: 12 * MIN,
      pausedMs: MIN,
      pauses: 1,
      differenceMs: 2 * MIN,
      notes: 3,
      byActor: { [A]: 3 },
    });
    expect(r1!.question?.id).toBe('1b');
    expect(r2).toMatchObject({
      number: 2,
      questionId: '4a',
      status: 'ended',
      plannedMs: 5 * MIN,
      extendedMs: 0,
      actualMs: 4 * MIN,
      pausedMs: 0,
      pauses: 0,
      differenceMs: -1 * MIN,
      notes: 2,
      byActor: { [B]: 2 },
    });
  });

  it('without the round records, times come from the events and the plan is unknown', () => {
    const [r1, r2] = computeReview(board({ round: null }), events(false), NOW).rounds;
    // Started at the event (15 ms after the server's startedAt), paused from 2 to 3 min, ended at 13 min.
    expect(r1).toMatchObject({ startedAt: T0 + 15, endedAt: T0 + 13 * MIN, actualMs: 12 * MIN - 15, pausedMs: MIN, pauses: 1, plannedMs: null, finalPlannedMs: null, differenceMs: null, status: 'ended', notes: 3 });
    expect(r2).toMatchObject({ actualMs: 4 * MIN, plannedMs: null, notes: 2 });
  });

  it('a round still running counts up to now, with the room’s current plan (extended after the last event)', () => {
    index = 0;
    const list = [ev('round-start', T0, { questionId: '1b', round: round1 }), added(n1, T0 + MIN)];
    const current = { ...round1, durationMs: 15 * MIN };
    const [r] = computeReview(board({ round: current, notes: [n1] }), list, T0 + 11 * MIN).rounds;
    expect(r).toMatchObject({ status: 'running', endedAt: null, plannedMs: 10 * MIN, finalPlannedMs: 15 * MIN, extendedMs: 5 * MIN, actualMs: 11 * MIN, differenceMs: MIN, notes: 1 });
  });

  it('a paused round stops counting at the pause; the pause so far counts as paused time', () => {
    index = 0;
    const pausedRound = { ...round1, pausedAt: T0 + 4 * MIN };
    const list = [ev('round-start', T0, { questionId: '1b', round: round1 }), ev('round-pause', T0 + 4 * MIN, { questionId: '1b', round: pausedRound })];
    const [r] = computeReview(board({ round: pausedRound, notes: [] }), list, T0 + 7 * MIN).rounds;
    expect(r).toMatchObject({ status: 'paused', actualMs: 4 * MIN, pausedMs: 3 * MIN, pauses: 1 });
  });

  it('a round replaced by the next one before it ended ends where the next starts', () => {
    index = 0;
    const list = [ev('round-start', T0, { questionId: '1a' }), ev('round-start', T0 + 6 * MIN, { questionId: '1b' })];
    const rounds = computeReview(board({ round: null, notes: [] }), list, T0 + 8 * MIN).rounds;
    expect(rounds.map((r) => [r.questionId, r.status, r.actualMs])).toEqual([
      ['1a', 'ended', 6 * MIN],
      ['1b', 'running', 2 * MIN],
    ]);
  });

  it('two rounds of the same question are kept apart; a note goes to the one it was written in', () => {
    index = 0;
    const again: Round = { ...round1, startedAt: T0 + 30 * MIN };
    const a = note(30, P1, '1b', T0 + 2 * MIN);
    const b = note(31, P1, '1b', T0 + 32 * MIN);
    const list = [
      ev('round-start', T0, { questionId: '1b', round: round1 }),
      ev('round-end', T0 + 10 * MIN, { questionId: '1b', round: { ...round1, endedAt: T0 + 10 * MIN } }),
      ev('round-start', T0 + 30 * MIN, { questionId: '1b', round: again }),
      ev('round-end', T0 + 35 * MIN, { questionId: '1b', round: { ...again, endedAt: T0 + 35 * MIN } }),
    ];
    const r = computeReview(board({ round: null, notes: [a, b] }), list, NOW);
    expect(r.rounds.map((x) => [x.key, x.notes])).toEqual([
      [`1b@${T0}`, 1],
      [`1b@${T0 + 30 * MIN}`, 1],
    ]);
    expect(r.outside).toEqual([]);
  });
});

describe('computeReview: notes outside the rounds', () => {
  it('lists notes written after the last round or outside any round of their question, in the order written', () => {
    const { outside } = computeReview(board(), events(), NOW);
    expect(outside.map((o) => [o.note.id, o.reason])).toEqual([
      [n7.id, 'outside-round'],
      [n5.id, 'outside-round'],
      [n6.id, 'after-last'],
    ]);
  });

  it('a note posted by the round engine belongs to its round even when its writer’s clock was behind', () => {
    const r = computeReview(board({ notes: [n3] }), events(), NOW);
    expect(r.rounds[0]!.notes).toBe(1);
    expect(r.outside).toEqual([]);
    // The same note arriving from its writer (not the engine) after the round is outside it.
    const list = events().map((e) => (e.noteRef === ref(n3) ? { ...e, by: P2 } : e));
    const r2 = computeReview(board({ notes: [n3] }), list, NOW);
    expect(r2.rounds[0]!.notes).toBe(0);
    expect(r2.outside.map((o) => o.reason)).toEqual(['outside-round']);
  });

  it('a note whose writer’s clock ran ahead belongs to the round the server received it in', () => {
    const r = computeReview(board({ notes: [n8] }), events(), NOW);
    expect(r.rounds[1]!.notes).toBe(1);
    // Without its arrival in the timeline, only its own time speaks: after the last round.
    const r2 = computeReview(board({ notes: [n8] }), events().filter((e) => e.noteRef !== ref(n8)), NOW);
    expect(r2.rounds[1]!.notes).toBe(0);
    expect(r2.outside.map((o) => o.reason)).toEqual(['after-last']);
  });

  it('when no round was run, nothing is reported as outside the rounds', () => {
    const r = computeReview(board({ round: null }), events().filter((e) => !e.kind.startsWith('round-')), NOW);
    expect(r.rounds).toEqual([]);
    expect(r.outside).toEqual([]);
    expect(r.participants.every((p) => p.inRounds === 0 && p.outside === 0)).toBe(true);
    expect(r.totalNotes).toBe(8);
  });
});

describe('computeReview: analysis and actions', () => {
  it('lists challenge themes with no strength linked (buildMatrix rows unsolved), with their notes', () => {
    const r = computeReview(board(), events(), NOW);
    expect(r.challengeThemes).toBe(2);
    expect(r.unsolvedThemes.map((u) => [u.theme.name, u.challenges])).toEqual([['Attitudes', 1]]);
    // A link to a strength note that is no longer on the wall solves nothing.
    const gone = computeReview(board({ notes: NOTES.filter((n) => n !== n6) }), events(), NOW);
    expect(gone.unsolvedThemes.map((u) => u.theme.name)).toEqual(['Resources', 'Attitudes']);
    // Linking a strength theme with notes in it solves the other one.
    const linked = computeReview(board({ analysis: analysis({ matrix: [...analysis().matrix, { challengeThemeId: T2, strengthRef: `theme:${S1}`, createdAt: T0 }] }) }), events(), NOW);
    expect(linked.unsolvedThemes).toEqual([]);
  });

  it('counts actions by status and lists the overdue ones (check date before today, not done or dropped), earliest first', () => {
    const { actions } = computeReview(board(), events(), NOW);
    expect(actions.total).toBe(7);
    expect(actions.byStatus).toEqual({ planned: 3, 'in-progress': 2, done: 1, dropped: 1 });
    expect(actions.overdue.map((a) => a.what)).toEqual(['action 2', 'action 1']);
    expect(actions.undated).toBe(1);
    // A day later, the action checked "today" is overdue too.
    const tomorrow = computeReview(board(), events(), NOW + 24 * 3600_000).actions;
    expect(tomorrow.overdue.map((a) => a.what)).toEqual(['action 2', 'action 1', 'action 7']);
  });

  it('local dates are calendar dates', () => {
    expect(localDate(NOW)).toBe('2025-05-14');
    expect(localDate(new Date(2025, 0, 5, 23, 59).getTime())).toBe('2025-01-05');
  });
});

// ——— the timeline CSV ———

const translator =
  (catalogue: Record<MessageKey, string>): Translate =>
  (key, params) =>
    (catalogue[key] ?? en[key]).replace(/\{(\w+)\}/g, (m, name: string) => (params && name in params ? String(params[name]) : m));

function names(t: Translate, participants = PARTICIPANTS): TimelineNames {
  return {
    participants: new Map(participants.map((p) => [p.id, { name: p.name, actorName: ACTORS.find((a) => a.id === p.actorId)?.name ?? '' }])),
    questions: new Map(templateQuestions('value-network').map((q) => [q.id, q.id])),
    themes: new Map(THEMES.map((th) => [th.id, th.name])),
    t,
  };
}


describe('timelineCsv', () => {
  it('has a header in the UI language and one row per event: ISO time, participant, actor, document, summary', () => {
    const list = events();
    const csv = timelineCsv(list, names(translator(en)));
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n').every((line, i, all) => i === all.length - 1 || !line.includes('\n'))).toBe(true);
    const rows = parseCsv(csv);
    expect(rows[0]).toEqual(['Time', 'Participant', 'Actor', 'Document', 'Event']);
    expect(rows).toHaveLength(list.length + 1);
    expect(rows[1]).toEqual([new Date(T0 - 10 * MIN).toISOString(), 'Fasi', '', 'Room', 'Phase: – → Setting up']);
    expect(rows[2]).toEqual([new Date(T0 - 9 * MIN).toISOString(), 'Server', '', 'Room', 'Joined: Aino']);
    expect(rows[3]).toEqual([new Date(T0 + 15).toISOString(), 'Fasi', '', 'Room', 'Round started: 1b']);
    expect(rows[4]).toEqual([new Date(T0 + MIN + 200).toISOString(), 'Aino', 'Kunta', 'Notes of Aino', 'Note added (1b): note 1']);
    expect(rows[5]![4]).toBe('Round paused: 1b');
    expect(rows[7]![4]).toBe('Round resumed: 1b');
    expect(rows[9]![4]).toBe('Round ended: 1b');
    expect(rows[10]![4]).toBe('Drafts posted to the wall: 1b');
    // A draft the round engine posted is its author's row.
    expect(rows[11]).toEqual([new Date(T0 + 13 * MIN + 50).toISOString(), 'Bertta', 'Kunta', 'Notes of Bertta', 'Draft posted to the wall (1b): note 3']);
    expect(rows.at(-1)).toEqual([new Date(T0 + 32 * MIN).toISOString(), 'Fasi', '', 'Notes of Daniel', 'Note deleted (1b)']);
  });

  it('is in Finnish when the UI is', () => {
    const rows = parseCsv(timelineCsv(events(), names(translator(fi))));
    expect(rows[0]).toEqual(['Aika', 'Osallistuja', 'Toimija', 'Dokumentti', 'Tapahtuma']);
    expect(rows[2]![1]).toBe('Palvelin');
    expect(rows[3]![4]).toBe('Kierros alkoi: 1b');
    expect(rows[4]![3]).toBe('Laput: Aino');
  });

  it('is in Swedish when the UI is', () => {
    const rows = parseCsv(timelineCsv(events(), names(translator(sv))));
    expect(rows[0]).toEqual(['Tid', 'Deltagare', 'Aktör', 'Dokument', 'Händelse']);
    expect(rows[2]![4]).toBe('Anslöt: Aino');
    expect(rows[3]![4]).toBe('Omgången startade: 1b');
    expect(rows[4]![3]).toBe('Lappar för Aino');
  });

  it('summarises moves, edits, themes, locks and drafts documents', () => {
    index = 0;
    const list: ReviewEvent[] = [
      ev('note-moved', T0, { author: P1, noteId: n1.id, noteRef: ref(n1), questionId: '2b', by: F, from: { x: 0, y: 0, questionId: '1b', aboutActorId: null }, to: { x: 5, y: 5, questionId: '2b', aboutActorId: null } }),
      ev('note-moved', T0 + 1, { author: P1, noteId: n1.id, noteRef: ref(n1), questionId: '2b', by: P1, from: { x: 5, y: 5, questionId: '2b', aboutActorId: null }, to: { x: 9, y: 9, questionId: '2b', aboutActorId: null } }),
      ev('note-edited', T0 + 2, { author: P1, noteId: n1.id, noteRef: ref(n1), questionId: '2b', text: 'line one\n\nline two', by: P1 }),
      ev('theme-added', T0 + 3, { themeId: id('Th', 9), themeName: 'Later removed' }),
      ev('note-themed', T0 + 4, { noteRef: ref(n1), themeId: id('Th', 9) }),
      ev('theme-removed', T0 + 5, { themeId: id('Th', 9), themeName: 'Later removed' }),
      ev('note-themed', T0 + 6, { noteRef: ref(n1), themeId: null }),
      ev('wall-lock', T0 + 7, { locked: true }),
      ev('wall-lock', T0 + 8, { locked: false }),
      { index: 99, ts: T0 + 9, kind: 'note-added', doc: draftsDocName(W, P1), docKind: 'drafts', by: P1, author: P1, noteId: id('N', 50), noteRef: `${P1}/${id('N', 50)}`, questionId: '1b', text: 'mine' },
    ];
    const rows = parseCsv(timelineCsv(list, names(translator(en)))).slice(1);
    expect(rows.map((r) => r[4])).toEqual([
      'Note moved from 1b to 2b',
      'Note moved within 2b',
      'Note edited (2b): line one line two',
      'Theme added: Later removed',
      'Note of Aino put in theme Later removed',
      'Theme removed: Later removed',
      'Note of Aino taken out of its theme',
      'Wall locked',
      'Wall unlocked',
      'Note added (1b): mine',
    ]);
    expect(rows[0]!.slice(1, 3)).toEqual(['Fasi', '']);
    expect(rows.at(-1)![3]).toBe('Drafts of Aino');
  });

  it('quotes fields with commas, quotes and line breaks (RFC 4180) and guards spreadsheet formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a, b')).toBe('"a, b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('=SUM(A1:A9)')).toBe("'=SUM(A1:A9)");
    expect(csvField('+358 40')).toBe("'+358 40");
    expect(csvField('-1')).toBe("'-1");
    expect(csvField('@cmd')).toBe("'@cmd");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('=A1,"B"')).toBe(`"'=A1,""B"""`);
    expect(csvField('a=b')).toBe('a=b');

    index = 0;
    const hostile = PARTICIPANTS.map((p) => (p.id === P1 ? { ...p, name: '=HYPERLINK("http://x","go")' } : p));
    const list = [added({ ...n1, text: 'Tilat, "ilmaiseksi"' }, T0)];
    const csv = timelineCsv(list, names(translator(en), hostile));
    const rows = parseCsv(csv);
    expect(rows[1]![1]).toBe('\'=HYPERLINK("http://x","go")');
    expect(rows[1]![3]).toBe('Notes of =HYPERLINK("http://x","go")');
    expect(rows[1]![4]).toBe('Note added (1b): Tilat, "ilmaiseksi"');
    expect(csv).toContain('"Note added (1b): Tilat, ""ilmaiseksi"""');
  });
});

describe('wording', () => {
  const t = translator(en);
  it('formats durations and the difference to the plan', () => {
    expect(formatDuration(45_000, t)).toBe('45 s');
    expect(formatDuration(10 * MIN, t)).toBe('10 min');
    expect(formatDuration(9 * MIN + 40_000, t)).toBe('9 min 40 s');
    expect(formatDuration(-90_000, t)).toBe('1 min 30 s');
    expect(formatDifference(2 * MIN, t)).toBe('2 min over');
    expect(formatDifference(-30_000, t)).toBe('30 s under');
    expect(formatDifference(4_000, t)).toBe('on plan');
    expect(formatDifference(-4_999, t)).toBe('on plan');
    expect(translator(fi)('review.rounds.over', { time: formatDuration(2 * MIN, translator(fi)) })).toBe('2 min yli');
  });

  it('names numbered questions by number and others by text', () => {
    const [q1a] = templateQuestions('value-network');
    const [strengths] = templateQuestions('dialogue');
    expect(questionShort(q1a, '1a', 'fi')).toBe('1a');
    expect(questionShort(strengths, 'strengths', 'fi')).toBe('Vahvuudet ja voimavarat');
    expect(questionShort(undefined, 'gone', 'en')).toBe('gone');
  });

  it('every review key has a Finnish text, in the handbook’s terms', () => {
    const keys = (Object.keys(en) as MessageKey[]).filter((k) => k.startsWith('review.'));
    expect(keys.length).toBeGreaterThan(50);
    for (const key of keys) expect(fi[key], key).toBeTruthy();
    expect(fi['review.rounds.planned']).toBe('Suunniteltu kesto');
    expect(fi['review.rounds.actual']).toBe('Toteutunut kesto');
    expect(fi['review.silent.title']).toBe('Kirjoittamatta');
  });
});

// ——— the history loader over a real log ———

/** A workshop whose every update is captured as a log entry, as the server stores them. */
function recordWorkshop() {
  const entries: ReplayEntry[] = [];
  const seqs = new Map<string, number>();
  let clock = T0 - 5 * MIN;
  let by: string | null = F;
  const docs = new Map<string, Y.Doc>();
  const open = (name: string) => {
    let doc = docs.get(name);
    if (!doc) {
      doc = new Y.Doc();
      doc.on('update', (update: Uint8Array) => {
        const seq = (seqs.get(name) ?? 0) + 1;
        seqs.set(name, seq);
        entries.push({ doc: name, seq, ts: clock, participantId: by, update });
      });
      docs.set(name, doc);
    }
    return doc;
  };
  const room = open(roomDocName(W));
  const { actors } = initRoom(room, { title: 'Loader', template: 'value-network', language: 'en', actors: [{ name: 'Kunta' }, { name: 'Yhdistys' }] }, clock, LOCAL_ORIGIN);
  addParticipant(room, { id: F, name: 'Fasi', actorId: null, role: 'facilitator', joinedAt: clock }, LOCAL_ORIGIN);
  by = null;
  addParticipant(room, { id: P1, name: 'Aino', actorId: actors[0]!.id, role: 'participant', joinedAt: clock }, serverOrigin('join'));
  addParticipant(room, { id: P2, name: 'Bertta', actorId: actors[1]!.id, role: 'participant', joinedAt: clock }, serverOrigin('join'));
  const at = (ms: number) => (clock = T0 + ms);

  by = F;
  at(0);
  startRound(room, '1b', 10 * MIN, clock, LOCAL_ORIGIN);
  by = P1;
  at(MIN);
  const draftNote = addNote(open(draftsDocName(W, P1)), { questionId: '1b', text: 'kirjasto', x: 10, y: 10 }, clock, LOCAL_ORIGIN);
  by = F;
  at(2 * MIN);
  updateRound(room, (r) => paused(r, clock), LOCAL_ORIGIN);
  at(4 * MIN);
  updateRound(room, (r) => resumed(r, clock), LOCAL_ORIGIN);
  at(5 * MIN);
  updateRound(room, (r) => extended(r, 3 * MIN), LOCAL_ORIGIN);
  at(14 * MIN);
  endRound(room, clock, LOCAL_ORIGIN);
  // The round engine posts the draft.
  by = null;
  at(14 * MIN + 40);
  moveNoteBetweenDocs(open(draftsDocName(W, P1)), open(notesDocName(W, P1)), draftNote.id, clock, serverOrigin('round-engine'));
  by = P2;
  at(20 * MIN);
  const late = addNote(open(notesDocName(W, P2)), { questionId: '4a', text: 'aikataulut', x: 10, y: 10 }, clock, LOCAL_ORIGIN);
  at(21 * MIN);
  const gone = addNote(open(notesDocName(W, P2)), { questionId: '4a', text: 'typo', x: 30, y: 10 }, clock, LOCAL_ORIGIN);
  deleteNote(open(notesDocName(W, P2)), gone.id, LOCAL_ORIGIN);
  // What the facilitator reads: the log's order, and nobody's drafts (the server leaves them out).
  const log = entries.filter((e) => !e.doc.includes('/drafts/')).sort(compareEntries);
  return { entries: log, docs, actors, late };
}

/** What the facilitator's board shows at the end of that log. */
function boardOf(docs: Map<string, Y.Doc>): ReviewBoard {
  const room = readRoom(docs.get(roomDocName(W))!);
  const notes: AuthoredNote[] = [];
  for (const p of room.participants) {
    const doc = docs.get(notesDocName(W, p.id));
    if (!doc) continue;
    for (const n of readNotes(doc).notes) notes.push({ ...n, participantId: p.id, authorName: p.name, actorId: p.actorId, mine: false, draft: false });
  }
  return { room, notes, analysis: analysis({ themes: [], themeOf: {}, matrix: [], actions: [] }) };
}

describe('history loader', () => {
  it('reads each round event’s round from the room, so the review knows the plan, the extension and the pauses', () => {
    const { entries, docs } = recordWorkshop();
    const engine = ReplayEngine.from(entries);
    const list = reviewEvents(engine);
    const roundEvents = list.filter((e) => e.kind.startsWith('round-'));
    expect(roundEvents.map((e) => [e.kind, e.round?.durationMs, e.round?.pausedTotalMs])).toEqual([
      ['round-start', 10 * MIN, 0],
      ['round-pause', 10 * MIN, 0],
      ['round-resume', 10 * MIN, 2 * MIN],
      ['round-end', 13 * MIN, 2 * MIN],
    ]);
    expect(list.filter((e) => !e.kind.startsWith('round-')).every((e) => e.round === undefined)).toBe(true);

    const review = computeReview(boardOf(docs), list, T0 + 30 * MIN);
    expect(review.rounds).toHaveLength(1);
    expect(review.rounds[0]).toMatchObject({ plannedMs: 10 * MIN, extendedMs: 3 * MIN, actualMs: 12 * MIN, pausedMs: 2 * MIN, pauses: 1, differenceMs: 2 * MIN, notes: 1, status: 'ended' });
    expect(review.outside.map((o) => o.note.text)).toEqual(['aikataulut']);
    expect(review.participants.map((p) => [p.name, p.notes, p.inRounds, p.outside, p.deleted])).toEqual([
      ['Aino', 1, 1, 0, 0],
      ['Bertta', 1, 0, 1, 1],
    ]);
    engine.destroy();
  });

  it('pages through the history API with the bearer token until next is null', async () => {
    const { entries } = recordWorkshop();
    const json = entries.map(entryToJson);
    const calls: Array<{ url: string; auth: string | null }> = [];
    const progress: number[] = [];
    const fakeFetch = (async (url: string, init?: RequestInit) => {
      const headers = new Headers(init?.headers);
      calls.push({ url, auth: headers.get('authorization') });
      const after = Number(new URL(url, 'http://x').searchParams.get('after') ?? 0);
      const limit = Number(new URL(url, 'http://x').searchParams.get('limit'));
      const page = json.slice(after, after + limit);
      const end = after + page.length;
      return new Response(JSON.stringify({ entries: page, next: end < json.length ? String(end) : null, last: String(end) }), { status: 200 });
    }) as typeof fetch;
    const loaded = await loadHistory(W, 'tok.en', { limit: 4, fetch: fakeFetch, onProgress: (n) => progress.push(n) });
    expect(loaded.entries).toBe(entries.length);
    expect(calls.length).toBe(Math.ceil(entries.length / 4));
    expect(calls[0]!.url).toBe(`/api/workshops/${W}/history?limit=4`);
    expect(calls[1]!.url).toBe(`/api/workshops/${W}/history?limit=4&after=4`);
    expect(calls.every((c) => c.auth === 'Bearer tok.en')).toBe(true);
    expect(progress.at(-1)).toBe(entries.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(loaded.events.filter((e) => e.kind === 'round-end')[0]?.round?.endedAt).toBe(T0 + 14 * MIN);
  });

  it('reports a refusal with its status and code', async () => {
    const refuse = (async () => new Response(JSON.stringify({ error: { code: 'forbidden', message: 'not your workshop' } }), { status: 403 })) as typeof fetch;
    const error = await loadHistory(W, 'x', { fetch: refuse }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HistoryError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', message: 'not your workshop' });
    const broken = (async () => new Response('<html>', { status: 502, statusText: 'Bad Gateway' })) as typeof fetch;
    expect(await loadHistory(W, 'x', { fetch: broken }).catch((e: unknown) => e)).toMatchObject({ status: 502, code: 'error', message: 'Bad Gateway' });
    const offline = (async () => {
      throw new TypeError('Failed to fetch');
    }) as typeof fetch;
    expect(await loadHistory(W, 'x', { fetch: offline }).catch((e: unknown) => e)).toMatchObject({ status: 0, code: 'network' });
  });
});
