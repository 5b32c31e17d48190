import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { MuxConnection } from '../../client/src/sync/mux';
import type { BoardSnapshot } from '../../client/src/sync/types';
import type { WorkshopSync } from '../../client/src/sync/workshop';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { encodeMux } from '../../shared/protocol/mux';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes } from '../../shared/read/snapshot';
import { createWorkshop, join, joinAs, type Created, type Joined } from '../helpers/api';
import { nodeTransports, nodeWorkshopSync, untilBoard } from '../helpers/nodeSync';
import { muxUrl, RawMux } from '../helpers/rawMux';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';
import { BUSY_UPDATES_PER_SECOND } from '../../server/relay/workshopChannel';

/**
 * The workshop channel (docs/architecture.md, "The workshop channel"): a tab follows every other
 * participant's notes through one subscription instead of one session per document. Through a
 * real server: the real sync layer (client/src/sync) for what a tab sees, a hand-driven mux
 * socket for what the protocol allows, and /metrics for what the server holds.
 */
let server: TestServer;
const syncs: WorkshopSync[] = [];
const raws: RawMux[] = [];

beforeAll(async () => {
  // Many joins from one address in this file.
  server = await startTestServer({ JOIN_RATE_PER_MIN: '100000' });
});
afterEach(() => {
  for (const sync of syncs.splice(0)) sync.destroy();
  for (const raw of raws.splice(0)) raw.ws.close();
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

/** A hand-driven mux socket (tests/helpers/rawMux.ts), closed after the test. */
async function openRaw(token: string): Promise<RawMux> {
  const raw = await RawMux.open(muxUrl(server, token));
  raws.push(raw);
  return raw;
}

function tab(token: string, name: string, options: { sockets?: WebSocket[]; workshopChannel?: boolean } = {}): WorkshopSync {
  const sync = nodeWorkshopSync(server, token, name, {
    transports: nodeTransports(options.sockets ? { sockets: options.sockets } : {}),
    ...(options.workshopChannel === undefined ? {} : { workshopChannel: options.workshopChannel }),
  });
  syncs.push(sync);
  return sync;
}


async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1] ?? NaN);
}

