import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { layoutWall } from '../../client/src/model/layout';
import { readingOrder } from '../../client/src/model/reading';
import type { AuthoredNote } from '../../client/src/sync/types';
import { postedRequestIds, readSession as engineSession } from '../../server/rounds/engine';
import { deriveCurrentFlows } from '../../shared/derive/flows';
import { buildMatrix } from '../../shared/derive/matrix';
import { memoInputFromDocs, renderMemoHtml, renderMemoMarkdown, renderNotesCsv, renderWorkshopJson } from '../../shared/memo';
import { migrate, schemaVersionOf } from '../../shared/migrations';
import { createTheme, setMapPosition } from '../../shared/ops/analysis';
import { addNote, moveNoteBetweenDocs } from '../../shared/ops/notes';
import { addParticipant, initRoom } from '../../shared/ops/room';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readAnalysis } from '../../shared/read/analysis';
import { MAX_RECORDS } from '../../shared/read/records';
import { readNotes, readRoom, readSession } from '../../shared/read/snapshot';
import { ReplayEngine, ReplayView, diffStates, readBoard, readBoardFromStates, type ReplayEntry } from '../../shared/replay';
import { fromYMap, holdsNestedType, notesRoots, roomRoots } from '../../shared/schema/layout';
import { ID, NOW, expectArvoError } from './helpers';

/**
 * Second line of defence (issue 8): whatever a document holds — written by a hostile client
 * before validation existed, or put straight into the store — no reader throws, stalls or
 * recurses into it. The documents here are built with Yjs directly, bypassing every check, with
 * each hostile shape: a nesting of 100 000 Y maps, Y types in scalar fields, wrong scalar types,
 * keys that are not ids, records under another id, garbage `meta`, huge arrays and maps. Every
 * reader must skip the bad records, report them, and keep the good ones.
 */
const DEPTH = 100_000;
const W = ID.workshop;
const ME = ID.me; // honest participant, actor A
const EVIL = ID.other; // hostile participant, actor B
const GOOD_1 = 'GoodNote00000001';
const GOOD_2 = 'GoodNote00000002';
const GOOD_NESTING = 'GoodNote00000003'; // valid fields, and a 100k-deep nesting beside them
const MY_NOTE = 'MyNote0000000001';

/**
 * Hangs a chain of `depth` nested Y maps under `parent[key]`, cheaply: each map is integrated
 * before the next, all in one transaction (one transaction per level would make Yjs walk the
 * whole chain of parents each time).
 */
function nest(parent: Y.Map<unknown>, key: string, depth = DEPTH): void {
  parent.doc!.transact(() => {
    let map = new Y.Map<unknown>();
    parent.set(key, map);
    for (let i = 0; i < depth; i++) {
      const child = new Y.Map<unknown>();
      map.set('x', child);
      map = child;
    }
  });
}

function record(fields: Record<string, unknown>): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  for (const [key, value] of Object.entries(fields)) map.set(key, value);
  return map;
}

const validNote = (id: string, text: string, createdAt: number) => ({ id, questionId: '1b', text, x: 10, y: 20, createdAt });

/** The log, as the server would store it: every update of every document, in order. */
const entries: ReplayEntry[] = [];
let ts = NOW;
function logged(name: string, by: string | null): Y.Doc {
  const doc = new Y.Doc();
  let seq = 0;
  doc.on('update', (update: Uint8Array) => entries.push({ doc: name, seq: ++seq, ts: ts++, participantId: by, update }));
  return doc;
}

let room: Y.Doc;
let mine: Y.Doc;
let evil: Y.Doc;
let evilDrafts: Y.Doc;
let actorA: string;
let actorB: string;

