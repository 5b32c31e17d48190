import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { docName, type DocRef } from '../../shared/protocol/docNames';
import { accessTo, type Claims } from '../../shared/protocol/permissions';
import { methodRules, writesOf, type MethodRules, type NoteAction, type RulesInput, type RulesNote } from '../../shared/rules';
import { roomRoots } from '../../shared/schema/layout';
import { PHASES, type Phase } from '../../shared/schema/meta';
import type { Role } from '../../shared/schema/participant';
import type { Question } from '../../shared/schema/question';
import { sessionSchema, type Round } from '../../shared/schema/session';
import { templateQuestions } from '../../shared/templates/questions';
import { inspectUpdate } from '../../shared/validate';
import { layoutWall } from '../../client/src/model/layout';
import { DocSession } from '../../server/relay/session';
import { notesWritePolicy } from '../../server/relay/votePolicy';
import { ID, NOW } from './helpers';

/**
 * The method's rules (shared/rules) as a table: who may add where, into which document, and who
 * may edit, move, delete or post which note, by role × round × locks × note; then a check that
 * whatever the rules offer, the server's real access rules, write policy and content check accept.
 */

const A = { id: ID.actorA, name: 'A', color: '#77aadd', order: 1 };
const B = { id: ID.actorB, name: 'B', color: '#dd7777', order: 2 };
const NOT_ON_WALL = 'ActorC0000000001';
/** 1a (per actor), 3a (the round's), 3b. */
const QUESTIONS: Question[] = templateQuestions('value-network').filter((q) => ['1a', '3a', '3b'].includes(q.id));
const FACILITATOR = 'Facilitator00001';
const OBSERVER = 'Observer00000001';

type RoundCase = 'none' | 'open' | 'paused' | 'overtime' | 'ended' | 'elsewhere';
type LockCase = 'none' | 'wall' | 'mine' | 'other';

const ROUNDS: Record<RoundCase, Round | null> = {
  none: null,
  open: { questionId: '3a', startedAt: NOW - 60_000, durationMs: 600_000, pausedAt: null, pausedTotalMs: 0, endedAt: null },
  paused: { questionId: '3a', startedAt: NOW - 60_000, durationMs: 600_000, pausedAt: NOW - 1000, pausedTotalMs: 0, endedAt: null },
  // Time is up but the facilitator has not ended it: still open (the server's engine ends it).
  overtime: { questionId: '3a', startedAt: NOW - 3_600_000, durationMs: 600_000, pausedAt: null, pausedTotalMs: 0, endedAt: null },
  // Ended: a draft of 3a still here is a late draft (the server posts it marked late).
  ended: { questionId: '3a', startedAt: NOW - 900_000, durationMs: 600_000, pausedAt: null, pausedTotalMs: 0, endedAt: NOW - 60_000 },
  // A round on a question no longer on the wall (deleted after it ran).
  elsewhere: { questionId: '9z', startedAt: NOW - 60_000, durationMs: 600_000, pausedAt: null, pausedTotalMs: 0, endedAt: null },
};
const LOCKS: Record<LockCase, { locked: boolean; lockedActors: string[] }> = {
  none: { locked: false, lockedActors: [] },
  wall: { locked: true, lockedActors: [] },
  mine: { locked: false, lockedActors: [A.id] },
  other: { locked: false, lockedActors: [B.id] },
};

type Viewer = 'participant' | 'facilitator' | 'observer' | 'no-actor' | 'actor-gone';
function claims(viewer: Viewer): Claims {
  const role: Role = viewer === 'facilitator' || viewer === 'observer' ? viewer : 'participant';
  const participantId = viewer === 'facilitator' ? FACILITATOR : viewer === 'observer' ? OBSERVER : ID.me;
  const actorId = viewer === 'participant' ? A.id : viewer === 'actor-gone' ? NOT_ON_WALL : null;
  return { workshopId: ID.workshop, participantId, role, actorId };
}

function input(viewer: Viewer, round: RoundCase, lock: LockCase, phase: Phase = 'writing', questions: readonly Question[] = QUESTIONS): RulesInput {
  return {
    room: { meta: { phase }, actors: [A, B], questions, session: sessionSchema.parse({ round: ROUNDS[round], ...LOCKS[lock] }) },
    me: claims(viewer),
  };
}

