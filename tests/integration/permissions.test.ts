import crypto from 'node:crypto';
import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, updateNote } from '../../shared/ops/notes';
import { addActor } from '../../shared/ops/room';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode, DenyReason } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { RawClient, awarenessFrame, type ServerMessage } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';
import { countUpdates, storedRowsContaining } from '../helpers/store';

/**
 * Write permissions, end to end: every forbidden write is refused with the y-protocols
 * permission-denied message, is not relayed to anyone, is not stored, is counted in /metrics,
 * and leaves the connection usable. "Not relayed" is proven by ordering: an allowed edit made
 * after the refusal reaches the reader, and the relay preserves order.
 */
let server: TestServer;
let raws: RawClient[] = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  destroyAll();
  for (const raw of raws) raw.close();
  raws = [];
  await server.close();
  removeDir(server.dataDir);
});

/** A RawClient on `docName` that has completed its first sync. */
async function rawSynced(docName: string, token: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, docName, token);
  raws.push(client);
  await client.sync();
  return client;
}

async function rawOpen(docName: string, token: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, docName, token);
  raws.push(client);
  return client;
}

/**
 * How a connection that should be refused at connect ended: its close, or — if the server
 * accepted it after all — the first message it got (so that the test fails at once, not by timeout).
 */
function outcome(client: RawClient): Promise<{ code: number; reason: string } | { received: ServerMessage['type'] }> {
  const never = new Promise<never>(() => undefined);
  return Promise.race([client.closed, client.waitFor(() => true, 'a first message').then((m) => ({ received: m.type }), () => never)]);
}

const marker = (what: string) => `${what}-${crypto.randomUUID()}`;

const has = (bytes: Uint8Array, text: string) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(Buffer.from(text, 'utf8'));

function payloadOf(message: ServerMessage): Uint8Array {
  switch (message.type) {
    case 'sync-step1':
      return message.stateVector;
    case 'sync-step2':
    case 'update':
    case 'awareness':
      return message.update;
    case 'permission-denied':
      return Buffer.from(message.reason, 'utf8');
    case 'other':
      return message.bytes;
  }
}

/** Did any message this client received carry `text`? */
const everReceived = (client: RawClient, text: string) => client.received.some((m) => has(payloadOf(m), text));

/** A document change (update or sync step 2) carrying `text`. */
const carries = (text: string) => (m: ServerMessage) => (m.type === 'update' || m.type === 'sync-step2') && has(m.update, text);

/** Every root an Arvo document has, as JSON text: enough to search for a marker. */
const dump = (doc: Y.Doc) => JSON.stringify(['meta', 'actors', 'questions', 'participants', 'session', 'notes'].map((root) => doc.getMap(root).toJSON()));

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

async function workshop() {
  const created = await createWorkshop(server.url);
  const facilitatorRoom = await rawSynced(roomDocName(created.id), created.facilitatorToken);
  const [municipality, association] = readRoom(facilitatorRoom.doc).actors;
  const anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', municipality!.id);
  const ben = await join(server.url, created.id, created.participantJoinKey, 'Ben', association!.id);
  const olga = await join(server.url, created.id, created.observerJoinKey, 'Olga');
  await facilitatorRoom.waitFor(carries(olga.participantId), 'the last join at the facilitator');
  const names = {
    room: roomDocName(created.id),
    annaNotes: notesDocName(created.id, anna.participantId),
    benNotes: notesDocName(created.id, ben.participantId),
    annaDrafts: draftsDocName(created.id, anna.participantId),
    benDrafts: draftsDocName(created.id, ben.participantId),
    olgaDrafts: draftsDocName(created.id, olga.participantId),
  };
  return { created, facilitatorRoom, anna, ben, olga, names };
}

