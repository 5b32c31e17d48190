import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { assignNote, createTheme, deleteTheme, updateTheme } from '../../shared/ops/analysis';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../shared/ops/notes';
import { addParticipant, initRoom } from '../../shared/ops/room';
import { endRound, paused, requestPost, resumed, startRound, updateRound } from '../../shared/ops/rounds';
import { setPhase, setWallLocked } from '../../shared/ops/session';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { draftsDocName, notesDocName, parseDocName, roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import {
  MARKER_KINDS,
  ReplayEngine,
  ReplayView,
  compareEntries,
  diffBoards,
  diffStates,
  entryFromJson,
  entryToJson,
  filterBoard,
  filterEvents,
  isEmptyDiff,
  readBoard,
  readBoardFromStates,
  type ReplayEntry,
  type ReplayEvent,
} from '../../shared/replay';
import { noteRef, notesRoots, roomRoots } from '../../shared/schema/layout';
import { PHASES, type Phase } from '../../shared/schema/meta';
import { roundSchema } from '../../shared/schema/session';
import { ID, NOW } from './helpers';

/**
 * The replay engine (shared/replay). The property: while a random history is generated with
 * Arvo's real operations — notes and drafts by several participants, posts, a facilitator's
 * moderation, rounds, phases, locks, themes — the live state of every document is recorded at
 * random moments; the engine rebuilt from the captured log must reproduce exactly those states
 * (by time, by index, with fresh documents and with one cursor seeking back and forth), record
 * exactly the expected timeline events, and `diffStates` must report exactly what changed
 * between any two recorded moments. Seeded: SEED=… NUM_RUNS=… reproduce a run.
 */

// ——— a workshop whose every document update is captured as a log entry ———

const QUESTIONS = ['1a', '1b', '3a', '4a'];
const F = 'Facilitator00001';
const PEOPLE = ['Participant00001', 'Participant00002', 'Participant00003'];

interface Recorded {
  ts: number;
  /** Per document with at least one update: canonical JSON of its roots and its Yjs snapshot. */
  docs: Map<string, { json: string; snapshot: Y.Snapshot }>;
  /** Plain data for the expected diff: wall notes by ref, themes by id, memberships. */
  notes: Map<string, Record<string, unknown>>;
  themes: Map<string, Record<string, unknown>>;
  themeOf: Map<string, string>;
}

function canonical(value: unknown): string {
  if (value instanceof Uint8Array) return JSON.stringify([...value]);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

function rootsJson(name: string, doc: Y.Doc): string {
  const ref = parseDocName(name)!;
  const roots = ref.kind === 'room' ? roomRoots(doc) : notesRoots(doc);
  return canonical(Object.fromEntries(Object.entries(roots).map(([k, v]) => [k, v.toJSON()])));
}

const eventKey = (e: Pick<ReplayEvent, 'kind' | 'doc' | 'by'> & Partial<ReplayEvent>) =>
  [e.kind, e.doc, e.by ?? '-', e.author ?? '-', e.noteId ?? e.noteRef ?? e.themeId ?? e.participantId ?? '-', e.questionId ?? '-'].join('|');

class World {
  clock = NOW;
  by: string | null = null;
  readonly entries: ReplayEntry[] = [];
  readonly expected: string[] = [];
  readonly moments: Recorded[] = [];
  private readonly docs = new Map<string, Y.Doc>();
  private readonly seqs = new Map<string, number>();
  readonly room: Y.Doc;
  readonly workshopId = ID.workshop;
  actors: string[] = [];

  constructor() {
    this.room = this.open(roomDocName(this.workshopId));
  }

  open(name: string): Y.Doc {
    let doc = this.docs.get(name);
    if (!doc) {
      doc = new Y.Doc();
      doc.on('update', (update: Uint8Array) => {
        const seq = (this.seqs.get(name) ?? 0) + 1;
        this.seqs.set(name, seq);
        this.entries.push({ doc: name, seq, ts: this.clock, participantId: this.by, update });
      });
      this.docs.set(name, doc);
    }
    return doc;
  }

  expect(event: Pick<ReplayEvent, 'kind' | 'doc'> & Partial<ReplayEvent>): void {
    this.expected.push(eventKey({ by: this.by, ...event }));
  }

  notesName = (p: string) => notesDocName(this.workshopId, p);
  draftsName = (p: string) => draftsDocName(this.workshopId, p);

  /** Records every document's live state; afterwards the clock moves on, so the moment is a time. */
  record(gap: number): void {
    const docs = new Map<string, { json: string; snapshot: Y.Snapshot }>();
    for (const [name, doc] of this.docs) if ((this.seqs.get(name) ?? 0) > 0) docs.set(name, { json: rootsJson(name, doc), snapshot: Y.snapshot(doc) });
    const notes = new Map<string, Record<string, unknown>>();
    for (const p of PEOPLE) {
      const doc = this.docs.get(this.notesName(p));
      if (!doc) continue;
      for (const [id, value] of notesRoots(doc).notes.entries()) notes.set(noteRef(p, id), value.toJSON() as Record<string, unknown>);
    }
    const themes = new Map(Object.entries(roomRoots(this.room).themes.toJSON() as Record<string, Record<string, unknown>>));
    const themeOf = new Map(Object.entries(roomRoots(this.room).themeNotes.toJSON() as Record<string, string>).filter(([, t]) => themes.has(t)));
    this.moments.push({ ts: this.clock, docs, notes, themes, themeOf });
    this.clock += gap;
  }
}

// ——— random histories ———

type Op =
  | { kind: 'add'; who: number; draft: boolean; q: number; text: string; x: number; y: number }
  | { kind: 'patch'; who: number; draft: boolean; pick: number; text: string | null; x: number | null; q: number | null; moderator: boolean }
  | { kind: 'delete'; who: number; draft: boolean; pick: number }
  | { kind: 'post'; who: number }
  | { kind: 'round'; action: 'start' | 'pause' | 'resume' | 'end'; q: number }
  | { kind: 'phase'; phase: number }
  | { kind: 'requestPost'; q: number }
  | { kind: 'lock'; locked: boolean }
  | { kind: 'theme'; action: 'create' | 'rename' | 'delete'; pick: number; name: string }
  | { kind: 'assign'; pickNote: number; pickTheme: number | null }
  | { kind: 'tick'; ms: number }
  | { kind: 'record'; gap: number };

const who = fc.nat(PEOPLE.length - 1);
const q = fc.nat(QUESTIONS.length - 1);
const text = fc.string({ maxLength: 20 });
const coord = fc.integer({ min: -500, max: 500 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), who, draft: fc.boolean(), q, text, x: coord, y: coord }) },
  {
    weight: 5,
    arbitrary: fc.record({ kind: fc.constant('patch' as const), who, draft: fc.boolean(), pick: fc.nat(), text: fc.option(text), x: fc.option(coord), q: fc.option(q, { freq: 4 }), moderator: fc.boolean() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), who, draft: fc.boolean(), pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('post' as const), who }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('round' as const), action: fc.constantFrom('start' as const, 'pause' as const, 'resume' as const, 'end' as const), q }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('phase' as const), phase: fc.nat(PHASES.length - 1) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('requestPost' as const), q }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('lock' as const), locked: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('theme' as const), action: fc.constantFrom('create' as const, 'rename' as const, 'delete' as const), pick: fc.nat(), name: fc.constantFrom('Resources', 'Attitudes', 'Networks') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('assign' as const), pickNote: fc.nat(), pickTheme: fc.option(fc.nat()) }) },
  // 0 ms ticks leave several documents' updates at the same time: the log orders them by name.
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('tick' as const), ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('record' as const), gap: fc.integer({ min: 1, max: 3000 }) }) },
);

