import Database from 'better-sqlite3';
import crypto from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { resolveSecret } from '../../server/auth/secret';
import { createTokenService } from '../../server/auth/tokens';
import { addNote, updateNote } from '../../shared/ops/notes';
import { startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes } from '../../shared/read/snapshot';
import { ReplayEngine, compareEntries, entryFromJson, readBoard, type ReplayEntryJson } from '../../shared/replay';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { loadHistory } from '../../client/src/replay/history';
import { openSqliteStore } from '../../server/store/sqlite';
import { newId } from '../../shared/schema/ids';
import { removeDir, startTestServer, tempDir, type TestServer } from '../helpers/server';
import { countUpdates } from '../helpers/store';

/**
 * The history API (issue 5) against a real server: real stock providers write notes, drafts and
 * room changes; the API pages through the log in order, refuses missing, invalid, expired and
 * foreign tokens, never returns another participant's drafts (nor any of their bytes) but
 * returns the caller's own, and serves a document's state at a seq — from lazily built
 * checkpoints — equal to what a client saw at that moment.
 */
let server: TestServer;
let ws: Created;
let other: Created;
let anna: Joined;
let ben: Joined;
let observer: Joined;
const annaSecret = `anna-private-draft-${crypto.randomUUID()}`;
const benSecret = `ben-private-draft-${crypto.randomUUID()}`;
/** What a reader of anna's notes saw at moments of the workshop, and the log's seq at each. */
const seen: Array<{ seq: number; notes: string }> = [];
const EDITS = 450;

type Page = { entries: ReplayEntryJson[]; next: string | null; last: string | null };

async function get(url: string, token: string | null, headers: Record<string, string> = {}): Promise<{ status: number; json: any; response: Response }> {
  const response = await fetch(`${server.url}${url}`, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), ...headers } });
  const type = response.headers.get('content-type') ?? '';
  const json = type.includes('json') ? await response.json() : null;
  return { status: response.status, json, response };
}

async function allPages(token: string, limit: number): Promise<{ entries: ReplayEntryJson[]; pages: number }> {
  const entries: ReplayEntryJson[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    const { status, json } = await get(`/api/workshops/${ws.id}/history?limit=${limit}${after ? `&after=${after}` : ''}`, token);
    expect(status).toBe(200);
    const page = json as Page;
    expect(page.entries.length).toBeLessThanOrEqual(limit);
    entries.push(...page.entries);
    pages++;
    if (!page.next) break;
    expect(page.entries.length).toBe(limit);
    after = page.next;
  }
  return { entries, pages };
}

const has = (entry: ReplayEntryJson, text: string) => Buffer.from(entry.update, 'base64').includes(Buffer.from(text, 'utf8'));
const notesJson = (doc: Y.Doc) => JSON.stringify(readNotes(doc).notes);

