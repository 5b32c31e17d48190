import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notesDocName } from '../../shared/protocol/docNames';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { eventually, previewActors, startCluster, type TestCluster } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf, Writer } from './workload';

/**
 * Losing two of three processes at once — the owner among them — while a writer works and 200
 * other sockets read, all connected through the survivor: the 200 reconnect together (a storm),
 * the survivor takes the workshop over once the lease runs out, and every socket resyncs to the
 * same state with nothing lost.
 */
const READERS = 200;
let cluster: TestCluster;
let maxListeners = 10;
beforeAll(async () => {
  // Each stock provider in Node adds a process 'exit' listener.
  maxListeners = process.getMaxListeners();
  process.setMaxListeners(READERS + 50);
  cluster = await startCluster(3, 'losetwo');
}, 90_000);
afterAll(async () => {
  process.setMaxListeners(maxListeners);
  await cluster?.dispose();
}, 30_000);
afterEach(() => destroyAll());

describe('losing two of three', () => {
  it('SIGKILL of the owner and another process: 200 sockets reconnect at once through the survivor and converge', async () => {
    const [owner, doomed, survivor] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const created = await createWorkshop(owner.url);
    const actors = await previewActors(owner.url, created);
    const anna = await join(owner.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const doc = notesDocName(created.id, anna.participantId);
    expect((await cluster.ownerNode(created.id))?.url).toBe(owner.url);

    const writerPeer = connect(survivor.wsUrl, doc, anna.token);
    await waitSynced(writerPeer, 15_000);
    const readers: Peer[] = [];
    for (let i = 0; i < READERS; i++) readers.push(connect(survivor.wsUrl, doc, created.facilitatorToken));
    await Promise.all(readers.map((peer) => waitSynced(peer, 30_000)));
    const seen = recordSeen(readers[0]!);
    const writer = new Writer(writerPeer, 'anna');
    writer.start(50);
    await waitFor(readers[READERS - 1]!.doc, () => noteTexts(readers[READERS - 1]!.doc).size >= 5, 'writing flows to the last reader', 20_000);

    const killedAt = Date.now();
    await Promise.all([owner.kill('SIGKILL'), doomed.kill('SIGKILL')]);
    await eventually(async () => (await cluster.lease(created.id))?.address === survivor.url, 'the survivor takes the workshop', 20_000);
    await waitFor(readers[0]!.doc, () => noteTexts(readers[0]!.doc).size >= writer.written - 5, 'writing flows again', 30_000);
    writer.stop();
    const texts = writer.texts();
    await converged([writerPeer, ...readers], texts, 40_000);
    const resyncMs = Date.now() - killedAt;
    for (const text of seen) expect(texts.has(text)).toBe(true);
    const vector = stateVectorOf(writerPeer.doc);
    expect(readers.filter((peer) => stateVectorOf(peer.doc) !== vector)).toHaveLength(0);
    console.log(`losing two of three: ${READERS} readers + 1 writer resynced ${resyncMs} ms after the SIGKILLs; ${writer.written} notes`);
  }, 90_000);
});