beforeAll(() => {
  room = logged(roomDocName(W), null);
  const { actors } = initRoom(room, { title: 'Hostile', template: 'value-network', language: 'en', actors: [{ name: 'A' }, { name: 'B' }] }, NOW, serverOrigin('create'));
  actorA = actors[0]!.id;
  actorB = actors[1]!.id;
  addParticipant(room, { id: ME, name: 'Honest', actorId: actorA, role: 'participant', joinedAt: NOW }, serverOrigin('join'));
  addParticipant(room, { id: EVIL, name: 'Mallory', actorId: actorB, role: 'participant', joinedAt: NOW + 1 }, serverOrigin('join'));
  const theme = createTheme(room, { name: 'Good theme', kind: 'challenge' }, LOCAL_ORIGIN);
  setMapPosition(room, actorA, { x: 5, y: 6 }, LOCAL_ORIGIN);
  // Hostile content in the room document (only facilitators write it, but a stored file may hold anything).
  room.transact(() => {
    const roots = roomRoots(room);
    nest(roots.session, 'round');
    roots.session.set('lockedActors', Array.from({ length: 20_000 }, (_, i) => `x${i}`));
    nest(roots.session, 'postedRequests', 1000);
    roots.participants.set('NotTheRightKey01', record({ id: 'SomeoneElse00001', name: 'Ghost', actorId: null, role: 'participant', joinedAt: NOW }));
    roots.participants.set('Deep000000000001', new Y.Map());
    nest(roots.participants.get('Deep000000000001') as Y.Map<unknown>, 'name');
    roots.themes.set('BadTheme00000001', record({ id: 'BadTheme00000001', name: new Y.Text('y-text name'), kind: 'challenge', order: 1 }));
    nest(roots.mapLayout as unknown as Y.Map<unknown>, actorB);
    (roots.mapLayout as unknown as Y.Map<unknown>).set('not a node', { x: 1, y: 2 });
    (roots.readMarks as unknown as Y.Map<unknown>).set(`${ME}/${MY_NOTE}`, Number.NaN);
    (roots.themeNotes as unknown as Y.Map<unknown>).set('garbage-key', theme.id);
    (roots.themeNotes as unknown as Y.Map<unknown>).set(`${ME}/${MY_NOTE}`, theme.id);
    roots.flows.set('Flow000000000001', record({ id: 'Flow000000000001', from: actorA, to: actorB, layer: 'current', noteRefs: [`${ME}/${MY_NOTE}`, `${ME}/${MY_NOTE}`] }));
  });

  mine = logged(notesDocName(W, ME), ME);
  addNote(mine, { questionId: '1b', text: 'an honest note', x: 0, y: 0 }, NOW + 10, LOCAL_ORIGIN, MY_NOTE);

  evil = logged(notesDocName(W, EVIL), EVIL);
  evil.transact(() => {
    const { meta, notes } = notesRoots(evil);
    meta.set('schemaVersion', 'two');
    nest(meta, 'title');
    notes.set(GOOD_1, record(validNote(GOOD_1, 'good one', NOW + 20)));
    notes.set(GOOD_2, record(validNote(GOOD_2, 'good two', NOW + 21)));
    const nesting = record(validNote(GOOD_NESTING, 'good but nesting', NOW + 22));
    notes.set(GOOD_NESTING, nesting);
    nest(nesting, 'extra');
    // Deep nesting in a field a reader knows.
    const deepText = record({ ...validNote('DeepText00000001', '', NOW) });
    notes.set('DeepText00000001', deepText);
    nest(deepText, 'text');
    // Y types in scalar fields.
    notes.set('YText00000000001', record({ ...validNote('YText00000000001', '', NOW), text: new Y.Text('hidden') }));
    notes.set('YArray0000000001', record({ ...validNote('YArray0000000001', 'x', NOW), x: Y.Array.from([1, 2, 3]) }));
    const hugeArray = new Y.Array<number>();
    notes.set('HugeYArray000001', record({ ...validNote('HugeYArray000001', 'x', NOW), questionId: hugeArray }));
    hugeArray.insert(0, Array.from({ length: 100_000 }, (_, i) => i));
    notes.set('HugePlain0000001', record({ ...validNote('HugePlain0000001', 'x', NOW), aboutActorId: Array.from({ length: 100_000 }, () => 'A') }));
    // Wrong scalar types.
    notes.set('WrongText0000001', record({ ...validNote('WrongText0000001', '', NOW), text: 42 }));
    notes.set('WrongX0000000001', record({ ...validNote('WrongX0000000001', 'x', NOW), x: 'left' }));
    notes.set('WrongTime0000001', record({ ...validNote('WrongTime0000001', 'x', NOW), createdAt: Number.POSITIVE_INFINITY }));
    notes.set('PlainObject00001', validNote('PlainObject00001', 'a plain object, not a map', NOW) as never);
    notes.set('JustAString000001'.slice(0, 16), 'a string' as never);
    // Keys that are not ids, and records under another id (a copy of a good note's id).
    notes.set('not an id', record(validNote('not an id', 'bad key', NOW)));
    notes.set('CopyOfGood000001', record(validNote(GOOD_1, 'impostor', NOW + 23)));
    notes.set(`${'Z'.repeat(15)}/`, record(validNote(GOOD_2, 'slash', NOW)));
  });
  // Thousands of junk records: read up to MAX_RECORDS, never all.
  evil.transact(() => {
    for (let i = 0; i < MAX_RECORDS + 100; i++) (notesRoots(evil).notes as unknown as Y.Map<unknown>).set(`junk-${i}`, i);
  });

  evilDrafts = logged(draftsDocName(W, EVIL), EVIL);
  evilDrafts.transact(() => {
    const { notes } = notesRoots(evilDrafts);
    const draft = record(validNote('DraftNesting0001', 'a draft with a nesting', NOW));
    notes.set('DraftNesting0001', draft);
    nest(draft, 'extra', 1000);
  });
  // A damaged row in the log: bytes that are no Yjs update.
  entries.push({ doc: notesDocName(W, EVIL), seq: 999, ts: ts++, participantId: EVIL, update: new Uint8Array([1, 2, 3, 250, 250]) });
});