const roundOf = (room: Y.Doc) => {
  const parsed = roundSchema.safeParse(roomRoots(room).session.get('round'));
  return parsed.success ? parsed.data : null;
};

/** Sets up the workshop (logged like everything else) with the events it must produce. */
function setUp(world: World): void {
  const room = world.room;
  world.by = F;
  const { actors } = initRoom(room, { title: 'Replay', template: 'value-network', language: 'en', actors: [{ name: 'Kunta' }, { name: 'Yhdistys' }] }, world.clock, LOCAL_ORIGIN);
  world.actors = actors.map((a) => a.id);
  world.expect({ kind: 'phase', doc: roomDocName(world.workshopId) });
  addParticipant(room, { id: F, name: 'Fasi', actorId: null, role: 'facilitator', joinedAt: world.clock }, LOCAL_ORIGIN);
  world.expect({ kind: 'participant-joined', doc: roomDocName(world.workshopId), participantId: F });
  world.by = null;
  PEOPLE.forEach((p, i) => {
    world.clock += 10;
    addParticipant(room, { id: p, name: `P${i}`, actorId: world.actors[i % 2]!, role: 'participant', joinedAt: world.clock }, serverOrigin('join'));
    world.expect({ kind: 'participant-joined', doc: roomDocName(world.workshopId), participantId: p });
  });
  world.clock += 10;
}

