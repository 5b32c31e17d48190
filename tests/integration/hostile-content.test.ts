import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { CURRENT_SCHEMA_VERSION } from '../../shared/migrations';
import { addNote, updateNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { notesRoots, roomRoots, toYMap } from '../../shared/schema/layout';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { RawClient } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * A participant's (or facilitator's) document is untrusted input: every hostile shape sent
 * through a live server is refused with `invalid-content` / `missing-dependency` (the writer is
 * told, the connection stays open), never relayed to another reader, never stored (checked after
 * a restart from the same data directory) — while another workshop's stock providers keep
 * exchanging edits. A flood of updates with missing dependencies is refused without the server
 * parking any of it; a participant over PARTICIPANT_BYTES_PER_MIN is refused with `quota-exceeded`.
 */
const QUOTA = 64 * 1024;
const NOTE_ID = 'MalloryNote00001';
const MARK = 'HOSTILE';

let server: TestServer;
let dataDir: string;
let target: Created;
let mallory: Joined;
let quinn: Joined;
let names: { room: string; notes: string; drafts: string };
/** Reads Mallory's notes (the facilitator) and the room (Mallory): records everything relayed. */
let watchers: { notes: RawClient; room: RawClient };
let bystanders: { writer: Peer; reader: Peer };
let bystanderNotes = 0;

beforeAll(async () => {
  server = await startTestServer({ PARTICIPANT_BYTES_PER_MIN: String(QUOTA), ROOM_IDLE_MS: '60000' });
  dataDir = server.dataDir;
  const other = await createWorkshop(server.url);
  const facilitator = connect(server.wsUrl, roomDocName(other.id), other.facilitatorToken);
  await waitSynced(facilitator);
  const [municipality, association] = readRoom(facilitator.doc).actors;
  const anna = await join(server.url, other.id, other.participantJoinKey, 'Anna', municipality!.id);
  const ben = await join(server.url, other.id, other.participantJoinKey, 'Ben', association!.id);
  facilitator.provider.destroy();
  const writer = connect(server.wsUrl, notesDocName(other.id, anna.participantId), anna.token);
  const reader = connect(server.wsUrl, notesDocName(other.id, anna.participantId), ben.token);
  await Promise.all([waitSynced(writer), waitSynced(reader)]);
  bystanders = { writer, reader };

  target = await createWorkshop(server.url);
  const room = await RawClient.connect(server.wsUrl, roomDocName(target.id), target.facilitatorToken);
  await room.sync();
  const actor = readRoom(room.doc).actors[0]!.id;
  room.close();
  mallory = await join(server.url, target.id, target.participantJoinKey, 'Mallory', actor);
  quinn = await join(server.url, target.id, target.participantJoinKey, 'Quinn', actor);
  names = { room: roomDocName(target.id), notes: notesDocName(target.id, mallory.participantId), drafts: draftsDocName(target.id, mallory.participantId) };
  // One honest note of Mallory's, so that hostile overwrites have something to inherit from.
  const honest = await synced(names.notes, mallory.token);
  honest.edit((d) => addNote(d, { questionId: '1a', text: 'honest', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN, NOTE_ID));
  await honest.roundTrip();
  honest.close();
  watchers = { notes: await synced(names.notes, target.facilitatorToken), room: await synced(names.room, mallory.token) };
  expect(readNotes(watchers.notes.doc).notes.map((n) => n.text)).toEqual(['honest']);
});

afterAll(async () => {
  destroyAll();
  await server?.close();
  if (dataDir) removeDir(dataDir);
});

async function synced(docName: string, token: string): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, docName, token);
  await client.sync();
  return client;
}

/** The other workshop: a new note written by Anna reaches Ben. */
async function bystandersConverge(): Promise<void> {
  const text = `still working ${++bystanderNotes}`;
  addNote(bystanders.writer.doc, { questionId: '1a', text, x: bystanderNotes, y: 0 }, Date.now(), LOCAL_ORIGIN);
  await waitFor(bystanders.reader.doc, () => readNotes(bystanders.reader.doc).notes.some((n) => n.text === text), `"${text}" at the reader`);
}

async function metrics(): Promise<string> {
  return (await fetch(`${server.url}/metrics`)).text();
}
function metricValue(text: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    if (wanted.every((w) => (match[2] ?? '').split(',').includes(w))) return Number(match[3]);
  }
  return 0;
}
const rejected = (text: string, reason: string) => metricValue(text, 'arvo_rejected_messages_total', { reason });

/** Relayed updates (a round trip's own sync step 2 is the reader asking, not a relay). */
const updatesSince = (client: RawClient, mark: number) => client.received.slice(mark).filter((m) => m.type === 'update');
const denials = (client: RawClient) => client.received.filter((m): m is { type: 'permission-denied'; reason: string } => m.type === 'permission-denied');

interface Hostile {
  what: string;
  doc: 'notes' | 'drafts' | 'room';
  /** The bytes to send, from a client synced with the server (its doc holds the server's state). */
  make(doc: Y.Doc): Uint8Array;
  reason: RegExp;
}