beforeAll(async () => {
  server = await startTestServer({ ROOM_IDLE_MS: '5000' });
  ws = await createWorkshop(server.url);
  other = await createWorkshop(server.url);
  const preview = await (await fetch(`${server.url}/api/workshops/${ws.id}/preview?k=${ws.participantJoinKey}`)).json();
  anna = await join(server.url, ws.id, ws.participantJoinKey, 'Anna', preview.actors[0].id);
  ben = await join(server.url, ws.id, ws.participantJoinKey, 'Ben', preview.actors[1].id);
  observer = await join(server.url, ws.id, ws.observerJoinKey, 'Olli');

  // The facilitator starts a round (room document).
  const room = connect(server.wsUrl, roomDocName(ws.id), ws.facilitatorToken);
  await waitSynced(room);
  startRound(room.doc, '4a', 600_000, Date.now(), LOCAL_ORIGIN);

  // Both write private drafts; a reader (the facilitator) follows anna's public notes.
  const drafts = async (who: Joined, secret: string): Promise<Peer> => {
    const peer = connect(server.wsUrl, draftsDocName(ws.id, who.participantId), who.token);
    await waitSynced(peer);
    addNote(peer.doc, { questionId: '4a', text: secret, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    return peer;
  };
  await drafts(anna, annaSecret);
  await drafts(ben, benSecret);
  const benNotes = connect(server.wsUrl, notesDocName(ws.id, ben.participantId), ben.token);
  await waitSynced(benNotes);
  addNote(benNotes.doc, { questionId: '4a', text: 'Ben on the wall', x: 5, y: 5 }, Date.now(), LOCAL_ORIGIN);

  const annaNotesName = notesDocName(ws.id, anna.participantId);
  const writer = connect(server.wsUrl, annaNotesName, anna.token);
  const reader = connect(server.wsUrl, annaNotesName, ws.facilitatorToken);
  await Promise.all([waitSynced(writer), waitSynced(reader)]);
  const note = addNote(writer.doc, { questionId: '4a', text: 'edit 0', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
  // Many edits (past two checkpoint intervals); at some, wait until the reader has them and
  // record what it saw and the log's newest seq (the relay sends only what is committed).
  const recordAt = new Set([1, 150, 199, 200, 201, 333, EDITS]);
  for (let i = 1; i <= EDITS; i++) {
    updateNote(writer.doc, note.id, { text: `edit ${i}`, x: i }, Date.now(), LOCAL_ORIGIN);
    if (recordAt.has(i)) {
      await waitFor(reader.doc, () => readNotes(reader.doc).notes[0]?.text === `edit ${i}`, `edit ${i}`, 10_000);
      seen.push({ seq: countUpdates(server.dataDir, annaNotesName), notes: notesJson(reader.doc) });
    }
  }
  // Everything committed: the drafts are in the log (checked in the store, not through the API).
  const deadline = Date.now() + 10_000;
  while (countUpdates(server.dataDir, draftsDocName(ws.id, anna.participantId)) < 2 || countUpdates(server.dataDir, draftsDocName(ws.id, ben.participantId)) < 2) {
    if (Date.now() > deadline) throw new Error('drafts were not stored');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // The round engine counts drafts into the room (session.roundStats, throttled): once both drafts
  // are counted it writes nothing more, so the log holds still for the paging tests.
  const draftsCounted = () => {
    const stats = room.doc.getMap('session').get('roundStats') as { actors?: Record<string, { drafts?: number }> } | null | undefined;
    return Object.values(stats?.actors ?? {}).reduce((sum, actor) => sum + (actor.drafts ?? 0), 0) >= 2;
  };
  await waitFor(room.doc, draftsCounted, 'round stats counting both drafts', 10_000);
  await new Promise((resolve) => setTimeout(resolve, 50));
}, 60_000);

afterAll(async () => {
  destroyAll();
  await server?.close();
  if (server) removeDir(server.dataDir);
});

describe('GET /api/workshops/:id/history', () => {
  it('pages through every entry in (ts, doc, seq) order, without gaps or repeats, and ends with next: null', async () => {
    const one = await allPages(ws.facilitatorToken, 5000);
    expect(one.pages).toBe(1);
    const paged = await allPages(ws.facilitatorToken, 37);
    expect(paged.pages).toBeGreaterThan(10);
    expect(paged.entries).toEqual(one.entries);
    for (let i = 1; i < paged.entries.length; i++) expect(compareEntries(paged.entries[i - 1]!, paged.entries[i]!)).toBeLessThan(0);
    for (const e of paged.entries) {
      expect(Object.keys(e).sort()).toEqual(['doc', 'participantId', 'seq', 'ts', 'update']);
      expect(e.doc.startsWith(ws.id)).toBe(true);
    }
    // Everything of the workshop's room and notes documents, and nothing else (the facilitator has no drafts).
    const docs = [roomDocName(ws.id), ...[anna, ben, observer].map((p) => notesDocName(ws.id, p.participantId))];
    const expected = docs.reduce((sum, d) => sum + countUpdates(server.dataDir, d), 0);
    expect(paged.entries.length).toBe(expected);
    expect(new Set(paged.entries.map((e) => e.doc))).toEqual(new Set(docs.filter((d) => countUpdates(server.dataDir, d) > 0)));
    // Authors as logged: anna's edits carry her id.
    expect(paged.entries.filter((e) => e.doc === notesDocName(ws.id, anna.participantId) && e.participantId === anna.participantId).length).toBeGreaterThanOrEqual(EDITS);
  });

  it('the paged log replays to the board the clients see now', async () => {
    const { entries } = await allPages(anna.token, 1000);
    const engine = ReplayEngine.from(entries.map(entryFromJson));
    const board = readBoard(engine.docsAt({ index: engine.length - 1 }));
    expect(board.notes.map((n) => n.text).sort()).toEqual([`edit ${EDITS}`, 'Ben on the wall'].sort());
    expect(board.drafts.map((n) => n.text)).toEqual([annaSecret]);
    expect(board.room.session.round?.questionId).toBe('4a');
    expect(engine.events.some((e) => e.kind === 'round-start' && e.questionId === '4a' && e.by === board.room.participants.find((p) => p.role === 'facilitator')!.id)).toBe(true);
  });

  it("never returns another participant's drafts — not the document, not a byte of it — but returns the caller's own", async () => {
    const annaDrafts = draftsDocName(ws.id, anna.participantId);
    const benDrafts = draftsDocName(ws.id, ben.participantId);
    const cases: Array<[string, string, string | null, string[]]> = [
      ['anna', anna.token, annaDrafts, [benSecret]],
      ['ben', ben.token, benDrafts, [annaSecret]],
      ['facilitator', ws.facilitatorToken, null, [annaSecret, benSecret]],
      ['observer', observer.token, null, [annaSecret, benSecret]],
    ];
    for (const [who, token, own, foreign] of cases) {
      const { entries } = await allPages(token, 100);
      const draftDocs = new Set(entries.filter((e) => e.doc.includes('/drafts/')).map((e) => e.doc));
      expect([...draftDocs], who).toEqual(own ? [own] : []);
      for (const secret of foreign) expect(entries.some((e) => has(e, secret)), `${who} must not see ${secret}`).toBe(false);
      if (own) expect(entries.some((e) => e.doc === own && has(e, own === annaDrafts ? annaSecret : benSecret)), who).toBe(true);
    }
  });

  it('refuses a missing, malformed, invalid or expired token with 401, and another workshop\'s token with 403', async () => {
    const url = `/api/workshops/${ws.id}/history`;
    const state = `/api/workshops/${ws.id}/history/state?doc=${ws.id}&seq=1`;
    const secret = resolveSecret(undefined, server.dataDir);
    const expired = await createTokenService(secret, -60).issue({ workshopId: ws.id, participantId: anna.participantId, role: 'participant', actorId: anna.actorId });
    const forged = await createTokenService(new TextEncoder().encode('x'.repeat(48)), 3600).issue({ workshopId: ws.id, participantId: anna.participantId, role: 'participant', actorId: anna.actorId });
    for (const path of [url, state]) {
      const missing = await get(path, null);
      expect(missing.status).toBe(401);
      expect(missing.json.error.code).toBe('unauthorized');
      expect(missing.response.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await get(path, null, { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })).status).toBe(401);
      expect((await get(path, 'not-a-jwt')).status).toBe(401);
      expect((await get(path, forged)).status).toBe(401);
      const old = await get(path, expired);
      expect(old.status).toBe(401);
      expect(old.json.error.message).toMatch(/expired/);
      const foreign = await get(path, other.facilitatorToken);
      expect(foreign.status).toBe(403);
      expect(foreign.json.error.code).toBe('forbidden');
      expect(JSON.stringify(foreign.json)).not.toContain('update');
    }
    // And the other way round: this workshop's token cannot read the other one.
    expect((await get(`/api/workshops/${other.id}/history`, anna.token)).status).toBe(403);
  });

  it('refuses bad parameters with 400 and other methods with 405', async () => {
    const base = `/api/workshops/${ws.id}/history`;
    for (const query of ['limit=0', 'limit=5001', 'limit=abc', 'limit=-1', 'after=garbage', `after=${Buffer.from(`1:1:${other.id}`).toString('base64url')}`]) {
      const { status, json } = await get(`${base}?${query}`, anna.token);
      expect(status, query).toBe(400);
      expect(json.error.code).toBe('invalid-input');
    }
    for (const query of ['', `doc=${ws.id}`, `doc=${ws.id}&seq=1&at=1`, `doc=${other.id}&seq=1`, 'doc=nonsense&seq=1', `doc=${ws.id}&seq=1.5`]) {
      expect((await get(`${base}/state?${query}`, anna.token)).status, query).toBe(400);
    }
    const post = await fetch(`${server.url}${base}`, { method: 'POST', headers: { authorization: `Bearer ${anna.token}` } });
    expect(post.status).toBe(405);
  });
});

describe('GET /api/workshops/:id/history/state', () => {
  const annaNotes = () => notesDocName(ws.id, anna.participantId);
  const decode = (base64: string) => {
    const doc = new Y.Doc();
    Y.applyUpdate(doc, Buffer.from(base64, 'base64'));
    return doc;
  };
  const checkpointSeqs = (doc: string) => {
    const db = new Database(path.join(server.dataDir, 'arvo.sqlite'), { readonly: true });
    try {
      return (db.prepare('SELECT seq FROM checkpoints WHERE doc = ? ORDER BY seq').all(doc) as Array<{ seq: number }>).map((r) => r.seq);
    } finally {
      db.close();
    }
  };

  it('a document at a seq equals what a client saw then; checkpoints are built once, lazily, every 200 updates', async () => {
    expect(seen.length).toBe(7);
    expect(checkpointSeqs(annaNotes())).toEqual([]);
    // The latest moment first: builds the checkpoints on the way.
    for (const moment of [...seen].reverse()) {
      const { status, json } = await get(`/api/workshops/${ws.id}/history/state?doc=${encodeURIComponent(annaNotes())}&seq=${moment.seq}`, ws.facilitatorToken);
      expect(status).toBe(200);
      expect(json.doc).toBe(annaNotes());
      expect(json.seq).toBe(moment.seq);
      expect(typeof json.ts).toBe('number');
      expect(notesJson(decode(json.state)), `seq ${moment.seq}`).toBe(moment.notes);
    }
    const total = countUpdates(server.dataDir, annaNotes());
    expect(checkpointSeqs(annaNotes())).toEqual(Array.from({ length: Math.floor(seen.at(-1)!.seq / 200) }, (_, i) => (i + 1) * 200));
    // Asking again (served from the checkpoints) gives the same, and a seq past the end is the newest state.
    const again = await get(`/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&seq=${seen[3]!.seq}`, anna.token);
    expect(notesJson(decode(again.json.state))).toBe(seen[3]!.notes);
    const past = await get(`/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&seq=999999`, anna.token);
    expect(past.json.seq).toBe(total);
    expect(notesJson(decode(past.json.state))).toBe(seen.at(-1)!.notes);
    const zero = await get(`/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&seq=0`, anna.token);
    expect(zero.json).toMatchObject({ seq: 0, ts: null });
    expect(readNotes(decode(zero.json.state)).notes).toEqual([]);
  });

  it('at=<time> gives the state after the last update at or before that time; binary on request', async () => {
    const { entries } = await allPages(ws.facilitatorToken, 5000);
    const mine = entries.filter((e) => e.doc === annaNotes());
    const target = mine.find((e) => e.seq === seen[1]!.seq)!;
    // The last entry at that millisecond (several edits can share one).
    const lastAtTs = Math.max(...mine.filter((e) => e.ts === target.ts).map((e) => e.seq));
    const { json } = await get(`/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&at=${target.ts}`, observer.token);
    expect(json.seq).toBe(lastAtTs);
    expect(json.ts).toBe(target.ts);
    const viaSeq = await get(`/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&seq=${lastAtTs}`, observer.token);
    expect(json.state).toBe(viaSeq.json.state);
    const before = await get(`/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&at=${mine[0]!.ts - 1}`, observer.token);
    expect(before.json.seq).toBe(0);

    const binary = await fetch(`${server.url}/api/workshops/${ws.id}/history/state?doc=${annaNotes()}&seq=${seen[2]!.seq}`, {
      headers: { authorization: `Bearer ${anna.token}`, accept: 'application/octet-stream' },
    });
    expect(binary.headers.get('content-type')).toBe('application/octet-stream');
    expect(binary.headers.get('x-arvo-seq')).toBe(String(seen[2]!.seq));
    expect(binary.headers.get('x-arvo-doc')).toBe(annaNotes());
    const doc = new Y.Doc();
    Y.applyUpdate(doc, new Uint8Array(await binary.arrayBuffer()));
    expect(notesJson(doc)).toBe(seen[2]!.notes);
  });

  it("drafts: the author's own state is served, anyone else's is refused with 403", async () => {
    const annaDrafts = draftsDocName(ws.id, anna.participantId);
    const own = await get(`/api/workshops/${ws.id}/history/state?doc=${annaDrafts}&seq=100`, anna.token);
    expect(own.status).toBe(200);
    expect(readNotes(decode(own.json.state)).notes.map((n) => n.text)).toEqual([annaSecret]);
    for (const token of [ben.token, ws.facilitatorToken, observer.token]) {
      const refused = await get(`/api/workshops/${ws.id}/history/state?doc=${annaDrafts}&seq=100`, token);
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.json)).not.toContain(annaSecret);
    }
    // The room and others' public notes are readable by every role.
    for (const token of [anna.token, ben.token, observer.token]) {
      expect((await get(`/api/workshops/${ws.id}/history/state?doc=${ws.id}&seq=1`, token)).status).toBe(200);
      expect((await get(`/api/workshops/${ws.id}/history/state?doc=${notesDocName(ws.id, ben.participantId)}&seq=1`, token)).status).toBe(200);
    }
  });
});

/**
 * Issue 8: a history page is bounded in bytes, not only in entries, so a churned log pages fine;
 * and whatever members ask of the state endpoint, a document keeps a bounded number of
 * checkpoints. Each case prepares its store offline (real SQLite file, real Yjs updates) and
 * then starts a real server on it.
 */
describe('bounded history (issue 8)', () => {
  const MiB = 1024 * 1024;
  const T0 = 1_780_000_000_000;

  /** A workshop record with its facilitator, and a token for them from the server's secret. */
  async function prepare(
    dataDir: string,
    fill: (store: ReturnType<typeof openSqliteStore>, id: string) => Promise<void>,
    existing?: { id: string; facilitatorId: string },
  ): Promise<{ id: string; facilitatorId: string }> {
    const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
    try {
      const id = existing?.id ?? newId();
      const facilitatorId = existing?.facilitatorId ?? newId();
      if (!existing) {
        await store.createWorkshop(
          { id, createdAt: T0, participantKeyHash: '0'.repeat(64), observerKeyHash: '1'.repeat(64) },
          { workshopId: id, participantId: facilitatorId, role: 'facilitator', actorId: null, name: 'F', createdAt: T0 },
        );
      }
      await fill(store, id);
      return { id, facilitatorId };
    } finally {
      await store.close();
    }
  }

  async function tokenFor(server: TestServer, workshopId: string, participantId: string): Promise<string> {
    const tokens = createTokenService(resolveSecret(server.config.secret, server.dataDir), 3600);
    return tokens.issue({ workshopId, participantId, role: 'facilitator', actorId: null });
  }

  /** Every page, with the size of each answer's body. */
  async function pages(server: TestServer, id: string, token: string, limit: number): Promise<Array<{ bytes: number; page: Page }>> {
    const result: Array<{ bytes: number; page: Page }> = [];
    let after: string | null = null;
    for (;;) {
      const response = await fetch(`${server.url}/api/workshops/${id}/history?limit=${limit}${after ? `&after=${after}` : ''}`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      const body = Buffer.from(await response.arrayBuffer());
      const page = JSON.parse(body.toString('utf8')) as Page;
      result.push({ bytes: body.byteLength, page });
      if (!page.next) return result;
      after = page.next;
    }
  }

  it('a churned log of 50 MB pages in answers of at most 4 MiB, in order and complete; the client pager reads it all', async () => {
    const dataDir = tempDir();
    const digest = crypto.createHash('sha256');
    let expectedCount = 0;
    // 60 rewrites of a 900 KB value in the room document, and 300 small notes updates in between.
    const { id, facilitatorId } = await prepare(dataDir, async (store, workshopId) => {
      const room = new Y.Doc();
      const roomUpdates: Uint8Array[] = [];
      room.on('update', (u: Uint8Array) => roomUpdates.push(u));
      const notesName = notesDocName(workshopId, newId());
      for (let i = 0; i < 60; i++) {
        room.getMap('churn').set('value', crypto.randomBytes(675_000).toString('base64'));
        const small = Array.from({ length: 5 }, (_, k) => ({ docName: notesName, ts: T0 + i * 10 + k + 1, participantId: null, update: new Uint8Array([i, k]) }));
        await store.appendUpdates([{ docName: workshopId, ts: T0 + i * 10, participantId: null, update: roomUpdates[i]! }, ...small]);
      }
      for (const u of roomUpdates) digest.update(u);
      expectedCount = 60 * 6;
      const total = roomUpdates.reduce((sum, u) => sum + u.byteLength, 0);
      expect(total).toBeGreaterThan(50_000_000);
    });
    const server = await startTestServer({}, dataDir);
    try {
      const token = await tokenFor(server, id, facilitatorId);
      const all = await pages(server, id, token, 5000);
      expect(all.length).toBeGreaterThan(12);
      for (const { bytes } of all) expect(bytes).toBeLessThanOrEqual(4 * MiB);
      const entries = all.flatMap(({ page }) => page.entries);
      expect(entries).toHaveLength(expectedCount);
      for (let i = 1; i < entries.length; i++) expect(compareEntries(entries[i - 1]!, entries[i]!)).toBeLessThan(0);
      const got = crypto.createHash('sha256');
      for (const e of entries.filter((e) => e.doc === id)) got.update(Buffer.from(e.update, 'base64'));
      expect(got.digest('hex')).toBe(digest.digest('hex'));
      // A page that says `next` may hold fewer entries than asked (it is full in bytes), never none.
      for (const { page } of all.slice(0, -1)) expect(page.entries.length).toBeGreaterThan(0);

      // The client's pager (client/src/replay/history.ts) follows the cursor to the end.
      let received = 0;
      const loaded = await loadHistory({
        workshopId: id,
        token,
        fetch: (url, init) => fetch(`${server.url}${String(url)}`, init),
        onPage: (page) => {
          received += page.length;
        },
      });
      expect(received).toBe(expectedCount);
      expect(loaded.entries).toBe(expectedCount);
    } finally {
      await server.close();
    }

    // A smaller cap: every page fits it, except an entry larger than the cap, which comes alone.
    const small = await startTestServer({ HISTORY_PAGE_MAX_BYTES: String(64 * 1024) }, dataDir);
    try {
      const token = await tokenFor(small, id, facilitatorId);
      const all = await pages(small, id, token, 5000);
      for (const { bytes, page } of all) {
        if (bytes > 64 * 1024) expect(page.entries).toHaveLength(1);
      }
      expect(all.flatMap(({ page }) => page.entries)).toHaveLength(expectedCount);
    } finally {
      await small.close();
      removeDir(dataDir);
    }
  }, 120_000);

  it('checkpoints: at most CHECKPOINTS_PER_DOC per document, at multiples of a spacing that doubles as the log grows; states stay exact', async () => {
    const dataDir = tempDir();
    const doc = new Y.Doc();
    const updates: Uint8Array[] = [];
    doc.on('update', (u: Uint8Array) => updates.push(u));
    const change = (from: number, to: number) => {
      for (let i = from; i < to; i++) doc.getMap('m').set(`k${i % 10}`, i);
    };
    const expectedAt = (seq: number) => {
      const replayed = new Y.Doc();
      for (const u of updates.slice(0, seq)) Y.applyUpdate(replayed, u);
      return JSON.stringify(replayed.getMap('m').toJSON());
    };
    const append = async (store: ReturnType<typeof openSqliteStore>, docName: string, from: number) => {
      for (let i = from; i < updates.length; i += 500) {
        await store.appendUpdates(updates.slice(i, i + 500).map((update, k) => ({ docName, ts: T0 + i + k, participantId: null, update })));
      }
    };
    change(0, 2000);
    const { id, facilitatorId } = await prepare(dataDir, (store, workshopId) => append(store, workshopId, 0));
    const checkpointSeqs = () => {
      const db = new Database(path.join(dataDir, 'arvo.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT seq FROM checkpoints WHERE doc = ? ORDER BY seq').all(id) as Array<{ seq: number }>).map((r) => r.seq);
      } finally {
        db.close();
      }
    };
    const stateAt = async (server: TestServer, token: string, seq: number) => {
      const response = await fetch(`${server.url}/api/workshops/${id}/history/state?doc=${id}&seq=${seq}`, { headers: { authorization: `Bearer ${token}` } });
      return { status: response.status, retryAfter: response.headers.get('retry-after'), json: await response.json() };
    };
    const content = (base64: string) => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Buffer.from(base64, 'base64'));
      return JSON.stringify(d.getMap('m').toJSON());
    };

    // 2000 updates, at most 4 checkpoints: spacing 200 → 400 → 800 (2000 / 800 = 2 ≤ 4).
    let server = await startTestServer({ CHECKPOINTS_PER_DOC: '4' }, dataDir);
    try {
      const token = await tokenFor(server, id, facilitatorId);
      for (const seq of [2000, 100, 1500, 799, 1601, 1999]) {
        const { status, json } = await stateAt(server, token, seq);
        expect(status).toBe(200);
        expect(content(json.state), `seq ${seq}`).toBe(expectedAt(seq));
      }
      expect(checkpointSeqs()).toEqual([800, 1600]);

      // A member asking for many states at once: each answered (or told to come back), none fails, the bound holds.
      const burst = await Promise.all(Array.from({ length: 40 }, (_, i) => stateAt(server, token, 37 + i * 49)));
      for (const [i, answer] of burst.entries()) {
        if (answer.status === 503) expect(answer.retryAfter).toMatch(/^\d+$/);
        else {
          expect(answer.status).toBe(200);
          expect(content(answer.json.state)).toBe(expectedAt(37 + i * 49));
        }
      }
      expect(checkpointSeqs()).toEqual([800, 1600]);
    } finally {
      await server.close();
    }

    // The log doubles (written offline): the spacing becomes 1600 and the finer checkpoints go.
    change(2000, 4000);
    await prepare(dataDir, (store) => append(store, id, 2000), { id, facilitatorId });
    server = await startTestServer({ CHECKPOINTS_PER_DOC: '4' }, dataDir);
    try {
      const token = await tokenFor(server, id, facilitatorId);
      const { json } = await stateAt(server, token, 4000);
      expect(content(json.state)).toBe(expectedAt(4000));
      expect(checkpointSeqs()).toEqual([1600, 3200]);
      for (const seq of [3999, 2500, 801]) expect(content((await stateAt(server, token, seq)).json.state)).toBe(expectedAt(seq));
      expect(checkpointSeqs().length).toBeLessThanOrEqual(4);
    } finally {
      await server.close();
      removeDir(dataDir);
    }
  }, 120_000);
});