async function eventually(read: () => Promise<number>, expected: number, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  let last = NaN;
  while (Date.now() < deadline) {
    last = await read();
    if (last === expected) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${what}: expected ${expected}, last ${last}`);
}

async function workshopWith(names: string[]): Promise<{ workshop: Created; people: Joined[]; actorId: string }> {
  const workshop = await createWorkshop(server.url, ['City', 'School']);
  const people = await joinAs(server.url, workshop, names.map((name) => [name, 0] as const));
  return { workshop, people, actorId: people[0]!.actorId! };
}

const noteIn = (doc: Y.Doc, text: string) => (d: Y.Doc) => addNote(d === doc ? doc : d, { questionId: '3a', text, x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
const texts = (board: BoardSnapshot) => board.notes.map((n) => n.text);

describe('the workshop channel', () => {
  it("shows a follower the others' notes live, and what it missed after a reconnect", async () => {
    const { people } = await workshopWith(['Anna', 'Ben']);
    const [anna, ben] = people as [Joined, Joined];
    const sockets: WebSocket[] = [];
    const annaTab = tab(anna.token, 'Anna', { sockets });
    const benTab = tab(ben.token, 'Ben');
    await untilBoard(annaTab, (b) => b.status === 'live', 'Anna live');
    await untilBoard(benTab, (b) => b.status === 'live', 'Ben live');

    benTab.addNote({ questionId: '1b', text: 'live from Ben', x: 0, y: 0 });
    await untilBoard(annaTab, (b) => texts(b).includes('live from Ben'), "Ben's note at Anna's");
    // Both tabs follow through the channel.
    expect(await metric('arvo_workshop_followers')).toBeGreaterThanOrEqual(2);

    // Anna's socket drops; Ben writes meanwhile; on reconnect the catch-up brings it.
    sockets[0]!.terminate();
    await untilBoard(annaTab, (b) => b.status !== 'live', 'Anna offline');
    benTab.addNote({ questionId: '1b', text: 'while Anna was away', x: 0, y: 0 });
    await untilBoard(benTab, (b) => texts(b).includes('while Anna was away'), 'the note at Ben');
    const seen = await untilBoard(annaTab, (b) => b.status === 'live' && texts(b).includes('while Anna was away'), 'the missed note after reconnect');
    expect(texts(seen)).toContain('live from Ben');
    expect(sockets.length).toBe(2);
    // And live again on the new socket.
    benTab.addNote({ questionId: '1b', text: 'after the reconnect', x: 0, y: 0 });
    await untilBoard(annaTab, (b) => texts(b).includes('after the reconnect'), 'a live note on the new socket');
  });

  it('catches up against the state vectors sent: a document already held whole is not sent again', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben', 'Cleo']);
    const [anna, ben, cleo] = people as [Joined, Joined, Joined];
    const bensNotes = notesDocName(workshop.id, ben.participantId);
    const cleosNotes = notesDocName(workshop.id, cleo.participantId);
    const writer = await openRaw(ben.token);
    writer.openDoc(bensNotes);
    writer.edit(bensNotes, noteIn(writer.doc(bensNotes), 'Ben 1'));
    const first = await openRaw(anna.token);
    first.openDoc(roomDocName(workshop.id));
    first.follow(workshop.id);
    await first.waitFor(() => first.following() && readNotes(first.doc(bensNotes)).notes.some((n) => n.text === 'Ben 1'), 'the first catch-up');

    // A second socket that already holds Ben's notes as they are: only Cleo's (never seen) come.
    const second = await openRaw(anna.token);
    second.openDoc(roomDocName(workshop.id));
    Y.applyUpdate(second.doc(bensNotes), Y.encodeStateAsUpdate(first.doc(bensNotes)));
    second.follow(workshop.id, [{ docName: bensNotes, stateVector: Y.encodeStateVector(second.doc(bensNotes)) }]);
    await second.waitFor(() => second.following(), 'the second catch-up');
    expect(second.docFrames(bensNotes)).toEqual([]);
    expect(second.docFrames(cleosNotes).length).toBe(1);
    // Live from here on.
    writer.edit(bensNotes, noteIn(writer.doc(bensNotes), 'Ben 2'));
    await second.waitFor(() => readNotes(second.doc(bensNotes)).notes.some((n) => n.text === 'Ben 2'), 'the live update');
    expect(readNotes(second.doc(bensNotes)).notes.map((n) => n.text).sort()).toEqual(['Ben 1', 'Ben 2']);

    // A quiet workshop's updates go out one by one, at once (no batch window adds latency).
    const quietFrom = second.frames.length;
    for (let i = 3; i <= 5; i++) writer.edit(bensNotes, noteIn(writer.doc(bensNotes), `Ben ${i}`));
    await second.waitFor(() => readNotes(second.doc(bensNotes)).notes.length === 5, 'three quiet updates');
    expect(second.frames.slice(quietFrom).some((f) => f.kind === 'batch')).toBe(false);
    // A burst past BUSY_UPDATES_PER_SECOND (twice, so that it is past it within one second even when
    // it straddles two): from then on, each window's updates leave together in one batch frame.
    const BURST = 2 * BUSY_UPDATES_PER_SECOND + 10;
    for (let i = 6; i < 6 + BURST; i++) writer.edit(bensNotes, noteIn(writer.doc(bensNotes), `Ben ${i}`));
    await second.waitFor(() => readNotes(second.doc(bensNotes)).notes.length === 5 + BURST, 'the burst', 20_000);
    const caughtUpAt = second.frames.findIndex((f) => f.kind === 'following');
    const entries = second.frames.slice(caughtUpAt).flatMap((f) => (f.kind === 'batch' && f.docName === workshop.id ? f.entries : []));
    expect(entries.filter((e) => e.docName === bensNotes).length).toBeGreaterThan(0);
    // (Other notes documents of the workshop may share a window: what the server writes as they load.)
    expect(entries.every((e) => e.docName.startsWith(`${workshop.id}/p/`))).toBe(true);
  });

  it("brings a participant who joined later: their notes reach every follower", async () => {
    const { workshop, people, actorId } = await workshopWith(['Anna']);
    const observer = await join(server.url, workshop.id, workshop.observerJoinKey, 'Olli');
    const annaTab = tab(people[0]!.token, 'Anna');
    const olliTab = tab(observer.token, 'Olli');
    await untilBoard(annaTab, (b) => b.status === 'live', 'Anna live');
    await untilBoard(olliTab, (b) => b.status === 'live', 'Olli live');
    const raw = await openRaw(observer.token);
    raw.openDoc(roomDocName(workshop.id));
    raw.follow(workshop.id);
    await raw.waitFor(() => raw.following(), 'caught up before the late join');

    const late = await join(server.url, workshop.id, workshop.participantJoinKey, 'Late', actorId);
    const lateTab = tab(late.token, 'Late');
    await untilBoard(lateTab, (b) => b.status === 'live', 'Late live');
    lateTab.addNote({ questionId: '1b', text: 'I came later', x: 0, y: 0 });
    const atAnna = await untilBoard(annaTab, (b) => texts(b).includes('I came later'), "the late participant's note at Anna's");
    await untilBoard(olliTab, (b) => texts(b).includes('I came later'), "the late participant's note at the observer's");
    expect(atAnna.notes.find((n) => n.text === 'I came later')?.participantId).toBe(late.participantId);
    // The follower holds the whole document — what the server wrote into it as it first loaded too.
    const latesNotes = notesDocName(workshop.id, late.participantId);
    await raw.waitFor(() => readNotes(raw.doc(latesNotes)).notes.length === 1, 'the note at the raw follower');
    const reader = await openRaw(late.token);
    const whole = reader.openDoc(latesNotes);
    await reader.waitFor(() => reader.docFrames(latesNotes).some((p) => p[0] === 0 && p[1] === 1), 'the whole document');
    expect(Y.encodeStateVector(raw.doc(latesNotes))).toEqual(Y.encodeStateVector(whole));
  });

  it('is read-only: a write through the channel is refused, not stored and not relayed', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben']);
    const [anna, ben] = people as [Joined, Joined];
    const bensNotes = notesDocName(workshop.id, ben.participantId);
    const bystander = await openRaw(ben.token);
    bystander.openDoc(roomDocName(workshop.id));
    bystander.follow(workshop.id);
    const forger = await openRaw(anna.token);
    forger.openDoc(roomDocName(workshop.id));
    forger.follow(workshop.id);
    await forger.waitFor(() => forger.following(), 'the catch-up');
    await bystander.waitFor(() => bystander.following(), "the bystander's catch-up");

    // Anna writes into Ben's notes on the channel: as an update and as a sync step 2.
    forger.edit(bensNotes, noteIn(forger.doc(bensNotes), 'Forged'));
    forger.sendSync(bensNotes, 1, Y.encodeStateAsUpdate(forger.doc(bensNotes)));
    await forger.waitFor(() => forger.deniedOn(bensNotes).length === 2, 'two refusals');
    expect(forger.deniedOn(bensNotes)[0]).toMatch(/^read-only/);

    // Ben's own view of his notes (a session of its own) has nothing of it, nor has the log.
    const owner = await openRaw(ben.token);
    const own = owner.openDoc(bensNotes);
    await owner.waitFor(() => owner.docFrames(bensNotes).some((p) => p[0] === 0 && p[1] === 1), "Ben's notes");
    expect(readNotes(own).notes).toEqual([]);
    expect(readNotes(bystander.doc(bensNotes)).notes).toEqual([]);
    const history = (await (await fetch(`${server.url}/api/workshops/${workshop.id}/history?limit=500`, { headers: { authorization: `Bearer ${workshop.facilitatorToken}` } })).json()) as { entries: { update: string }[] };
    expect(history.entries.length).toBeGreaterThan(0);
    expect(history.entries.some((e) => Buffer.from(e.update, 'base64').includes(Buffer.from('Forged')))).toBe(false);
    // The socket stays open for what Anna may do.
    expect(forger.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('never carries drafts, whatever the follower asks for', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben']);
    const [anna, ben] = people as [Joined, Joined];
    const bensDrafts = draftsDocName(workshop.id, ben.participantId);
    const writer = await openRaw(ben.token);
    writer.openDoc(bensDrafts);
    writer.edit(bensDrafts, noteIn(writer.doc(bensDrafts), 'private draft'));
    await writer.waitFor(() => writer.frames.length > 0, 'the drafts open');

    const follower = await openRaw(anna.token);
    follower.openDoc(roomDocName(workshop.id));
    // Asks for Ben's drafts by name, with an empty state vector.
    follower.follow(workshop.id, [{ docName: bensDrafts, stateVector: new Uint8Array([0]) }]);
    await follower.waitFor(() => follower.following(), 'the catch-up');
    writer.edit(bensDrafts, noteIn(writer.doc(bensDrafts), 'another draft'));
    // A later note on Ben's public notes arrives; the drafts never do.
    const bensNotes = notesDocName(workshop.id, ben.participantId);
    writer.openDoc(bensNotes);
    writer.edit(bensNotes, noteIn(writer.doc(bensNotes), 'public'));
    await follower.waitFor(() => readNotes(follower.doc(bensNotes)).notes.some((n) => n.text === 'public'), 'the public note');
    expect(follower.frames.some((f) => f.docName.includes('/drafts/') || (f.kind === 'batch' && f.entries.some((e) => e.docName.includes('/drafts/'))))).toBe(false);
  });

  it('refuses a follow of another workshop, without the room document, or twice; a cut-short follow closes with 4422', async () => {
    const { workshop, people, actorId } = await workshopWith(['Anna']);
    const other = await createWorkshop(server.url);
    const raw = await openRaw(people[0]!.token);
    raw.follow(other.id);
    await raw.waitFor(() => raw.frames.some((f) => f.kind === 'unfollowed'), 'a refusal');
    expect(raw.frames.find((f) => f.kind === 'unfollowed')).toMatchObject({ code: CloseCode.forbidden });
    raw.follow(workshop.id);
    await raw.waitFor(() => raw.frames.filter((f) => f.kind === 'unfollowed').length === 2, 'a second refusal');
    expect(raw.frames.filter((f) => f.kind === 'unfollowed')[1]).toMatchObject({ code: CloseCode.badRequest, reason: expect.stringMatching(/room document/) });
    raw.openDoc(roomDocName(workshop.id));
    raw.follow(workshop.id);
    await raw.waitFor(() => raw.following(), 'following');
    raw.follow(workshop.id);
    await raw.waitFor(() => raw.frames.filter((f) => f.kind === 'unfollowed').length === 3, 'a third refusal');
    expect(raw.ws.readyState).toBe(WebSocket.OPEN);

    const cut = await openRaw(people[0]!.token);
    const whole = encodeMux({ kind: 'follow', docName: workshop.id, entries: [{ docName: notesDocName(workshop.id, people[0]!.participantId), stateVector: new Uint8Array([1, 2, 3]) }] });
    cut.ws.send(whole.subarray(0, whole.length - 2));
    expect((await cut.closed).code).toBe(CloseCode.malformedMessage);

    // A state vector that is not one closes as on a document's own session.
    const bad = await openRaw(people[0]!.token);
    const someone = await join(server.url, workshop.id, workshop.participantJoinKey, 'Someone', actorId);
    bad.openDoc(roomDocName(workshop.id));
    bad.follow(workshop.id, [{ docName: notesDocName(workshop.id, someone.participantId), stateVector: new Uint8Array([5, 200]) }]);
    expect((await bad.closed).code).toBe(CloseCode.malformedMessage);
  });

  it('tells the client when the server will not serve the channel, so that it can open the documents one by one', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben']);
    const sockets: WebSocket[] = [];
    const mux = new MuxConnection({
      url: `${server.url.replace('http', 'ws')}/mux?token=${encodeURIComponent(people[0]!.token)}`,
      onStatus: () => undefined,
      onRefusal: () => undefined,
      createSocket: nodeTransports({ sockets }).createSocket!,
    });
    try {
      // No room document open on this socket: the server answers `unfollowed`.
      const reason = await new Promise<string>((resolve) =>
        mux.follow({ workshopId: workshop.id, held: () => [], docFor: () => null, unavailable: resolve }),
      );
      expect(reason).toMatch(/^4400 .*room document/);
      expect(mux.status).toBe('live');
    } finally {
      mux.destroy();
    }
  });

  it('ends with its socket when the participant is removed, and a new follow with the old token is refused', async () => {
    const { workshop, people } = await workshopWith(['Anna']);
    const anna = people[0]!;
    const raw = await openRaw(anna.token);
    raw.openDoc(roomDocName(workshop.id));
    raw.follow(workshop.id);
    await raw.waitFor(() => raw.following(), 'following');
    const followers = await metric('arvo_workshop_followers');
    const removed = await fetch(`${server.url}/api/workshops/${workshop.id}/participants/${anna.participantId}`, { method: 'DELETE', headers: { authorization: `Bearer ${workshop.facilitatorToken}` } });
    expect(removed.status).toBe(200);
    expect((await raw.closed).code).toBe(CloseCode.removed);
    await eventually(() => metric('arvo_workshop_followers'), followers - 1, 'followers after the removal');
    const again = await openRaw(anna.token);
    expect((await again.closed).code).toBe(CloseCode.removed);
  });

  it('keeps the server at O(N): one follower and a few sessions per tab, against N × N without the channel', async () => {
    const count = async (n: number, workshopChannel: boolean) => {
      const { people } = await workshopWith(Array.from({ length: n }, (_, i) => `P${i}`));
      const sessionsBefore = await metric('arvo_doc_sessions');
      const followersBefore = await metric('arvo_workshop_followers');
      const tabs = people.map((p, i) => tab(p.token, `P${i}`, { workshopChannel }));
      // Every tab has every other participant's notes (each wrote one).
      tabs.forEach((t, i) => t.addNote({ questionId: '1b', text: `note ${i}`, x: 0, y: 0 }));
      await Promise.all(tabs.map((t, i) => untilBoard(t, (b) => b.notes.length === n, `all notes at tab ${i}`)));
      const sessions = (await metric('arvo_doc_sessions')) - sessionsBefore;
      const followers = (await metric('arvo_workshop_followers')) - followersBefore;
      for (const t of tabs) {
        syncs.splice(syncs.indexOf(t), 1);
        t.destroy();
      }
      await eventually(() => metric('arvo_doc_sessions'), sessionsBefore, 'sessions after the tabs left');
      await eventually(() => metric('arvo_workshop_followers'), followersBefore, 'followers after the tabs left');
      return { sessions, followers };
    };
    for (const n of [3, 9]) {
      // Channel: room + own notes + own drafts per tab, and one follower.
      expect(await count(n, true)).toEqual({ sessions: 3 * n, followers: n });
      // Without: room + own drafts + every participant's notes per tab.
      expect(await count(n, false)).toEqual({ sessions: n * (n + 2), followers: 0 });
    }
  });
});