function apply(world: World, op: Op): void {
  const room = world.room;
  const roomName = roomDocName(world.workshopId);
  switch (op.kind) {
    case 'add': {
      const p = PEOPLE[op.who]!;
      const name = op.draft ? world.draftsName(p) : world.notesName(p);
      world.by = p;
      const note = addNote(world.open(name), { questionId: QUESTIONS[op.q]!, text: op.text, x: op.x, y: op.y }, world.clock, LOCAL_ORIGIN);
      world.expect({ kind: 'note-added', doc: name, author: p, noteId: note.id, questionId: note.questionId });
      return;
    }
    case 'patch':
    case 'delete': {
      const p = PEOPLE[op.who]!;
      const draft = op.draft;
      const name = draft ? world.draftsName(p) : world.notesName(p);
      const doc = world.open(name);
      const ids = [...notesRoots(doc).notes.keys()].sort();
      if (ids.length === 0) return;
      const id = ids[op.pick % ids.length]!;
      const before = notesRoots(doc).notes.get(id)!.toJSON() as { text: string; x: number; y: number; questionId: string };
      world.by = op.kind === 'patch' && op.moderator && !draft ? F : p;
      if (op.kind === 'delete') {
        deleteNote(doc, id, LOCAL_ORIGIN);
        world.expect({ kind: 'note-deleted', doc: name, author: p, noteId: id, questionId: before.questionId });
        return;
      }
      const patch = { ...(op.text !== null ? { text: op.text } : {}), ...(op.x !== null ? { x: op.x } : {}), ...(op.q !== null ? { questionId: QUESTIONS[op.q]! } : {}) };
      updateNote(doc, id, patch, world.clock, LOCAL_ORIGIN);
      const after = notesRoots(doc).notes.get(id)!.toJSON() as typeof before;
      if (after.text !== before.text) world.expect({ kind: 'note-edited', doc: name, author: p, noteId: id, questionId: after.questionId });
      if (after.x !== before.x || after.y !== before.y || after.questionId !== before.questionId) {
        world.expect({ kind: 'note-moved', doc: name, author: p, noteId: id, questionId: after.questionId });
      }
      return;
    }
    case 'post': {
      // The round engine's move: one transaction per document, logged as the server (null).
      const p = PEOPLE[op.who]!;
      const drafts = world.open(world.draftsName(p));
      const notes = world.open(world.notesName(p));
      const ids = [...notesRoots(drafts).notes.keys()];
      if (ids.length === 0) return;
      world.by = null;
      const origin = serverOrigin('round-engine');
      notes.transact(() => drafts.transact(() => ids.forEach((id) => moveNoteBetweenDocs(drafts, notes, id, world.clock, origin)), origin), origin);
      for (const id of ids) {
        const questionId = String(notesRoots(notes).notes.get(id)!.get('questionId'));
        world.expect({ kind: 'note-added', doc: world.notesName(p), author: p, noteId: id, questionId });
        world.expect({ kind: 'note-deleted', doc: world.draftsName(p), author: p, noteId: id, questionId });
      }
      return;
    }
    case 'round': {
      world.by = F;
      const round = roundOf(room);
      if (op.action === 'start') {
        const phase = roomRoots(room).meta.get('phase');
        startRound(room, QUESTIONS[op.q]!, 600_000, world.clock, LOCAL_ORIGIN);
        const sameAsBefore = round !== null && round.startedAt === world.clock && round.questionId === QUESTIONS[op.q];
        if (!sameAsBefore) world.expect({ kind: 'round-start', doc: roomName, questionId: QUESTIONS[op.q]! });
        if (phase === 'setup') world.expect({ kind: 'phase', doc: roomName });
      } else if (round && op.action === 'pause') {
        updateRound(room, (r) => paused(r, world.clock), LOCAL_ORIGIN);
        if (round.pausedAt === null && round.endedAt === null) world.expect({ kind: 'round-pause', doc: roomName, questionId: round.questionId });
      } else if (round && op.action === 'resume') {
        updateRound(room, (r) => resumed(r, world.clock), LOCAL_ORIGIN);
        if (round.pausedAt !== null && round.endedAt === null) world.expect({ kind: 'round-resume', doc: roomName, questionId: round.questionId });
      } else if (round && op.action === 'end') {
        endRound(room, world.clock, LOCAL_ORIGIN);
        if (round.endedAt === null) world.expect({ kind: 'round-end', doc: roomName, questionId: round.questionId });
        world.expect({ kind: 'post', doc: roomName, questionId: round.questionId });
      }
      return;
    }
    case 'phase': {
      world.by = F;
      const phase = PHASES[op.phase]! as Phase;
      if (roomRoots(room).meta.get('phase') !== phase) world.expect({ kind: 'phase', doc: roomName });
      setPhase(room, phase, LOCAL_ORIGIN);
      return;
    }
    case 'requestPost':
      world.by = F;
      requestPost(room, QUESTIONS[op.q]!, world.clock, LOCAL_ORIGIN);
      world.expect({ kind: 'post', doc: roomName, questionId: QUESTIONS[op.q]! });
      return;
    case 'lock':
      world.by = F;
      if ((roomRoots(room).session.get('locked') === true) !== op.locked) world.expect({ kind: 'wall-lock', doc: roomName });
      setWallLocked(room, op.locked, LOCAL_ORIGIN);
      return;
    case 'theme': {
      world.by = F;
      const themes = [...roomRoots(room).themes.keys()].sort();
      if (op.action === 'create') {
        const theme = createTheme(room, { name: op.name, kind: op.pick % 2 ? 'challenge' : 'strength' }, LOCAL_ORIGIN);
        world.expect({ kind: 'theme-added', doc: roomName, themeId: theme.id });
      } else if (themes.length > 0) {
        const themeId = themes[op.pick % themes.length]!;
        if (op.action === 'rename') {
          updateTheme(room, themeId, { name: op.name }, LOCAL_ORIGIN);
          world.expect({ kind: 'theme-changed', doc: roomName, themeId });
        } else {
          const members = [...roomRoots(room).themeNotes.entries()].filter(([, t]) => t === themeId).map(([ref]) => ref);
          deleteTheme(room, themeId, LOCAL_ORIGIN);
          world.expect({ kind: 'theme-removed', doc: roomName, themeId });
          for (const ref of members) world.expect({ kind: 'note-themed', doc: roomName, noteRef: ref });
        }
      }
      return;
    }
    case 'assign': {
      world.by = F;
      const refs = PEOPLE.flatMap((p) => [...notesRoots(world.open(world.notesName(p))).notes.keys()].map((id) => noteRef(p, id))).sort();
      const themes = [...roomRoots(room).themes.keys()].sort();
      if (refs.length === 0) return;
      const ref = refs[op.pickNote % refs.length]!;
      const themeId = op.pickTheme === null || themes.length === 0 ? null : themes[op.pickTheme % themes.length]!;
      if (themeId === null && !roomRoots(room).themeNotes.has(ref)) return;
      assignNote(room, ref, themeId, LOCAL_ORIGIN);
      world.expect({ kind: 'note-themed', doc: roomName, noteRef: ref });
      return;
    }
    case 'tick':
      world.clock += op.ms;
      return;
    case 'record':
      world.record(op.gap);
      return;
  }
}

