import * as decoding from 'lib0/decoding';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, destroyAll, waitSynced } from '../helpers/clients';
import { RawClient, awarenessFrame, type ServerMessage } from '../helpers/raw';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Presence is bound to the connection: a participant who writes someone else's identity into
 * their awareness state (the facilitator's id, name and role) appears to everyone else as
 * themselves. The identity comes from the token and the name recorded at join.
 */
let server: TestServer;
let created: Created;
let anna: Joined;
let facilitatorId: string;
let raws: RawClient[] = [];

beforeAll(async () => {
  server = await startTestServer();
  created = await createWorkshop(server.url);
  const probe = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await probe.sync();
  const room = readRoom(probe.doc);
  facilitatorId = room.participants.find((p) => p.role === 'facilitator')!.id;
  probe.close();
  anna = await join(server.url, created.id, created.participantJoinKey, 'Anna', room.actors[0]!.id);
});
afterEach(() => {
  destroyAll();
  for (const raw of raws) raw.close();
  raws = [];
});
afterAll(async () => {
  await server.close();
  removeDir(server.dataDir);
});

/** Every client's newest presence state in what `client` received. */
function presenceAt(client: RawClient): Map<number, { clock: number; state: any }> {
  const states = new Map<number, { clock: number; state: any }>();
  for (const m of client.received as ServerMessage[]) {
    if (m.type !== 'awareness') continue;
    const decoder = decoding.createDecoder(m.update);
    const count = decoding.readVarUint(decoder);
    for (let i = 0; i < count; i++) {
      const clientId = decoding.readVarUint(decoder);
      const clock = decoding.readVarUint(decoder);
      const state = JSON.parse(decoding.readVarString(decoder)) as unknown;
      const known = states.get(clientId);
      if (!known || clock >= known.clock) states.set(clientId, { clock, state });
    }
  }
  return states;
}

async function rejected(reason: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^arvo_rejected_messages_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
}

describe('presence identity', () => {
  it('a participant claiming to be the facilitator appears to others as themselves (stock provider)', async () => {
    const observer = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    raws.push(observer);
    await observer.sync();
    const forger = connect(server.wsUrl, roomDocName(created.id), anna.token);
    await waitSynced(forger);
    forger.provider.awareness.setLocalState({ participantId: facilitatorId, name: '★ Facilitator', role: 'facilitator', cursor: { x: 3, y: 4 } });
    const id = forger.doc.clientID;
    await observer.waitFor(() => presenceAt(observer).get(id)?.state?.cursor?.x === 3, "the forger's presence");
    const seen = presenceAt(observer).get(id)!.state;
    // The identity is the connection's; everything else the client said is kept.
    expect(seen).toEqual({ participantId: anna.participantId, name: 'Anna', role: 'participant', cursor: { x: 3, y: 4 } });
  });

  it('a raw client gets the same treatment; a state that is not an object is dropped, not relayed', async () => {
    const observer = await RawClient.connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
    raws.push(observer);
    await observer.sync();
    const forger = await RawClient.connect(server.wsUrl, roomDocName(created.id), anna.token);
    raws.push(forger);
    await forger.sync();
    const before = await rejected('awareness-not-an-object');
    const other = forger.doc.clientID + 1;
    forger.send(
      awarenessFrame([
        { clientId: other, clock: 1, state: 42 },
        { clientId: forger.doc.clientID, clock: 1, state: { participantId: facilitatorId, name: 'Mallory' } },
      ]),
    );
    await observer.waitFor(() => presenceAt(observer).has(forger.doc.clientID), "the forger's own entry");
    expect(presenceAt(observer).get(forger.doc.clientID)!.state).toEqual({ participantId: anna.participantId, name: 'Anna', role: 'participant' });
    // Relayed in the same batch as the accepted entry, had it been accepted.
    expect(presenceAt(observer).has(other)).toBe(false);
    expect(await rejected('awareness-not-an-object')).toBe(before + 1);
  });
});