interface RefusalCase {
  docName: string;
  /** A connection that may read `docName` but not write it. */
  writer: RawClient;
  /** Another connection on `docName` that may read it. */
  reader: RawClient;
  /** A connection that may write `docName`: its edit after the refusal is the barrier. */
  allowed: RawClient;
  forbidden: (doc: Y.Doc, text: string) => void;
  allowedEdit: (doc: Y.Doc, text: string) => void;
  /** How the forbidden change travels: an update message, or a sync step 2 with the whole local state. */
  via?: 'update' | 'sync-step2';
  /** Extra checks on the reader's document after the barrier. */
  check?: (readerDoc: Y.Doc) => void;
}

/** The whole contract of a refused write; returns the markers it used. */
async function expectRefused(c: RefusalCase): Promise<{ forbidden: string; barrier: string }> {
  const forbidden = marker('forbidden');
  const barrier = marker('barrier');
  const presence = marker('presence');
  const rowsBefore = countUpdates(server.dataDir, c.docName);
  const deniedBefore = await rejected('forbidden-write');

  if (c.via === 'sync-step2') {
    c.writer.doc.transact(() => c.forbidden(c.writer.doc, forbidden), 'local');
    c.writer.send(syncStep2Frame(Y.encodeStateAsUpdate(c.writer.doc)));
  } else {
    c.writer.edit((doc) => c.forbidden(doc, forbidden));
  }

  // Refused, and told so with the y-protocols permission-denied message.
  const denial = await c.writer.waitFor((m) => m.type === 'permission-denied', 'permission denied');
  expect(denial).toEqual({ type: 'permission-denied', reason: DenyReason.readOnly });

  // The connection stays usable: what a reader may send (presence) still reaches the others...
  c.writer.send(awarenessFrame([{ clientId: c.writer.doc.clientID, clock: 1, state: { user: { name: presence } } }]));
  await c.reader.waitFor((m) => m.type === 'awareness' && has(m.update, presence), 'presence from the refused connection');

  // ...and an allowed edit made after the refusal reaches the reader and the refused writer.
  c.allowed.edit((doc) => c.allowedEdit(doc, barrier));
  await c.reader.waitFor(carries(barrier), 'the allowed edit at the reader');
  await c.writer.waitFor(carries(barrier), 'the allowed edit at the refused writer');

  // Not relayed: the barrier came after the forbidden write, and nothing carried it.
  expect(everReceived(c.reader, forbidden)).toBe(false);
  expect(everReceived(c.allowed, forbidden)).toBe(false);
  expect(everReceived(c.writer, forbidden)).toBe(false);
  expect(dump(c.reader.doc)).not.toContain(forbidden);
  expect(dump(c.reader.doc)).toContain(barrier);
  c.check?.(c.reader.doc);

  // Not stored: the log grew by the barrier alone (the barrier is relayed only once committed).
  expect(countUpdates(server.dataDir, c.docName)).toBe(rowsBefore + 1);
  expect(storedRowsContaining(server.dataDir, c.docName, forbidden)).toBe(0);
  expect(storedRowsContaining(server.dataDir, c.docName, barrier)).toBe(1);

  // Counted, once.
  expect(await rejected('forbidden-write')).toBe(deniedBefore + 1);
  expect(c.writer.received.filter((m) => m.type === 'permission-denied')).toHaveLength(1);
  expect(c.writer.ws.readyState).toBe(c.writer.ws.OPEN);
  return { forbidden, barrier };
}

const retitle = (doc: Y.Doc, text: string) => {
  doc.getMap('meta').set('title', text);
  addActor(doc, { name: text }, LOCAL_ORIGIN);
};
const addActorNamed = (doc: Y.Doc, text: string) => void addActor(doc, { name: text }, LOCAL_ORIGIN);
const addNoteSaying = (doc: Y.Doc, text: string) => void addNote(doc, { questionId: '3a', text, x: 1, y: 2 }, Date.now(), LOCAL_ORIGIN);