/** The client's own change, as the update it would send. */
const change = (fn: (doc: Y.Doc) => void) => (doc: Y.Doc) => {
  const before = Y.encodeStateVector(doc);
  fn(doc);
  return Y.encodeStateAsUpdate(doc, before);
};
const note = (id: string, extra: Record<string, unknown> = {}) => toYMap({ id, questionId: '1a', text: MARK, x: 1, y: 2, createdAt: 1, ...extra });
const ownNote = (doc: Y.Doc) => notesRoots(doc).notes.get(NOTE_ID)!;

const HOSTILE: Hostile[] = [
  { what: 'a root the notes document does not have', doc: 'notes', make: change((d) => d.getMap('evil').set('x', MARK)), reason: /^invalid-content: unknown root/ },
  { what: 'a nested Y.Map in a note field', doc: 'notes', make: change((d) => ownNote(d).set('text', new Y.Map())), reason: /^invalid-content: .*text.*plain value/ },
  { what: 'a Y.Text where a string is expected', doc: 'notes', make: change((d) => ownNote(d).set('text', new Y.Text(MARK))), reason: /^invalid-content: .*text.*plain value/ },
  { what: 'a key that is not an id', doc: 'notes', make: change((d) => notesRoots(d).notes.set('not an id', note('not an id'))), reason: /^invalid-content: .*not a valid key/ },
  { what: 'an id different from its key', doc: 'notes', make: change((d) => notesRoots(d).notes.set('OtherNote0000001', note('OtherNote0000002'))), reason: /^invalid-content: .*must equal the record's key/ },
  { what: 'text over the 500-character limit', doc: 'notes', make: change((d) => ownNote(d).set('text', MARK + 'x'.repeat(600))), reason: /^invalid-content: .*text/ },
  { what: 'an array where a number is expected', doc: 'notes', make: change((d) => ownNote(d).set('x', [MARK])), reason: /^invalid-content: .*x/ },
  { what: 'a deeply nested value', doc: 'notes', make: change((d) => ownNote(d).set('text', nested(2000))), reason: /^invalid-content: / },
  { what: 'meta.schemaVersion from a participant (loads would fail)', doc: 'notes', make: change((d) => notesRoots(d).meta.set('schemaVersion', 999)), reason: /^invalid-content: .*server only/ },
  { what: 'deleting meta.schemaVersion', doc: 'notes', make: change((d) => notesRoots(d).meta.delete('schemaVersion')), reason: /^invalid-content: .*server only/ },
  { what: 'overwriting the note with a plain value (the item inherits its parent)', doc: 'notes', make: change((d) => notesRoots(d).notes.set(NOTE_ID, MARK as never)), reason: /^invalid-content: .*must be a record/ },
  {
    what: 'an edit of a note the server never got (a missing dependency)',
    doc: 'notes',
    make: (doc) => {
      const offline = new Y.Doc();
      Y.applyUpdate(offline, Y.encodeStateAsUpdate(doc));
      addNote(offline, { questionId: '1a', text: 'unsent', x: 0, y: 0 }, 1, LOCAL_ORIGIN, 'UnsentNote000001');
      return change((d) => updateNote(d, 'UnsentNote000001', { text: MARK }, 2, LOCAL_ORIGIN))(offline);
    },
    reason: /^invalid-content: .*(server does not have|clock gap)/,
  },
  { what: 'a meta field in the drafts document', doc: 'drafts', make: change((d) => notesRoots(d).meta.set('schemaVersion', 999)), reason: /^invalid-content: .*server only/ },
  { what: 'an unknown field in a draft', doc: 'drafts', make: change((d) => notesRoots(d).notes.set('DraftNote0000001', note('DraftNote0000001', { evil: MARK }))), reason: /^invalid-content: unknown field/ },
  { what: 'meta.schemaVersion from the facilitator', doc: 'room', make: change((d) => roomRoots(d).meta.set('schemaVersion', 999)), reason: /^invalid-content: .*server only/ },
  { what: 'a participant record forged by the facilitator', doc: 'room', make: change((d) => roomRoots(d).participants.set('ForgedPerson0001', toYMap({ id: 'ForgedPerson0001', name: MARK, actorId: null, role: 'facilitator', joinedAt: 1 }))), reason: /^invalid-content: .*server only/ },
  { what: 'a Y.Array in the session', doc: 'room', make: change((d) => roomRoots(d).session.set('lockedActors', Y.Array.from([MARK]) as never)), reason: /^invalid-content: .*plain value/ },
];

function nested(levels: number): unknown {
  let value: unknown = MARK;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

const tokenFor = (doc: Hostile['doc']) => (doc === 'room' ? target.facilitatorToken : mallory.token);

describe('hostile content is refused, not relayed, not stored', () => {
  for (const hostile of HOSTILE) {
    it(`${hostile.doc}: ${hostile.what}`, async () => {
      const watcher = hostile.doc === 'notes' ? watchers.notes : hostile.doc === 'room' ? watchers.room : null;
      const mark = watcher?.received.length ?? 0;
      const writer = await synced(names[hostile.doc], tokenFor(hostile.doc));
      writer.sendUpdate(hostile.make(writer.doc));
      const denied = await writer.waitFor((m) => m.type === 'permission-denied', 'the refusal');
      expect(denied.type === 'permission-denied' && denied.reason).toMatch(hostile.reason);
      // The connection stays open: a round trip still works, and nothing came back.
      await writer.roundTrip();
      if (watcher) {
        await watcher.roundTrip();
        expect(updatesSince(watcher, mark)).toEqual([]);
      }
      writer.close();
      await bystandersConverge();
    });
  }

  it('a flood of updates with missing dependencies is refused; nothing is parked; other workshops keep working', async () => {
    const FLOOD = 300;
    const writer = await synced(names.notes, mallory.token);
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(writer.doc));
    addNote(offline, { questionId: '1a', text: 'never sent', x: 0, y: 0 }, 1, LOCAL_ORIGIN, 'UnsentNote000002');
    let bytes = 0;
    for (let i = 0; i < FLOOD; i++) {
      const update = change((d) => updateNote(d, 'UnsentNote000002', { text: `${MARK} ${i} ${'y'.repeat(400)}` }, i, LOCAL_ORIGIN))(offline);
      bytes += update.byteLength;
      writer.sendUpdate(update);
    }
    expect(bytes).toBeGreaterThan(100_000);
    // The other workshop converges while the flood is being refused, and after it.
    await bystandersConverge();
    await writer.waitFor(() => denials(writer).length === FLOOD, `${FLOOD} refusals`, 20_000);
    expect(denials(writer).every((d) => d.reason.startsWith('invalid-content: '))).toBe(true);
    await bystandersConverge();
    const text = await metrics();
    expect(rejected(text, 'missing-dependency')).toBeGreaterThanOrEqual(FLOOD);
    // Nothing was parked by Yjs (the relay drops and counts anything parked).
    expect(rejected(text, 'pending-dropped')).toBe(0);
    // The document stays small: a new reader's full state is the honest note and little more.
    const fresh = await synced(names.notes, target.facilitatorToken);
    const state = fresh.received.find((m) => m.type === 'sync-step2');
    expect(state?.type === 'sync-step2' && state.update.byteLength).toBeLessThan(2000);
    expect(readNotes(fresh.doc).notes.map((n) => n.text)).toEqual(['honest']);
    fresh.close();
    writer.close();
  });

  it(`a participant over PARTICIPANT_BYTES_PER_MIN is refused with quota-exceeded; others still write`, async () => {
    const quinnNotes = notesDocName(target.id, quinn.participantId);
    const writer = await synced(quinnNotes, quinn.token);
    const reader = await synced(quinnNotes, target.facilitatorToken);
    const BATCHES = 12;
    for (let batch = 0; batch < BATCHES; batch++) {
      writer.edit((d) => {
        for (let i = 0; i < 20; i++) addNote(d, { questionId: '1a', text: `${batch}:${i} ${'q'.repeat(480)}`, x: i, y: batch }, 1, LOCAL_ORIGIN);
      });
    }
    await writer.waitFor((m) => m.type === 'permission-denied', 'quota-exceeded');
    expect(denials(writer)[0]!.reason).toMatch(/^quota-exceeded: /);
    await writer.roundTrip();
    await reader.roundTrip();
    // What got through is bounded by the allowance (plus what refilled meanwhile).
    const stored = readNotes(reader.doc).notes.length;
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(BATCHES * 20);
    expect(stored * 480).toBeLessThan(QUOTA * 2);
    expect(rejected(await metrics(), 'quota-exceeded')).toBeGreaterThan(0);
    await bystandersConverge();
    writer.close();
    reader.close();
  });

  it('after a restart from the same data directory, no refused edit is there', async () => {
    for (const client of Object.values(watchers)) client.close();
    destroyAll();
    await server.close();
    server = await startTestServer({}, dataDir);
    const notes = await synced(names.notes, target.facilitatorToken);
    const drafts = await synced(names.drafts, mallory.token);
    const room = await synced(names.room, target.facilitatorToken);
    for (const client of [notes, drafts]) {
      expect([...client.doc.share.keys()].filter((key) => key !== 'meta' && key !== 'notes')).toEqual([]);
      expect(notesRoots(client.doc).meta.toJSON()).toEqual({ schemaVersion: CURRENT_SCHEMA_VERSION });
      expect(readNotes(client.doc).problems).toEqual([]);
    }
    expect(readNotes(notes.doc).notes.map((n) => n.text)).toEqual(['honest']);
    expect(readNotes(drafts.doc).notes).toEqual([]);
    expect(readRoom(room.doc).problems).toEqual([]);
    expect(readRoom(room.doc).meta?.schemaVersion).toBe(CURRENT_SCHEMA_VERSION);
    expect(readRoom(room.doc).participants.map((p) => p.name).sort()).toEqual(['Facilitator', 'Mallory', 'Quinn'].sort());
    for (const client of [notes, drafts, room]) {
      const everything = JSON.stringify([...client.doc.share.keys()].map((key) => client.doc.getMap(key).toJSON()));
      expect(everything).not.toContain(MARK);
      client.close();
    }
  });
});
