import { describe, expect, it } from 'vitest';
import { notesDocName } from '../../shared/protocol/docNames';
import { createWorkshop, join } from '../helpers/api';
import { connect, waitFor, waitSynced } from '../helpers/clients';
import { previewActors, useCluster } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf, Writer } from './workload';

/**
 * The shipped HAProxy configuration (deploy/haproxy.cfg, with generated ports) in front of three
 * processes. The clients only know HAProxy's address. The workshop's owner gets SIGTERM while two
 * people write: it drains (/healthz 503, its workshop handed over, its sockets closed with the
 * reconnect code) and exits cleanly; the clients come back through HAProxy to another process.
 * Nothing is lost and every copy converges.
 */
const cluster = useCluster({ size: 3, label: 'haproxy', haproxy: true });

describe('through HAProxy', () => {
  it('SIGTERM of the owner while two people write (a drain): nothing is lost, every copy converges', async () => {
    const created = await createWorkshop(cluster.base);
    const actors = await previewActors(cluster.base, created);
    const anna = await join(cluster.base, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const ben = await join(cluster.base, created.id, created.participantJoinKey, 'Ben', actors[1]);
    // HAProxy hashes the workshop to one process, which took the lease: no hop is needed.
    const owner = await cluster.ownerNode(created.id);
    expect(owner).not.toBeNull();

    const annaOwn = connect(cluster.wsBase, notesDocName(created.id, anna.participantId), anna.token);
    const benOwn = connect(cluster.wsBase, notesDocName(created.id, ben.participantId), ben.token);
    const benReadsAnna = connect(cluster.wsBase, notesDocName(created.id, anna.participantId), ben.token);
    const annaReadsBen = connect(cluster.wsBase, notesDocName(created.id, ben.participantId), anna.token);
    await Promise.all([annaOwn, benOwn, benReadsAnna, annaReadsBen].map((peer) => waitSynced(peer, 15_000)));
    const seenAtBen = recordSeen(benReadsAnna);
    const seenAtAnna = recordSeen(annaReadsBen);
    const annaWriter = new Writer(annaOwn, 'anna');
    const benWriter = new Writer(benOwn, 'ben');
    annaWriter.start(60);
    benWriter.start(60);

    // The owner drains (SIGTERM) while they write: a clean exit, the workshop handed over.
    const epochBefore = (await cluster.lease(created.id))!.epoch;
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).size >= 10, 'writing flows', 15_000);
    const termAt = Date.now();
    const moved = cluster.waitForOwner(created.id, { epochAbove: epochBefore, notOn: owner! });
    const exit = await owner!.kill('SIGTERM');
    const drainMs = Date.now() - termAt;
    expect(exit.code).toBe(0);
    const taken = await moved;
    const handoverMs = Date.now() - termAt;
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).size >= annaWriter.written - 5, 'writing flows after the drain', 15_000);
    annaWriter.stop();
    benWriter.stop();

    const annaTexts = annaWriter.texts();
    const benTexts = benWriter.texts();
    await converged([annaOwn, benReadsAnna], annaTexts);
    await converged([benOwn, annaReadsBen], benTexts);
    for (const text of seenAtBen) expect(annaTexts.has(text)).toBe(true);
    for (const text of seenAtAnna) expect(benTexts.has(text)).toBe(true);
    expect(stateVectorOf(benReadsAnna.doc)).toBe(stateVectorOf(annaOwn.doc));
    expect(stateVectorOf(annaReadsBen.doc)).toBe(stateVectorOf(benOwn.doc));
    expect(taken.epoch).toBe(epochBefore + 1);
    console.log(`drain: exited ${drainMs} ms after SIGTERM, workshop taken over after ${handoverMs} ms; ${annaWriter.written + benWriter.written} notes written`);
  }, 60_000);
});
