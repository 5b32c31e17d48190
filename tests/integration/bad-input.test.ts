import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join, type Created } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { RawClient, awarenessFrame } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Bad input is refused one connection at a time, with a named close code, and touches nobody
 * else: a second workshop stays in use by two stock providers throughout, and must still converge
 * after every refusal.
 */
const MAX_MESSAGE_BYTES = 2048;
const RATE_LIMIT_BURST = 20;

let server: TestServer;
let target: Created;
/** The workshop in active use beside the attacks: Anna writes her notes, Ben reads them. */
let bystanders: { writer: Peer; reader: Peer };
let bystanderNotes = 0;

beforeAll(async () => {
  server = await startTestServer({
    MAX_MESSAGE_BYTES: String(MAX_MESSAGE_BYTES),
    RATE_LIMIT_PER_SEC: '5',
    RATE_LIMIT_BURST: String(RATE_LIMIT_BURST),
  });
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
  await bystandersConverge();

  target = await createWorkshop(server.url);
});

afterAll(async () => {
  destroyAll();
  await server.close();
  removeDir(server.dataDir);
});

/** The other workshop: a new note written by Anna reaches Ben. */
async function bystandersConverge(): Promise<void> {
  const text = `still working ${++bystanderNotes}`;
  addNote(bystanders.writer.doc, { questionId: '1a', text, x: bystanderNotes, y: 0 }, Date.now(), LOCAL_ORIGIN);
  await waitFor(bystanders.reader.doc, () => readNotes(bystanders.reader.doc).notes.some((n) => n.text === text), `"${text}" at the reader`);
  expect(readNotes(bystanders.reader.doc).notes).toHaveLength(bystanderNotes);
}

/** A fresh connection to the target workshop's room document, synced (so the room is loaded). */
async function attacker(): Promise<RawClient> {
  const client = await RawClient.connect(server.wsUrl, roomDocName(target.id), target.facilitatorToken);
  await client.sync();
  return client;
}