const noteIds = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.id);
const EVIL_GOOD = [GOOD_1, GOOD_2, GOOD_NESTING];

describe('snapshot readers on hostile documents', () => {
  it('readNotes keeps exactly the valid notes under their own ids and reports the rest', () => {
    const { notes, problems } = readNotes(evil);
    expect(notes.map((n) => n.id)).toEqual(EVIL_GOOD);
    expect(notes.find((n) => n.id === GOOD_1)!.text).toBe('good one');
    expect(problems.length).toBeGreaterThan(10);
    expect(problems.some((p) => p.includes('the rest skipped'))).toBe(true);
    expect(noteIds(mine)).toEqual([MY_NOTE]);
  });

  it('readRoom keeps meta, actors, questions and the honest participants; an unreadable session reads as idle', () => {
    const snapshot = readRoom(room);
    expect(snapshot.meta?.title).toBe('Hostile');
    expect(snapshot.actors.map((a) => a.id)).toEqual([actorA, actorB]);
    expect(snapshot.questions.length).toBeGreaterThan(0);
    expect(snapshot.participants.map((p) => p.id)).toEqual([ME, EVIL]);
    expect(snapshot.session.round).toBeNull();
    expect(snapshot.problems).toEqual(expect.arrayContaining(['session is invalid', 'participant NotTheRightKey01 is invalid']));
    expect(readSession(room).valid).toBe(false);
    expect(engineSession(room)).toBeNull();
    expect(postedRequestIds(room)).toEqual([]);
  });

  it('readAnalysis keeps the good theme, position, mark and membership; skips bad keys and values', () => {
    const analysis = readAnalysis(room);
    expect(analysis.themes.map((t) => t.name)).toEqual(['Good theme']);
    expect(analysis.mapLayout).toEqual({ [actorA]: { x: 5, y: 6 } });
    expect(analysis.readMarks).toEqual({});
    expect(Object.keys(analysis.themeOf)).toEqual([`${ME}/${MY_NOTE}`]);
    expect(analysis.flows[0]!.noteRefs).toEqual([`${ME}/${MY_NOTE}`]);
  });

  it('fromYMap never enters a nested type; holdsNestedType tells which records do', () => {
    const nesting = notesRoots(evil).notes.get(GOOD_NESTING);
    expect(fromYMap(nesting)).not.toHaveProperty('extra');
    expect(holdsNestedType(nesting)).toBe(true);
    expect(holdsNestedType(notesRoots(evil).notes.get(GOOD_1))).toBe(false);
    expect(fromYMap(notesRoots(evil).notes.get('HugePlain0000001'))).not.toHaveProperty('aboutActorId');
  });

  it('moving a draft reads known fields only (no toJSON of what it nests)', () => {
    const drafts = new Y.Doc(); // a copy: the log of the documents above stays as built
    Y.applyUpdate(drafts, Y.encodeStateAsUpdate(evilDrafts));
    const target = new Y.Doc();
    const moved = moveNoteBetweenDocs(drafts, target, 'DraftNesting0001', NOW, LOCAL_ORIGIN, { x: 1, y: 1 });
    expect(moved.text).toBe('a draft with a nesting');
    expect(noteIds(target)).toEqual(['DraftNesting0001']);
  });
});

