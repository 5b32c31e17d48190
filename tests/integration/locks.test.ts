import crypto from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, updateNote } from '../../shared/ops/notes';
import { setFlipchartLocked, setWallLocked } from '../../shared/ops/session';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { DenyReason } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { RawClient, type ServerMessage } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';
import { countUpdates, storedRowsContaining } from '../helpers/store';

/**
 * Locks, enforced by the server: while the facilitator has locked the wall (`session.locked`) or
 * one actor's flipchart (`session.lockedActors`), a participant's write to their public notes
 * is refused with permission-denied 'wall-locked' — not applied, not relayed, not stored, counted
 * — and the connection stays usable. Facilitators still write; drafts are not affected; a
 * reconnecting client's sync step 2 with nothing new is accepted silently; unlocking restores
 * writing.
 */
let server: TestServer;
let raws: RawClient[] = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const raw of raws) raw.close();
  raws = [];
  await server.close();
  removeDir(server.dataDir);
});

async function rawSynced(docName: string, token: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, docName, token);
  raws.push(client);
  await client.sync();
  return client;
}

const marker = (what: string) => `${what}-${crypto.randomUUID()}`;
const has = (bytes: Uint8Array, text: string) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(text, 'utf8'));
const carries = (text: string) => (m: ServerMessage) => (m.type === 'update' || m.type === 'sync-step2') && has(m.update, text);
const everReceived = (client: RawClient, text: string) => client.received.some((m) => (m.type === 'update' || m.type === 'sync-step2') && has(m.update, text));
const denials = (client: RawClient) => client.received.filter((m) => m.type === 'permission-denied');
const noteSaying = (text: string) => (doc: Y.Doc) => void addNote(doc, { questionId: '3a', text, x: 16, y: 16 }, Date.now(), LOCAL_ORIGIN);

function syncStep2Frame(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, 0);
  encoding.writeVarUint(encoder, 1);
  encoding.writeVarUint8Array(encoder, update);
  return encoding.toUint8Array(encoder);
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const escaped = `${name}{${labels}}`.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\d+(?:\\.\\d+)?)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}
const rejected = (reason: string) => metric('arvo_rejected_messages_total', `reason="${reason}"`);

/** Anna (municipality) writes her notes; Ben (association) reads them; the facilitator drives the room. */
async function workshop() {
  const created = await createWorkshop(server.url);
  const facilitatorRoom = await rawSynced(roomDocName(created.id), created.facilitatorToken);
  const [municipality, association] = readRoom(facilitatorRoom.doc).actors;
  const anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', municipality!.id);
  const ben = await join(server.url, created.id, created.participantJoinKey, 'Ben', association!.id);
  await facilitatorRoom.waitFor(carries(ben.participantId), 'the last join at the facilitator');
  const names = {
    room: roomDocName(created.id),
    annaNotes: notesDocName(created.id, anna.participantId),
    benNotes: notesDocName(created.id, ben.participantId),
    annaDrafts: draftsDocName(created.id, anna.participantId),
  };
  const annaOwn = await rawSynced(names.annaNotes, anna.token);
  annaOwn.edit(noteSaying('Anna before the lock'));
  const benReadsAnna = await rawSynced(names.annaNotes, ben.token);
  await benReadsAnna.waitFor(carries('Anna before the lock'), "Anna's note at Ben");
  // Anna's view of the room: when it shows the lock, the server has applied it.
  const annaRoom = await rawSynced(names.room, anna.token);
  const facilitatorOnAnna = await rawSynced(names.annaNotes, created.facilitatorToken);
  return { created, facilitatorRoom, anna, ben, names, annaOwn, benReadsAnna, annaRoom, facilitatorOnAnna, municipality: municipality!, association: association! };
}

type Workshop = Awaited<ReturnType<typeof workshop>>;

/** The facilitator changes the session; resolves once Anna's view of the room shows it. */
async function facilitatorSets(w: Workshop, change: (doc: Y.Doc) => void, shown: (session: ReturnType<typeof readRoom>['session']) => boolean): Promise<void> {
  w.facilitatorRoom.edit(change);
  await w.annaRoom.waitFor(() => shown(readRoom(w.annaRoom.doc).session), 'the session change at Anna');
}

