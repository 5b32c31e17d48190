import { beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { readNotes } from '../../shared/read/snapshot';
import { createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { connect, waitClose, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { startChildServer, type ChildServer } from '../helpers/childServer';
import { previewActors, useCluster } from './cluster';

/**
 * Three real processes on one PostgreSQL: clients of one workshop on different processes see
 * each other's edits and presence, with the same permissions and drafts privacy as on one
 * process, because every process but the owner forwards to it (server/cluster).
 */
const cluster = useCluster({ size: 3, label: 'routing' });
let created: Created;
let anna: Joined;
let ben: Joined;
/** [owner, other, other] */
let byRole: ChildServer[];

beforeAll(async () => {
  created = await createWorkshop(cluster.nodes[0]!.url);
  // The first workshop-scoped call takes the lease on the process it reaches (nobody holds it yet).
  const actors = await previewActors(cluster.nodes[0]!.url, created);
  anna = await join(cluster.nodes[0]!.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
  const owner = await cluster.ownerNode(created.id);
  expect(owner?.url).toBe(cluster.nodes[0]!.url);
  byRole = [owner!, ...cluster.nodes.filter((node) => node !== owner)];
  // A join through a process that does not own the workshop (HTTP forwarded to the owner).
  ben = await join(byRole[2]!.url, created.id, created.participantJoinKey, 'Ben', actors[1]);
}, 30_000);

const stateVector = (doc: Y.Doc) => Buffer.from(Y.encodeStateVector(doc)).toString('base64');

describe('a workshop served by several processes', () => {
  it('converges: edits through any process reach clients on every other, and every copy has the same state vector', async () => {
    const [owner, second, third] = byRole as [ChildServer, ChildServer, ChildServer];
    const annaOwn = connect(second.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
    const benReadsAnna = connect(third.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    const facilitatorReadsAnna = connect(owner.wsUrl, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    const benOwn = connect(third.wsUrl, notesDocName(created.id, ben.participantId), ben.token);
    const annaReadsBen = connect(second.wsUrl, notesDocName(created.id, ben.participantId), anna.token);
    await Promise.all([annaOwn, benReadsAnna, facilitatorReadsAnna, benOwn, annaReadsBen].map((peer) => waitSynced(peer, 15_000)));

    for (let i = 0; i < 20; i++) {
      addNote(annaOwn.doc, { questionId: '3a', text: `anna ${i}`, x: i, y: 0 }, Date.now(), LOCAL_ORIGIN);
      addNote(benOwn.doc, { questionId: '4a', text: `ben ${i}`, x: i, y: 0 }, Date.now(), LOCAL_ORIGIN);
    }
    await waitFor(benReadsAnna.doc, () => readNotes(benReadsAnna.doc).notes.length === 20, "Anna's notes at Ben (other non-owner)", 15_000);
    await waitFor(facilitatorReadsAnna.doc, () => readNotes(facilitatorReadsAnna.doc).notes.length === 20, "Anna's notes at the facilitator (owner)", 15_000);
    await waitFor(annaReadsBen.doc, () => readNotes(annaReadsBen.doc).notes.length === 20, "Ben's notes at Anna", 15_000);
    expect(stateVector(benReadsAnna.doc)).toBe(stateVector(annaOwn.doc));
    expect(stateVector(facilitatorReadsAnna.doc)).toBe(stateVector(annaOwn.doc));
    expect(stateVector(annaReadsBen.doc)).toBe(stateVector(benOwn.doc));

    // A fresh reader on yet another process gets exactly the same state from the owner.
    const late = connect(third.wsUrl, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    await waitSynced(late, 15_000);
    await waitFor(late.doc, () => readNotes(late.doc).notes.length === 20, 'the notes at a late reader', 15_000);
    expect(stateVector(late.doc)).toBe(stateVector(annaOwn.doc));
    // Still one owner, and only it ever committed (one lease epoch since creation).
    expect((await cluster.lease(created.id))?.epoch).toBe(1);
  });

  it('permissions hold through a process that is not the owner: a forbidden write reaches nobody', async () => {
    const [owner, second, third] = byRole as [ChildServer, ChildServer, ChildServer];
    const annaOwn = connect(second.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
    const benWritesAnna = connect(third.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    const watcher = connect(owner.wsUrl, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    await Promise.all([annaOwn, benWritesAnna, watcher].map((peer) => waitSynced(peer, 15_000)));
    const before = readNotes(watcher.doc).notes.length;
    addNote(benWritesAnna.doc, { questionId: '3a', text: 'forged by Ben', x: 1, y: 1 }, Date.now(), LOCAL_ORIGIN);
    // Anna writes after Ben: once her note is at the watcher, Ben's (sent earlier on its own socket) would have been too.
    addNote(annaOwn.doc, { questionId: '3a', text: 'by Anna, after', x: 2, y: 2 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(watcher.doc, () => readNotes(watcher.doc).notes.some((n) => n.text === 'by Anna, after'), "Anna's note", 15_000);
    await waitFor(annaOwn.doc, () => readNotes(annaOwn.doc).notes.length === before + 1, 'Anna settled', 15_000);
    expect(readNotes(watcher.doc).notes.some((n) => n.text === 'forged by Ben')).toBe(false);
    expect(readNotes(annaOwn.doc).notes.some((n) => n.text === 'forged by Ben')).toBe(false);
  });

  it("drafts stay private through a non-owner: another participant's drafts document is refused", async () => {
    const [, second, third] = byRole as [ChildServer, ChildServer, ChildServer];
    const annaDrafts = connect(second.wsUrl, draftsDocName(created.id, anna.participantId), anna.token);
    await waitSynced(annaDrafts, 15_000);
    addNote(annaDrafts.doc, { questionId: '3a', text: 'secret draft', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    const snoop = connect(third.wsUrl, draftsDocName(created.id, anna.participantId), ben.token, { connect: false });
    const closed = waitClose(snoop, 15_000);
    snoop.provider.connect();
    expect((await closed).code).toBe(CloseCode.forbidden);
    expect(readNotes(snoop.doc).notes).toHaveLength(0);
  });

  it('presence crosses processes: a cursor set on one process is seen on another', async () => {
    const [, second, third] = byRole as [ChildServer, ChildServer, ChildServer];
    const annaRoom = connect(second.wsUrl, roomDocName(created.id), anna.token);
    const benRoom = connect(third.wsUrl, roomDocName(created.id), ben.token);
    await Promise.all([waitSynced(annaRoom, 15_000), waitSynced(benRoom, 15_000)]);
    const seen = presenceSeen(benRoom, annaRoom.doc.clientID, (state) => (state as { cursor?: { x: number } } | undefined)?.cursor?.x === 7);
    annaRoom.provider.awareness.setLocalState({ cursor: { x: 7, y: 8 } });
    const state = await seen;
    // The identity is the connection's, set by the owner, as on one process.
    expect(state).toMatchObject({ participantId: anna.participantId, name: 'Anna', cursor: { x: 7, y: 8 } });
  });

  it('a process with another SECRET cannot join the traffic: its forwarded requests are refused, and nobody forwards to it', async () => {
    const stranger = await startChildServer({ env: { ...cluster.env, SECRET: 'a-completely-different-secret-of-40-chars!!' }, startTimeoutMs: 45_000 });
    try {
      // Its hop header does not verify at a real peer.
      const forged = await fetch(`${byRole[0]!.url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`, {
        headers: { 'x-arvo-cluster': `${Date.now()}.forged` },
      });
      expect(forged.status).toBe(403);
      // Suppose it wrote itself into a lease row: the others will not send it a client's token.
      const other = await createWorkshop(byRole[1]!.url);
      await cluster.db.query('UPDATE leases SET owner = $1, address = $2, expires_at = expires_at + 2000 WHERE workshop_id = $3', ['stranger', stranger.url, other.id]);
      const peer = connect(byRole[2]!.wsUrl, roomDocName(other.id), other.facilitatorToken);
      // The forwarder refuses to send the client there, waits for the false lease to run out, takes the workshop itself.
      await waitSynced(peer, 20_000);
      const lease = await cluster.lease(other.id);
      expect(lease?.owner).not.toBe('stranger');
      expect(lease?.address).not.toBe(stranger.url);
    } finally {
      await stranger.dispose();
    }
  }, 60_000);
});

function presenceSeen(peer: Peer, clientId: number, matches: (state: unknown) => boolean, timeoutMs = 15_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const awareness = peer.provider.awareness;
    const check = () => {
      const state = awareness.getStates().get(clientId);
      if (!matches(state)) return;
      clearTimeout(timer);
      awareness.off('change', check);
      resolve(state);
    };
    const timer = setTimeout(() => {
      awareness.off('change', check);
      reject(new Error('timed out waiting for presence'));
    }, timeoutMs);
    awareness.on('change', check);
    check();
  });
}
