import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { Awareness, applyAwarenessUpdate, encodeAwarenessUpdate } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { BoardFeed } from '../../client/src/sync/board/feed';
import { readBoardFull } from '../../client/src/sync/board/full';
import type { BoardDoc, BoardUi, Me } from '../../client/src/sync/board/inputs';
import { BoardModel } from '../../client/src/sync/board/model';
import type { BoardSnapshot } from '../../client/src/sync/types';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { addNote, deleteNote, moveNoteBetweenDocs, updateNote } from '../../shared/ops/notes';
import { addActor, addParticipant, updateActor } from '../../shared/ops/room';
import { assignNote, createTheme } from '../../shared/ops/analysis';
import { setFlipchartLocked, setWallLocked } from '../../shared/ops/session';
import { setAnonymous, setVoting } from '../../shared/ops/votes';
import { draftsDocName, notesDocName } from '../../shared/protocol/docNames';
import { notesRoots, roomRoots, toYMap } from '../../shared/schema/layout';
import { NOW } from './helpers';

/**
 * The incremental board model (client/src/sync/board) against a full rebuild: after any sequence
 * of edits — notes added, moved, edited, deleted, posted from drafts, hostile records, votes, room
 * changes, presence — made here (local) or arriving as updates (remote), its snapshot equals
 * reading every document again, and what did not change keeps its identity.
 */
const WORKSHOP = 'Workshop00000001';
const PARTICIPANTS = ['Participant00000', 'Participant00001', 'Participant00002', 'Participant00003'];
const ACTORS = ['ActorA0000000001', 'ActorB0000000001'];
const QUESTIONS = ['q1', 'q2'];

interface World {
  room: Y.Doc;
  awareness: Awareness;
  others: Awareness;
  docs: BoardDoc[];
  me: Me;
  ui: BoardUi;
  model: BoardModel;
  changes: boolean[];
}

const worlds: World[] = [];
afterEach(() => {
  for (const world of worlds.splice(0)) {
    world.model.destroy();
    world.awareness.destroy();
    world.others.destroy();
  }
});

function makeWorld(role: 'participant' | 'facilitator', docCount: number): World {
  const room = new Y.Doc();
  ACTORS.forEach((id, i) => roomRoots(room).actors.set(id, toYMap({ id, name: `Actor ${i}`, color: '#112233', order: i + 1 })));
  QUESTIONS.forEach((id, i) => roomRoots(room).questions.set(id, toYMap({ id, text: `Question ${i}`, kind: 'open', perActor: false, order: i + 1 })));
  const awareness = new Awareness(room);
  const others = new Awareness(new Y.Doc());
  const me: Me = { workshopId: WORKSHOP, participantId: PARTICIPANTS[0]!, role, actorId: role === 'participant' ? ACTORS[0]! : null, name: 'Me' };
  awareness.setLocalState({ participantId: me.participantId, name: me.name, cursor: null });
  const ui: BoardUi = { status: 'live', statusReason: null, canUndo: false, canRedo: false, lastRefusal: null };
  const changes: boolean[] = [];
  const model = new BoardModel({ room, awareness, me, ui: () => ({ ...ui }), onChange: (local) => changes.push(local) });
  const docs: BoardDoc[] = [];
  for (const participantId of PARTICIPANTS.slice(0, docCount)) {
    for (const draft of [false, true]) {
      const entry = { name: draft ? draftsDocName(WORKSHOP, participantId) : notesDocName(WORKSHOP, participantId), doc: new Y.Doc(), participantId, draft };
      docs.push(entry);
      model.addDoc(entry);
    }
  }
  const world = { room, awareness, others, docs, me, ui, model, changes };
  worlds.push(world);
  return world;
}

const full = (world: World): BoardSnapshot => readBoardFull({ room: world.room, awareness: world.awareness, docs: world.docs, me: world.me, ui: { ...world.ui } });