describe('write permissions on the wire', () => {
  it('an observer cannot write the room document', async () => {
    const { facilitatorRoom, ben, olga, names } = await workshop();
    const writer = await rawSynced(names.room, olga.token);
    const reader = await rawSynced(names.room, ben.token);
    await expectRefused({
      docName: names.room,
      writer,
      reader,
      allowed: facilitatorRoom,
      forbidden: retitle,
      allowedEdit: addActorNamed,
      check: (doc) => expect(readRoom(doc).meta?.title).toBe('Test workshop'),
    });
  });

  it("an observer cannot write a participant's notes", async () => {
    const { anna, ben, olga, names } = await workshop();
    const owner = await rawSynced(names.annaNotes, anna.token);
    owner.edit((doc) => addNoteSaying(doc, 'Anna original'));
    const reader = await rawSynced(names.annaNotes, ben.token);
    await waitFor(reader.doc, () => readNotes(reader.doc).notes.length === 1, "Anna's note at Ben");
    const writer = await rawSynced(names.annaNotes, olga.token);
    const existing = readNotes(writer.doc).notes[0]!;
    await expectRefused({
      docName: names.annaNotes,
      writer,
      reader,
      allowed: owner,
      forbidden: (doc, text) => {
        addNoteSaying(doc, text);
        updateNote(doc, existing.id, { text: `${text} (rewritten)` }, Date.now(), LOCAL_ORIGIN);
      },
      allowedEdit: addNoteSaying,
      check: (doc) => expect(readNotes(doc).notes.find((n) => n.id === existing.id)?.text).toBe('Anna original'),
    });
  });

  it('a participant cannot write the room document', async () => {
    const { facilitatorRoom, anna, olga, names } = await workshop();
    const writer = await rawSynced(names.room, anna.token);
    const reader = await rawSynced(names.room, olga.token);
    await expectRefused({
      docName: names.room,
      writer,
      reader,
      allowed: facilitatorRoom,
      forbidden: retitle,
      allowedEdit: addActorNamed,
      check: (doc) => expect(readRoom(doc).meta?.title).toBe('Test workshop'),
    });
  });

  it("a participant cannot write another participant's notes", async () => {
    const { anna, ben, olga, names } = await workshop();
    const owner = await rawSynced(names.benNotes, ben.token);
    owner.edit((doc) => addNoteSaying(doc, 'Ben original'));
    const reader = await rawSynced(names.benNotes, olga.token);
    await waitFor(reader.doc, () => readNotes(reader.doc).notes.length === 1, "Ben's note at Olga");
    const writer = await rawSynced(names.benNotes, anna.token);
    const existing = readNotes(writer.doc).notes[0]!;
    await expectRefused({
      docName: names.benNotes,
      writer,
      reader,
      allowed: owner,
      forbidden: (doc, text) => {
        addNoteSaying(doc, text);
        deleteNote(doc, existing.id, LOCAL_ORIGIN);
      },
      allowedEdit: addNoteSaying,
      check: (doc) => expect(readNotes(doc).notes.map((n) => n.text)).toContain('Ben original'),
    });
  });

  it('a forbidden change sent as sync step 2 is refused the same way; a step 2 with nothing new is not', async () => {
    const { facilitatorRoom, anna, olga, names } = await workshop();
    const writer = await rawSynced(names.room, anna.token);
    const reader = await rawSynced(names.room, olga.token);
    const deniedBefore = await rejected('forbidden-write');
    // What a stock provider sends on connect: its whole state, all of it known to the server.
    writer.send(syncStep2Frame(Y.encodeStateAsUpdate(writer.doc)));
    await writer.roundTrip();
    expect(writer.received.some((m) => m.type === 'permission-denied')).toBe(false);
    expect(await rejected('forbidden-write')).toBe(deniedBefore);

    await expectRefused({
      docName: names.room,
      writer,
      reader,
      allowed: facilitatorRoom,
      forbidden: retitle,
      allowedEdit: addActorNamed,
      via: 'sync-step2',
      check: (doc) => expect(readRoom(doc).meta?.title).toBe('Test workshop'),
    });
  });

  it("the facilitator writes the room document and every participant's notes", async () => {
    const { created, facilitatorRoom, anna, ben, olga, names } = await workshop();
    const cases: Array<{ docName: string; writer: RawClient; reader: RawClient; edit: (doc: Y.Doc, text: string) => void }> = [
      { docName: names.room, writer: facilitatorRoom, reader: await rawSynced(names.room, olga.token), edit: retitle },
      { docName: names.annaNotes, writer: await rawSynced(names.annaNotes, created.facilitatorToken), reader: await rawSynced(names.annaNotes, anna.token), edit: addNoteSaying },
      { docName: names.benNotes, writer: await rawSynced(names.benNotes, created.facilitatorToken), reader: await rawSynced(names.benNotes, ben.token), edit: addNoteSaying },
    ];
    for (const c of cases) {
      const text = marker('facilitator');
      const rowsBefore = countUpdates(server.dataDir, c.docName);
      c.writer.edit((doc) => c.edit(doc, text));
      await c.reader.waitFor(carries(text), `the facilitator's edit of ${c.docName}`);
      // Any refusal would have been sent before the answer to this sync step 1.
      await c.writer.roundTrip();
      expect(c.writer.received.some((m) => m.type === 'permission-denied')).toBe(false);
      expect(dump(c.reader.doc)).toContain(text);
      expect(countUpdates(server.dataDir, c.docName)).toBe(rowsBefore + 1);
      expect(storedRowsContaining(server.dataDir, c.docName, text)).toBe(1);
    }
    expect(readRoom(cases[0]!.reader.doc).meta?.title).toMatch(/^facilitator-/);
    expect(await rejected('forbidden-write')).toBe(0);
  });
});

