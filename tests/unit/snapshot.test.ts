import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { addParticipant, initRoom } from '../../shared/ops/room';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { notesRoots, roomRoots } from '../../shared/schema/layout';
import { ID, NOW } from './helpers';

function room() {
  const doc = new Y.Doc();
  const { actors } = initRoom(doc, { title: 'T', template: 'value-network', language: 'en', actors: [{ name: 'Kunta' }, { name: 'Yritys' }] }, NOW, LOCAL_ORIGIN);
  return { doc, actors };
}

/** What a buggy or hostile third-party tool might write straight into a map. */
function writeRaw(map: Y.Map<Y.Map<unknown>>, key: string, record: Record<string, unknown>) {
  const m = new Y.Map<unknown>();
  for (const [k, v] of Object.entries(record)) m.set(k, v);
  map.doc!.transact(() => map.set(key, m));
}

describe('readRoom', () => {
  it('reads an empty document without problems', () => {
    const snapshot = readRoom(new Y.Doc());
    expect(snapshot).toEqual({ meta: null, actors: [], questions: [], participants: [], session: { round: null, focus: null, locked: false, lockedActors: [], postRequest: null }, problems: [] });
  });

  it('sorts actors and questions by order, participants by joinedAt', () => {
    const { doc, actors } = room();
    roomRoots(doc).actors.get(actors[0]!.id)!.set('order', 99);
    addParticipant(doc, { id: ID.other, name: 'Late', actorId: null, role: 'observer', joinedAt: NOW + 50 }, LOCAL_ORIGIN);
    addParticipant(doc, { id: ID.me, name: 'Early', actorId: actors[0]!.id, role: 'participant', joinedAt: NOW + 10 }, LOCAL_ORIGIN);
    const snapshot = readRoom(doc);
    expect(snapshot.actors.map((a) => a.name)).toEqual(['Yritys', 'Kunta']);
    expect(snapshot.participants.map((p) => p.name)).toEqual(['Early', 'Late']);
  });

  it('skips an invalid actor and reports it, keeping the valid ones', () => {
    const { doc, actors } = room();
    writeRaw(roomRoots(doc).actors, ID.actorB, { id: ID.actorB, name: 'Bad colour', color: 'red', order: 3 });
    const snapshot = readRoom(doc);
    expect(snapshot.actors.map((a) => a.id)).toEqual(actors.map((a) => a.id));
    expect(snapshot.problems).toEqual([`actor ${ID.actorB} is invalid`]);
  });

  it('skips a record that is not a Y.Map at all', () => {
    const { doc } = room();
    doc.transact(() => (roomRoots(doc).questions as unknown as Y.Map<unknown>).set('9z', 'just a string'));
    const snapshot = readRoom(doc);
    expect(snapshot.questions).toHaveLength(8);
    expect(snapshot.problems).toEqual(['question 9z is invalid']);
  });

  it('reports invalid participants, questions and meta together', () => {
    const { doc } = room();
    writeRaw(roomRoots(doc).participants, ID.me, { id: ID.me, name: 'No role', actorId: null, joinedAt: NOW });
    writeRaw(roomRoots(doc).questions, '5a', { id: '5a', order: 9, kind: 'wish', perActor: false, text: { fi: 'x', en: 'y' } });
    doc.transact(() => roomRoots(doc).meta.set('template', 'kanban'));
    const snapshot = readRoom(doc);
    expect(snapshot.meta).toBeNull();
    expect(snapshot.participants).toEqual([]);
    expect(snapshot.questions.map((q) => q.id)).not.toContain('5a');
    expect([...snapshot.problems].sort()).toEqual(['meta is invalid', `participant ${ID.me} is invalid`, 'question 5a is invalid']);
  });

  it('falls back to an idle session when the session is invalid', () => {
    const { doc } = room();
    doc.transact(() => roomRoots(doc).session.set('locked', 'yes'));
    const snapshot = readRoom(doc);
    expect(snapshot.session).toEqual({ round: null, focus: null, locked: false, lockedActors: [], postRequest: null });
    expect(snapshot.problems).toEqual(['session is invalid']);
  });

  it('reads a running round', () => {
    const { doc } = room();
    const round = { questionId: '1a', startedAt: NOW, durationMs: 600_000, pausedAt: null, pausedTotalMs: 0, endedAt: null };
    doc.transact(() => roomRoots(doc).session.set('round', round));
    expect(readRoom(doc).session.round).toEqual(round);
    expect(readRoom(doc).problems).toEqual([]);
  });
});

describe('readNotes', () => {
  it('skips invalid notes and reports them', () => {
    const doc = new Y.Doc();
    const good = addNote(doc, { questionId: '1b', text: 'good', x: 0, y: 0 }, NOW, LOCAL_ORIGIN);
    writeRaw(notesRoots(doc).notes, ID.other, { id: ID.other, questionId: '1b', text: 'x'.repeat(501), x: 0, y: 0, createdAt: NOW });
    writeRaw(notesRoots(doc).notes, ID.me, { id: ID.me, questionId: '1b', text: 'no coordinates', createdAt: NOW });
    const { notes, problems } = readNotes(doc);
    expect(notes).toEqual([good]);
    expect([...problems].sort()).toEqual([`note ${ID.me} is invalid`, `note ${ID.other} is invalid`].sort());
  });

  it('sorts by createdAt, then id', () => {
    const doc = new Y.Doc();
    addNote(doc, { questionId: '1b', text: 'c', x: 0, y: 0 }, NOW + 2, LOCAL_ORIGIN, 'CCCCCCCCCCCCCCCC');
    addNote(doc, { questionId: '1b', text: 'b', x: 0, y: 0 }, NOW + 1, LOCAL_ORIGIN, 'BBBBBBBBBBBBBBBB');
    addNote(doc, { questionId: '1b', text: 'a', x: 0, y: 0 }, NOW + 1, LOCAL_ORIGIN, 'AAAAAAAAAAAAAAAA');
    expect(readNotes(doc).notes.map((n) => n.text)).toEqual(['a', 'b', 'c']);
  });
});