/** Runs `edit` on the document itself (local), or on a replica whose update is then applied (remote). */
function change(doc: Y.Doc, remote: boolean, edit: (doc: Y.Doc) => void): void {
  if (!remote) return edit(doc);
  const replica = new Y.Doc();
  Y.applyUpdate(replica, Y.encodeStateAsUpdate(doc));
  edit(replica);
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(replica, Y.encodeStateVector(doc)), 'remote');
}

const noteIdsOf = (doc: Y.Doc) => [...notesRoots(doc).notes.keys()].sort();
const pick = <T>(items: readonly T[], index: number): T | undefined => (items.length === 0 ? undefined : items[index % items.length]);

type Command =
  | { kind: 'add'; doc: number; question: number; text: string; x: number; y: number; remote: boolean }
  | { kind: 'update'; doc: number; note: number; text: string | null; x: number | null; remote: boolean }
  | { kind: 'delete'; doc: number; note: number; remote: boolean }
  | { kind: 'post'; doc: number; note: number }
  | { kind: 'shadow'; doc: number; note: number }
  | { kind: 'invalid'; doc: number; remote: boolean }
  | { kind: 'vote'; doc: number; count: number; remote: boolean }
  | { kind: 'join'; participant: number; actor: number; remote: boolean }
  | { kind: 'rename'; participant: number; name: string; remote: boolean }
  | { kind: 'actor'; actor: number; color: string }
  | { kind: 'newActor'; name: string }
  | { kind: 'session'; what: 'anonymous' | 'locked' | 'flipchart' | 'voting'; on: boolean; remote: boolean }
  | { kind: 'theme'; doc: number; note: number }
  | { kind: 'cursor'; x: number; y: number; mine: boolean }
  | { kind: 'ui'; canUndo: boolean };

const hex = fc.constantFrom('#112233', '#445566', '#778899', '#aabbcc');
const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), doc: fc.nat(7), question: fc.nat(1), text: fc.string({ maxLength: 8 }), x: fc.integer({ min: 0, max: 500 }), y: fc.integer({ min: 0, max: 500 }), remote: fc.boolean() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), doc: fc.nat(7), note: fc.nat(20), text: fc.option(fc.string({ maxLength: 8 })), x: fc.option(fc.integer({ min: 0, max: 500 })), remote: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), doc: fc.nat(7), note: fc.nat(20), remote: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('post' as const), doc: fc.nat(3), note: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('shadow' as const), doc: fc.nat(3), note: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid' as const), doc: fc.nat(7), remote: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('vote' as const), doc: fc.nat(3), count: fc.nat(3), remote: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('join' as const), participant: fc.nat(3), actor: fc.nat(1), remote: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), participant: fc.nat(3), name: fc.constantFrom('Ann', 'Bo', 'Cy'), remote: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('actor' as const), actor: fc.nat(1), color: hex }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('newActor' as const), name: fc.constantFrom('Dept', 'City') }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('session' as const), what: fc.constantFrom('anonymous' as const, 'locked' as const, 'flipchart' as const, 'voting' as const), on: fc.boolean(), remote: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('theme' as const), doc: fc.nat(3), note: fc.nat(20) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('cursor' as const), x: fc.integer({ min: 0, max: 999 }), y: fc.integer({ min: 0, max: 999 }), mine: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('ui' as const), canUndo: fc.boolean() }) },
);

let clock = NOW;
let otherClientId = 1000;