describe('drafts are private to their owner', () => {
  it('nobody but the owner may open a drafts document (4403 at connect, nothing sent)', async () => {
    const { created, anna, ben, olga, names } = await workshop();
    const before = await rejected('no-read-access');
    const attempts = [
      { who: 'another participant', docName: names.annaDrafts, token: ben.token },
      { who: 'the facilitator', docName: names.annaDrafts, token: created.facilitatorToken },
      { who: 'an observer', docName: names.annaDrafts, token: olga.token },
      { who: 'an observer, its own', docName: names.olgaDrafts, token: olga.token },
    ];
    for (const attempt of attempts) {
      const client = await rawOpen(attempt.docName, attempt.token);
      expect(await outcome(client), attempt.who).toEqual({ code: CloseCode.forbidden, reason: 'no access to this document' });
      expect(client.received, attempt.who).toEqual([]);
    }
    expect(await rejected('no-read-access')).toBe(before + attempts.length);
    // The owner may.
    const own = await rawSynced(names.annaDrafts, anna.token);
    expect(own.ws.readyState).toBe(own.ws.OPEN);
  });

  it('the owner writes drafts and reads them back after reconnecting; another participant never receives them', async () => {
    const { created, anna, ben, names } = await workshop();
    // Ben watches everything he may: the room, Anna's notes, his own drafts.
    const benWatching = [
      await rawSynced(names.room, ben.token),
      await rawSynced(names.annaNotes, ben.token),
      await rawSynced(names.benDrafts, ben.token),
    ];
    const draftText = marker('draft');
    const writer = connect(server.wsUrl, names.annaDrafts, anna.token);
    await waitSynced(writer);
    // A second connection of Anna's: it receives the draft only once the server has committed it.
    const annaElsewhere = await rawSynced(names.annaDrafts, anna.token);
    addNote(writer.doc, { questionId: '1b', text: draftText, x: 5, y: 6 }, Date.now(), LOCAL_ORIGIN);
    await annaElsewhere.waitFor(carries(draftText), "the draft at Anna's other connection");
    expect(storedRowsContaining(server.dataDir, names.annaDrafts, draftText)).toBe(1);

    // Ben tries to open the drafts after they exist: refused before a single byte of them.
    const benTries = await rawOpen(names.annaDrafts, ben.token);
    expect(await outcome(benTries)).toEqual({ code: CloseCode.forbidden, reason: 'no access to this document' });
    expect(benTries.received).toEqual([]);

    // Barrier on every document Ben watches; none of them ever carried the draft.
    const barrier = marker('barrier');
    const annaNotes = await rawSynced(names.annaNotes, anna.token);
    annaNotes.edit((doc) => addNoteSaying(doc, barrier));
    benWatching[2]!.edit((doc) => addNoteSaying(doc, barrier));
    const facilitatorRoom = await rawSynced(names.room, created.facilitatorToken);
    facilitatorRoom.edit((doc) => addActorNamed(doc, barrier));
    await benWatching[0]!.waitFor(carries(barrier), 'barrier in the room');
    await benWatching[1]!.waitFor(carries(barrier), "barrier in Anna's notes");
    await benWatching[2]!.roundTrip();
    for (const client of [...benWatching, benTries]) expect(everReceived(client, draftText)).toBe(false);

    // Anna reconnects with a fresh document and gets her draft back from the server.
    writer.provider.destroy();
    const again = connect(server.wsUrl, names.annaDrafts, anna.token);
    await waitSynced(again);
    await waitFor(again.doc, () => readNotes(again.doc).notes.some((n) => n.text === draftText), 'the draft after reconnecting');
    expect(readNotes(again.doc).notes).toHaveLength(1);
    expect(readNotes(again.doc).notes[0]).toMatchObject({ questionId: '1b', text: draftText, x: 5, y: 6 });
  });
});