describe('migrations on garbage meta', () => {
  it('re-stamps a string schemaVersion, refuses a huge one as too new and a nested type as unreadable, without recursing', () => {
    const copy = new Y.Doc();
    Y.applyUpdate(copy, Y.encodeStateAsUpdate(evil));
    expect(schemaVersionOf(copy)).toBeNull();
    expect(migrate(copy, 'notes').from).toBeNull();
    expect(noteIds(copy)).toEqual(EVIL_GOOD);

    const future = new Y.Doc();
    notesRoots(future).meta.set('schemaVersion', 1e300);
    expectArvoError(() => migrate(future, 'notes'), 'schema-too-new');

    const nested = new Y.Doc();
    nest(notesRoots(nested).meta, 'schemaVersion');
    expectArvoError(() => migrate(nested, 'notes'), 'invalid-input');
    expect(schemaVersionOf(nested)).toBeNull();
  }, 120_000);
});

describe('replay on a hostile log', () => {
  it('builds, seeks, compares and reads the board like the live readers; a damaged entry is skipped', () => {
    const engine = ReplayEngine.from(entries, { checkpointEvery: 4 });
    const last = { index: engine.length - 1 };
    expect(engine.unreadable.map((i) => engine.entry(i)!.seq)).toEqual([999]);
    const view = new ReplayView(engine);
    const end = view.seek({ index: engine.length - 1 }).board;
    const wall = (board: { notes: Array<{ participantId: string; id: string }> }) => board.notes.map((n) => `${n.participantId}/${n.id}`).sort();
    const expected = [`${ME}/${MY_NOTE}`, ...EVIL_GOOD.map((id) => `${EVIL}/${id}`)].sort();
    expect(wall(end)).toEqual(expected);
    expect(end.drafts.map((n) => n.id)).toEqual(['DraftNesting0001']);
    expect(view.seek({ index: 3 }).board.notes).toEqual([]);
    expect(wall(readBoard(engine.docsAt(last)))).toEqual(expected);
    const states = engine.stateAt(last);
    expect(wall(readBoardFromStates(states))).toEqual(expected);
    expect(diffStates(engine.stateAt({ index: 0 }), states).added.length).toBe(expected.length);
    expect(engine.events.some((e) => e.kind === 'note-added')).toBe(true);
    expect(engine.noteHistory(`${EVIL}/${GOOD_1}`).length).toBeGreaterThan(0);
    expect(engine.actorOf(EVIL)).toBe(actorB);
    view.destroy();
    engine.destroy();
  }, 180_000);
});

describe('memo, derivations and client models on hostile documents', () => {
  it('renders the memo and exports with the good notes only', () => {
    const input = memoInputFromDocs(room, new Map([[ME, mine], [EVIL, evil]]), { generatedAt: NOW, language: 'en' });
    expect(input.notes.map((n) => n.id).sort()).toEqual([MY_NOTE, ...EVIL_GOOD].sort());
    expect(renderMemoMarkdown(input)).toContain('good one');
    expect(renderMemoHtml(input)).toContain('an honest note');
    expect(renderNotesCsv(input)).not.toContain('impostor');
    expect(renderWorkshopJson(input)).not.toContain('hidden');
    expect(() => buildMatrix(input.analysis, input.notes, input.room.actors)).not.toThrow();
    expect(() => deriveCurrentFlows(input.notes, input.room.questions)).not.toThrow();
  });

  it('lays out the wall and the reading order from the readers\' snapshot', () => {
    const snapshot = readRoom(room);
    const authored: AuthoredNote[] = [
      ...readNotes(mine).notes.map((n) => ({ ...n, participantId: ME, authorName: 'Honest', actorId: actorA, mine: true, draft: false })),
      ...readNotes(evil).notes.map((n) => ({ ...n, participantId: EVIL, authorName: 'Mallory', actorId: actorB, mine: false, draft: false })),
    ];
    const layout = layoutWall(snapshot.actors, snapshot.questions, authored);
    expect(layout.notes.length + layout.orphans.length).toBe(4);
    expect(readingOrder(snapshot.actors, snapshot.questions, authored)).toHaveLength(4);
  });
});