/** Applies one command; returns what it can have changed ('notes', 'room', 'presence', 'ui'). */
function run(world: World, c: Command): 'notes' | 'room' | 'presence' | 'ui' {
  const now = ++clock;
  const docAt = (i: number) => world.docs[i % world.docs.length]!;
  const publicOf = (i: number) => world.docs[(i % (world.docs.length / 2)) * 2]!;
  const draftsOf = (i: number) => world.docs[(i % (world.docs.length / 2)) * 2 + 1]!;
  switch (c.kind) {
    case 'add':
      change(docAt(c.doc).doc, c.remote, (doc) => addNote(doc, { questionId: QUESTIONS[c.question]!, text: c.text, x: c.x, y: c.y }, now, LOCAL_ORIGIN));
      return 'notes';
    case 'update': {
      const { doc } = docAt(c.doc);
      const id = pick(noteIdsOf(doc), c.note);
      const patch = { ...(c.text === null ? {} : { text: c.text }), ...(c.x === null ? {} : { x: c.x }) };
      if (id && readable(doc, id)) change(doc, c.remote, (d) => updateNote(d, id, patch, now, LOCAL_ORIGIN));
      return 'notes';
    }
    case 'delete': {
      const { doc } = docAt(c.doc);
      const id = pick(noteIdsOf(doc), c.note);
      if (id) change(doc, c.remote, (d) => deleteNote(d, id, LOCAL_ORIGIN));
      return 'notes';
    }
    case 'post': {
      const from = draftsOf(c.doc).doc;
      const to = publicOf(c.doc).doc;
      const id = pick(noteIdsOf(from), c.note);
      if (id && readable(from, id)) to.transact(() => moveNoteBetweenDocs(from, to, id, now, LOCAL_ORIGIN), LOCAL_ORIGIN);
      return 'notes';
    }
    case 'shadow': {
      // A hostile (or half-moved) draft that has a public copy under the same id.
      const from = publicOf(c.doc).doc;
      const id = pick(noteIdsOf(from), c.note);
      const record = id ? notesRoots(from).notes.get(id) : undefined;
      if (id && record) notesRoots(draftsOf(c.doc).doc).notes.set(id, toYMap(record.toJSON() as Record<string, unknown>));
      return 'notes';
    }
    case 'invalid':
      change(docAt(c.doc).doc, c.remote, (doc) => notesRoots(doc).notes.set(`bad${now}`, toYMap({ id: 'not-an-id', text: 42 })));
      return 'notes';
    case 'vote':
      change(publicOf(c.doc).doc, c.remote, (doc) => {
        const target = `theme:${[...roomRoots(world.room).themes.keys()][0] ?? 'Theme00000000001'}`;
        if (c.count === 0) notesRoots(doc).votes.delete(target);
        else notesRoots(doc).votes.set(target, c.count);
      });
      return 'notes';
    case 'join':
      change(world.room, c.remote, (doc) =>
        addParticipant(doc, { id: PARTICIPANTS[c.participant]!, name: `P${c.participant}`, actorId: ACTORS[c.actor]!, role: 'participant', joinedAt: NOW + c.participant }, LOCAL_ORIGIN),
      );
      return 'room';
    case 'rename': {
      const id = PARTICIPANTS[c.participant]!;
      change(world.room, c.remote, (doc) => roomRoots(doc).participants.get(id)?.set('name', c.name));
      return 'room';
    }
    case 'actor':
      updateActor(world.room, ACTORS[c.actor]!, { color: c.color }, LOCAL_ORIGIN);
      return 'room';
    case 'newActor':
      addActor(world.room, { name: `${c.name} ${now}` }, LOCAL_ORIGIN);
      return 'room';
    case 'session':
      change(world.room, c.remote, (doc) => {
        if (c.what === 'anonymous') setAnonymous(doc, c.on, LOCAL_ORIGIN);
        else if (c.what === 'locked') setWallLocked(doc, c.on, LOCAL_ORIGIN);
        else if (c.what === 'flipchart') setFlipchartLocked(doc, ACTORS[0]!, c.on, LOCAL_ORIGIN);
        else setVoting(doc, c.on ? { open: true, votesPerPerson: 3 } : null, LOCAL_ORIGIN);
      });
      return 'room';
    case 'theme': {
      const { doc, participantId } = publicOf(c.doc);
      const id = pick(noteIdsOf(doc), c.note);
      const theme = createTheme(world.room, { name: `T${now}`, kind: 'challenge' }, LOCAL_ORIGIN);
      if (id) assignNote(world.room, `${participantId}/${id}`, theme.id, LOCAL_ORIGIN);
      return 'room';
    }
    case 'cursor':
      if (c.mine) world.awareness.setLocalStateField('cursor', { x: c.x, y: c.y });
      else {
        // Someone else's tab: their awareness update arrives over the wire.
        world.others.clientID = otherClientId++ % 3 === 0 ? 1000 : world.others.clientID;
        world.others.setLocalState({ participantId: PARTICIPANTS[1], name: 'Other', cursor: { x: c.x, y: c.y } });
        applyAwarenessUpdate(world.awareness, encodeAwarenessUpdate(world.others, [world.others.clientID]), 'remote');
      }
      return 'presence';
    case 'ui':
      world.ui.canUndo = c.canUndo;
      return 'ui';
  }
}