// ——— checks ———

function expectSameDocs(actual: ReadonlyMap<string, Y.Doc>, recorded: Recorded, what: string): void {
  expect([...actual.keys()].sort(), `${what}: documents`).toEqual([...recorded.docs.keys()].sort());
  for (const [name, live] of recorded.docs) {
    const doc = actual.get(name)!;
    expect(rootsJson(name, doc), `${what}: ${name} content`).toBe(live.json);
    expect(Y.equalSnapshots(Y.snapshot(doc), live.snapshot), `${what}: ${name} state vector and deletions`).toBe(true);
  }
}

function statesToDocs(states: ReadonlyMap<string, Uint8Array>): Map<string, Y.Doc> {
  const docs = new Map<string, Y.Doc>();
  for (const [name, state] of states) {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, state);
    docs.set(name, doc);
  }
  return docs;
}

function expectedDiff(a: Recorded, b: Recorded) {
  const refs = (m: Map<string, unknown>) => [...m.keys()].sort();
  const placeChanged = (x: Record<string, unknown>, y: Record<string, unknown>) =>
    x.x !== y.x || x.y !== y.y || x.questionId !== y.questionId || (x.aboutActorId ?? null) !== (y.aboutActorId ?? null);
  const both = refs(b.notes).filter((r) => a.notes.has(r));
  const themeIds = [...new Set([...a.themes.keys(), ...b.themes.keys()])];
  return {
    added: refs(b.notes).filter((r) => !a.notes.has(r)),
    removed: refs(a.notes).filter((r) => !b.notes.has(r)),
    edited: both.filter((r) => a.notes.get(r)!.text !== b.notes.get(r)!.text),
    moved: both.filter((r) => placeChanged(a.notes.get(r)!, b.notes.get(r)!)),
    themesAdded: themeIds.filter((t) => !a.themes.has(t) && b.themes.has(t)).sort(),
    themesRemoved: themeIds.filter((t) => a.themes.has(t) && !b.themes.has(t)).sort(),
    themesChanged: themeIds.filter((t) => a.themes.has(t) && b.themes.has(t) && canonical(a.themes.get(t)) !== canonical(b.themes.get(t))).sort(),
    membership: [...new Set([...a.themeOf.keys(), ...b.themeOf.keys()])].filter((r) => a.themeOf.get(r) !== b.themeOf.get(r)).sort(),
  };
}