/** The notes in play: mine (a draft of the round's question, a public one) and another participant's public note. */
const NOTES = {
  draft: { participantId: ID.me, questionId: '3a', draft: true, id: 'DraftNote0000001' },
  public: { participantId: ID.me, questionId: '3b', draft: false, id: 'MineNote00000001' },
  other: { participantId: ID.other, questionId: '3b', draft: false, id: 'OtherNote0000001' },
} satisfies Record<string, RulesNote & { id: string }>;

const list = (items: readonly string[]) => (items.length > 0 ? items.join(',') : '-');
function summary(rules: MethodRules): string {
  return [
    `add:${list(rules.writableQuestionIds)}`,
    `3a→${rules.newNoteDoc('3a')}`,
    `edit:${list((['draft', 'public', 'other'] as const).filter((k) => rules.canEdit(NOTES[k])))}`,
    `post:${rules.canPost(NOTES.draft) ? 'yes' : 'no'}`,
    `wall:${rules.canWriteWall ? 'yes' : 'no'}`,
    rules.lockedOut ? 'LOCKED' : 'open',
  ].join(' ');
}

describe('methodRules: the table', () => {
  const ALL = 'add:1a,3a,3b';
  const cases: Array<[Viewer, RoundCase, LockCase, string]> = [
    // A participant outside a round: everything public, locks stop it (drafts excepted).
    ['participant', 'none', 'none', `${ALL} 3a→notes edit:draft,public post:yes wall:yes open`],
    ['participant', 'none', 'wall', 'add:- 3a→notes edit:draft post:no wall:no LOCKED'],
    ['participant', 'none', 'mine', 'add:- 3a→notes edit:draft post:no wall:no LOCKED'],
    ['participant', 'none', 'other', `${ALL} 3a→notes edit:draft,public post:yes wall:yes open`],
    // An open round: its question's answers are drafts, which the locks never stop.
    ['participant', 'open', 'none', `${ALL} 3a→drafts edit:draft,public post:yes wall:yes open`],
    ['participant', 'open', 'wall', 'add:3a 3a→drafts edit:draft post:no wall:no LOCKED'],
    ['participant', 'open', 'mine', 'add:3a 3a→drafts edit:draft post:no wall:no LOCKED'],
    ['participant', 'open', 'other', `${ALL} 3a→drafts edit:draft,public post:yes wall:yes open`],
    // Paused and overtime rounds are still open: only the facilitator (or the server's clock) ends them.
    ['participant', 'paused', 'wall', 'add:3a 3a→drafts edit:draft post:no wall:no LOCKED'],
    ['participant', 'overtime', 'none', `${ALL} 3a→drafts edit:draft,public post:yes wall:yes open`],
    ['participant', 'overtime', 'mine', 'add:3a 3a→drafts edit:draft post:no wall:no LOCKED'],
    // After the round: new notes are public; a late draft stays editable (the server posts it, marked late).
    ['participant', 'ended', 'none', `${ALL} 3a→notes edit:draft,public post:yes wall:yes open`],
    ['participant', 'ended', 'wall', 'add:- 3a→notes edit:draft post:no wall:no LOCKED'],
    // A round on a question that is gone opens nothing on the wall.
    ['participant', 'elsewhere', 'none', `${ALL} 3a→notes edit:draft,public post:yes wall:yes open`],
    ['participant', 'elsewhere', 'wall', 'add:- 3a→notes edit:draft post:no wall:no LOCKED'],
    // Without a flipchart on the wall nobody writes notes (the locks still say what they say).
    ['no-actor', 'open', 'none', 'add:- 3a→drafts edit:- post:no wall:yes open'],
    ['no-actor', 'none', 'wall', 'add:- 3a→notes edit:- post:no wall:no LOCKED'],
    ['actor-gone', 'open', 'none', 'add:- 3a→drafts edit:- post:no wall:yes open'],
    // Facilitators run the workshop, never write notes here, and are never locked out.
    ['facilitator', 'none', 'none', 'add:- 3a→notes edit:- post:no wall:yes open'],
    ['facilitator', 'open', 'wall', 'add:- 3a→drafts edit:- post:no wall:yes open'],
    // Observers read.
    ['observer', 'none', 'none', 'add:- 3a→notes edit:- post:no wall:no open'],
    ['observer', 'open', 'wall', 'add:- 3a→drafts edit:- post:no wall:no open'],
  ];
  it.each(cases)('%s, round %s, lock %s', (viewer, round, lock, expected) => {
    expect(summary(methodRules(input(viewer, round, lock)))).toBe(expected);
  });

  it('the phase changes none of it (the server does not look at the phase either)', () => {
    for (const [viewer, round, lock, expected] of cases) {
      for (const phase of PHASES) expect(summary(methodRules(input(viewer, round, lock, phase))), `${viewer} ${round} ${lock} ${phase}`).toBe(expected);
    }
    expect(methodRules(input('participant', 'none', 'none', 'analysis')).phase).toBe('analysis');
  });

  it('the open round: paused and overtime count, ended does not', () => {
    const open = (round: RoundCase) => methodRules(input('participant', round, 'none')).roundQuestionId;
    expect([open('none'), open('open'), open('paused'), open('overtime'), open('ended'), open('elsewhere')]).toEqual([null, '3a', '3a', '3a', null, '9z']);
  });
});

