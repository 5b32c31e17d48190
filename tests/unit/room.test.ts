import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CURRENT_SCHEMA_VERSION } from '../../shared/migrations';
import { addActor, addParticipant, initRoom, MAX_ACTORS, updateActor } from '../../shared/ops/room';
import { LOCAL_ORIGIN, serverOrigin } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import { roomRoots } from '../../shared/schema/layout';
import { ACTOR_PALETTE } from '../../shared/templates/palette';
import { ID, NOW, expectArvoError } from './helpers';

const ORIGIN = serverOrigin('test');

function newRoom(template: 'value-network' | 'dialogue' | 'blank' = 'value-network', actors: { name: string; color?: string }[] = []) {
  const doc = new Y.Doc();
  const result = initRoom(doc, { title: '  Pilotti  ', template, language: 'fi', actors }, NOW, ORIGIN);
  return { doc, ...result };
}

describe('initRoom', () => {
  it('value-network: meta, idle session and the 8 questions 1a..4b', () => {
    const { doc } = newRoom('value-network');
    const room = readRoom(doc);
    expect(room.problems).toEqual([]);
    expect(room.meta).toEqual({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      title: 'Pilotti',
      template: 'value-network',
      language: 'fi',
      phase: 'setup',
      createdAt: NOW,
    });
    expect(room.session).toEqual({ round: null, focus: null, locked: false, lockedActors: [], postRequest: null });
    expect(room.questions.map((q) => q.id)).toEqual(['1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b']);
    expect(room.questions.map((q) => q.order)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(room.questions.map((q) => q.kind)).toEqual(['offer', 'offer', 'benefit', 'benefit', 'strength', 'strength', 'challenge', 'challenge']);
    expect(room.questions.filter((q) => q.perActor).map((q) => q.id)).toEqual(['1a', '2a']);
    for (const q of room.questions) {
      expect(q.text.fi.length, `${q.id} fi`).toBeGreaterThan(10);
      expect(q.text.en.length, `${q.id} en`).toBeGreaterThan(10);
      expect(q.text.fi).not.toBe(q.text.en);
    }
    expect(room.questions[0]!.text.fi).toBe('Mitä voitte tarjota tällä hetkellä verkoston muille toimijoille?');
    expect(room.questions[7]!.text.en).toBe('What challenges / problems are there in organising services?');
    // Stored as nested Y.Maps keyed by id.
    expect(roomRoots(doc).questions.get('3a')).toBeInstanceOf(Y.Map);
    expect(roomRoots(doc).questions.get('3a')!.get('kind')).toBe('strength');
  });

  it('dialogue: strengths, then needs, then the joint debrief', () => {
    const room = readRoom(newRoom('dialogue').doc);
    expect(room.problems).toEqual([]);
    expect(room.meta?.template).toBe('dialogue');
    expect(room.questions.map((q) => [q.id, q.kind, q.perActor])).toEqual([
      ['strengths', 'strength', false],
      ['needs', 'challenge', false],
      ['debrief', 'discussion', false],
    ]);
    expect(room.questions[0]!.text).toEqual({ fi: 'Vahvuudet ja voimavarat', en: 'Strengths and resources', sv: 'Styrkor och resurser' });
  });

  it('blank: one editable open question (issue 9: not a dead end)', () => {
    const { doc } = newRoom('blank');
    const room = readRoom(doc);
    expect(room.meta?.template).toBe('blank');
    expect(room.questions.map((q) => [q.id, q.kind, q.perActor])).toEqual([['q1', 'open', false]]);
    expect(roomRoots(doc).questions.size).toBe(1);
  });

  it('creates the initial actors in order with palette colours', () => {
    const { doc, actors } = newRoom('value-network', [{ name: 'Kunta' }, { name: 'Seurakunta', color: '#ABCDEF' }, { name: 'Yhdistys' }]);
    expect(actors.map((a) => [a.name, a.color, a.order])).toEqual([
      ['Kunta', ACTOR_PALETTE[0]!.color, 1],
      ['Seurakunta', '#abcdef', 2],
      ['Yhdistys', ACTOR_PALETTE[1]!.color, 3],
    ]);
    expect(readRoom(doc).actors).toEqual(actors);
  });

  it('runs in one transaction with the given origin', () => {
    const doc = new Y.Doc();
    const origins: unknown[] = [];
    doc.on('afterTransaction', (tr) => origins.push(tr.origin));
    initRoom(doc, { title: 'T', template: 'value-network', language: 'en', actors: [{ name: 'A' }] }, NOW, ORIGIN);
    expect(origins).toEqual([ORIGIN]);
    expect(origins[0]).toBe(ORIGIN);
  });

  it('refuses to initialise twice', () => {
    const { doc } = newRoom();
    expectArvoError(() => initRoom(doc, { title: 'Again', template: 'blank', language: 'en' }, NOW, ORIGIN), 'conflict');
    expect(readRoom(doc).meta?.title).toBe('Pilotti');
  });

  it.each([
    ['empty title', { title: '   ', template: 'value-network', language: 'fi' }],
    ['long title', { title: 'x'.repeat(201), template: 'value-network', language: 'fi' }],
    ['unknown template', { title: 'T', template: 'kanban', language: 'fi' }],
    ['unknown language', { title: 'T', template: 'blank', language: 'de' }],
    ['too many actors', { title: 'T', template: 'blank', language: 'fi', actors: Array.from({ length: MAX_ACTORS + 1 }, (_, i) => ({ name: `A${i}` })) }],
    ['bad actor colour', { title: 'T', template: 'blank', language: 'fi', actors: [{ name: 'A', color: 'red' }] }],
  ])('refuses %s with invalid-input and writes nothing', (_what, input) => {
    const doc = new Y.Doc();
    expectArvoError(() => initRoom(doc, input as never, NOW, ORIGIN), 'invalid-input');
    expect(doc.store.clients.size).toBe(0);
  });
});

describe('addActor', () => {
  it('assigns palette colours in order, skipping taken ones', () => {
    const { doc } = newRoom('value-network', [{ name: 'First', color: ACTOR_PALETTE[1]!.color.toUpperCase() }]);
    const a = addActor(doc, { name: 'Second' }, LOCAL_ORIGIN);
    const b = addActor(doc, { name: 'Third' }, LOCAL_ORIGIN);
    expect(a.color).toBe(ACTOR_PALETTE[0]!.color);
    expect(b.color).toBe(ACTOR_PALETTE[2]!.color); // [1] was taken (case-insensitively)
    expect([a.order, b.order]).toEqual([2, 3]);
    expect(a.id).toMatch(/^[0-9A-Za-z]{16}$/);
    expect(roomRoots(doc).actors.get(a.id)!.toJSON()).toEqual(a);
  });

  it('gives every actor a distinct colour until the palette runs out, then cycles', () => {
    const { doc } = newRoom('blank');
    const actors = Array.from({ length: ACTOR_PALETTE.length + 2 }, (_, i) => addActor(doc, { name: `A${i}` }, LOCAL_ORIGIN));
    const first = actors.slice(0, ACTOR_PALETTE.length).map((a) => a.color);
    expect(first).toEqual(ACTOR_PALETTE.map((p) => p.color));
    expect(new Set(first).size).toBe(ACTOR_PALETTE.length);
    const palette = ACTOR_PALETTE.map((p) => p.color);
    expect(actors.slice(ACTOR_PALETTE.length).map((a) => a.color)).toEqual([palette[0], palette[1]]);
  });

  it('keeps an explicit colour, lower-cased, and continues order after the highest', () => {
    const { doc, actors } = newRoom('blank', [{ name: 'A' }]);
    updateActor(doc, actors[0]!.id, { order: 10 }, LOCAL_ORIGIN);
    const b = addActor(doc, { name: ' B ', color: '#AA00FF' }, LOCAL_ORIGIN);
    expect(b).toMatchObject({ name: 'B', color: '#aa00ff', order: 11 });
  });

  it(`refuses more than ${MAX_ACTORS} actors with limit-exceeded`, () => {
    const { doc } = newRoom('blank');
    for (let i = 0; i < MAX_ACTORS; i++) addActor(doc, { name: `A${i}` }, LOCAL_ORIGIN);
    expectArvoError(() => addActor(doc, { name: 'One too many' }, LOCAL_ORIGIN), 'limit-exceeded');
    expect(roomRoots(doc).actors.size).toBe(MAX_ACTORS);
  });

  it.each([
    ['empty name', { name: '  ' }],
    ['long name', { name: 'n'.repeat(81) }],
    ['bad colour', { name: 'A', color: '#12345' }],
  ])('refuses %s with invalid-input', (_what, input) => {
    const { doc } = newRoom('blank');
    expectArvoError(() => addActor(doc, input, LOCAL_ORIGIN), 'invalid-input');
    expect(roomRoots(doc).actors.size).toBe(0);
  });
});

describe('updateActor', () => {
  it('changes only the given fields', () => {
    const { doc, actors } = newRoom('blank', [{ name: 'Kunta' }]);
    const id = actors[0]!.id;
    updateActor(doc, id, { name: 'Kaupunki', color: '#FF0000' }, LOCAL_ORIGIN);
    expect(readRoom(doc).actors).toEqual([{ id, name: 'Kaupunki', color: '#ff0000', order: 1 }]);
    updateActor(doc, id, { order: 5 }, LOCAL_ORIGIN);
    expect(readRoom(doc).actors).toEqual([{ id, name: 'Kaupunki', color: '#ff0000', order: 5 }]);
  });

  it('refuses an unknown actor with not-found', () => {
    const { doc } = newRoom('blank');
    expectArvoError(() => updateActor(doc, ID.actorA, { name: 'X' }, LOCAL_ORIGIN), 'not-found');
  });

  it('refuses invalid changes with invalid-input', () => {
    const { doc, actors } = newRoom('blank', [{ name: 'Kunta' }]);
    expectArvoError(() => updateActor(doc, actors[0]!.id, { color: 'blue' }, LOCAL_ORIGIN), 'invalid-input');
    expectArvoError(() => updateActor(doc, actors[0]!.id, { order: Number.NaN }, LOCAL_ORIGIN), 'invalid-input');
    expect(readRoom(doc).actors[0]).toMatchObject({ name: 'Kunta', color: ACTOR_PALETTE[0]!.color, order: 1 });
  });
});

describe('addParticipant', () => {
  it('records a participant of a known actor', () => {
    const { doc, actors } = newRoom('value-network', [{ name: 'Kunta' }]);
    const participant = { id: ID.me, name: 'Maija', actorId: actors[0]!.id, role: 'participant' as const, joinedAt: NOW + 1 };
    addParticipant(doc, participant, ORIGIN);
    expect(readRoom(doc).participants).toEqual([participant]);
    expect(roomRoots(doc).participants.get(ID.me)).toBeInstanceOf(Y.Map);
  });

  it('records a facilitator or observer without an actor', () => {
    const { doc } = newRoom();
    addParticipant(doc, { id: ID.me, name: 'Vetäjä', actorId: null, role: 'facilitator', joinedAt: NOW }, ORIGIN);
    addParticipant(doc, { id: ID.other, name: 'Tarkkailija', actorId: null, role: 'observer', joinedAt: NOW + 5 }, ORIGIN);
    expect(readRoom(doc).participants.map((p) => [p.name, p.role])).toEqual([
      ['Vetäjä', 'facilitator'],
      ['Tarkkailija', 'observer'],
    ]);
  });

  it('refuses an unknown actor with not-found and writes nothing', () => {
    const { doc } = newRoom('value-network', [{ name: 'Kunta' }]);
    expectArvoError(
      () => addParticipant(doc, { id: ID.me, name: 'Maija', actorId: ID.actorB, role: 'participant', joinedAt: NOW }, ORIGIN),
      'not-found',
    );
    expect(roomRoots(doc).participants.size).toBe(0);
  });

  it.each([
    ['bad id', { id: 'short', name: 'M', actorId: null, role: 'observer', joinedAt: NOW }],
    ['empty name', { id: ID.me, name: '', actorId: null, role: 'observer', joinedAt: NOW }],
    ['unknown role', { id: ID.me, name: 'M', actorId: null, role: 'admin', joinedAt: NOW }],
    ['negative time', { id: ID.me, name: 'M', actorId: null, role: 'observer', joinedAt: -1 }],
  ])('refuses %s with invalid-input', (_what, input) => {
    const { doc } = newRoom();
    expectArvoError(() => addParticipant(doc, input as never, ORIGIN), 'invalid-input');
    expect(roomRoots(doc).participants.size).toBe(0);
  });
});