/** True when the note reads as valid (ops refuse to patch what they cannot read). */
function readable(doc: Y.Doc, id: string): boolean {
  const record = notesRoots(doc).notes.get(id);
  return record instanceof Y.Map && record.get('id') === id;
}

const noteMap = (snapshot: BoardSnapshot) => new Map(snapshot.notes.map((n) => [`${n.participantId}/${n.id}${n.draft ? '#d' : ''}`, n]));

describe('the incremental board model', () => {
  it('equals a full rebuild after any sequence of edits, and keeps what did not change', () => {
    fc.assert(
      fc.property(fc.constantFrom('participant' as const, 'facilitator' as const), fc.integer({ min: 1, max: 4 }), fc.array(command, { minLength: 1, maxLength: 30 }), (role, docCount, commands) => {
        const world = makeWorld(role, docCount);
        let previous = world.model.snapshot();
        expect(previous).toEqual(full(world));
        for (const c of commands) {
          const touched = run(world, c);
          const next = world.model.snapshot();
          expect(next).toEqual(full(world));
          // Presence, connection state and undo never rebuild the board's parts.
          if (touched === 'presence' || touched === 'ui') {
            for (const part of ['room', 'notes', 'analysis', 'votes', 'myVotes'] as const) expect(next[part]).toBe(previous[part]);
          }
          if (touched === 'notes' || touched === 'ui') expect(next.presence).toBe(previous.presence);
          // Notes documents never re-read the room.
          if (touched === 'notes') {
            expect(next.room).toBe(previous.room);
            expect(next.analysis).toBe(previous.analysis);
          }
          // A note whose content did not change is the same object (views compare by identity).
          const before = noteMap(previous);
          for (const [key, note] of noteMap(next)) {
            const old = before.get(key);
            if (old && JSON.stringify(old) === JSON.stringify(note)) expect(note).toBe(old);
          }
          // Nothing changed, nothing new: the very same snapshot.
          expect(world.model.snapshot()).toBe(next);
          expect(Object.isFrozen(next) && Object.isFrozen(next.notes)).toBe(true);
          previous = next;
        }
        world.model.destroy();
      }),
      { numRuns: 100 },
    );
  });

  it('tells local changes from remote ones, and presence never as a local change', () => {
    const world = makeWorld('participant', 2);
    world.changes.length = 0;
    addNote(world.docs[0]!.doc, { questionId: 'q1', text: 'mine', x: 1, y: 1 }, NOW, LOCAL_ORIGIN);
    change(world.docs[2]!.doc, true, (doc) => addNote(doc, { questionId: 'q1', text: 'theirs', x: 1, y: 1 }, NOW, LOCAL_ORIGIN));
    world.awareness.setLocalStateField('cursor', { x: 5, y: 5 });
    expect(world.changes).toEqual([true, false, false]);
  });

  it('re-reads only the note that changed', () => {
    const world = makeWorld('facilitator', 4);
    for (const { doc, draft } of world.docs) {
      if (draft) continue;
      for (let i = 0; i < 50; i++) addNote(doc, { questionId: 'q1', text: `n${i}`, x: i, y: i }, NOW + i, LOCAL_ORIGIN);
    }
    const before = world.model.snapshot();
    const target = before.notes[75]!;
    const owner = world.docs.find((d) => !d.draft && d.participantId === target.participantId)!;
    change(owner.doc, true, (doc) => updateNote(doc, target.id, { text: 'changed' }, NOW + 999, LOCAL_ORIGIN));
    const after = world.model.snapshot();
    expect(after).toEqual(full(world));
    const changed = after.notes.filter((note, i) => note !== before.notes[i]);
    expect(changed.map((n) => n.text)).toEqual(['changed']);
  });
});

