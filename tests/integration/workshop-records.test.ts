import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import * as Y from 'yjs';
import { MuxConnection } from '../../client/src/sync/mux';
import type { BoardSnapshot } from '../../client/src/sync/types';
import type { WorkshopSync } from '../../client/src/sync/workshop';
import { openSqliteStore } from '../../server/store/sqlite';
import { addNote, deleteNote, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes } from '../../shared/read/snapshot';
import { readVotes } from '../../shared/read/votes';
import { notesRoots, toYMap } from '../../shared/schema/layout';
import { createWorkshop, joinAs, type Created, type Joined } from '../helpers/api';
import { nodeTransports, nodeWorkshopSync, untilBoard } from '../helpers/nodeSync';
import { muxUrl, RawMux } from '../helpers/rawMux';
import { removeDir, startTestServer, tempDir, type TestServer } from '../helpers/server';
import type { DocStore } from '../../server/store/port';

/**
 * The workshop channel's records mode (docs/architecture.md, "The workshop channel"): a tab that
 * only reads someone's notes holds plain records the server reads from each notes document, not
 * a Y.Doc. Through a real server: hand-driven mux sockets (tests/helpers/rawMux.ts, which keeps
 * the records with the client's own class) for what the protocol carries, the real sync layer for
 * what a facilitator's tab shows, and /metrics for what the server holds.
 */
let server: TestServer;
const raws: RawMux[] = [];
const syncs: WorkshopSync[] = [];