function actualDiff(engine: ReplayEngine, a: Recorded, b: Recorded) {
  const d = diffStates(engine.stateAt({ ts: a.ts }), engine.stateAt({ ts: b.ts }));
  const refs = (list: Array<{ ref: string }>) => list.map((n) => n.ref).sort();
  return {
    added: refs(d.added),
    removed: refs(d.removed),
    edited: refs(d.edited),
    moved: refs(d.moved),
    themesAdded: d.themes.added.map((t) => t.id).sort(),
    themesRemoved: d.themes.removed.map((t) => t.id).sort(),
    themesChanged: d.themes.changed.map((c) => c.after.id).sort(),
    membership: d.themes.membership.map((m) => m.ref).sort(),
  };
}

function checkHistory(ops: Op[], checkpointEvery: number, pick: (n: number) => number): void {
  const world = new World();
  setUp(world);
  for (const op of ops) apply(world, op);
  world.record(1);
  // The log as the server returns it: (ts, doc, seq) order.
  const log = [...world.entries].sort(compareEntries);
  const engine = ReplayEngine.from(log, { checkpointEvery });
  expect(engine.length).toBe(log.length);

  // Every recorded moment: by time, by index, as fresh documents, through encoded states.
  for (const [i, moment] of world.moments.entries()) {
    const index = engine.indexAt(moment.ts);
    expect(index).toBe(log.filter((e) => e.ts <= moment.ts).length - 1);
    const fresh = engine.docsAt({ ts: moment.ts });
    expectSameDocs(fresh, moment, `moment ${i} (docsAt)`);
    expectSameDocs(statesToDocs(engine.stateAt({ index })), moment, `moment ${i} (stateAt)`);
    for (const name of moment.docs.keys()) {
      const one = new Y.Doc();
      Y.applyUpdate(one, engine.docStateAt(name, { ts: moment.ts })!);
      expect(rootsJson(name, one)).toBe(moment.docs.get(name)!.json);
    }
  }

  // One cursor and one board view seeking back and forth (replaced documents, forward
  // application, no-ops alike): the cursor's documents are the live ones; the view's board (room
  // via Yjs, notes via the plain model) equals a fresh read of fresh documents.
  const cursor = engine.cursor();
  const view = new ReplayView(engine);
  const order = world.moments.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  for (const i of [...order, ...order.slice().reverse()]) {
    const moment = world.moments[i]!;
    cursor.seek({ ts: moment.ts });
    expectSameDocs(cursor.docs, moment, `moment ${i} (cursor)`);
    const { board } = view.seek({ ts: moment.ts });
    expect(board, `moment ${i} (view)`).toEqual(readBoard(engine.docsAt({ ts: moment.ts })));
    expect(board.notes.map((n) => n.ref).sort()).toEqual([...moment.notes.keys()].sort());
  }
  cursor.destroy();
  view.destroy();

  // Timeline: exactly the expected events, each made by an entry of its document with its author and time.
  expect(engine.events.map((e) => eventKey(e)).sort()).toEqual([...world.expected].sort());
  for (const event of engine.events) {
    const entry = engine.entry(event.index)!;
    expect(entry.doc).toBe(event.doc);
    expect(entry.ts).toBe(event.ts);
    expect(entry.participantId).toBe(event.by);
  }
  for (let i = 1; i < engine.events.length; i++) expect(engine.events[i]!.index).toBeGreaterThanOrEqual(engine.events[i - 1]!.index);

  // Compare: consecutive moments and the first against the last.
  const pairs: Array<[number, number]> = world.moments.slice(1).map((_, i) => [i, i + 1]);
  pairs.push([0, world.moments.length - 1]);
  for (const [a, b] of pairs) expect(actualDiff(engine, world.moments[a]!, world.moments[b]!), `diff ${a}→${b}`).toEqual(expectedDiff(world.moments[a]!, world.moments[b]!));
  engine.destroy();
}

