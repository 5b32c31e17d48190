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
import { removeDir, startTestServer, type TestServer } from '../helpers/server';
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