beforeAll(async () => {
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

async function openRaw(token: string): Promise<RawMux> {
  const raw = await RawMux.open(muxUrl(server, token));
  raws.push(raw);
  return raw;
}

/** A follower in records mode: the room document open (the channel rides on it), then `followRecords`. */
async function follower(token: string, workshopId: string, versions: Array<{ docName: string; version: Uint8Array }> = []): Promise<RawMux> {
  const raw = await openRaw(token);
  raw.openDoc(roomDocName(workshopId));
  raw.followRecords(workshopId, versions);
  await raw.waitFor(() => raw.following(), 'the records catch-up');
  return raw;
}

async function workshopWith(names: string[]): Promise<{ workshop: Created; people: Joined[] }> {
  const workshop = await createWorkshop(server.url, ['City', 'School']);
  return { workshop, people: await joinAs(server.url, workshop, names.map((name) => [name, 0] as const)) };
}

/** The owner's writer: its notes document on its own session. */
async function writer(person: Joined, docName: string): Promise<RawMux> {
  const raw = await openRaw(person.token);
  raw.openDoc(docName);
  await raw.waitFor(() => raw.docFrames(docName).some((p) => p[0] === 0 && p[1] === 1), 'the document at its writer');
  return raw;
}

const add = (raw: RawMux, docName: string, text: string) => raw.edit(docName, (doc) => addNote(doc, { questionId: '3a', text, x: 1, y: 2 }, Date.now(), LOCAL_ORIGIN));
/** The records a follower holds equal a full read of the writer's document. */
const holds = (raw: RawMux, docName: string, doc: Y.Doc) => JSON.stringify(raw.recordsOf(docName).read()) === JSON.stringify({ notes: readNotes(doc).notes, votes: readVotes(doc) });
const texts = (board: BoardSnapshot) => board.notes.map((n) => n.text).sort();

async function metric(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

describe('the workshop channel in records mode', () => {
  it('catches up with every notes document, then follows upserts and deletes live; a reconnect skips what did not change', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben', 'Cleo']);
    const [anna, ben, cleo] = people as [Joined, Joined, Joined];
    const bens = notesDocName(workshop.id, ben.participantId);
    const cleos = notesDocName(workshop.id, cleo.participantId);
    const benWrites = await writer(ben, bens);
    add(benWrites, bens, 'Ben 1');
    add(benWrites, bens, 'Ben 2');
    const cleoWrites = await writer(cleo, cleos);
    add(cleoWrites, cleos, 'Cleo 1');

    const first = await follower(anna.token, workshop.id);
    await first.waitFor(() => holds(first, bens, benWrites.doc(bens)) && holds(first, cleos, cleoWrites.doc(cleos)), 'both documents');
    expect(first.recordFrames(bens).every((d) => d.full)).toBe(true);
    // Never a Yjs update through the channel in this mode, nor a document of Anna's own (she has it open on her own... or not at all).
    expect(first.frames.some((f) => f.kind === 'batch' || (f.kind === 'doc' && f.docName !== roomDocName(workshop.id)))).toBe(false);

    // Live: an edit, a delete and a new note, each as records of the keys it changed.
    const [one, two] = readNotes(benWrites.doc(bens)).notes;
    benWrites.edit(bens, (doc) => updateNote(doc, one!.id, { text: 'Ben 1, edited' }, Date.now(), LOCAL_ORIGIN));
    benWrites.edit(bens, (doc) => deleteNote(doc, two!.id, LOCAL_ORIGIN));
    add(benWrites, bens, 'Ben 3');
    await first.waitFor(() => holds(first, bens, benWrites.doc(bens)), 'the live changes');
    expect(first.recordsOf(bens).read().notes.map((n) => n.text).sort()).toEqual(['Ben 1, edited', 'Ben 3']);
    const live = first.recordFrames(bens).filter((d) => !d.full);
    expect(live.length).toBeGreaterThanOrEqual(3);
    expect(live.every((d) => d.changes.length === 1 && d.version.length === 0)).toBe(true);
    expect(live.some((d) => d.changes[0]!.value === undefined)).toBe(true);

    // A second socket that holds both documents at their versions: nothing is sent again.
    const fresh = await follower(anna.token, workshop.id);
    const versions = [bens, cleos].map((docName) => ({ docName, version: fresh.recordsOf(docName).version! }));
    expect(versions.every((v) => v.version.length === 16)).toBe(true);
    const again = await follower(anna.token, workshop.id, versions);
    expect(again.recordFrames(bens)).toEqual([]);
    expect(again.recordFrames(cleos)).toEqual([]);
    // After a deletion alone (no new struct: the state vector does not move) the version does.
    benWrites.edit(bens, (doc) => deleteNote(doc, readNotes(doc).notes[0]!.id, LOCAL_ORIGIN));
    await again.waitFor(() => again.recordFrames(bens).length === 1, 'the deletion, live');
    const afterDelete = await follower(anna.token, workshop.id, versions);
    expect(afterDelete.recordFrames(bens).map((d) => d.full)).toEqual([true]);
    expect(afterDelete.recordFrames(cleos)).toEqual([]);
    expect(holds(afterDelete, bens, benWrites.doc(bens))).toBe(true);
    expect(first.recordWarnings).toEqual([]);
  });

  it('never carries drafts, whatever the follower asks for; a write through the channel is refused', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben']);
    const [anna, ben] = people as [Joined, Joined];
    const bensDrafts = draftsDocName(workshop.id, ben.participantId);
    const bens = notesDocName(workshop.id, ben.participantId);
    const benWrites = await writer(ben, bensDrafts);
    add(benWrites, bensDrafts, 'private draft');
    const raw = await openRaw(anna.token);
    raw.openDoc(roomDocName(workshop.id));
    raw.followRecords(workshop.id, [{ docName: bensDrafts, version: new Uint8Array(0) }]);
    await raw.waitFor(() => raw.following(), 'the catch-up');
    add(benWrites, bensDrafts, 'another draft');
    benWrites.openDoc(bens);
    add(benWrites, bens, 'public');
    await raw.waitFor(() => raw.recordsOf(bens).read().notes.some((n) => n.text === 'public'), 'the public note');
    const named = raw.frames.flatMap((f) => (f.kind === 'records' ? f.docs.map((d) => d.docName) : f.kind === 'doc' ? [f.docName] : []));
    expect(named.some((name) => name.includes('/drafts/'))).toBe(false);

    // Anna writes into Ben's notes on the channel: refused read-only, nothing stored or sent.
    raw.edit(bens, (doc) => addNote(doc, { questionId: '3a', text: 'Forged', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN));
    await raw.waitFor(() => raw.deniedOn(bens).length === 1, 'the refusal');
    add(benWrites, bens, 'after the forgery');
    await raw.waitFor(() => raw.recordsOf(bens).read().notes.some((n) => n.text === 'after the forgery'), 'the next note');
    expect(raw.recordsOf(bens).read().notes.map((n) => n.text).sort()).toEqual(['after the forgery', 'public']);
  });

  it('is refused for another workshop, without the room document, or twice; ends with its socket on removal', async () => {
    const { workshop, people } = await workshopWith(['Anna']);
    const other = await createWorkshop(server.url);
    const raw = await openRaw(people[0]!.token);
    raw.followRecords(other.id);
    await raw.waitFor(() => raw.frames.some((f) => f.kind === 'unfollowed'), 'a refusal');
    expect(raw.frames.find((f) => f.kind === 'unfollowed')).toMatchObject({ code: CloseCode.forbidden });
    raw.followRecords(workshop.id);
    await raw.waitFor(() => raw.frames.filter((f) => f.kind === 'unfollowed').length === 2, 'a second refusal');
    expect(raw.frames.filter((f) => f.kind === 'unfollowed')[1]).toMatchObject({ code: CloseCode.badRequest, reason: expect.stringMatching(/room document/) });
    raw.openDoc(roomDocName(workshop.id));
    raw.followRecords(workshop.id);
    await raw.waitFor(() => raw.following(), 'following');
    raw.follow(workshop.id);
    await raw.waitFor(() => raw.frames.filter((f) => f.kind === 'unfollowed').length === 3, 'no second follow, in either mode');
    // A client does not send records.
    const sender = await openRaw(people[0]!.token);
    sender.ws.send(new Uint8Array([10, 1, 0x77, 0]));
    expect((await sender.closed).code).toBe(CloseCode.unknownMessageType);

    const followers = await metric('arvo_workshop_followers');
    const removed = await fetch(`${server.url}/api/workshops/${workshop.id}/participants/${people[0]!.participantId}`, { method: 'DELETE', headers: { authorization: `Bearer ${workshop.facilitatorToken}` } });
    expect(removed.status).toBe(200);
    expect((await raw.closed).code).toBe(CloseCode.removed);
    const deadline = Date.now() + 5000;
    while ((await metric('arvo_workshop_followers')) !== followers - 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await metric('arvo_workshop_followers')).toBe(followers - 1);
  });

  it('sends only what a full read sees of a stored document holding hostile records', async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Mallory']);
    const [anna, mallory] = people as [Joined, Joined];
    const mallorys = notesDocName(workshop.id, mallory.participantId);
    // Straight into the store, past every check (the document is not loaded yet).
    const store = openSqliteStore({ file: path.join(server.dataDir, 'arvo.sqlite'), synchronous: 'NORMAL', exclusive: false });
    const planted = new Y.Doc();
    planted.transact(() => {
      const notes = notesRoots(planted).notes as unknown as Y.Map<unknown>;
      const good = { questionId: '3a', x: 0, y: 0, createdAt: Date.now() };
      notes.set('MalloryGood00001', toYMap({ id: 'MalloryGood00001', text: 'good', ...good }));
      notes.set('MalloryBad000001', toYMap({ id: 'MalloryBad000001', text: 42, ...good }));
      notes.set('MalloryElsewhere', toYMap({ id: 'MalloryGood00001', text: 'under another key', ...good }));
      const nested = toYMap({ id: 'MalloryNested001', ...good });
      nested.set('text', new Y.Map());
      notes.set('MalloryNested001', nested);
      notesRoots(planted).votes.set('theme:NotAThemeId', 3);
    });
    await store.appendUpdates([{ docName: mallorys, ts: Date.now(), participantId: null, update: Y.encodeStateAsUpdate(planted) }]);
    await store.close();

    const raw = await follower(anna.token, workshop.id);
    const sent = raw.recordFrames(mallorys);
    expect(sent.flatMap((d) => d.changes.map((c) => c.key))).toEqual(['MalloryGood00001']);
    expect(raw.recordsOf(mallorys).read().notes.map((n) => n.text)).toEqual(['good']);
    expect(raw.recordWarnings).toEqual([]);
  });

  it("brings the facilitator's tab every participant's notes as records: one session (the room) and one follower", async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben']);
    const sessionsBefore = await metric('arvo_doc_sessions');
    const sockets: WebSocket[] = [];
    const tab = nodeWorkshopSync(server, workshop.facilitatorToken, 'Facilitator', { transports: nodeTransports({ sockets }) });
    syncs.push(tab);
    await untilBoard(tab, (b) => b.status === 'live', 'the facilitator live');
    const writers = await Promise.all(people.map((p) => writer(p, notesDocName(workshop.id, p.participantId))));
    writers.forEach((w, i) => add(w, notesDocName(workshop.id, people[i]!.participantId), `note ${i}`));
    await untilBoard(tab, (b) => texts(b).join() === 'note 0,note 1', 'both notes at the facilitator');
    expect((await metric('arvo_doc_sessions')) - sessionsBefore).toBe(1 + writers.length);
    // A deletion reaches the wall too; then a reconnect, and a note written while away.
    writers[0]!.edit(notesDocName(workshop.id, people[0]!.participantId), (doc) => deleteNote(doc, readNotes(doc).notes[0]!.id, LOCAL_ORIGIN));
    await untilBoard(tab, (b) => texts(b).join() === 'note 1', 'the deletion at the facilitator');
    sockets[0]!.terminate();
    await untilBoard(tab, (b) => b.status !== 'live', 'offline');
    add(writers[1]!, notesDocName(workshop.id, people[1]!.participantId), 'while away');
    await untilBoard(tab, (b) => b.status === 'live' && texts(b).join() === 'note 1,while away', 'the missed note after the reconnect');
  });

  it("drops the per-document copies older code kept of others' notes once records mode is served, and only those", async () => {
    const { workshop, people } = await workshopWith(['Anna', 'Ben']);
    const [anna, ben] = people as [Joined, Joined];
    let dropped!: (drop: (name: string) => boolean) => void;
    const asked = new Promise<(name: string) => boolean>((resolve) => (dropped = resolve));
    const tab = nodeWorkshopSync(server, anna.token, 'Anna', { transports: { ...nodeTransports({}), dropPersisted: dropped } });
    syncs.push(tab);
    const drop = await asked;
    expect(drop(notesDocName(workshop.id, ben.participantId))).toBe(true);
    // A participant not (yet) listed: their notes come as records too.
    expect(drop(notesDocName(workshop.id, 'Someone000000001'))).toBe(true);
    for (const kept of [notesDocName(workshop.id, anna.participantId), draftsDocName(workshop.id, anna.participantId), draftsDocName(workshop.id, ben.participantId), roomDocName(workshop.id), notesDocName('Other00000000001', ben.participantId), 'not a document'])
      expect(drop(kept), kept).toBe(false);
  });

  it('tells the client when the server will not serve records mode, so that it can open the documents one by one', async () => {
    const { workshop, people } = await workshopWith(['Anna']);
    const mux = new MuxConnection({
      url: muxUrl(server, people[0]!.token),
      onStatus: () => undefined,
      onRefusal: () => undefined,
      createSocket: nodeTransports({}).createSocket!,
    });
    try {
      // No room document open on this socket: the server answers `unfollowed`.
      const reason = await new Promise<string>((resolve) => mux.followRecords({ workshopId: workshop.id, held: () => [], apply: () => undefined, unavailable: resolve }));
      expect(reason).toMatch(/^4400 .*room document/);
      expect(mux.status).toBe('live');
    } finally {
      mux.destroy();
    }
  });
});