describe('the board feed', () => {
  it('publishes a local edit at once and gathers remote edits and presence into the next frame', () => {
    const room = new Y.Doc();
    const awareness = new Awareness(room);
    awareness.setLocalState({ participantId: PARTICIPANTS[0], name: 'Me', cursor: null });
    const notes = { name: notesDocName(WORKSHOP, PARTICIPANTS[0]!), doc: new Y.Doc(), participantId: PARTICIPANTS[0]!, draft: false };
    const frames: Array<() => void> = [];
    let feed: BoardFeed | null = null;
    const ui: BoardUi = { status: 'live', statusReason: null, canUndo: false, canRedo: false, lastRefusal: null };
    const model = new BoardModel({ room, awareness, me: { workshopId: WORKSHOP, participantId: PARTICIPANTS[0]!, role: 'participant', actorId: null, name: 'Me' }, ui: () => ui, onChange: (local) => feed?.invalidate(local) });
    model.addDoc(notes);
    feed = new BoardFeed(() => model.snapshot(), { request: (run) => frames.push(run), cancel: () => undefined });
    const heard: BoardSnapshot[] = [];
    feed.subscribe((snapshot) => heard.push(snapshot));
    expect(heard).toHaveLength(1);

    addNote(notes.doc, { questionId: 'q1', text: 'mine', x: 1, y: 1 }, NOW, LOCAL_ORIGIN);
    expect(heard).toHaveLength(2);
    expect(heard[1]!.notes.map((n) => n.text)).toEqual(['mine']);
    expect(frames).toHaveLength(0);

    change(notes.doc, true, (doc) => addNote(doc, { questionId: 'q1', text: 'from afar', x: 1, y: 1 }, NOW + 1, LOCAL_ORIGIN));
    awareness.setLocalStateField('cursor', { x: 3, y: 4 });
    expect(heard).toHaveLength(2);
    // The board is readable at once all the same (an op reading it sees the remote note).
    expect(feed.current.notes).toHaveLength(2);
    expect(frames).toHaveLength(1);
    frames.shift()!();
    expect(heard).toHaveLength(3);
    expect(heard[2]!.notes).toHaveLength(2);
    expect(heard[2]!.presence[0]!.cursor).toEqual({ x: 3, y: 4 });

    // Nothing new: a frame publishes nothing.
    feed.invalidate(false);
    frames.shift()!();
    expect(heard).toHaveLength(3);
    feed.destroy();
    model.destroy();
    awareness.destroy();
  });

  it('lets remote changes wait after a slow publication, as long as it took, and never local ones', () => {
    const frames: Array<() => void> = [];
    let clock = 0;
    let version = 0;
    const feed = new BoardFeed(() => ({ version }) as unknown as BoardSnapshot, { request: (run) => frames.push(run), cancel: () => undefined }, () => clock);
    const heard: number[] = [];
    let cost = 0;
    feed.subscribe((snapshot) => {
      heard.push((snapshot as unknown as { version: number }).version);
      clock += cost;
    });
    // A slow publication (80 ms of drawing): the next remote one waits 80 ms, frame after frame.
    cost = 80;
    version = 1;
    feed.invalidate(false);
    frames.shift()!();
    expect(heard).toEqual([0, 1]);
    cost = 5;
    version = 2;
    feed.invalidate(false);
    frames.shift()!();
    expect(heard).toEqual([0, 1]);
    clock += 50;
    frames.shift()!();
    expect(heard).toEqual([0, 1]);
    clock += 30;
    frames.shift()!();
    expect(heard).toEqual([0, 1, 2]);
    // That one was cheap: the next remote change goes with the next frame.
    version = 3;
    feed.invalidate(false);
    frames.shift()!();
    expect(heard).toEqual([0, 1, 2, 3]);
    // A local edit is published at once even right after a slow publication.
    cost = 100;
    version = 4;
    feed.invalidate(false);
    frames.shift()!();
    version = 5;
    feed.invalidate(true);
    expect(heard).toEqual([0, 1, 2, 3, 4, 5]);
    feed.destroy();
  });
});
