import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { migrate } from '../../shared/migrations';
import * as analysis from '../../shared/ops/analysis';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../shared/ops/notes';
import { addActor, addParticipant, initRoom, updateActor } from '../../shared/ops/room';
import { endRound, requestPost, startRound, updateRound, paused, resumed, extended } from '../../shared/ops/rounds';
import { markRead, setFlipchartLocked, setFocus, setMemoShared, setPhase, setWallLocked } from '../../shared/ops/session';
import { addQuestion, deleteQuestion, moveQuestion, updateQuestion } from '../../shared/ops/questions';
import { castVote, setAnonymous, setVoting } from '../../shared/ops/votes';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { notesRoots, roomRoots, toYMap, type DocKind } from '../../shared/schema/layout';
import { inspectUpdate, type Refusal } from '../../shared/validate';
import { ID, NOW } from './helpers';

/**
 * The server's content check (shared/validate) against real Y.Docs: the "server" document is
 * built as the server builds it (initRoom / migrate with server origins), a "client" document
 * is synced from it and edits it, and the update the client would send is inspected.
 */
const SERVER = serverOrigin('test');
const NOTE_A = 'NoteA00000000001';
const NOTE_B = 'NoteB00000000001';

interface Pair {
  kind: DocKind;
  server: Y.Doc;
  client: Y.Doc;
}

function pair(kind: DocKind): Pair {
  const server = new Y.Doc();
  if (kind === 'room') {
    initRoom(server, { title: 'Pilotti', template: 'value-network', language: 'fi', actors: [{ name: 'Kunta' }, { name: 'Yritys' }] }, NOW, SERVER);
    addParticipant(server, { id: ID.me, name: 'Maija', actorId: null, role: 'facilitator', joinedAt: NOW }, SERVER);
  }
  migrate(server, kind);
  const client = new Y.Doc();
  Y.applyUpdate(client, Y.encodeStateAsUpdate(server));
  return { kind, server, client };
}

/** What the client would send for `change` (every update it emits, merged). */
function edit(doc: Y.Doc, change: (doc: Y.Doc) => void): Uint8Array {
  const updates: Uint8Array[] = [];
  const listen = (update: Uint8Array) => updates.push(update);
  doc.on('update', listen);
  try {
    change(doc);
  } finally {
    doc.off('update', listen);
  }
  return Y.mergeUpdates(updates);
}

/** Inspects the client's change against the server; when accepted, applies it there too (like the relay). */
function send(p: Pair, change: (doc: Y.Doc) => void): Refusal | null {
  const update = edit(p.client, change);
  const verdict = inspectUpdate(p.server, p.kind, update);
  if (verdict === null) Y.applyUpdate(p.server, update);
  return verdict;
}

function expectAccepted(p: Pair, change: (doc: Y.Doc) => void): void {
  expect(send(p, change)).toBeNull();
  expect(p.server.store.pendingStructs).toBeNull();
  expect(p.server.store.pendingDs).toBeNull();
}

const note = (id: string, extra: Record<string, unknown> = {}) => toYMap({ id, questionId: '1a', text: 'hei', x: 10, y: 20, createdAt: NOW, ...extra });
const firstActor = (doc: Y.Doc) => [...roomRoots(doc).actors.keys()][0]!;
const firstQuestion = (doc: Y.Doc) => [...roomRoots(doc).questions.keys()][0]!;

