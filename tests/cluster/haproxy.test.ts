import fs from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { notesDocName } from '../../shared/protocol/docNames';
import { createWorkshop, join } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { HAPROXY_TEMPLATE, haproxyConfig, startHaproxy } from '../../scripts/cluster';
import { eventually, previewActors, startCluster, type TestCluster } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf, Writer } from './workload';

/**
 * The shipped HAProxy configuration (deploy/haproxy.cfg, with generated ports) in front of three
 * processes. The clients only know HAProxy's address. The workshop's owner gets SIGTERM while two
 * people write: it drains (/healthz 503, its workshop handed over, its sockets closed with the
 * reconnect code) and exits cleanly; the clients come back through HAProxy to another process.
 * Nothing is lost and every copy converges.
 */
let cluster: TestCluster;
let proxy: Awaited<ReturnType<typeof startHaproxy>>;
let base: string;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  cluster = await startCluster(3, 'haproxy');
  const port = await freePort();
  const servers = cluster.nodes.map((node) => new URL(node.url).host);
  proxy = await startHaproxy(haproxyConfig(fs.readFileSync(HAPROXY_TEMPLATE, 'utf8'), port, servers), `http://127.0.0.1:${port}/healthz`);
  base = `http://127.0.0.1:${port}`;
}, 90_000);
afterAll(async () => {
  await proxy?.stop();
  await cluster?.dispose();
}, 30_000);
afterEach(() => destroyAll());

describe('through HAProxy', () => {
  it('SIGTERM of the owner while two people write (a drain): nothing is lost, every copy converges', async () => {
    const wsBase = `${base.replace('http', 'ws')}/ws`;
    const created = await createWorkshop(base);
    const actors = await previewActors(base, created);
    const anna = await join(base, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const ben = await join(base, created.id, created.participantJoinKey, 'Ben', actors[1]);
    // HAProxy hashes the workshop to one process, which took the lease: no hop is needed.
    const owner = await cluster.ownerNode(created.id);
    expect(owner).not.toBeNull();

    const annaOwn = connect(wsBase, notesDocName(created.id, anna.participantId), anna.token);
    const benOwn = connect(wsBase, notesDocName(created.id, ben.participantId), ben.token);
    const benReadsAnna = connect(wsBase, notesDocName(created.id, anna.participantId), ben.token);
    const annaReadsBen = connect(wsBase, notesDocName(created.id, ben.participantId), anna.token);
    await Promise.all([annaOwn, benOwn, benReadsAnna, annaReadsBen].map((peer) => waitSynced(peer, 15_000)));
    const seenAtBen = recordSeen(benReadsAnna);
    const seenAtAnna = recordSeen(annaReadsBen);
    const annaWriter = new Writer(annaOwn, 'anna');
    const benWriter = new Writer(benOwn, 'ben');
    annaWriter.start(60);
    benWriter.start(60);

    // The owner drains (SIGTERM) while they write: a clean exit, the workshop handed over.
    const ownerNode = (await cluster.ownerNode(created.id))!;
    const epochBefore = (await cluster.lease(created.id))!.epoch;
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).size >= 10, 'writing flows', 20_000);
    const termAt = Date.now();
    const exit = await ownerNode.kill('SIGTERM');
    const drainMs = Date.now() - termAt;
    expect(exit.code).toBe(0);
    const moved = await eventually(async () => {
      const lease = await cluster.lease(created.id);
      return lease && lease.epoch > epochBefore && lease.address !== ownerNode.url ? lease : null;
    }, 'another process to take the workshop', 20_000);
    const handoverMs = Date.now() - termAt;
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).size >= annaWriter.written - 5, 'writing flows after the drain', 30_000);
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
    expect(moved.epoch).toBe(epochBefore + 1);
    console.log(`drain: exited ${drainMs} ms after SIGTERM, workshop taken over after ${handoverMs} ms; ${annaWriter.written + benWriter.written} notes written`);
  }, 120_000);
});
