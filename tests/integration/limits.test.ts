import * as decoding from 'lib0/decoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { DenyReason } from '../../shared/protocol/wire';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitSynced } from '../helpers/clients';
import { RawClient, awarenessFrame, type ServerMessage } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

async function metricValue(server: TestServer, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(',').filter(Boolean);
    if (wanted.every((w) => present.includes(w))) return Number(match[3]);
  }
  return 0;
}

/** The entries of one awareness message: clientId → { clock, state }. */
function awarenessEntries(m: ServerMessage): Array<{ clientId: number; clock: number; state: unknown }> {
  if (m.type !== 'awareness') return [];
  const decoder = decoding.createDecoder(m.update);
  const count = decoding.readVarUint(decoder);
  const entries = [];
  for (let i = 0; i < count; i++) {
    entries.push({ clientId: decoding.readVarUint(decoder), clock: decoding.readVarUint(decoder), state: JSON.parse(decoding.readVarString(decoder)) as unknown });
  }
  return entries;
}
const entryCount = (m: ServerMessage) => (m.type === 'awareness' ? decoding.readVarUint(decoding.createDecoder(m.update)) : -1);

async function workshopWithParticipants(server: TestServer) {
  const created = await createWorkshop(server.url);
  const facilitator = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await facilitator.sync();
  const [municipality, association] = readRoom(facilitator.doc).actors;
  facilitator.close();
  const anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', municipality!.id);
  const ben = await join(server.url, created.id, created.participantJoinKey, 'Ben', association!.id);
  return { created, anna, ben };
}

describe('document size guard', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ DOC_WARN_BYTES: '2000', DOC_MAX_BYTES: '8000' });
  });
  afterAll(async () => {
    await server.close();
    removeDir(server.dataDir);
  });

  it('past DOC_MAX_BYTES a write is refused with document-too-large and never relayed; past DOC_WARN_BYTES it is counted', async () => {
    const { created, anna, ben } = await workshopWithParticipants(server);
    const docName = notesDocName(created.id, anna.participantId);
    const warningsBefore = await metricValue(server, 'arvo_document_size_warnings_total');
    const refusalsBefore = await metricValue(server, 'arvo_rejected_messages_total', { reason: 'document-too-large' });

    const writer = await RawClient.connect(server.wsUrl, docName, anna.token);
    const reader = await RawClient.connect(server.wsUrl, docName, ben.token);
    await Promise.all([writer.sync(), reader.sync()]);

    // ~450 bytes a note: the 8000-byte limit is reached after a dozen or so.
    const accepted: string[] = [];
    let refused: string | null = null;
    for (let i = 0; i < 40 && refused === null; i++) {
      const text = `note ${i} `.padEnd(400, 'x');
      writer.edit((doc) => addNote(doc, { questionId: '2a', text, x: i, y: i }, Date.now(), LOCAL_ORIGIN));
      // A round trip: the server has handled the update (a refusal is sent at once, in order).
      await writer.roundTrip();
      if (writer.received.some((m) => m.type === 'permission-denied')) refused = text;
      else accepted.push(text);
    }
    expect(refused, 'the hard limit was never reached').not.toBeNull();
    expect(accepted.length).toBeGreaterThan(5);

    const denial = writer.received.find((m) => m.type === 'permission-denied');
    expect(denial).toEqual({ type: 'permission-denied', reason: DenyReason.documentTooLarge });
    expect((denial as { reason: string }).reason.startsWith('document-too-large')).toBe(true);

    // The reader applies everything it receives; its sync step 2 comes behind every relayed
    // update, so after it the reader has had every note the server let through: not the refused one.
    await reader.sync();
    expect(readNotes(reader.doc).notes.map((n) => n.text).sort()).toEqual([...accepted].sort());
    // Nor does the server hold it: a newcomer gets exactly the accepted notes.
    const newcomer = await RawClient.connect(server.wsUrl, docName, created.facilitatorToken);
    await newcomer.sync();
    expect(readNotes(newcomer.doc).notes.map((n) => n.text).sort()).toEqual([...accepted].sort());

    // Refused, not disconnected: the writer's connection is still open and answering.
    await writer.roundTrip();
    expect(await metricValue(server, 'arvo_document_size_warnings_total')).toBeGreaterThanOrEqual(warningsBefore + 1);
    expect(await metricValue(server, 'arvo_rejected_messages_total', { reason: 'document-too-large' })).toBeGreaterThan(refusalsBefore);
    for (const c of [writer, reader, newcomer]) c.close();
  });
});