/**
 * Anna's edit, from a fresh connection of hers, is refused as wall-locked, and nothing of it
 * gets anywhere. (A refused client keeps its edit locally — y-protocols semantics — so each
 * attempt starts from a clean copy of the server's state.)
 */
async function expectLockedOut(w: Workshop, forbidden: (doc: Y.Doc, text: string) => void): Promise<void> {
  const writer = await rawSynced(w.names.annaNotes, w.anna.token);
  const text = marker('locked-out');
  const rowsBefore = countUpdates(server.dataDir, w.names.annaNotes);
  const deniedBefore = await rejected('wall-locked');
  writer.edit((doc) => forbidden(doc, text));
  expect(await writer.waitFor((m) => m.type === 'permission-denied', 'the wall-locked refusal')).toEqual({ type: 'permission-denied', reason: DenyReason.wallLocked });

  // The facilitator still writes Anna's notes: that edit is the barrier (the relay keeps order).
  const barrier = marker('facilitator');
  w.facilitatorOnAnna.edit(noteSaying(barrier));
  await w.benReadsAnna.waitFor(carries(barrier), "the facilitator's edit at Ben");
  await writer.waitFor(carries(barrier), "the facilitator's edit at Anna");
  expect(everReceived(w.benReadsAnna, text)).toBe(false);
  expect(everReceived(w.facilitatorOnAnna, text)).toBe(false);
  expect(everReceived(writer, text)).toBe(false);
  expect(readNotes(w.benReadsAnna.doc).notes.map((n) => n.text)).not.toContain(text);
  expect(countUpdates(server.dataDir, w.names.annaNotes)).toBe(rowsBefore + 1);
  expect(storedRowsContaining(server.dataDir, w.names.annaNotes, text)).toBe(0);
  expect(await rejected('wall-locked')).toBe(deniedBefore + 1);
  expect(denials(writer)).toHaveLength(1);
  expect(writer.ws.readyState).toBe(writer.ws.OPEN);
  writer.close();
}

/** Anna's edit, from a fresh connection, is accepted, stored and reaches Ben. */
async function expectAccepted(w: Workshop): Promise<void> {
  const writer = await rawSynced(w.names.annaNotes, w.anna.token);
  const text = marker('accepted');
  writer.edit(noteSaying(text));
  await w.benReadsAnna.waitFor(carries(text), "Anna's edit at Ben");
  await writer.roundTrip();
  expect(denials(writer)).toEqual([]);
  expect(storedRowsContaining(server.dataDir, w.names.annaNotes, text)).toBe(1);
  writer.close();
}