describe('methodRules: moving a note', () => {
  const mineA = (questionId: string) => ({ actorId: A.id, questionId });
  const cases: Array<[string, RoundCase, LockCase, keyof typeof NOTES, { actorId: string; questionId: string }, boolean]> = [
    ['a public note to another question', 'none', 'none', 'public', mineA('1a'), true],
    ['a public note into the round’s question (it stays public)', 'open', 'none', 'public', mineA('3a'), true],
    ['a public note to someone else’s flipchart', 'none', 'none', 'public', { actorId: B.id, questionId: '3b' }, false],
    ['a public note on a locked wall', 'none', 'wall', 'public', mineA('1a'), false],
    ['a public note, my flipchart locked', 'open', 'mine', 'public', mineA('3a'), false],
    ['a draft within its question (another column)', 'open', 'none', 'draft', mineA('3a'), true],
    ['a draft within its question, wall locked', 'open', 'wall', 'draft', mineA('3a'), true],
    ['a draft to another question', 'open', 'none', 'draft', mineA('3b'), false],
    ['someone else’s note', 'none', 'none', 'other', mineA('1a'), false],
    ['to a question not on the wall', 'none', 'none', 'public', mineA('9z'), false],
  ];
  it.each(cases)('%s', (_name, round, lock, note, target, expected) => {
    expect(methodRules(input('participant', round, lock)).canMove(NOTES[note], target)).toBe(expected);
  });
  it('nobody but the author moves a note', () => {
    for (const viewer of ['facilitator', 'observer'] as const) expect(methodRules(input(viewer, 'none', 'none')).canMove(NOTES.public, mineA('1a'))).toBe(false);
  });
});

describe('methodRules: which question', () => {
  type Row = [string, RoundCase, readonly Question[], { current: string | null; next: string | null; composer: Array<[string | null, string | null]> }];
  const cases: Row[] = [
    ['no round yet', 'none', QUESTIONS, { current: '1a', next: '1a', composer: [[null, '1a'], ['3b', '3b'], ['9z', '1a']] }],
    ['a round open on 3a', 'open', QUESTIONS, { current: '3a', next: '3b', composer: [[null, '3a'], ['3b', '3a']] }],
    ['a round on 3a ended', 'ended', QUESTIONS, { current: '3a', next: '3b', composer: [[null, '1a'], ['3b', '3b']] }],
    ['the last question’s round ended: start over', 'ended', QUESTIONS.filter((q) => q.id !== '3b'), { current: '3a', next: '1a', composer: [[null, '1a']] }],
    ['a round on a question that is gone', 'elsewhere', QUESTIONS, { current: '1a', next: '1a', composer: [[null, '1a'], ['3b', '3b']] }],
    ['no questions', 'open', [], { current: null, next: null, composer: [[null, null], ['3a', null]] }],
  ];
  it.each(cases)('%s', (_name, round, questions, expected) => {
    const rules = methodRules(input('participant', round, 'none', 'writing', questions));
    expect(rules.currentQuestionId).toBe(expected.current);
    expect(rules.nextQuestionId).toBe(expected.next);
    for (const [picked, shown] of expected.composer) expect(rules.composerQuestionId(picked), `picked ${picked}`).toBe(shown);
  });
});

describe('methodRules: locks as the facilitator sets them', () => {
  it('the per-flipchart toggle alone, and the lock in effect', () => {
    const rules = methodRules(input('facilitator', 'none', 'mine'));
    expect([rules.wallLocked, rules.actorLocked(A.id), rules.actorLocked(B.id), rules.flipchartLocked(A.id), rules.flipchartLocked(B.id)]).toEqual([false, true, false, true, false]);
    const wall = methodRules(input('facilitator', 'none', 'wall'));
    expect([wall.wallLocked, wall.actorLocked(B.id), wall.flipchartLocked(B.id)]).toEqual([true, false, true]);
  });
});