describe('keepalive', () => {
  const KEEPALIVE_MS = 200;
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ KEEPALIVE_MS: String(KEEPALIVE_MS) });
  });
  afterAll(async () => {
    destroyAll();
    await server.close();
    removeDir(server.dataDir);
  });

  it('an idle client alone in a room receives a message every keepalive interval', async () => {
    const created = await createWorkshop(server.url);
    const client = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    const arrivals: number[] = [];
    client.ws.on('message', () => arrivals.push(Date.now()));
    await client.sync();
    const after = client.received.length;
    const isKeepalive = (m: ServerMessage) => m.type === 'awareness' && entryCount(m) === 0;
    await client.waitFor((m) => client.received.indexOf(m) >= after && client.received.slice(after).filter(isKeepalive).length >= 3, 'three keepalive messages', 5000);

    const keepalives = client.received.slice(after).filter(isKeepalive);
    expect(keepalives.length).toBeGreaterThanOrEqual(3);
    // Nothing else arrived (nobody else is here), and no gap came near a stock client's 30 s
    // timeout: each tick sends when the last message is at least one interval old.
    expect(client.received.slice(after).every(isKeepalive)).toBe(true);
    const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
    expect(Math.max(...gaps)).toBeLessThan(KEEPALIVE_MS * 5);
    client.close();
  });

  it('a stock provider alone in a room stays connected', async () => {
    const created = await createWorkshop(server.url);
    const peer = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    const statuses: string[] = [];
    const closes: number[] = [];
    peer.provider.on('status', ({ status }: { status: string }) => statuses.push(status));
    peer.provider.on('connection-close', (event: CloseEvent | null) => closes.push(event?.code ?? 0));
    await waitSynced(peer);

    // A bounded wait, on purpose: what is asserted is that nothing happens (no disconnect) across
    // several keepalive intervals, and an absence has no event to await. What the stock client's
    // own timeout looks at — the time since its last message — is sampled all along.
    let longestSilence = 0;
    const until = Date.now() + 5 * KEEPALIVE_MS;
    while (Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, KEEPALIVE_MS / 4));
      longestSilence = Math.max(longestSilence, Date.now() - peer.provider.wsLastMessageReceived);
    }
    expect(statuses).not.toContain('disconnected');
    expect(closes).toEqual([]);
    expect(peer.provider.wsconnected).toBe(true);
    expect(longestSilence).toBeLessThan(KEEPALIVE_MS * 4);
  });
});

describe('presence batching', () => {
  const N = 8;
  const UPDATES = 10;
  const INTERVAL_MS = 50; // the server's awareness interval (server/app.ts)
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    removeDir(server.dataDir);
  });

  it(`${N} clients sending ${UPDATES} presence updates each: few messages, every last state delivered`, async () => {
    const created = await createWorkshop(server.url);
    const clients = await Promise.all(Array.from({ length: N }, () => RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken)));
    await Promise.all(clients.map((c) => c.sync()));
    const marks = clients.map((c) => c.received.length);
    const ids = clients.map((c) => c.doc.clientID);

    const started = Date.now();
    for (let round = 1; round <= UPDATES; round++) {
      clients.forEach((c, i) => c.send(awarenessFrame([{ clientId: ids[i]!, clock: round, state: { client: i, round } }])));
    }

    const presence = (client: RawClient, mark: number) => {
      const states = new Map<number, { clock: number; state: unknown }>();
      for (const m of client.received.slice(mark)) {
        for (const e of awarenessEntries(m)) {
          const known = states.get(e.clientId);
          if (!known || e.clock > known.clock) states.set(e.clientId, { clock: e.clock, state: e.state });
        }
      }
      return states;
    };
    const complete = (client: RawClient, mark: number) => {
      const states = presence(client, mark);
      return ids.every((id, i) => (states.get(id)?.state as { round?: number } | undefined)?.round === UPDATES && (states.get(id)?.state as { client: number }).client === i);
    };
    await Promise.all(clients.map((c, k) => c.waitFor(() => complete(c, marks[k]!), `every last state at client ${k}`)));
    const elapsed = Date.now() - started;

    // At most one presence message per interval: the hub's timer starts at the first change and
    // every flush sends all that changed since. 80 updates, yet a handful of messages.
    const bound = Math.floor(elapsed / INTERVAL_MS) + 2;
    clients.forEach((c, k) => {
      const count = c.received.slice(marks[k]).filter((m) => m.type === 'awareness').length;
      expect(count, `awareness messages at client ${k} in ${elapsed} ms`).toBeLessThanOrEqual(bound);
      expect(count).toBeLessThan((N * UPDATES) / 4);
      // Every other client's last state, and (the server speaks for nobody) only theirs.
      const states = presence(c, marks[k]!);
      expect([...states.keys()].sort()).toEqual([...ids].sort());
    });
    for (const c of clients) c.close();
  });
});