describe('the wall lock', () => {
  it("refuses a participant's new notes, edits and deletions; the facilitator still writes; unlocking restores writing", async () => {
    const w = await workshop();
    await expectAccepted(w);
    await facilitatorSets(w, (doc) => setWallLocked(doc, true, LOCAL_ORIGIN), (s) => s.locked);

    const existing = readNotes(w.benReadsAnna.doc).notes.find((n) => n.text === 'Anna before the lock')!;
    await expectLockedOut(w, (doc, text) => addNote(doc, { questionId: '3a', text, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    await expectLockedOut(w, (doc, text) => updateNote(doc, existing.id, { text }, Date.now(), LOCAL_ORIGIN));
    await expectLockedOut(w, (doc, text) => {
      deleteNote(doc, existing.id, LOCAL_ORIGIN);
      addNote(doc, { questionId: '3a', text, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    });
    expect(readNotes(w.benReadsAnna.doc).notes.find((n) => n.id === existing.id)?.text).toBe('Anna before the lock');

    // Other participants are locked out of their own notes too.
    const benOwn = await rawSynced(w.names.benNotes, w.ben.token);
    benOwn.edit(noteSaying(marker('ben-locked')));
    expect(await benOwn.waitFor((m) => m.type === 'permission-denied', "Ben's refusal")).toEqual({ type: 'permission-denied', reason: DenyReason.wallLocked });

    await facilitatorSets(w, (doc) => setWallLocked(doc, false, LOCAL_ORIGIN), (s) => !s.locked);
    await expectAccepted(w);
  });

  it('drafts are not affected, and a sync step 2 with nothing new is accepted silently', async () => {
    const w = await workshop();
    await facilitatorSets(w, (doc) => setWallLocked(doc, true, LOCAL_ORIGIN), (s) => s.locked);
    const deniedBefore = await rejected('wall-locked');

    // What a stock provider sends when it reconnects: its whole state, all known to the server.
    w.annaOwn.send(syncStep2Frame(Y.encodeStateAsUpdate(w.annaOwn.doc)));
    await w.annaOwn.roundTrip();
    expect(denials(w.annaOwn)).toEqual([]);
    expect(await rejected('wall-locked')).toBe(deniedBefore);

    // Drafts: written, stored, and seen by Anna's other connection.
    const drafts = await rawSynced(w.names.annaDrafts, w.anna.token);
    const elsewhere = await rawSynced(w.names.annaDrafts, w.anna.token);
    const text = marker('draft-while-locked');
    drafts.edit(noteSaying(text));
    await elsewhere.waitFor(carries(text), 'the draft at her other connection');
    await drafts.roundTrip();
    expect(denials(drafts)).toEqual([]);
    expect(storedRowsContaining(server.dataDir, w.names.annaDrafts, text)).toBe(1);

    // ...but a sync step 2 that carries a new note is refused like any edit.
    w.annaOwn.doc.transact(() => noteSaying(marker('in-step-2'))(w.annaOwn.doc), 'local');
    w.annaOwn.send(syncStep2Frame(Y.encodeStateAsUpdate(w.annaOwn.doc)));
    expect(await w.annaOwn.waitFor((m) => m.type === 'permission-denied', 'the refusal of a step 2 with news')).toEqual({
      type: 'permission-denied',
      reason: DenyReason.wallLocked,
    });
    expect(await rejected('wall-locked')).toBe(deniedBefore + 1);
  });

  it('holds for a participant who opened only their notes, after a restart (the server loads the room itself)', async () => {
    const w = await workshop();
    await facilitatorSets(w, (doc) => setWallLocked(doc, true, LOCAL_ORIGIN), (s) => s.locked);
    for (const raw of raws) raw.close();
    raws = [];
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({}, dataDir);

    const annaOwn = await rawSynced(w.names.annaNotes, w.anna.token);
    const text = marker('after-restart');
    annaOwn.edit(noteSaying(text));
    expect(await annaOwn.waitFor((m) => m.type === 'permission-denied', 'the refusal')).toEqual({ type: 'permission-denied', reason: DenyReason.wallLocked });
    // The facilitator's edit after it is the barrier: Anna's refused note never came back.
    const facilitator = await rawSynced(w.names.annaNotes, w.created.facilitatorToken);
    const barrier = marker('barrier');
    facilitator.edit(noteSaying(barrier));
    await annaOwn.waitFor(carries(barrier), 'the barrier');
    expect(storedRowsContaining(server.dataDir, w.names.annaNotes, text)).toBe(0);
    expect(everReceived(facilitator, text)).toBe(false);
  });
});

describe('the per-flipchart lock', () => {
  it("refuses only the locked actor's participants, and unlocking restores them", async () => {
    const w = await workshop();
    const benOwn = await rawSynced(w.names.benNotes, w.ben.token);
    const annaReadsBen = await rawSynced(w.names.benNotes, w.anna.token);
    await facilitatorSets(w, (doc) => setFlipchartLocked(doc, w.municipality.id, true, LOCAL_ORIGIN), (s) => s.lockedActors.includes(w.municipality.id));

    await expectLockedOut(w, (doc, text) => addNote(doc, { questionId: '3a', text, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));

    // Ben's flipchart (the association) is not locked.
    const benText = marker('ben-free');
    benOwn.edit(noteSaying(benText));
    await annaReadsBen.waitFor(carries(benText), "Ben's note at Anna");
    await benOwn.roundTrip();
    expect(denials(benOwn)).toEqual([]);

    // Locking Ben's flipchart as well, then unlocking Anna's: the rule follows each actor.
    await facilitatorSets(w, (doc) => setFlipchartLocked(doc, w.association.id, true, LOCAL_ORIGIN), (s) => s.lockedActors.length === 2);
    benOwn.edit(noteSaying(marker('ben-locked')));
    expect(await benOwn.waitFor((m) => m.type === 'permission-denied', "Ben's refusal")).toEqual({ type: 'permission-denied', reason: DenyReason.wallLocked });
    await facilitatorSets(w, (doc) => setFlipchartLocked(doc, w.municipality.id, false, LOCAL_ORIGIN), (s) => !s.lockedActors.includes(w.municipality.id));
    await expectAccepted(w);
  });
});