/**
 * The store of the server below, with a fault it can be told to cause: the next commit of one
 * document is held and then refused (a full disk at the worst moment), which makes that
 * document's room fail; and a hook run once the workshop's participants have been listed (a
 * follower's catch-up goes on to the documents in the same turn).
 */
function faultyStore(inner: DocStore) {
  let held: { docName: string; reached: () => void; refuse: Promise<never>; fail: (error: Error) => void } | null = null;
  let afterListing: (() => void) | null = null;
  const appended = new Map<string, Array<() => void>>();
  const store: DocStore = Object.create(inner);
  store.appendUpdates = async (batch, fence) => {
    const hold = held;
    if (hold && batch.some((u) => u.docName === hold.docName)) {
      held = null;
      hold.reached();
      return hold.refuse;
    }
    const seqs = await inner.appendUpdates(batch, fence);
    for (const update of batch) for (const resolve of appended.get(update.docName)?.splice(0) ?? []) resolve();
    return seqs;
  };
  store.listMemberships = async (workshopId) => {
    const members = await inner.listMemberships(workshopId);
    const hook = afterListing;
    afterListing = null;
    // After the turn in which the catch-up, handed this list, reaches the documents.
    if (hook) setImmediate(hook);
    return members;
  };
  return {
    store,
    /** Resolves once the next update of `docName` is stored. */
    nextAppended: (docName: string) => new Promise<void>((resolve) => appended.set(docName, [...(appended.get(docName) ?? []), resolve])),
    /** Holds the next commit of `docName`; resolves when it is reached, with what refuses it. */
    holdNext(docName: string): Promise<(error: Error) => void> {
      return new Promise((resolve) => {
        let fail: (error: Error) => void = () => undefined;
        const refuse = new Promise<never>((_, reject) => (fail = reject));
        held = { docName, reached: () => resolve(fail), refuse, fail };
      });
    },
    afterNextListing: (hook: () => void) => (afterListing = hook),
  };
}

