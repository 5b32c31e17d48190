import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { openSqliteStore } from '../../server/store/sqlite';
import { addNote } from '../../shared/ops/notes';
import { requestPost } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { encodeMux } from '../../shared/protocol/mux';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { notesRoots } from '../../shared/schema/layout';
import { createWorkshop, joinAs, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { muxUrl, RawMux } from '../helpers/rawMux';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * A participant's document is untrusted input (issue 8), and what is already stored is too:
 * content put straight into the SQLite file — a `meta` the server cannot load, a record nested a
 * hundred thousand maps deep, malformed drafts — never takes anything else down. The document
 * that cannot load is refused on its own mux channel while the socket and every other document
 * stay open and keep syncing; one that loads shows its good notes; the round engine posts every
 * good draft and records the request.
 */
const DEPTH = 100_000;
let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  destroyAll();
  await server.close();
  removeDir(server.dataDir);
});

/**
 * Writes an update straight into the server's SQLite file, past every check (the document must not
 * be loaded yet). The server holds the data directory's lock, so this second writer opens without it.
 */
async function plant(docName: string, build: (doc: Y.Doc) => void): Promise<void> {
  const store = openSqliteStore({ file: path.join(server.dataDir, 'arvo.sqlite'), synchronous: 'NORMAL', exclusive: false });
  try {
    const doc = new Y.Doc();
    doc.transact(() => build(doc));
    await store.appendUpdates([{ docName, ts: Date.now(), participantId: null, update: Y.encodeStateAsUpdate(doc) }]);
  } finally {
    await store.close();
  }
}

/** A notes map that takes anything (what a hostile writer puts there). */
const notesMap = (doc: Y.Doc) => notesRoots(doc).notes as unknown as Y.Map<unknown>;

function nest(parent: Y.Map<unknown>, key: string, depth = DEPTH): void {
  let map = new Y.Map<unknown>();
  parent.set(key, map);
  for (let i = 0; i < depth; i++) {
    const child = new Y.Map<unknown>();
    map.set('x', child);
    map = child;
  }
}

function note(notes: Y.Map<unknown>, id: string, fields: Record<string, unknown> = {}): Y.Map<unknown> {
  const map = new Y.Map<unknown>();
  notes.set(id, map);
  for (const [key, value] of Object.entries({ id, questionId: '3a', text: `text of ${id}`, x: 0, y: 0, createdAt: Date.now(), ...fields })) map.set(key, value);
  return map;
}

async function workshop() {
  const created = await createWorkshop(server.url);
  const facilitator = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await waitSynced(facilitator);
  const [anna, mallory, oscar] = (await joinAs(server.url, created, [['Anna', 0], ['Mallory', 1], ['Oscar', 2]])) as [Joined, Joined, Joined];
  return { created, facilitator, anna, mallory, oscar };
}

const texts = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.text).sort();

async function closeCodeOf(url: string): Promise<number> {
  const ws = new WebSocket(url);
  return new Promise((resolve) => ws.on('close', (code) => resolve(code)));
}

