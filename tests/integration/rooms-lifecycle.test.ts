import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, deleteNote, updateNote } from '../../shared/ops/notes';
import { addActor } from '../../shared/ops/room';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { openSqliteStore } from '../../server/store/sqlite';
import { createWorkshop, join, type Created } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { RawClient } from '../helpers/raw';
import { removeDir, startTestServer, tempDir, type TestServer } from '../helpers/server';

/**
 * Rooms load on first use and unload when idle, so memory follows the workshops in use; what an
 * unload or a restart leaves behind (snapshot + update log) restores each document exactly; and
 * a room that is still loading never serves an empty document.
 */
const ROOM_IDLE_MS = 200;

const servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  destroyAll();
  for (const s of servers.splice(0)) await s.close();
  for (const d of dirs.splice(0)) removeDir(d);
});

async function start(env: Record<string, string> = {}, dataDir = tempDir()): Promise<TestServer> {
  if (!dirs.includes(dataDir)) dirs.push(dataDir);
  const server = await startTestServer({ ROOM_IDLE_MS: String(ROOM_IDLE_MS), ...env }, dataDir);
  servers.push(server);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.close();
}

async function metricValue(server: TestServer, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no metric ${name}`);
  return Number(line.split(' ')[1]);
}

/** Polls /metrics until `name` satisfies `ok`: an awaited condition with a deadline. */
async function metricReaches(server: TestServer, name: string, ok: (value: number) => boolean, timeoutMs = 5000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await metricValue(server, name);
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${name} is ${value}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const noteTexts = (doc: Y.Doc) => readNotes(doc).notes.map((n) => n.text);
const stateVector = (doc: Y.Doc) => [...Y.decodeStateVector(Y.encodeStateVector(doc))].sort(([a], [b]) => a - b);
const sameState = (a: Y.Doc, b: Y.Doc) => JSON.stringify(stateVector(a)) === JSON.stringify(stateVector(b));
/** Every root of `like` (all of Arvo's roots are maps), read from `doc`: a doc's own toJSON skips roots it never asked for. */
const content = (doc: Y.Doc, like: Y.Doc = doc) => Object.fromEntries([...like.share.keys()].sort().map((key) => [key, doc.getMap(key).toJSON()]));

describe('rooms unload when idle', () => {
  it('a room stays loaded while a client is in it and unloads ROOM_IDLE_MS after the last one leaves', async () => {
    const server = await start();
    const created = await createWorkshop(server.url);
    expect(await metricValue(server, 'arvo_rooms_loaded')).toBe(0);
    const first = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    const second = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await Promise.all([first.sync(), second.sync()]);
    expect(await metricValue(server, 'arvo_rooms_loaded')).toBe(1);

    first.close();
    await first.closed;
    // A bounded wait, on purpose: the claim is that nothing happens (no unload) while a client
    // remains, past the idle time; an absence has no event to await.
    await new Promise((resolve) => setTimeout(resolve, ROOM_IDLE_MS * 2));
    expect(await metricValue(server, 'arvo_rooms_loaded')).toBe(1);
    await second.roundTrip();

    const left = Date.now();
    second.close();
    await metricReaches(server, 'arvo_rooms_loaded', (v) => v === 0);
    // Not at once: the idle time passed first (a timer never fires early; allow clock rounding).
    expect(Date.now() - left).toBeGreaterThanOrEqual(ROOM_IDLE_MS - 5);
  });

  it('50 workshops each visited once: all 50 load, and all unload again', async () => {
    const server = await start();
    const workshops: Created[] = [];
    for (let batch = 0; batch < 5; batch++) workshops.push(...(await Promise.all(Array.from({ length: 10 }, () => createWorkshop(server.url)))));
    const clients = await Promise.all(workshops.map((w) => RawClient.connect(server.wsUrl, roomDocName(w.id), w.facilitatorToken)));
    await Promise.all(clients.map((c) => c.sync()));
    for (const c of clients) expect(readRoom(c.doc).meta?.title).toBe('Test workshop');
    expect(await metricValue(server, 'arvo_rooms_loaded')).toBe(50);

    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.closed));
    await metricReaches(server, 'arvo_rooms_loaded', (v) => v === 0);
    expect(await metricValue(server, 'arvo_connections')).toBe(0);

    // Unloaded, not lost: any of them loads again, complete.
    const again = await RawClient.connect(server.wsUrl, roomDocName(workshops[17]!.id), workshops[17]!.facilitatorToken);
    await again.sync();
    expect(readRoom(again.doc).meta?.title).toBe('Test workshop');
    expect(readRoom(again.doc).actors).toHaveLength(3);
    again.close();
  });
});

describe('restart restores every workshop exactly', () => {
  it('state vector and content of every document equal what the clients had', async () => {
    // Snapshots every 4 updates, so compaction runs while the clients write (and again at shutdown).
    const env = { SNAPSHOT_EVERY: '4' };
    const dataDir = tempDir();
    const first = await start(env, dataDir);

    const docs: Array<{ name: string; token: string; writer: Peer }> = [];
    for (let w = 0; w < 3; w++) {
      const created = await createWorkshop(first.url);
      const room = connect(first.wsUrl, roomDocName(created.id), created.facilitatorToken);
      await waitSynced(room);
      const actors = readRoom(room.doc).actors;
      const anna = await join(first.url, created.id, created.participantJoinKey, `Anna ${w}`, actors[0]!.id);
      await waitFor(room.doc, () => readRoom(room.doc).participants.length === 2, 'the join in the room document');
      for (let a = 0; a <= w; a++) addActor(room.doc, { name: `Actor ${w}.${a}` }, LOCAL_ORIGIN);
      docs.push({ name: roomDocName(created.id), token: created.facilitatorToken, writer: room });

      const notes = connect(first.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
      const drafts = connect(first.wsUrl, draftsDocName(created.id, anna.participantId), anna.token);
      await Promise.all([waitSynced(notes), waitSynced(drafts)]);
      const ids: string[] = [];
      for (let n = 0; n < 3 + 4 * w; n++) ids.push(addNote(notes.doc, { questionId: '2b', text: `w${w} n${n}`, x: n, y: w }, Date.now(), LOCAL_ORIGIN).id);
      updateNote(notes.doc, ids[0]!, { text: `w${w} edited`, x: 99 }, Date.now(), LOCAL_ORIGIN);
      deleteNote(notes.doc, ids[1]!, LOCAL_ORIGIN);
      const draft = addNote(drafts.doc, { questionId: '1a', text: `draft ${w}`, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
      if (w > 0) deleteNote(drafts.doc, draft.id, LOCAL_ORIGIN);
      docs.push({ name: notesDocName(created.id, anna.participantId), token: anna.token, writer: notes });
      docs.push({ name: draftsDocName(created.id, anna.participantId), token: anna.token, writer: drafts });
    }

    // The server has everything once a second connection to each document holds all the writer has.
    await Promise.all(
      docs.map(async ({ name, token, writer }) => {
        const observer = connect(first.wsUrl, name, token);
        await waitFor(observer.doc, () => sameState(observer.doc, writer.doc), `${name} at an observer`);
      }),
    );
    destroyAll();
    await stop(first);

    const second = await start(env, dataDir);
    const restored = docs.map(({ name, token }) => connect(second.wsUrl, name, token));
    await Promise.all(restored.map((peer) => waitSynced(peer)));
    docs.forEach(({ name, writer }, i) => {
      const peer = restored[i]!;
      expect(stateVector(peer.doc), name).toEqual(stateVector(writer.doc));
      expect(content(peer.doc, writer.doc), name).toEqual(content(writer.doc));
    });
    // A sanity check that the comparison compares something.
    expect(noteTexts(restored[4]!.doc)).toContain('w1 edited');
    expect(noteTexts(restored[4]!.doc)).not.toContain('w1 n1');
  });
});

describe('a cold room with a large stored document', () => {
  it('many clients connecting while it loads all get the stored document, and nothing is lost', async () => {
    const NOTES = 300;
    const CLIENTS = 20;
    const dataDir = tempDir();
    const first = await start({}, dataDir);
    const created = await createWorkshop(first.url);
    const facilitator = connect(first.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await waitSynced(facilitator);
    const anna = await join(first.url, created.id, created.participantJoinKey, 'Anna', readRoom(facilitator.doc).actors[0]!.id);
    const docName = notesDocName(created.id, anna.participantId);

    const writer = connect(first.wsUrl, docName, anna.token);
    await waitSynced(writer);
    for (let n = 0; n < NOTES; n++) addNote(writer.doc, { questionId: '3a', text: `stored ${n} `.padEnd(300, '.'), x: n, y: n }, Date.now(), LOCAL_ORIGIN);
    const observer = connect(first.wsUrl, docName, created.facilitatorToken);
    await waitFor(observer.doc, () => sameState(observer.doc, writer.doc), 'every note at the server', 10_000);
    writer.provider.destroy();
    destroyAll();
    await stop(first);

    // Cold: a fresh process. Meanwhile the writer made one more note offline.
    addNote(writer.doc, { questionId: '3a', text: 'made offline', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    const second = await start({}, dataDir);
    expect(await metricValue(second, 'arvo_rooms_loaded')).toBe(0);

    // Everyone at once, the writer among them: all are waiting for the same load.
    const atSync: number[] = [];
    const peers: Peer[] = [];
    for (let i = 0; i < CLIENTS; i++) peers.push(connect(second.wsUrl, docName, i % 2 ? created.facilitatorToken : anna.token, { connect: false }));
    const back = connect(second.wsUrl, docName, anna.token, { doc: writer.doc, connect: false });
    for (const peer of peers) peer.provider.once('sync', () => atSync.push(readNotes(peer.doc).notes.length));
    for (const peer of [...peers.slice(0, CLIENTS / 2), back, ...peers.slice(CLIENTS / 2)]) peer.provider.connect();
    await Promise.all([...peers, back].map((peer) => waitSynced(peer, 10_000)));

    // The first state each newcomer was given is the stored document, never an empty one.
    expect(atSync).toHaveLength(CLIENTS);
    for (const count of atSync) expect(count).toBeGreaterThanOrEqual(NOTES);
    // And all converge on the stored notes plus the offline one.
    await Promise.all(peers.map((peer) => waitFor(peer.doc, () => sameState(peer.doc, writer.doc), 'convergence')));
    for (const peer of peers) expect(readNotes(peer.doc).notes).toHaveLength(NOTES + 1);
    expect(readNotes(writer.doc).notes).toHaveLength(NOTES + 1);

    destroyAll();
    await stop(second);
    const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
    try {
      const { snapshot, updates } = await store.loadDoc(docName);
      const stored = new Y.Doc();
      if (snapshot) Y.applyUpdate(stored, snapshot.state);
      for (const u of updates) Y.applyUpdate(stored, u.update);
      expect(stateVector(stored)).toEqual(stateVector(writer.doc));
      expect(noteTexts(stored).sort()).toEqual(noteTexts(writer.doc).sort());
    } finally {
      await store.close();
    }
  });
});
