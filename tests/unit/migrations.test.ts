import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CURRENT_SCHEMA_VERSION, MIGRATIONS, migrate, schemaVersionOf } from '../../shared/migrations';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN, MIGRATION_ORIGIN } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import { notesRoots, roomRoots } from '../../shared/schema/layout';
import { expectArvoError } from './helpers';

/** The golden version-1 room (tests/fixtures/make-room-v1.ts). Only ever read here. */
const GOLDEN = new Uint8Array(readFileSync(new URL('../fixtures/room-v1.bin', import.meta.url)));

/** What the golden file holds; written out here rather than imported from the generator. */
const V1_ACTOR = { id: 'ActV100000000001', name: 'Kunta', color: '#77aadd', order: 1 };
const V1_PARTICIPANT = { id: 'PrtV100000000001', name: 'Maija', actorId: 'ActV100000000001', role: 'participant', joinedAt: 1_700_000_100_000 };

function loadGolden(): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, GOLDEN);
  return doc;
}

function recordOrigins(doc: Y.Doc): unknown[] {
  const origins: unknown[] = [];
  doc.on('update', (_update: Uint8Array, origin: unknown) => origins.push(origin));
  return origins;
}

describe('MIGRATIONS', () => {
  it('has versions 1..N, strictly increasing, and CURRENT_SCHEMA_VERSION is N', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual(Array.from({ length: MIGRATIONS.length }, (_, i) => i + 1));
    for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThan(versions[i - 1]!);
    expect(CURRENT_SCHEMA_VERSION).toBe(MIGRATIONS.length);
    expect(CURRENT_SCHEMA_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('names every migration, uniquely', () => {
    const names = MIGRATIONS.map((m) => m.name);
    for (const name of names) expect(name.length).toBeGreaterThan(0);
    expect(new Set(names).size).toBe(names.length);
    expect(names.slice(0, 2)).toEqual(['initial layout', 'session lock and workshop phase']);
  });
});

describe('golden version-1 room', () => {
  it('is what version 1 wrote: version 1, no phase, no lock', () => {
    const doc = loadGolden();
    const { meta, session } = roomRoots(doc);
    expect(schemaVersionOf(doc)).toBe(1);
    expect(meta.toJSON()).toEqual({
      schemaVersion: 1,
      title: 'Arvoverkkotyöpaja v1',
      template: 'value-network',
      language: 'fi',
      createdAt: 1_700_000_000_000,
    });
    expect(meta.has('phase')).toBe(false);
    expect(session.toJSON()).toEqual({ round: null, focus: null });
    expect(session.has('locked')).toBe(false);
  });

  it('migrates to the current version: phase setup, unlocked, nothing else lost', () => {
    const doc = loadGolden();
    const result = migrate(doc, 'room');
    expect(result).toEqual({ from: 1, to: CURRENT_SCHEMA_VERSION, applied: MIGRATIONS.slice(1).map((m) => m.name) });
    expect(result.applied).toContain('session lock and workshop phase');
    expect(schemaVersionOf(doc)).toBe(CURRENT_SCHEMA_VERSION);

    const { meta, session, actors } = roomRoots(doc);
    expect(meta.get('phase')).toBe('setup');
    expect(session.get('locked')).toBe(false);
    expect(session.get('round')).toBeNull();
    expect(session.get('focus')).toBeNull();
    expect(meta.get('title')).toBe('Arvoverkkotyöpaja v1');
    expect(actors.get(V1_ACTOR.id)).toBeInstanceOf(Y.Map);
    expect(actors.get(V1_ACTOR.id)!.toJSON()).toEqual(V1_ACTOR);

    const room = readRoom(doc);
    expect(room.problems).toEqual([]);
    expect(room.meta).toEqual({
      schemaVersion: CURRENT_SCHEMA_VERSION,
      title: 'Arvoverkkotyöpaja v1',
      template: 'value-network',
      language: 'fi',
      phase: 'setup',
      createdAt: 1_700_000_000_000,
    });
    expect(room.actors).toEqual([V1_ACTOR]);
    expect(room.participants).toEqual([V1_PARTICIPANT]);
    expect(room.questions.map((q) => q.id)).toEqual(['1a', '1b', '2a', '2b', '3a', '3b', '4a', '4b']);
    expect(room.session).toEqual({ round: null, focus: null, locked: false, lockedActors: [], postRequest: null });
  });

  it('writes the migration in one transaction with MIGRATION_ORIGIN', () => {
    const doc = loadGolden();
    const origins = recordOrigins(doc);
    migrate(doc, 'room');
    expect(origins).toHaveLength(1);
    expect(origins[0]).toBe(MIGRATION_ORIGIN);
    expect(origins[0]).toEqual({ kind: 'migration' });
  });

  it('is a no-op the second time: nothing applied, nothing written', () => {
    const doc = loadGolden();
    migrate(doc, 'room');
    const before = Y.encodeStateVector(doc);
    const origins = recordOrigins(doc);
    const second = migrate(doc, 'room');
    expect(second).toEqual({ from: CURRENT_SCHEMA_VERSION, to: CURRENT_SCHEMA_VERSION, applied: [] });
    expect(origins).toEqual([]);
    expect(Y.encodeStateVector(doc)).toEqual(before);
  });

  it('keeps values a version-1 document already had (does not overwrite an existing lock or phase)', () => {
    const doc = loadGolden();
    doc.transact(() => {
      roomRoots(doc).session.set('locked', true);
      roomRoots(doc).meta.set('phase', 'writing');
    }, LOCAL_ORIGIN);
    migrate(doc, 'room');
    expect(roomRoots(doc).session.get('locked')).toBe(true);
    expect(roomRoots(doc).meta.get('phase')).toBe('writing');
  });

  it('converges when two replicas migrate the same document independently', () => {
    const a = loadGolden();
    const b = loadGolden();
    b.clientID = a.clientID + 1;
    migrate(a, 'room');
    migrate(b, 'room');
    Y.applyUpdate(a, Y.encodeStateAsUpdate(b));
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(readRoom(a)).toEqual(readRoom(b));
    expect(readRoom(a).problems).toEqual([]);
    expect(readRoom(a).session.locked).toBe(false);
  });
});

describe('migrate', () => {
  it('stamps an empty document with the current version and nothing else', () => {
    const doc = new Y.Doc();
    const origins = recordOrigins(doc);
    const result = migrate(doc, 'room');
    expect(result).toEqual({ from: null, to: CURRENT_SCHEMA_VERSION, applied: [] });
    expect(roomRoots(doc).meta.toJSON()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(roomRoots(doc).session.size).toBe(0);
    expect(roomRoots(doc).actors.size).toBe(0);
    expect(roomRoots(doc).questions.size).toBe(0);
    expect(roomRoots(doc).participants.size).toBe(0);
    expect(origins).toEqual([MIGRATION_ORIGIN]);
  });

  it('stamps an empty notes document the same way', () => {
    const doc = new Y.Doc();
    expect(migrate(doc, 'notes')).toEqual({ from: null, to: CURRENT_SCHEMA_VERSION, applied: [] });
    expect(notesRoots(doc).meta.toJSON()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(notesRoots(doc).notes.size).toBe(0);
  });

  it('treats an unversioned document with content as version 1 and runs every migration', () => {
    const doc = new Y.Doc();
    doc.transact(() => roomRoots(doc).meta.set('title', 'Legacy'));
    const result = migrate(doc, 'room');
    expect(result).toEqual({ from: null, to: CURRENT_SCHEMA_VERSION, applied: MIGRATIONS.map((m) => m.name) });
    expect(roomRoots(doc).meta.get('phase')).toBe('setup');
    expect(roomRoots(doc).session.toJSON()).toEqual({ round: null, focus: null, locked: false });
  });

  it('adds no room fields to a version-1 notes document', () => {
    const doc = new Y.Doc();
    const note = addNote(doc, { questionId: '1b', text: 'vanha', x: 1, y: 2 }, 1_700_000_000_000, LOCAL_ORIGIN);
    doc.transact(() => notesRoots(doc).meta.set('schemaVersion', 1));
    const result = migrate(doc, 'notes');
    expect(result.from).toBe(1);
    expect(result.to).toBe(CURRENT_SCHEMA_VERSION);
    expect(notesRoots(doc).meta.toJSON()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION });
    expect(roomRoots(doc).session.size).toBe(0);
    expect(notesRoots(doc).notes.get(note.id)!.toJSON()).toEqual(note);
  });

  it('refuses a document from a newer schema with schema-too-new and leaves it untouched', () => {
    const doc = new Y.Doc();
    doc.transact(() => {
      roomRoots(doc).meta.set('schemaVersion', 99);
      roomRoots(doc).meta.set('title', 'From the future');
    });
    const origins = recordOrigins(doc);
    const error = expectArvoError(() => migrate(doc, 'room'), 'schema-too-new');
    expect(error.message).toContain('99');
    expect(schemaVersionOf(doc)).toBe(99);
    expect(roomRoots(doc).meta.has('phase')).toBe(false);
    expect(origins).toEqual([]);
  });

  it('refuses the golden document re-stamped as a newer version', () => {
    const doc = loadGolden();
    doc.transact(() => roomRoots(doc).meta.set('schemaVersion', CURRENT_SCHEMA_VERSION + 1));
    expectArvoError(() => migrate(doc, 'room'), 'schema-too-new');
  });
});

describe('schemaVersionOf', () => {
  it.each([
    [2, 2],
    [1, 1],
    ['2', null],
    [1.5, null],
    [null, null],
  ])('meta.schemaVersion %j → %j', (stored, expected) => {
    const doc = new Y.Doc();
    doc.transact(() => roomRoots(doc).meta.set('schemaVersion', stored));
    expect(schemaVersionOf(doc)).toBe(expected);
  });

  it('is null for a document without meta', () => {
    expect(schemaVersionOf(new Y.Doc())).toBeNull();
  });
});
