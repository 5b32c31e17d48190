import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote, updateNote } from '../../shared/ops/notes';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes } from '../../shared/read/snapshot';
import { ReplayEngine, compareEntries, entryFromJson, readBoard, type ReplayEntryJson } from '../../shared/replay';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { startApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/log';
import { openPostgresStore } from '../../server/store/postgres';
import { removeDir, startTestServer, tempDir, type TestServer } from '../helpers/server';

/**
 * The whole app on PostgreSQL (issue 11): real clients write notes, drafts and a round through
 * a server started with DATABASE_URL; the server is stopped and another one — a new data
 * directory, the same database and SECRET — serves the same workshop: the documents, the
 * tokens and the history (pages, replay, state at a seq from checkpoints) are all there.
 */
const SECRET = 'pg-app-test-secret-0123456789abcdefghijklmnop';
let database: TestDatabase;
let server: TestServer;
let ws: Created;
let anna: Joined;
let ben: Joined;
const EDITS = 230;
const seen: Array<{ seq: number; notes: string }> = [];
const annaSecret = 'anna-private-draft-on-postgres';
const benSecret = 'ben-private-draft-on-postgres';

const notesJson = (doc: Y.Doc) => JSON.stringify(readNotes(doc).notes);
const logged = async (doc: string) => Number((await database.query<{ n: string }>('SELECT count(*) AS n FROM updates WHERE doc = $1', [doc]))[0]!.n);
const start = () => startTestServer({ DATABASE_URL: database.url, SECRET, ROOM_IDLE_MS: '5000' });

async function get(url: string, token: string): Promise<{ status: number; json: any }> {
  const response = await fetch(`${server.url}${url}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, json: await response.json() };
}
async function allPages(token: string, limit: number): Promise<ReplayEntryJson[]> {
  const entries: ReplayEntryJson[] = [];
  for (let after: string | null = null; ; ) {
    const { status, json } = await get(`/api/workshops/${ws.id}/history?limit=${limit}${after ? `&after=${after}` : ''}`, token);
    expect(status).toBe(200);
    entries.push(...json.entries);
    if (!json.next) return entries;
    after = json.next;
  }
}

beforeAll(async () => {
  database = await createTestDatabase('app');
  server = await start();
  ws = await createWorkshop(server.url);
  const preview = await (await fetch(`${server.url}/api/workshops/${ws.id}/preview?k=${ws.participantJoinKey}`)).json();
  anna = await join(server.url, ws.id, ws.participantJoinKey, 'Anna', preview.actors[0].id);
  ben = await join(server.url, ws.id, ws.participantJoinKey, 'Ben', preview.actors[1].id);

  const room = connect(server.wsUrl, roomDocName(ws.id), ws.facilitatorToken);
  await waitSynced(room);
  startRound(room.doc, '4a', 600_000, Date.now(), LOCAL_ORIGIN);
  for (const [who, secret] of [[anna, annaSecret], [ben, benSecret]] as const) {
    const drafts = connect(server.wsUrl, draftsDocName(ws.id, who.participantId), who.token);
    await waitSynced(drafts);
    addNote(drafts.doc, { questionId: '4a', text: secret, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
  }
  const annaNotes = notesDocName(ws.id, anna.participantId);
  const writer = connect(server.wsUrl, annaNotes, anna.token);
  const reader = connect(server.wsUrl, annaNotes, ws.facilitatorToken);
  await Promise.all([waitSynced(writer), waitSynced(reader)]);
  const note = addNote(writer.doc, { questionId: '4a', text: 'edit 0', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
  const recordAt = new Set([1, 120, 199, 200, 201, EDITS]);
  for (let i = 1; i <= EDITS; i++) {
    updateNote(writer.doc, note.id, { text: `edit ${i}`, x: i }, Date.now(), LOCAL_ORIGIN);
    if (recordAt.has(i)) {
      // The relay sends only what is committed: once the reader has edit i, the log holds it.
      await waitFor(reader.doc, () => readNotes(reader.doc).notes[0]?.text === `edit ${i}`, `edit ${i}`, 10_000);
      seen.push({ seq: await logged(annaNotes), notes: notesJson(reader.doc) });
    }
  }
  destroyAll();
  // A clean stop commits everything; then a new process (new DATA_DIR) on the same database.
  await server.close();
  removeDir(server.dataDir);
  server = await start();
}, 90_000);

afterAll(async () => {
  destroyAll();
  await server?.close();
  if (server) removeDir(server.dataDir);
  await database?.drop();
});

describe('an app on PostgreSQL, restarted on the same database', () => {
  it('serves the same documents to the same tokens after the restart', async () => {
    const notes = connect(server.wsUrl, notesDocName(ws.id, anna.participantId), anna.token);
    const drafts = connect(server.wsUrl, draftsDocName(ws.id, anna.participantId), anna.token);
    const room = connect(server.wsUrl, roomDocName(ws.id), ben.token);
    await Promise.all([waitSynced(notes), waitSynced(drafts), waitSynced(room)]);
    expect(notesJson(notes.doc)).toBe(seen.at(-1)!.notes);
    expect(readNotes(drafts.doc).notes.map((n) => n.text)).toEqual([annaSecret]);
    // And it keeps writing after the numbers the first process left.
    const before = await logged(notesDocName(ws.id, anna.participantId));
    updateNote(notes.doc, readNotes(notes.doc).notes[0]!.id, { text: 'after restart' }, Date.now(), LOCAL_ORIGIN);
    const check = connect(server.wsUrl, notesDocName(ws.id, anna.participantId), ws.facilitatorToken);
    await waitSynced(check);
    await waitFor(check.doc, () => readNotes(check.doc).notes[0]?.text === 'after restart', 'the edit after restart');
    const seqs = (await database.query<{ seq: string }>('SELECT seq FROM updates WHERE doc = $1 ORDER BY seq', [notesDocName(ws.id, anna.participantId)])).map((r) => Number(r.seq));
    expect(seqs.length).toBeGreaterThan(before);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    destroyAll();
  });

  it('history pages in order without gaps, replays to the board, and keeps drafts private', async () => {
    const one = await allPages(anna.token, 5000);
    const paged = await allPages(anna.token, 37);
    expect(paged).toEqual(one);
    for (let i = 1; i < paged.length; i++) expect(compareEntries(paged[i - 1]!, paged[i]!)).toBeLessThan(0);
    const docs = [roomDocName(ws.id), notesDocName(ws.id, anna.participantId), notesDocName(ws.id, ben.participantId), draftsDocName(ws.id, anna.participantId)];
    const counts = await Promise.all(docs.map(logged));
    expect(paged.length).toBe(counts.reduce((a, b) => a + b, 0));
    const board = readBoard(ReplayEngine.from(paged.map(entryFromJson)).docsAt({ index: paged.length - 1 }));
    expect(board.notes.map((n) => n.text)).toEqual(['after restart']);
    expect(board.drafts.map((n) => n.text)).toEqual([annaSecret]);
    expect(board.room.session.round?.questionId).toBe('4a');
    const bytes = (entries: ReplayEntryJson[]) => entries.map((e) => Buffer.from(e.update, 'base64').toString('latin1')).join('');
    expect(bytes(paged)).not.toContain(benSecret);
    expect(bytes(await allPages(ws.facilitatorToken, 100))).not.toContain(annaSecret);
  });

  it('the state at a seq equals what a client saw then, from checkpoints kept in PostgreSQL', async () => {
    const doc = notesDocName(ws.id, anna.participantId);
    for (const moment of [...seen].reverse()) {
      const { status, json } = await get(`/api/workshops/${ws.id}/history/state?doc=${encodeURIComponent(doc)}&seq=${moment.seq}`, ws.facilitatorToken);
      expect(status).toBe(200);
      expect(json.seq).toBe(moment.seq);
      const state = new Y.Doc();
      Y.applyUpdate(state, Buffer.from(json.state, 'base64'));
      expect(notesJson(state), `seq ${moment.seq}`).toBe(moment.notes);
    }
    const checkpoints = await database.query<{ seq: string }>('SELECT seq FROM checkpoints WHERE doc = $1 ORDER BY seq', [doc]);
    expect(checkpoints.length).toBeGreaterThan(0);
    for (const c of checkpoints) expect(Number(c.seq) % 200).toBe(0);
  });

  it('/healthz is ok on PostgreSQL', async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
  });
});

describe('startApp with an injected store and clock (for several apps on one database)', () => {
  it('two apps share one store; /api/time is the injected clock; closing an app leaves the store open', async () => {
    const store = await openPostgresStore({ url: database.url, poolSize: 4 });
    const dirs = [tempDir(), tempDir()];
    const config = (dir: string) => loadConfig({ PORT: '0', DATA_DIR: dir, SECRET, LOG_LEVEL: 'silent', CREATE_PER_MINUTE: '1000' });
    const apps = await Promise.all(dirs.map((dir, i) => startApp(config(dir), createLogger('silent'), { store, clock: { now: () => 1_000_000 * (i + 1) } })));
    try {
      const created = await createWorkshop(apps[0]!.url);
      // The other app reads it from the same store, and answers with its own clock.
      const preview = await fetch(`${apps[1]!.url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`);
      expect(preview.status).toBe(200);
      expect(await (await fetch(`${apps[1]!.url}/api/time`)).json()).toEqual({ now: 2_000_000 });
      await apps[0]!.close();
      expect(await store.getWorkshop(created.id)).toMatchObject({ id: created.id });
      expect(await store.isWritable()).toBe(true);
    } finally {
      await apps[1]!.close();
      await apps[0]!.close().catch(() => undefined);
      await store.close();
      dirs.forEach(removeDir);
    }
  });
});