/** initRoom and addParticipant are the server's own (participants are server-only for clients). */
describe('honest updates: every operation in shared/ops is accepted', () => {
  for (const kind of ['notes', 'drafts'] as const) {
    it(`${kind}: add, edit, move, delete notes; an offline batch; a reconnect`, () => {
      const p = pair(kind);
      expectAccepted(p, (d) => addNote(d, { questionId: '1a', text: 'ensimmäinen', x: 1, y: 2, aboutActorId: ID.actorA }, NOW, LOCAL_ORIGIN, NOTE_A));
      expectAccepted(p, (d) => updateNote(d, NOTE_A, { text: 'muokattu', x: 30 }, NOW + 1, LOCAL_ORIGIN));
      expectAccepted(p, (d) => updateNote(d, NOTE_A, { aboutActorId: null, questionId: '2a', y: -5 }, NOW + 2, LOCAL_ORIGIN));
      expectAccepted(p, (d) => deleteNote(d, NOTE_A, LOCAL_ORIGIN));
      // Offline: several operations, sent as one merged update.
      expectAccepted(p, (d) => {
        addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_B);
        updateNote(d, NOTE_B, { text: 'b' }, NOW, LOCAL_ORIGIN);
        updateNote(d, NOTE_B, { text: 'c' }, NOW, LOCAL_ORIGIN);
        addNote(d, { questionId: '1a', text: 'x', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A);
        deleteNote(d, NOTE_A, LOCAL_ORIGIN);
      });
      // A reconnect: the client's whole state against the server's vector (known structs, full delete set).
      const reconnect = Y.encodeStateAsUpdate(p.client, Y.encodeStateVector(p.server));
      expect(inspectUpdate(p.server, kind, reconnect)).toBeNull();
      expect(inspectUpdate(p.server, kind, Y.encodeStateAsUpdate(p.client))).toBeNull();
    });
  }

  it('a draft moved to the wall (moveNoteBetweenDocs): the insert into notes and the delete from drafts', () => {
    const drafts = pair('drafts');
    const notes = pair('notes');
    expectAccepted(drafts, (d) => addNote(d, { questionId: '1a', text: 'luonnos', x: 3, y: 4 }, NOW, LOCAL_ORIGIN, NOTE_A));
    const fromDrafts: Uint8Array[] = [];
    const toNotes: Uint8Array[] = [];
    drafts.client.on('update', (u: Uint8Array) => fromDrafts.push(u));
    notes.client.on('update', (u: Uint8Array) => toNotes.push(u));
    moveNoteBetweenDocs(drafts.client, notes.client, NOTE_A, NOW + 1, LOCAL_ORIGIN, { x: 100, y: 200 });
    expect(inspectUpdate(notes.server, 'notes', Y.mergeUpdates(toNotes))).toBeNull();
    expect(inspectUpdate(drafts.server, 'drafts', Y.mergeUpdates(fromDrafts))).toBeNull();
  });

  it('notes: a note marked late (the round engine sets it; harmless from a client) is accepted, and edits to it', () => {
    const p = pair('notes');
    expectAccepted(p, (d) => {
      addNote(d, { questionId: '1a', text: 'myöhässä', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A);
      notesRoots(d).notes.get(NOTE_A)!.set('late', true);
    });
    expectAccepted(p, (d) => updateNote(d, NOTE_A, { text: 'muokattu' }, NOW + 1, LOCAL_ORIGIN));
  });

  it('notes: undo and redo (the client tracks its own note edits with a Y.UndoManager)', () => {
    const p = pair('notes');
    const undo = new Y.UndoManager(notesRoots(p.client).notes, { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: 0 });
    expectAccepted(p, (d) => addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A));
    expectAccepted(p, (d) => updateNote(d, NOTE_A, { text: 'b', x: 9 }, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => deleteNote(d, NOTE_A, LOCAL_ORIGIN));
    for (let i = 0; i < 3; i++) expectAccepted(p, () => undo.undo());
    for (let i = 0; i < 3; i++) expectAccepted(p, () => undo.redo());
    expectAccepted(p, () => undo.undo());
    expect(notesRoots(p.server).notes.get(NOTE_A)?.get('text')).toBe('b');
  });

  it('room: every facilitator operation (actors, rounds, session, analysis, actions, map)', () => {
    const p = pair('room');
    const actor = firstActor(p.client);
    const question = firstQuestion(p.client);
    expectAccepted(p, (d) => addActor(d, { name: 'Yhdistys' }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => updateActor(d, actor, { name: 'Kaupunki', color: '#ee8866', order: 5 }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => startRound(d, question, 600_000, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => updateRound(d, (r) => paused(r, NOW + 10), LOCAL_ORIGIN));
    expectAccepted(p, (d) => updateRound(d, (r) => resumed(r, NOW + 20), LOCAL_ORIGIN));
    expectAccepted(p, (d) => updateRound(d, (r) => extended(r, 60_000), LOCAL_ORIGIN));
    expectAccepted(p, (d) => endRound(d, NOW + 30, LOCAL_ORIGIN));
    expectAccepted(p, (d) => requestPost(d, question, NOW + 40, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setWallLocked(d, true, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setFlipchartLocked(d, actor, true, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setFlipchartLocked(d, actor, false, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setFocus(d, { participantId: ID.me, noteId: NOTE_A }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setFocus(d, null, LOCAL_ORIGIN));
    const ref = `${ID.me}/${NOTE_A}`;
    expectAccepted(p, (d) => markRead(d, ref, true, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => markRead(d, ref, false, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setPhase(d, 'analysis', LOCAL_ORIGIN));
    let challenge = '';
    let strength = '';
    let other = '';
    expectAccepted(p, (d) => (challenge = analysis.createTheme(d, { name: 'Haaste', kind: 'challenge' }, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => (other = analysis.createTheme(d, { name: 'Toinen', kind: 'challenge', need: 'aikaa' }, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => (strength = analysis.createTheme(d, { name: 'Vahvuus', kind: 'strength' }, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => analysis.updateTheme(d, challenge, { name: 'Iso haaste', need: 'rahaa', order: 7 }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.assignNote(d, ref, challenge, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.assignNote(d, `${ID.other}/${NOTE_B}`, other, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.linkStrength(d, challenge, `theme:${strength}`, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.linkStrength(d, other, `note:${ID.me}/${NOTE_B}`, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.mergeThemes(d, other, challenge, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.unlinkStrength(d, challenge, `theme:${strength}`, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.assignNote(d, ref, null, LOCAL_ORIGIN));
    let flow = '';
    let flow2 = '';
    expectAccepted(p, (d) => (flow = analysis.addFlow(d, { from: actor, to: 'clients', layer: 'current', label: 'palvelut', noteRefs: [ref] }, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => (flow2 = analysis.addFlow(d, { from: 'clients', to: actor, layer: 'future', kind: 'tangible' }, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => analysis.updateFlow(d, flow, { kind: 'tangible', label: 'raha', layer: 'future' }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.mergeFlows(d, [flow, flow2], LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.setMapPosition(d, actor, { x: 10.4, y: -20 }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.setMapPosition(d, 'clients', { x: 0, y: 0 }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.clearMapLayout(d, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.setMemoMap(d, 'difference', LOCAL_ORIGIN));
    let action = '';
    expectAccepted(p, (d) => (action = analysis.addAction(d, { themeId: challenge, what: 'Tehdään' }, NOW, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => analysis.updateAction(d, action, { status: 'done', checkDate: '2026-01-31', ownerActorId: actor, ownerName: 'Ville', notes: 'ok' }, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.deleteTheme(d, challenge, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.deleteFlow(d, flow, LOCAL_ORIGIN));
    expectAccepted(p, (d) => analysis.deleteAction(d, action, LOCAL_ORIGIN));
    expect(inspectUpdate(p.server, 'room', Y.encodeStateAsUpdate(p.client, Y.encodeStateVector(p.server)))).toBeNull();
  });

  it('room: sharing the memo and editing questions (issue 9) are accepted', () => {
    const p = pair('room');
    const unused = { usedByRound: false, noteCount: 0 };
    expectAccepted(p, (d) => setMemoShared(d, NOW, LOCAL_ORIGIN));
    expectAccepted(p, (d) => setMemoShared(d, null, LOCAL_ORIGIN));
    let added = '';
    expectAccepted(p, (d) => (added = addQuestion(d, { kind: 'challenge', text: { fi: 'Mikä?', en: 'What?' } }, LOCAL_ORIGIN).id));
    expectAccepted(p, (d) => updateQuestion(d, added, { text: { fi: 'Mikä nyt?', en: 'What now?' }, kind: 'strength', perActor: true }, unused, LOCAL_ORIGIN));
    expectAccepted(p, (d) => moveQuestion(d, added, -1, LOCAL_ORIGIN));
    expectAccepted(p, (d) => deleteQuestion(d, added, unused, LOCAL_ORIGIN));
    expectAccepted(p, (d) => deleteQuestion(d, firstQuestion(d), unused, LOCAL_ORIGIN));
  });

  it('room: a memo share time that is not a time is refused', () => {
    const p = pair('room');
    expect(send(p, (d) => roomRoots(d).session.set('memoSharedAt', 'soon'))).not.toBeNull();
  });

  it('room: a facilitator offline for a while (phase changed twice, round started and ended) sends one merged update', () => {
    const p = pair('room');
    const question = firstQuestion(p.client);
    expectAccepted(p, (d) => {
      setPhase(d, 'writing', LOCAL_ORIGIN);
      startRound(d, question, 60_000, NOW, LOCAL_ORIGIN);
      endRound(d, NOW + 1, LOCAL_ORIGIN);
      setPhase(d, 'reading', LOCAL_ORIGIN);
    });
  });

  it('an update the server already has (an echo) is accepted', () => {
    const p = pair('notes');
    const update = edit(p.client, (d) => addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A));
    Y.applyUpdate(p.server, update);
    expect(inspectUpdate(p.server, 'notes', update)).toBeNull();
  });
});

/** A hostile change, made with real Y.Docs, and the refusal it must get. */
interface Case {
  name: string;
  kind: DocKind;
  /** Prepares the server (and the synced client) before the hostile change. */
  setup?: (p: Pair) => void;
  /** Returns the bytes sent; by default the client's change. */
  attack: (p: Pair) => Uint8Array;
  rule: Refusal['rule'];
  why: RegExp;
}

const change = (fn: (doc: Y.Doc) => void) => (p: Pair) => edit(p.client, fn);
const withNote = (p: Pair) => {
  const update = edit(p.client, (d) => addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A));
  Y.applyUpdate(p.server, update);
};
const noteField = (doc: Y.Doc) => notesRoots(doc).notes.get(NOTE_A)!;

const CASES: Case[] = [
  { name: 'a root the kind does not have', kind: 'notes', attack: change((d) => d.getMap('evil').set('x', 1)), rule: 'invalid-content', why: /unknown root "evil"/ },
  { name: 'a room root in a notes document', kind: 'notes', attack: change((d) => roomRoots(d).session.set('locked', true)), rule: 'invalid-content', why: /unknown root "session"/ },
  { name: 'a nested Y.Map in a note field', kind: 'notes', setup: withNote, attack: change((d) => noteField(d).set('text', new Y.Map())), rule: 'invalid-content', why: /text.*must be a plain value/ },
  { name: 'a Y.Text where a string is expected', kind: 'notes', setup: withNote, attack: change((d) => noteField(d).set('text', new Y.Text('hei'))), rule: 'invalid-content', why: /text.*must be a plain value/ },
  { name: 'a Y.Text as a root', kind: 'notes', attack: change((d) => d.getText('notes').insert(0, 'x')), rule: 'invalid-content', why: /list content in "notes"/ },
  { name: 'a Y.Array under a record key', kind: 'notes', attack: change((d) => notesRoots(d).notes.set(NOTE_A, new Y.Array() as unknown as Y.Map<unknown>)), rule: 'invalid-content', why: /must be a record/ },
  { name: 'a key that is not an id', kind: 'notes', attack: change((d) => notesRoots(d).notes.set('../../etc', note('../../etc'))), rule: 'invalid-content', why: /not a valid key/ },
  { name: 'id different from the key', kind: 'notes', attack: change((d) => notesRoots(d).notes.set(NOTE_A, note(NOTE_B))), rule: 'invalid-content', why: /must equal the record's key/ },
  { name: 'a new record without its id', kind: 'drafts', attack: change((d) => notesRoots(d).notes.set(NOTE_A, toYMap({ text: 'x' }))), rule: 'invalid-content', why: /lacks "id"/ },
  { name: 'an incomplete new record', kind: 'notes', attack: change((d) => notesRoots(d).notes.set(NOTE_A, toYMap({ id: NOTE_A, text: 'x' }))), rule: 'invalid-content', why: /incomplete/ },
  { name: "deleting a note's field but not the note", kind: 'notes', setup: withNote, attack: change((d) => noteField(d).delete('x')), rule: 'invalid-content', why: /only be replaced/ },
  { name: 'text over its limit', kind: 'notes', attack: change((d) => notesRoots(d).notes.set(NOTE_A, note(NOTE_A, { text: 'x'.repeat(501) }))), rule: 'invalid-content', why: /text/ },
  { name: 'an unknown field', kind: 'notes', attack: change((d) => notesRoots(d).notes.set(NOTE_A, note(NOTE_A, { evil: 1 }))), rule: 'invalid-content', why: /unknown field/ },
  { name: 'an array where a number is expected', kind: 'notes', setup: withNote, attack: change((d) => noteField(d).set('x', [1, 2])), rule: 'invalid-content', why: /x/ },
  { name: 'an object where a string is expected', kind: 'notes', setup: withNote, attack: change((d) => noteField(d).set('text', { a: 1 })), rule: 'invalid-content', why: /text/ },
  { name: 'binary content', kind: 'notes', setup: withNote, attack: change((d) => noteField(d).set('text', new Uint8Array([1, 2]))), rule: 'invalid-content', why: /binary/ },
  { name: 'a subdocument', kind: 'notes', setup: withNote, attack: change((d) => noteField(d).set('text', new Y.Doc())), rule: 'invalid-content', why: /subdocument/ },
  { name: 'a deeply nested value', kind: 'room', attack: change((d) => roomRoots(d).session.set('round', deep(50))), rule: 'invalid-content', why: /nested deeper/ },
  { name: 'an extra key in a plain object', kind: 'room', attack: change((d) => roomRoots(d).mapLayout.set('clients', { x: 1, y: 2, evil: [1] } as never)), rule: 'invalid-content', why: /keys the schema does not know/ },
  { name: 'meta.schemaVersion from a participant', kind: 'notes', attack: change((d) => notesRoots(d).meta.set('schemaVersion', 99)), rule: 'invalid-content', why: /server only/ },
  { name: 'any meta field from a participant', kind: 'drafts', attack: change((d) => notesRoots(d).meta.set('title', 'x')), rule: 'invalid-content', why: /server only/ },
  { name: 'deleting meta.schemaVersion in a notes document', kind: 'notes', attack: change((d) => notesRoots(d).meta.delete('schemaVersion')), rule: 'invalid-content', why: /server only/ },
  { name: 'meta.schemaVersion from a facilitator', kind: 'room', attack: change((d) => roomRoots(d).meta.set('schemaVersion', 99)), rule: 'invalid-content', why: /server only/ },
  { name: 'deleting the room title', kind: 'room', attack: change((d) => roomRoots(d).meta.delete('title')), rule: 'invalid-content', why: /only be replaced/ },
  { name: 'a wrong phase', kind: 'room', attack: change((d) => roomRoots(d).meta.set('phase', 'party')), rule: 'invalid-content', why: /phase/ },
  { name: 'participants written by a client', kind: 'room', attack: change((d) => roomRoots(d).participants.set(ID.other, toYMap({ id: ID.other, name: 'X', actorId: null, role: 'facilitator', joinedAt: 1 }))), rule: 'invalid-content', why: /server only/ },
  { name: 'a participant deleted by a client', kind: 'room', attack: change((d) => roomRoots(d).participants.delete(ID.me)), rule: 'invalid-content', why: /server only/ },
  { name: 'session.postedRequests from a client', kind: 'room', attack: change((d) => roomRoots(d).session.set('postedRequests', [])), rule: 'invalid-content', why: /server only/ },
  { name: 'an unknown memo map view', kind: 'room', attack: change((d) => roomRoots(d).session.set('memoMap', 'everything')), rule: 'invalid-content', why: /memoMap/ },
  { name: 'session.postedQuestions from a client', kind: 'room', attack: change((d) => roomRoots(d).session.set('postedQuestions', ['1a'])), rule: 'invalid-content', why: /server only/ },
  { name: 'session.roundStats from a client', kind: 'room', attack: change((d) => roomRoots(d).session.set('roundStats', { questionId: '1a', at: 1, actors: {} })), rule: 'invalid-content', why: /server only/ },
  { name: 'a bad actor colour', kind: 'room', attack: change((d) => roomRoots(d).actors.get(firstActor(d))!.set('color', 'red')), rule: 'invalid-content', why: /color/ },
  { name: 'a matrix key that does not match its fields', kind: 'room', attack: change((d) => roomRoots(d).matrix.set(`${ID.actorA}|theme:${ID.actorB}`, toYMap({ challengeThemeId: ID.actorB, strengthRef: `theme:${ID.actorB}`, createdAt: 1 }))), rule: 'invalid-content', why: /must equal the record's key/ },
  { name: 'a themeNotes key that is not a noteRef', kind: 'room', attack: change((d) => roomRoots(d).themeNotes.set('x', ID.actorA)), rule: 'invalid-content', why: /not a valid key/ },
  {
    name: 'an overwrite of an existing note (inherits its parent) with a plain value',
    kind: 'notes',
    setup: withNote,
    attack: change((d) => notesRoots(d).notes.set(NOTE_A, 'x' as never)),
    rule: 'invalid-content',
    why: /must be a record/,
  },
  {
    name: 'an overwrite of an existing field (inherits parent and key) with a Y.Map',
    kind: 'notes',
    setup: withNote,
    attack: (p) => {
      const update = edit(p.client, (d) => noteField(d).set('x', new Y.Map()));
      const item = Y.decodeUpdate(update).structs.find((s) => s instanceof Y.Item && s.content instanceof Y.ContentType) as Y.Item;
      expect(item.parent).toBeNull(); // written with an origin only: the server must resolve it
      return update;
    },
    rule: 'invalid-content',
    why: /x.*must be a plain value/,
  },
  { name: "deleting a note's id but not the note", kind: 'notes', setup: withNote, attack: change((d) => noteField(d).delete('id')), rule: 'invalid-content', why: /only be replaced, or deleted with its record/ },
  {
    name: 'a missing dependency (an edit of a note the server never got)',
    kind: 'notes',
    attack: (p) => {
      edit(p.client, (d) => addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A));
      const other = new Y.Doc();
      Y.applyUpdate(other, Y.encodeStateAsUpdate(p.client));
      return edit(other, (d) => updateNote(d, NOTE_A, { text: 'b' }, NOW, LOCAL_ORIGIN));
    },
    rule: 'missing-dependency',
    why: /server does not have/,
  },
  {
    name: 'a clock gap (the second of two updates alone)',
    kind: 'notes',
    attack: (p) => {
      edit(p.client, (d) => addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A));
      return edit(p.client, (d) => addNote(d, { questionId: '1a', text: 'b', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_B));
    },
    rule: 'missing-dependency',
    why: /clock gap/,
  },
  {
    name: 'a delete range the server does not know',
    kind: 'notes',
    attack: (p) => {
      edit(p.client, (d) => addNote(d, { questionId: '1a', text: 'a', x: 0, y: 0 }, NOW, LOCAL_ORIGIN, NOTE_A));
      return edit(p.client, (d) => deleteNote(d, NOTE_A, LOCAL_ORIGIN));
    },
    rule: 'missing-dependency',
    why: /deletes/,
  },
];

function deep(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

describe('Swedish (issue 9): sv texts and the sv workshop language are content the server accepts', () => {
  it('a question text with sv, an old one without it, a new question in Swedish, and meta.language sv', () => {
    const p = pair('room');
    const question = firstQuestion(p.client);
    const withSv = { fi: 'Mitä voitte tarjota?', en: 'What can you offer?', sv: 'Vad kan ni erbjuda?' };
    expectAccepted(p, (d) => roomRoots(d).questions.get(question)!.set('text', withSv));
    expectAccepted(p, (d) => roomRoots(d).questions.get(question)!.set('text', { fi: 'Vain suomeksi', en: 'Only in English' }));
    expectAccepted(p, (d) =>
      roomRoots(d).questions.set('extra', toYMap({ id: 'extra', order: 9, kind: 'discussion', perActor: false, text: { fi: 'Lisä', en: 'Extra', sv: 'Extra fråga' } })),
    );
    expectAccepted(p, (d) => roomRoots(d).meta.set('language', 'sv'));
    expect(roomRoots(p.server).meta.get('language')).toBe('sv');
    expect(roomRoots(p.server).questions.get('extra')?.get('text')).toEqual({ fi: 'Lisä', en: 'Extra', sv: 'Extra fråga' });
  });

  it('still refuses a language that is not one of fi/sv/en, and an sv text over 500 characters', () => {
    const p = pair('room');
    const question = firstQuestion(p.client);
    expect(send(p, (d) => roomRoots(d).meta.set('language', 'de'))).not.toBeNull();
    expect(send(p, (d) => roomRoots(d).questions.get(question)!.set('text', { fi: 'a', en: 'b', sv: 'x'.repeat(501) }))).not.toBeNull();
    expect(roomRoots(p.server).meta.get('language')).toBe('fi');
  });
});

describe('hostile updates are refused with the rule they break', () => {
  for (const c of CASES) {
    it(`${c.kind}: ${c.name}`, () => {
      const p = pair(c.kind);
      c.setup?.(p);
      const before = Y.encodeStateAsUpdate(p.server);
      const verdict = inspectUpdate(p.server, c.kind, c.attack(p));
      expect(verdict).not.toBeNull();
      expect(verdict!.rule).toBe(c.rule);
      expect(verdict!.why).toMatch(c.why);
      // Inspection only reads: the server's document is untouched.
      expect(Y.encodeStateAsUpdate(p.server)).toEqual(before);
    });
  }
});

/**
 * Shapes no Yjs API produces, written struct by struct with Yjs's own encoder: what a hostile
 * client can send all the same.
 */
type Struct = Y.Item | Y.Skip;
function craft(groups: Array<{ client: number; clock: number; structs: Struct[] }>, ds: Array<[number, number, number]> = []): Uint8Array {
  const encoder = new Y.UpdateEncoderV1();
  encoding.writeVarUint(encoder.restEncoder, groups.length);
  for (const group of groups) {
    encoding.writeVarUint(encoder.restEncoder, group.structs.length);
    encoder.writeClient(group.client);
    encoding.writeVarUint(encoder.restEncoder, group.clock);
    for (const struct of group.structs) struct.write(encoder, 0);
  }
  const byClient = new Map<number, Array<[number, number]>>();
  for (const [client, clock, len] of ds) byClient.set(client, [...(byClient.get(client) ?? []), [clock, len]]);
  encoding.writeVarUint(encoder.restEncoder, byClient.size);
  for (const [client, ranges] of byClient) {
    encoding.writeVarUint(encoder.restEncoder, client);
    encoding.writeVarUint(encoder.restEncoder, ranges.length);
    for (const [clock, len] of ranges) {
      encoder.writeDsClock(clock);
      encoder.writeDsLen(len);
    }
  }
  return encoder.toUint8Array();
}

const REF_A = `${ID.me}/${NOTE_A}`;
const REF_B = `${ID.me}/${NOTE_B}`;
/** An item written at a root key (`parent` a root name) or after `origin` / before `right`. */
function item(client: number, clock: number, at: { root?: string; key?: string; parent?: Y.ID; origin?: Y.ID; right?: Y.ID }, content: Y.ContentAny | Y.ContentType): Y.Item {
  const parent = (at.root ?? at.parent ?? null) as unknown as Y.ID | null;
  return new Y.Item(Y.createID(client, clock), null, at.origin ?? null, null, at.right ?? null, parent, at.key ?? null, content as never);
}
const any = (...values: unknown[]) => new Y.ContentAny(values);

describe('hand-made hostile structs', () => {
  const cases: Array<{ name: string; kind: DocKind; update: () => Uint8Array; rule: Refusal['rule']; why: RegExp }> = [
    {
      name: 'several values in one map entry',
      kind: 'room',
      update: () => craft([{ client: 1000, clock: 0, structs: [item(1000, 0, { root: 'themeNotes', key: REF_A }, any(ID.actorA, ID.actorB))] }]),
      rule: 'invalid-content',
      why: /several values/,
    },
    {
      name: 'two clients whose items refer to each other (a cycle Yjs would park)',
      kind: 'room',
      update: () =>
        craft([
          { client: 1001, clock: 0, structs: [item(1001, 0, { origin: Y.createID(1002, 0) }, any(ID.actorA))] },
          { client: 1002, clock: 0, structs: [item(1002, 0, { origin: Y.createID(1001, 0) }, any(ID.actorA))] },
        ]),
      rule: 'missing-dependency',
      why: /cycle/,
    },
    {
      name: 'a client listed twice (Yjs would apply only the last group)',
      kind: 'room',
      update: () =>
        craft([
          { client: 1003, clock: 0, structs: [item(1003, 0, { root: 'themeNotes', key: REF_A }, any(ID.actorA))] },
          { client: 1003, clock: 1, structs: [item(1003, 1, { root: 'themeNotes', key: REF_B }, any(ID.actorA))] },
        ]),
      rule: 'invalid-content',
      why: /listed twice/,
    },
    {
      name: 'a parent that is a plain value, not a shared type',
      kind: 'room',
      update: () =>
        craft([
          {
            client: 1004,
            clock: 0,
            structs: [item(1004, 0, { root: 'themeNotes', key: REF_A }, any(ID.actorA)), item(1004, 1, { parent: Y.createID(1004, 0), key: 'x' }, any(1))],
          },
        ]),
      rule: 'invalid-content',
      why: /not a shared type/,
    },
    {
      name: 'an item between two different parents (left in one map, right in another)',
      kind: 'room',
      update: () =>
        craft([
          {
            client: 1005,
            clock: 0,
            structs: [
              item(1005, 0, { root: 'themeNotes', key: REF_A }, any(ID.actorA)),
              item(1005, 1, { root: 'readMarks', key: REF_A }, any(1)),
              item(1005, 2, { origin: Y.createID(1005, 0), right: Y.createID(1005, 1) }, any(ID.actorB)),
            ],
          },
        ]),
      rule: 'invalid-content',
      why: /two different parents/,
    },
    {
      name: 'a Skip over clocks the server lacks, then an item',
      kind: 'room',
      update: () => craft([{ client: 1006, clock: 0, structs: [new Y.Skip(Y.createID(1006, 0), 5), item(1006, 5, { root: 'themeNotes', key: REF_A }, any(ID.actorA))] }]),
      rule: 'missing-dependency',
      why: /clock gap/,
    },
    {
      name: 'a parent ID the server does not have',
      kind: 'notes',
      update: () => craft([{ client: 1007, clock: 0, structs: [item(1007, 0, { parent: Y.createID(4242, 10), key: 'text' }, any('x'))] }]),
      rule: 'missing-dependency',
      why: /server does not have/,
    },
    {
      name: 'a delete range of an unknown client',
      kind: 'notes',
      update: () => craft([], [[4243, 0, 1_000_000]]),
      rule: 'missing-dependency',
      why: /deletes 4243:0/,
    },
  ];
  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, () => {
      const p = pair(c.kind);
      const verdict = inspectUpdate(p.server, c.kind, c.update());
      expect(verdict?.rule).toBe(c.rule);
      expect(verdict?.why).toMatch(c.why);
    });
  }

  it('the same structs, honest (one value, known parents), are accepted', () => {
    const p = pair('room');
    const update = craft([{ client: 1008, clock: 0, structs: [item(1008, 0, { root: 'themeNotes', key: REF_A }, any(ID.actorA)), item(1008, 1, { origin: Y.createID(1008, 0) }, any(ID.actorB))] }]);
    expect(inspectUpdate(p.server, 'room', update)).toBeNull();
    Y.applyUpdate(p.server, update);
    expect(roomRoots(p.server).themeNotes.get(REF_A)).toBe(ID.actorB);
    expect(p.server.store.pendingStructs).toBeNull();
  });
});

describe('dot-votes: the `votes` root of a public notes document (schema/vote.ts)', () => {
  const THEME = `theme:${ID.actorA}`;
  it('honest votes are accepted: cast, raised, taken back (castVote)', () => {
    const p = pair('notes');
    expectAccepted(p, (doc) => castVote(doc, THEME, 1, 3, () => true, LOCAL_ORIGIN));
    expectAccepted(p, (doc) => castVote(doc, `action:${ID.actorB}`, 2, 3, () => true, LOCAL_ORIGIN));
    expectAccepted(p, (doc) => castVote(doc, THEME, -1, 3, () => true, LOCAL_ORIGIN));
    expect(notesRoots(p.server).votes.toJSON()).toEqual({ [`action:${ID.actorB}`]: 2 });
  });

  const refused = (kind: DocKind, key: string, value: unknown, why: RegExp) => {
    const p = pair(kind);
    const verdict = inspectUpdate(p.server, kind, edit(p.client, (doc) => doc.getMap('votes').set(key, value)));
    expect(verdict?.rule).toBe('invalid-content');
    expect(verdict?.why).toMatch(why);
  };
  it('a count that is not a whole number is refused', () => refused('notes', THEME, 1.5, /votes/));
  it('a negative count is refused', () => refused('notes', THEME, -1, /votes/));
  it('a count above the hard maximum is refused', () => refused('notes', THEME, 101, /votes/));
  it('a string count is refused', () => refused('notes', THEME, '3', /votes/));
  it('a vote on a key that is not theme:<id> or action:<id> is refused', () => refused('notes', 'note:AAAAAAAAAAAAAAAA', 1, /key/));
  it('drafts hold no votes', () => refused('drafts', THEME, 1, /unknown root/));
  it('room: the facilitator opens, changes and closes voting and toggles anonymous mode', () => {
    const p = pair('room');
    expectAccepted(p, (doc) => setVoting(doc, { open: true, votesPerPerson: 3 }, LOCAL_ORIGIN));
    expectAccepted(p, (doc) => setVoting(doc, { open: false, votesPerPerson: 3 }, LOCAL_ORIGIN));
    expectAccepted(p, (doc) => setVoting(doc, null, LOCAL_ORIGIN));
    expectAccepted(p, (doc) => setAnonymous(doc, true, LOCAL_ORIGIN));
  });
  it('room: a voting budget above the hard maximum is refused', () => {
    const p = pair('room');
    const verdict = inspectUpdate(p.server, 'room', edit(p.client, (doc) => roomRoots(doc).session.set('voting', { open: true, votesPerPerson: 1000 })));
    expect(verdict?.why).toMatch(/voting/);
  });
});