describe('refused writes after a restart', () => {
  it('the documents loaded from the same data directory lack every refused edit', async () => {
    const { facilitatorRoom, anna, ben, olga, names, created } = await workshop();
    const benOwn = await rawSynced(names.benNotes, ben.token);
    const annaOwn = await rawSynced(names.annaNotes, anna.token);
    const results = [
      await expectRefused({
        docName: names.room,
        writer: await rawSynced(names.room, olga.token),
        reader: await rawSynced(names.room, ben.token),
        allowed: facilitatorRoom,
        forbidden: retitle,
        allowedEdit: addActorNamed,
      }),
      await expectRefused({
        docName: names.room,
        writer: await rawSynced(names.room, anna.token),
        reader: await rawSynced(names.room, olga.token),
        allowed: facilitatorRoom,
        forbidden: retitle,
        allowedEdit: addActorNamed,
      }),
      await expectRefused({
        docName: names.benNotes,
        writer: await rawSynced(names.benNotes, anna.token),
        reader: await rawSynced(names.benNotes, olga.token),
        allowed: benOwn,
        forbidden: addNoteSaying,
        allowedEdit: addNoteSaying,
      }),
      await expectRefused({
        docName: names.annaNotes,
        writer: await rawSynced(names.annaNotes, olga.token),
        reader: await rawSynced(names.annaNotes, ben.token),
        allowed: annaOwn,
        forbidden: addNoteSaying,
        allowedEdit: addNoteSaying,
      }),
    ];

    for (const raw of raws) raw.close();
    raws = [];
    const dataDir = server.dataDir;
    await server.close();
    server = await startTestServer({}, dataDir);

    const room = connect(server.wsUrl, names.room, created.facilitatorToken);
    const benNotes = connect(server.wsUrl, names.benNotes, created.facilitatorToken);
    const annaNotes = connect(server.wsUrl, names.annaNotes, created.facilitatorToken);
    await Promise.all([room, benNotes, annaNotes].map((peer) => waitSynced(peer)));
    const roomText = dump(room.doc);
    expect(readRoom(room.doc).meta?.title).toBe('Test workshop');
    expect(roomText).toContain(results[0]!.barrier);
    expect(roomText).toContain(results[1]!.barrier);
    expect(roomText).not.toContain(results[0]!.forbidden);
    expect(roomText).not.toContain(results[1]!.forbidden);
    expect(readNotes(benNotes.doc).notes.map((n) => n.text)).toEqual([results[2]!.barrier]);
    expect(readNotes(annaNotes.doc).notes.map((n) => n.text)).toEqual([results[3]!.barrier]);
  });
});