async function metricsText(): Promise<string> {
  const response = await fetch(`${server.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}

function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return 0;
}

/** A small seeded generator (mulberry32): the "random" garbage is the same on every run. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const randomBytes = (next: () => number, length: number) => Uint8Array.from({ length }, () => Math.floor(next() * 256));

function message(prefix: number[], payload?: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  for (const n of prefix) encoding.writeVarUint(encoder, n);
  if (payload) encoding.writeVarUint8Array(encoder, payload);
  return encoding.toUint8Array(encoder);
}

/** A real, valid Yjs update (a note in a scratch document), to cut up or to compare with. */
function validUpdate(): Uint8Array {
  const doc = new Y.Doc();
  doc.getMap('meta').set('title', 'x'.repeat(100));
  return Y.encodeStateAsUpdate(doc);
}

interface BadInput {
  what: string;
  /** What the refusal is counted as in arvo_rejected_messages_total. */
  reason: string;
  code: number;
  send(client: RawClient): void;
}

const FLOOD = 100;
const garbage = randomBytes(seeded(20240611), 256);

const badInputs: BadInput[] = [
  {
    what: 'a message over MAX_MESSAGE_BYTES',
    reason: 'message-too-large',
    code: 1009,
    send: (c) => c.sendUpdate(new Uint8Array(MAX_MESSAGE_BYTES + 100)),
  },
  {
    what: 'a truncated sync message (its length prefix promises more than follows)',
    reason: 'malformed-message',
    code: CloseCode.malformedMessage,
    send: (c) => c.send(message([0, 2], validUpdate()).subarray(0, 40)),
  },
  {
    what: 'seeded random garbage',
    // The seed's first varuint is above 3: no message type of the protocol.
    reason: 'unknown-message-type',
    code: CloseCode.unknownMessageType,
    send: (c) => {
      expect(decoding.readVarUint(decoding.createDecoder(garbage))).toBeGreaterThan(3);
      c.send(garbage);
    },
  },
  {
    what: 'seeded random garbage as the payload of a sync update',
    reason: 'invalid-update',
    code: CloseCode.invalidUpdate,
    send: (c) => c.send(message([0, 2], garbage)),
  },
  {
    what: 'a text frame',
    reason: 'malformed-message',
    code: CloseCode.malformedMessage,
    send: (c) => c.ws.send('{"type":"sync"}'),
  },
  {
    what: 'an unknown message type',
    reason: 'unknown-message-type',
    code: CloseCode.unknownMessageType,
    send: (c) => c.send(message([7])),
  },
  {
    what: 'an unknown sync subtype',
    reason: 'unknown-message-type',
    code: CloseCode.unknownMessageType,
    send: (c) => c.send(message([0, 5], new Uint8Array([0]))),
  },
  {
    what: 'a sync update whose payload is not a Yjs update',
    reason: 'invalid-update',
    code: CloseCode.invalidUpdate,
    send: (c) => c.sendUpdate(validUpdate().subarray(0, 20)),
  },
  {
    what: 'an awareness entry whose state is not JSON',
    reason: 'malformed-message',
    code: CloseCode.malformedMessage,
    send: (c) => {
      const inner = encoding.createEncoder();
      encoding.writeVarUint(inner, 1);
      encoding.writeVarUint(inner, c.doc.clientID);
      encoding.writeVarUint(inner, 1);
      encoding.writeVarString(inner, '{"user": {"name": "Mallory"');
      c.send(message([1], encoding.toUint8Array(inner)));
    },
  },
  {
    what: `a flood of ${FLOOD} messages above the rate limit`,
    reason: 'rate-limited',
    code: CloseCode.rateLimited,
    send: (c) => {
      // Each one valid (query awareness); only their number is wrong.
      for (let i = 0; i < FLOOD; i++) c.send(message([3]));
    },
  },
];

describe('bad input: each refused with its own close code, nobody else affected', () => {
  for (const bad of badInputs) {
    it(`${bad.what} → ${bad.code}`, async () => {
      const client = await attacker();
      bad.send(client);
      const closed = await client.closed;
      expect(closed.code).toBe(bad.code);
      // The workshop in use next door goes on as if nothing happened.
      await bystandersConverge();
    });
  }

  it('afterwards: the server is healthy, other rooms converge, and the refusals are counted by reason', async () => {
    await bystandersConverge();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    // The target room itself still serves a well-behaved client.
    const fine = await attacker();
    expect(readRoom(fine.doc).meta?.title).toBe('Test workshop');
    fine.close();

    const metrics = await metricsText();
    const expected = new Map<string, number>();
    for (const bad of badInputs) expected.set(bad.reason, (expected.get(bad.reason) ?? 0) + 1);
    for (const [reason, count] of expected) {
      expect(metricValue(metrics, 'arvo_rejected_messages_total', { reason }), reason).toBeGreaterThanOrEqual(count);
    }
    expect(metricValue(metrics, 'arvo_rejected_messages_total', { reason: 'internal-error' })).toBe(0);
  });
});

describe('awareness ownership', () => {
  /** Folds every awareness message a raw client received into clientId → state (y-protocols' clock rule). */
  function presenceAt(client: RawClient): Map<number, { clock: number; state: unknown }> {
    const states = new Map<number, { clock: number; state: unknown }>();
    for (const m of client.received) {
      if (m.type !== 'awareness') continue;
      const decoder = decoding.createDecoder(m.update);
      const count = decoding.readVarUint(decoder);
      for (let i = 0; i < count; i++) {
        const clientId = decoding.readVarUint(decoder);
        const clock = decoding.readVarUint(decoder);
        const state = JSON.parse(decoding.readVarString(decoder)) as unknown;
        const known = states.get(clientId);
        if (!known || clock > known.clock || (clock === known.clock && state === null)) states.set(clientId, { clock, state });
      }
    }
    return states;
  }

  it("an entry claiming another connection's clientId is ignored; the owner's presence is unchanged at a third observer", async () => {
    const before = metricValue(await metricsText(), 'arvo_rejected_messages_total', { reason: 'awareness-foreign-client' });
    const room = roomDocName(target.id);
    const owner = connect(server.wsUrl, room, target.facilitatorToken);
    await waitSynced(owner);
    const observer = await RawClient.connect(server.wsUrl, room, target.facilitatorToken);
    await observer.sync();
    const ownerId = owner.doc.clientID;
    owner.provider.awareness.setLocalState({ user: { name: 'Facilitator' }, cursor: { x: 1, y: 2 } });
    await observer.waitFor(() => (presenceAt(observer).get(ownerId)?.state as any)?.user?.name === 'Facilitator', "the owner's presence");
    const ownerClock = presenceAt(observer).get(ownerId)!.clock;

    const impostor = await RawClient.connect(server.wsUrl, room, target.facilitatorToken);
    await impostor.sync();
    const impostorId = impostor.doc.clientID;
    // One message: a forged entry for the owner's id (a newer clock, and once as a removal), then
    // the impostor's own entry. The hub relays in batches, so when the observer has the impostor's
    // own entry it would also have had an accepted forgery.
    impostor.send(
      awarenessFrame([
        { clientId: ownerId, clock: ownerClock + 10, state: { user: { name: 'Mallory' }, cursor: { x: 666, y: 666 } } },
        { clientId: ownerId, clock: ownerClock + 11, state: null },
        { clientId: impostorId, clock: 1, state: { user: { name: 'Impostor' } } },
      ]),
    );
    await observer.waitFor(() => (presenceAt(observer).get(impostorId)?.state as any)?.user?.name === 'Impostor', "the impostor's own presence");

    // What others hear carries the connection's identity, stamped by the server (issue 8).
    expect(presenceAt(observer).get(ownerId)).toEqual({
      clock: ownerClock,
      state: { user: { name: 'Facilitator' }, cursor: { x: 1, y: 2 }, participantId: target.facilitatorId, name: expect.any(String), role: 'facilitator' },
    });
    expect(owner.provider.awareness.getStates().get(ownerId)).toEqual({ user: { name: 'Facilitator' }, cursor: { x: 1, y: 2 } });
    // Ignored, not punished: the impostor's connection stays open.
    await impostor.roundTrip();
    const after = metricValue(await metricsText(), 'arvo_rejected_messages_total', { reason: 'awareness-foreign-client' });
    // At least the two forged entries. (A stock provider echoes every awareness change it hears,
    // others' included, so the owner's echo of the impostor's entry is refused and counted too.)
    expect(after - before).toBeGreaterThanOrEqual(2);
    impostor.close();
    observer.close();
  });
});