describe('a stored document that cannot be trusted', () => {
  it('is refused on its own mux channel; the socket and every other document stay open and keep syncing', async () => {
    const { created, anna, mallory, oscar } = await workshop();
    const w = created.id;
    // Mallory's notes: a schemaVersion from "the future" (her client wrote it into her own meta).
    await plant(notesDocName(w, mallory.participantId), (doc) => {
      notesRoots(doc).meta.set('schemaVersion', 1e300);
      note(notesMap(doc), 'MalloryNote00001');
    });
    // Oscar's notes: one good note, one nested 100k maps deep in a field readers know, one nesting beside valid fields.
    await plant(notesDocName(w, oscar.participantId), (doc) => {
      const notes = notesMap(doc);
      note(notes, 'OscarGood0000001', { text: 'Oscar, good' });
      nest(note(notes, 'OscarDeep0000001'), 'text');
      nest(note(notes, 'OscarNesting0001', { text: 'Oscar, nesting beside' }), 'extra');
    });

    const mux = await RawMux.open(muxUrl(server, anna.token), { waitMs: 15_000 });
    const room = mux.openDoc(roomDocName(w));
    const annas = mux.openDoc(notesDocName(w, anna.participantId));
    mux.openDoc(notesDocName(w, mallory.participantId));
    const oscars = mux.openDoc(notesDocName(w, oscar.participantId));

    await mux.waitFor(() => mux.refusals(notesDocName(w, mallory.participantId)).length > 0, "the refusal of Mallory's notes");
    expect(mux.refusals(notesDocName(w, mallory.participantId))[0]!.code).toBe(CloseCode.schemaTooNew);
    await mux.waitFor(() => readRoom(room).meta?.title === 'Test workshop', 'the room');
    await mux.waitFor(() => texts(oscars).length === 2, "Oscar's readable notes");
    expect(texts(oscars)).toEqual(['Oscar, good', 'Oscar, nesting beside']);

    // Opening the refused document again is refused again, and still only that channel.
    mux.ws.send(encodeMux({ kind: 'open', docName: notesDocName(w, mallory.participantId) }));
    await mux.waitFor(() => mux.refusals(notesDocName(w, mallory.participantId)).length === 2, 'a second refusal');

    // Everything else keeps syncing both ways on the same socket.
    mux.edit(notesDocName(w, anna.participantId), (doc) => addNote(doc, { questionId: '3a', text: 'Anna after the refusal', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    const oscarReads = connect(server.wsUrl, notesDocName(w, anna.participantId), oscar.token);
    await waitFor(oscarReads.doc, () => texts(oscarReads.doc).includes('Anna after the refusal'), "Anna's note at another client");
    const oscarWrites = connect(server.wsUrl, notesDocName(w, oscar.participantId), oscar.token);
    await waitSynced(oscarWrites);
    addNote(oscarWrites.doc, { questionId: '3a', text: 'Oscar, later', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await mux.waitFor(() => texts(oscars).includes('Oscar, later'), "Oscar's later note over the mux");
    expect(texts(annas)).toEqual(['Anna after the refusal']);
    expect(mux.closedWith).toBeNull();

    // A fresh load sees the good notes; the single-document endpoint refuses the bad one by its code.
    const fresh = connect(server.wsUrl, notesDocName(w, oscar.participantId), anna.token);
    await waitSynced(fresh);
    expect(texts(fresh.doc)).toEqual(['Oscar, good', 'Oscar, later', 'Oscar, nesting beside']);
    const single = `${server.wsUrl}/${encodeURIComponent(notesDocName(w, mallory.participantId))}?token=${encodeURIComponent(anna.token)}`;
    expect(await closeCodeOf(single)).toBe(CloseCode.schemaTooNew);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 120_000);

  it('refuses a document whose meta nests a Y type as unreadable (4427), on its own', async () => {
    const { created, anna, mallory } = await workshop();
    const w = created.id;
    await plant(notesDocName(w, mallory.participantId), (doc) => nest(notesRoots(doc).meta, 'schemaVersion'));
    const mux = await RawMux.open(muxUrl(server, anna.token), { waitMs: 15_000 });
    const room = mux.openDoc(roomDocName(w));
    mux.openDoc(notesDocName(w, mallory.participantId));
    await mux.waitFor(() => mux.refusals(notesDocName(w, mallory.participantId)).length > 0, 'the refusal');
    expect(mux.refusals(notesDocName(w, mallory.participantId))[0]!.code).toBe(CloseCode.documentUnreadable);
    await mux.waitFor(() => readRoom(room).meta !== null, 'the room');
    expect(mux.closedWith).toBeNull();
  }, 120_000);
});

describe('the round engine among malformed drafts', () => {
  it('posts every good draft, skips the malformed ones, leaves out a participant whose notes cannot load, and records the request', async () => {
    const { created, facilitator, anna, mallory, oscar } = await workshop();
    const w = created.id;
    await plant(draftsDocName(w, mallory.participantId), (doc) => {
      const notes = notesMap(doc);
      note(notes, 'MalloryGood00001', { text: 'Mallory, good draft' });
      nest(note(notes, 'MalloryNest00001', { text: 'Mallory, nesting draft' }), 'extra', 2000);
      note(notes, 'MalloryYText0001', { text: new Y.Text('a Y.Text') });
      note(notes, 'MalloryBadKey001', { id: 'SomeOtherId00001' });
      notes.set('MalloryString001', 'not a record');
    });
    // Oscar's notes document cannot load: his draft waits, nobody else's does.
    await plant(notesDocName(w, oscar.participantId), (doc) => notesRoots(doc).meta.set('schemaVersion', 1e300));
    await plant(draftsDocName(w, oscar.participantId), (doc) => note(notesMap(doc), 'OscarDraft000001', { text: 'Oscar, draft' }));
    const annasDrafts = connect(server.wsUrl, draftsDocName(w, anna.participantId), anna.token);
    await waitSynced(annasDrafts);
    addNote(annasDrafts.doc, { questionId: '3a', text: 'Anna, good draft', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(annasDrafts.doc, () => annasDrafts.provider.synced && texts(annasDrafts.doc).length === 1, "Anna's draft");
    // Let the draft reach the server before the post (its own sync round trip).
    const check = connect(server.wsUrl, draftsDocName(w, anna.participantId), anna.token);
    await waitFor(check.doc, () => texts(check.doc).includes('Anna, good draft'), "Anna's draft on the server");

    const requestId = requestPost(facilitator.doc, '3a', Date.now(), LOCAL_ORIGIN);
    const posted = () => ((facilitator.doc.getMap('session').get('postedRequests') as string[] | undefined) ?? []).includes(requestId);
    await waitFor(facilitator.doc, posted, 'the request recorded', 30_000);

    const annasNotes = connect(server.wsUrl, notesDocName(w, anna.participantId), anna.token);
    const mallorysNotes = connect(server.wsUrl, notesDocName(w, mallory.participantId), anna.token);
    const mallorysDrafts = connect(server.wsUrl, draftsDocName(w, mallory.participantId), mallory.token);
    await Promise.all([waitSynced(annasNotes), waitSynced(mallorysNotes), waitSynced(mallorysDrafts)]);
    expect(texts(annasNotes.doc)).toEqual(['Anna, good draft']);
    expect(texts(mallorysNotes.doc)).toEqual(['Mallory, good draft']);
    // The nesting draft is valid but not moved (deleting it would make Yjs recurse); the others are invalid.
    expect([...notesRoots(mallorysDrafts.doc).notes.keys()].sort()).toEqual(['MalloryBadKey001', 'MalloryNest00001', 'MalloryString001', 'MalloryYText0001']);
    const oscarsDrafts = connect(server.wsUrl, draftsDocName(w, oscar.participantId), oscar.token);
    await waitSynced(oscarsDrafts);
    expect(texts(oscarsDrafts.doc)).toEqual(['Oscar, draft']);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 120_000);
});