describe('replay engine: reconstruction equals the live state (property)', () => {
  it('random seeded histories: states at recorded moments, timeline events, diffs', () => {
    const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
    console.log('replay property seed', seed);
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 90 }), fc.constantFrom(1, 2, 3, 5, 8, 64), fc.infiniteStream(fc.nat()), (ops, every, stream) => {
        const it = stream[Symbol.iterator]();
        checkHistory(ops, every, (n) => it.next().value! % n);
      }),
      { seed, numRuns: Number(process.env.NUM_RUNS ?? 100), endOnFailure: !process.env.SHRINK },
    );
  });
});

// ——— examples ———

/** A short scripted workshop: two people, one round, a post, an edit on the wall, a theme. */
function scripted() {
  const world = new World();
  setUp(world);
  const [anna, ben] = PEOPLE as [string, string];
  const room = world.room;
  world.record(1000);
  world.by = F;
  startRound(room, '4a', 600_000, world.clock, LOCAL_ORIGIN);
  world.clock += 1000;
  world.by = anna;
  const a1 = addNote(world.open(world.draftsName(anna)), { questionId: '4a', text: 'Too little time', x: 0, y: 0 }, world.clock, LOCAL_ORIGIN);
  world.clock += 1000;
  world.by = ben;
  const b1 = addNote(world.open(world.draftsName(ben)), { questionId: '4a', text: 'Silos', x: 10, y: 10 }, world.clock, LOCAL_ORIGIN);
  world.clock += 1000;
  world.record(1000);
  world.by = F;
  endRound(room, world.clock, LOCAL_ORIGIN);
  world.by = null;
  for (const p of [anna, ben]) {
    const drafts = world.open(world.draftsName(p));
    const notes = world.open(world.notesName(p));
    for (const id of [...notesRoots(drafts).notes.keys()]) moveNoteBetweenDocs(drafts, notes, id, world.clock, serverOrigin('round-engine'));
  }
  world.clock += 1000;
  world.record(1000);
  world.by = anna;
  updateNote(world.open(world.notesName(anna)), a1.id, { text: 'Too little time for meetings' }, world.clock, LOCAL_ORIGIN);
  world.clock += 1000;
  world.by = F;
  updateNote(world.open(world.notesName(ben)), b1.id, { x: 300, questionId: '4b' }, world.clock, LOCAL_ORIGIN);
  world.clock += 1000;
  setPhase(room, 'analysis', LOCAL_ORIGIN);
  const theme = createTheme(room, { name: 'Time', kind: 'challenge' }, LOCAL_ORIGIN);
  assignNote(room, noteRef(anna, a1.id), theme.id, LOCAL_ORIGIN);
  world.record(1000);
  const log = [...world.entries].sort(compareEntries);
  return { world, log, anna, ben, a1, b1, theme, engine: ReplayEngine.from(log, { checkpointEvery: 2 }) };
}

