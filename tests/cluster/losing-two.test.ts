import { describe, expect, it } from 'vitest';
import { connect, waitFor, waitSynced, type Peer } from '../helpers/clients';
import { three, useCluster, workshopWithAnna } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf, Writer } from './workload';

/**
 * Losing two of three processes at once — the owner among them — while a writer works and 200
 * other sockets read, all connected through the survivor: the 200 reconnect together (a storm),
 * the survivor takes the workshop over once the lease runs out, and every socket resyncs to the
 * same state with nothing lost.
 */
const READERS = 200;
const cluster = useCluster({ size: 3, label: 'losetwo' });

/** Resolves with the time of the provider's next `sync` (true) event. */
const nextSync = (peer: Peer) =>
  new Promise<number>((resolve) => {
    const onSync = (synced: boolean) => {
      if (!synced) return; // a close reports sync(false) first
      peer.provider.off('sync', onSync);
      resolve(Date.now());
    };
    peer.provider.on('sync', onSync);
  });

describe('losing two of three', () => {
  it('SIGKILL of the owner and another process: 200 sockets reconnect at once through the survivor and converge', async () => {
    const [owner, doomed, survivor] = three(cluster);
    const { created, anna, doc } = await workshopWithAnna(owner);
    expect((await cluster.ownerNode(created.id))?.url).toBe(owner.url);

    const writerPeer = connect(survivor.wsUrl, doc, anna.token);
    await waitSynced(writerPeer, 15_000);
    const readers: Peer[] = [];
    for (let i = 0; i < READERS; i++) readers.push(connect(survivor.wsUrl, doc, created.facilitatorToken));
    await Promise.all(readers.map((peer) => waitSynced(peer, 30_000)));
    const seen = recordSeen(readers[0]!);
    const writer = new Writer(writerPeer, 'anna');
    writer.start(50);
    await waitFor(readers[READERS - 1]!.doc, () => noteTexts(readers[READERS - 1]!.doc).size >= 5, 'writing flows to the last reader', 15_000);

    const resynced = readers.map(nextSync);
    const killedAt = Date.now();
    await Promise.all([owner.kill('SIGKILL'), doomed.kill('SIGKILL')]);
    const taken = await cluster.waitForOwner(created.id, { epochAbove: 1, notOn: owner });
    expect(taken.node).toBe(survivor);
    const takenMs = Date.now() - killedAt;
    const syncTimes = (await Promise.all(resynced)).map((at) => at - killedAt).sort((a, b) => a - b);
    await waitFor(readers[0]!.doc, () => noteTexts(readers[0]!.doc).size >= writer.written - 5, 'writing flows again', 15_000);
    writer.stop();
    const texts = writer.texts();
    await converged([writerPeer, ...readers], texts, 20_000);
    const resyncMs = Date.now() - killedAt;
    for (const text of seen) expect(texts.has(text)).toBe(true);
    const vector = stateVectorOf(writerPeer.doc);
    expect(readers.filter((peer) => stateVectorOf(peer.doc) !== vector)).toHaveLength(0);
    console.log(
      `losing two of three: lease taken ${takenMs} ms after the SIGKILLs; ${READERS} readers synced again after ${syncTimes[0]}–${syncTimes[READERS - 1]} ms (median ${syncTimes[READERS >> 1]}); all converged after ${resyncMs} ms; ${writer.written} notes`,
    );
  }, 60_000);
});