describe('the records catch-up when a notes room fails in the middle of it', () => {
  let faulty: TestServer;
  let inner: DocStore;
  let fault: ReturnType<typeof faultyStore>;
  beforeAll(async () => {
    const dataDir = tempDir();
    inner = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
    fault = faultyStore(inner);
    faulty = await startTestServer({ JOIN_RATE_PER_MIN: '100000' }, dataDir, { store: fault.store });
  });
  afterAll(async () => {
    await faulty.close();
    await inner.close();
    removeDir(faulty.dataDir);
  });

  it('still brings the follower that document (what was committed of it), not only to followers already caught up', async () => {
    const workshop = await createWorkshop(faulty.url, ['City']);
    const [ada, bo] = await joinAs(faulty.url, workshop, [['Ada', 0] as const, ['Bo', 0] as const]);
    const adaNotes = notesDocName(workshop.id, ada!.participantId);
    const open = async (token: string) => {
      const raw = await RawMux.open(muxUrl(faulty, token));
      raws.push(raw);
      return raw;
    };
    const writer = await open(ada!.token);
    writer.openDoc(adaNotes);
    await writer.waitFor(() => writer.docFrames(adaNotes).some((p) => p[0] === 0 && p[1] === 1), 'the document at its writer');
    const stored = fault.nextAppended(adaNotes);
    add(writer, adaNotes, 'kept');
    await stored;
    // The next note's commit is held: the room holds it applied, not committed.
    const reached = fault.holdNext(adaNotes);
    add(writer, adaNotes, 'lost');
    const refuse = await reached;
    // Bo follows; once its catch-up has placed its read of Ada's document behind that commit, the commit is refused.
    fault.afterNextListing(() => refuse(new Error('disk full')));
    const reader = await open(bo!.token);
    reader.openDoc(roomDocName(workshop.id));
    reader.followRecords(workshop.id);
    await reader.waitFor(() => reader.following(), 'the records catch-up');
    // Nothing else reloads Ada's document (her socket's session was closed by the failure):
    // the catch-up itself must have read it again.
    await reader.waitFor(() => reader.recordsOf(adaNotes).read().notes.length > 0, "Ada's document at Bo");
    expect(reader.recordsOf(adaNotes).read().notes.map((n) => n.text)).toEqual(['kept']);
  });
});