describe('methodRules: where an unpointed New note goes', () => {
  const layout = layoutWall([A, B], QUESTIONS, []);
  const hints = { pointer: null, centre: null, lastAreaKey: null };
  it.each([
    ['a participant in a round on 3a, wall locked', 'participant', 'open', 'wall', `area ${A.id}/3a`],
    ['a participant outside a round: ask among the writable', 'participant', 'none', 'none', 'ask 1a,3a,3b'],
    ['a participant, wall locked, no round', 'participant', 'none', 'wall', 'none'],
    ['a facilitator', 'facilitator', 'open', 'none', 'none'],
    ['an observer', 'observer', 'open', 'none', 'none'],
  ] as const)('%s', (_name, viewer, round, lock, expected) => {
    const plan = methodRules(input(viewer, round, lock)).planNewNote(layout, hints);
    const shown = plan.kind === 'area' ? `area ${plan.area.key}` : plan.kind === 'ask' ? `ask ${plan.choices.map((c) => c.question.id).join(',')}` : 'none';
    expect(shown).toBe(expected);
  });
});

describe('methodRules: once per snapshot', () => {
  it('the same room gives the same rules object; a new room or another viewer computes again', () => {
    const board = input('participant', 'open', 'none');
    const first = methodRules(board);
    expect(methodRules(board)).toBe(first);
    expect(methodRules({ room: board.room, me: { ...board.me } })).toBe(first);
    expect(methodRules({ ...board, room: { ...board.room } })).not.toBe(first);
    const observer = methodRules({ room: board.room, me: claims('observer') });
    expect(observer).not.toBe(first);
    expect(observer.canAdd).toBe(false);
  });
});

// ——— agreement with the server ———

interface Fixture {
  room: Y.Doc;
  docs: Map<string, Y.Doc>;
}

/** The documents as the server holds them: my drafts (a draft of 3a), my public notes and someone else's. */
function serverDocs(round: RoundCase, lock: LockCase): Fixture {
  const room = new Y.Doc();
  room.transact(() => {
    const session = roomRoots(room).session;
    session.set('round', ROUNDS[round]);
    session.set('locked', LOCKS[lock].locked);
    session.set('lockedActors', LOCKS[lock].lockedActors);
  });
  const docs = new Map<string, Y.Doc>();
  const seed = (ref: DocRef, note: { id: string; questionId: string }) => {
    const doc = new Y.Doc();
    addNote(doc, { questionId: note.questionId, text: 'seeded', x: 10, y: 10, aboutActorId: null }, NOW - 100_000, serverOrigin('test'), note.id);
    docs.set(docName(ref), doc);
  };
  seed({ kind: 'drafts', workshopId: ID.workshop, participantId: ID.me }, NOTES.draft);
  seed({ kind: 'notes', workshopId: ID.workshop, participantId: ID.me }, NOTES.public);
  seed({ kind: 'notes', workshopId: ID.workshop, participantId: ID.other }, NOTES.other);
  return { room, docs };
}

const copy = (doc: Y.Doc) => {
  const scratch = new Y.Doc();
  Y.applyUpdate(scratch, Y.encodeStateAsUpdate(doc));
  return scratch;
};

/**
 * Does the server take this action from `viewer`? The action is carried out on copies of the
 * documents it writes (as the client would), and each resulting update goes through what the
 * relay asks before applying one: the connection's access, the document's write policy (wall
 * lock, votes) and the content check.
 */