describe('replay engine: timeline, history, filters, compare', () => {
  it('markers: round start and end with the question, the post, phase changes, with author and time', () => {
    const { engine, log } = scripted();
    const markers = engine.events.filter((e) => MARKER_KINDS.includes(e.kind));
    expect(markers.map((e) => [e.kind, e.questionId ?? e.phase?.to, e.by])).toEqual([
      ['phase', 'setup', F],
      ['round-start', '4a', F],
      ['phase', 'writing', F],
      ['round-end', '4a', F],
      ['post', '4a', F],
      ['phase', 'analysis', F],
    ]);
    const start = markers[1]!;
    expect(start.ts).toBe(log[start.index]!.ts);
    expect(markers[2]!.phase).toEqual({ from: 'setup', to: 'writing' });
    expect(engine.events.filter((e) => e.kind === 'participant-joined').map((e) => e.participantId)).toEqual([F, ...PEOPLE]);
  });

  it('note events carry the author (document owner) and who sent the change; a post is the server moving drafts', () => {
    const { engine, anna, ben, a1, b1 } = scripted();
    const about = (id: string) => engine.events.filter((e) => e.noteId === id).map((e) => [e.kind, e.docKind, e.author, e.by]);
    // The post changes both documents in the same millisecond: the log orders them by name ('…/drafts/…' < '…/p/…').
    expect(about(a1.id)).toEqual([
      ['note-added', 'drafts', anna, anna],
      ['note-deleted', 'drafts', anna, null],
      ['note-added', 'notes', anna, null],
      ['note-edited', 'notes', anna, anna],
    ]);
    expect(about(b1.id)).toEqual([
      ['note-added', 'drafts', ben, ben],
      ['note-deleted', 'drafts', ben, null],
      ['note-added', 'notes', ben, null],
      ['note-moved', 'notes', ben, F],
    ]);
    const moved = engine.events.find((e) => e.kind === 'note-moved')!;
    expect(moved.from).toEqual({ x: 10, y: 10, questionId: '4a', aboutActorId: null });
    expect(moved.to).toEqual({ x: 300, y: 10, questionId: '4b', aboutActorId: null });
    expect(engine.events.find((e) => e.kind === 'note-themed')).toMatchObject({ noteRef: noteRef(anna, a1.id) });
  });

  it('per-note edit history: every version with text and time, cut at a moment', () => {
    const { engine, world, anna, a1 } = scripted();
    const history = engine.noteHistory(noteRef(anna, a1.id));
    expect(history.map((v) => [v.change, v.docKind, v.text])).toEqual([
      ['added', 'drafts', 'Too little time'],
      ['deleted', 'drafts', 'Too little time'],
      ['added', 'notes', 'Too little time'],
      ['edited', 'notes', 'Too little time for meetings'],
    ]);
    expect(history.every((v, i) => i === 0 || v.ts >= history[i - 1]!.ts)).toBe(true);
    const atPost = engine.indexAt(world.moments[2]!.ts);
    expect(engine.noteHistory(noteRef(anna, a1.id), atPost).map((v) => v.change)).toEqual(['added', 'deleted', 'added']);
  });

  it('filters: one actor, one participant, one question, on boards and on events', () => {
    const { engine, world, anna, ben, a1 } = scripted();
    const board = readBoard(engine.docsAt({ ts: world.moments.at(-1)!.ts }));
    const annaActor = readRoom(world.room).participants.find((p) => p.id === anna)!.actorId;
    expect(board.notes.map((n) => n.participantId).sort()).toEqual([anna, ben].sort());
    expect(filterBoard(board, { actorId: annaActor }).notes.map((n) => n.id)).toEqual([a1.id]);
    expect(filterBoard(board, { participantId: ben }).notes.map((n) => n.participantId)).toEqual([ben]);
    expect(filterBoard(board, { questionId: '4b' }).notes.map((n) => n.participantId)).toEqual([ben]);
    expect(filterBoard(board, { questionId: '4b', actorId: annaActor }).notes).toEqual([]);
    const annas = filterEvents(engine.events, { actorId: annaActor }, (p) => engine.actorOf(p));
    expect(annas.length).toBeGreaterThan(0);
    expect(annas.every((e) => engine.actorOf(e.author ?? e.participantId ?? e.by) === annaActor)).toBe(true);
    expect(annas.some((e) => e.author === anna && e.kind === 'note-edited')).toBe(true);
    expect(annas.some((e) => e.author === ben)).toBe(false);
    expect(filterEvents(engine.events, { questionId: '4a' }, (p) => engine.actorOf(p)).every((e) => e.questionId === '4a')).toBe(true);
    expect(engine.actorOf(ben)).toBe(readRoom(world.room).participants.find((p) => p.id === ben)!.actorId);
  });

  it('between two notes: scrubbing to a moment shows exactly the first', () => {
    const { engine, world, anna } = scripted();
    // The first draft exists from its entry on; a moment between the two drafts shows only it.
    const first = engine.events.find((e) => e.kind === 'note-added' && e.author === anna)!;
    const second = engine.events.find((e) => e.kind === 'note-added' && e.author !== anna && e.docKind === 'drafts')!;
    const between = Math.floor((first.ts + second.ts) / 2);
    const board = new ReplayView(engine).seek({ ts: between }).board;
    expect(board.drafts.map((n) => n.participantId)).toEqual([anna]);
    expect(world.moments.length).toBeGreaterThan(2);
  });

  it('compare: added, moved (position or question), edited, and themes', () => {
    const { engine, world, anna, ben, a1, b1, theme } = scripted();
    const atPost = world.moments[2]!.ts;
    const end = world.moments.at(-1)!.ts;
    const d = diffStates(engine.stateAt({ ts: atPost }), engine.stateAt({ ts: end }));
    expect(d.added).toEqual([]);
    expect(d.edited.map((c) => [c.ref, c.before.text, c.after.text])).toEqual([[noteRef(anna, a1.id), 'Too little time', 'Too little time for meetings']]);
    expect(d.moved.map((c) => [c.ref, c.before.questionId, c.after.questionId])).toEqual([[noteRef(ben, b1.id), '4a', '4b']]);
    expect(d.themes.added.map((t) => t.id)).toEqual([theme.id]);
    expect(d.themes.membership).toEqual([{ ref: noteRef(anna, a1.id), before: null, after: theme.id }]);
    const start = diffStates(engine.stateAt({ index: -1 }), engine.stateAt({ ts: atPost }));
    expect(start.added.map((n) => n.ref).sort()).toEqual([noteRef(anna, a1.id), noteRef(ben, b1.id)].sort());
    expect(isEmptyDiff(diffBoards(readBoardFromStates(engine.stateAt({ ts: end })), readBoardFromStates(engine.stateAt({ ts: end }))))).toBe(true);
  });

  it('playback frame by frame equals a fresh read at every frame, and reports the events in between', () => {
    const { engine } = scripted();
    const view = new ReplayView(engine);
    const seen: ReplayEvent[] = [];
    for (let t = engine.startTs! - 1; t <= engine.endTs! + 500; t += 250) {
      const { board, events } = view.seek({ ts: t });
      seen.push(...events);
      expect(board).toEqual(readBoard(engine.docsAt({ ts: t })));
    }
    expect(seen).toEqual(engine.events);
  });

  it('append: pages in order are accepted, an entry out of log order is refused; JSON round-trips', () => {
    const { log } = scripted();
    const engine = new ReplayEngine();
    engine.append(log.slice(0, 5).map(entryToJson).map(entryFromJson));
    engine.append(log.slice(5));
    expect(engine.length).toBe(log.length);
    expect(() => engine.append([log[0]!])).toThrow(RangeError);
    expect(() => new ReplayEngine({ checkpointEvery: 0 })).toThrow(RangeError);
    expect(engine.stateAt({ index: -1 }).size).toBe(0);
    expect(engine.indexAt(log[0]!.ts - 1)).toBe(-1);
    expect(engine.indexAt(Number.MAX_SAFE_INTEGER)).toBe(log.length - 1);
    expect(engine.stats()).toMatchObject({ entries: log.length, documents: new Set(log.map((e) => e.doc)).size });
  });
});