function serverTakes(fixture: Fixture, viewer: Claims, action: NoteAction, session: RulesInput['room']['session']): boolean {
  const refs = writesOf(viewer, action, session);
  const originals = refs.map((ref) => fixture.docs.get(docName(ref)) ?? new Y.Doc());
  const scratches = originals.map(copy);
  const [first, second] = scratches as [Y.Doc, Y.Doc | undefined];
  const note = 'note' in action ? (action.note as RulesNote & { id: string }) : null;
  switch (action.kind) {
    case 'add':
      addNote(first, { questionId: action.questionId, text: 'new', x: 20, y: 20, aboutActorId: action.questionId === '1a' ? B.id : null }, NOW, LOCAL_ORIGIN);
      break;
    case 'edit':
      updateNote(first, note!.id, { text: 'changed' }, NOW, LOCAL_ORIGIN);
      break;
    case 'delete':
      deleteNote(first, note!.id, LOCAL_ORIGIN);
      break;
    case 'move':
      updateNote(first, note!.id, { questionId: action.target.questionId, aboutActorId: action.target.questionId === '1a' ? B.id : null, x: 30, y: 30 }, NOW, LOCAL_ORIGIN);
      break;
    case 'post':
      moveNoteBetweenDocs(first, second!, note!.id, NOW, LOCAL_ORIGIN);
      break;
  }
  return refs.every((ref, i) => {
    const original = originals[i]!;
    const update = Y.encodeStateAsUpdate(scratches[i]!, Y.encodeStateVector(original));
    const access = accessTo(viewer, ref);
    if (access !== 'write') return false;
    const connection = new DocSession(docName(ref), viewer, access, { send: () => undefined, close: () => undefined });
    if (ref.kind === 'notes' && notesWritePolicy(fixture.room, original)(connection, update) !== null) return false;
    return inspectUpdate(original, ref.kind, update) === null;
  });
}

function offered(rules: MethodRules, action: NoteAction): boolean {
  switch (action.kind) {
    case 'add':
      return rules.canAddIn(action.questionId);
    case 'edit':
    case 'delete':
      return rules.canEdit(action.note);
    case 'move':
      return rules.canMove(action.note, action.target);
    case 'post':
      return rules.canPost(action.note);
  }
}

describe('methodRules agree with the server', () => {
  const actions: NoteAction[] = [
    ...QUESTIONS.map((q): NoteAction => ({ kind: 'add', questionId: q.id })),
    ...(['draft', 'public', 'other'] as const).flatMap((k): NoteAction[] => [
      { kind: 'edit', note: NOTES[k] },
      { kind: 'delete', note: NOTES[k] },
      { kind: 'move', note: NOTES[k], target: { actorId: A.id, questionId: NOTES[k].questionId } },
      { kind: 'move', note: NOTES[k], target: { actorId: A.id, questionId: '1a' } },
    ]),
    { kind: 'post', note: NOTES.draft },
  ];
  const viewers: Viewer[] = ['participant', 'facilitator', 'observer', 'no-actor', 'actor-gone'];
  // Paused and overtime read as open (the table above shows it): the server sees the same documents.
  const rounds: RoundCase[] = ['none', 'open', 'ended', 'elsewhere'];
  const locks = Object.keys(LOCKS) as LockCase[];
  const describeAction = (action: NoteAction) =>
    action.kind === 'add' ? `add in ${action.questionId}` : `${action.kind} ${action.note.participantId === ID.me ? 'my' : 'another'} ${action.note.draft ? 'draft' : 'note'}${action.kind === 'move' ? ` to ${action.target.questionId}` : ''}`;

  it('whatever a view offers, the server accepts; for a participant on the wall, what it withholds the server refuses (moves aside)', () => {
    let offers = 0;
    let checked = 0;
    const stricter = new Set<string>();
    for (const round of rounds) {
      for (const lock of locks) {
        const fixture = serverDocs(round, lock);
        for (const viewer of viewers) {
          const board = input(viewer, round, lock);
          const rules = methodRules(board);
          for (const action of actions) {
            const offer = offered(rules, action);
            const takes = serverTakes(fixture, board.me, action, board.room.session);
            const where = `${viewer}, round ${round}, lock ${lock}: ${describeAction(action)}`;
            checked++;
            if (offer) {
              offers++;
              expect(takes, `offered but refused by the server — ${where}`).toBe(true);
            } else if (takes) {
              // Stricter than the server on purpose: moves stay on your flipchart and a draft under
              // its question; facilitators do not write notes in the views; a participant needs a flipchart.
              const onPurpose = action.kind === 'move' || viewer === 'facilitator' || viewer === 'no-actor' || viewer === 'actor-gone';
              expect(onPurpose, `withheld but the server takes it — ${where}`).toBe(true);
              stricter.add(`${viewer}/${action.kind}`);
            }
          }
        }
      }
    }
    // The generated set reaches both sides of every rule.
    expect(checked).toBe(rounds.length * locks.length * viewers.length * actions.length);
    expect(offers).toBeGreaterThan(100);
    expect(stricter).toContain('facilitator/add');
    expect(stricter).toContain('participant/move');
  }, 60_000);
});
