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
 * A rolling restart behind HAProxy: each of three processes in turn gets SIGTERM (it drains and
 * exits cleanly) and is started again on its port, while someone writes. Nothing is lost.
 * Slow on a loaded machine (each `tsx` start takes seconds): about 70 s on two shared cores.
 */
let cluster: TestCluster;
let proxy: Awaited<ReturnType<typeof startHaproxy>>;
let base: string;

beforeAll(async () => {
  cluster = await startCluster(3, 'rolling');
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  proxy = await startHaproxy(haproxyConfig(fs.readFileSync(HAPROXY_TEMPLATE, 'utf8'), port, cluster.nodes.map((node) => new URL(node.url).host)), `http://127.0.0.1:${port}/healthz`);
  base = `http://127.0.0.1:${port}`;
}, 90_000);
afterAll(async () => {
  await proxy?.stop();
  await cluster?.dispose();
}, 30_000);
afterEach(() => destroyAll());

describe('rolling restart', () => {
  it('every process restarted in turn (SIGTERM) while someone writes: nothing is lost', async () => {
    const wsBase = `${base.replace('http', 'ws')}/ws`;
    const created = await createWorkshop(base);
    const actors = await previewActors(base, created);
    const anna = await join(base, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const annaOwn = connect(wsBase, notesDocName(created.id, anna.participantId), anna.token);
    const reader = connect(wsBase, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    await Promise.all([waitSynced(annaOwn, 15_000), waitSynced(reader, 15_000)]);
    const seen = recordSeen(reader);
    const writer = new Writer(annaOwn, 'anna');
    writer.start(100);
    for (const node of cluster.nodes) {
      await waitFor(reader.doc, () => noteTexts(reader.doc).size >= writer.written - 5, 'writing flows', 30_000);
      expect((await node.kill('SIGTERM')).code).toBe(0);
      await node.restart({ samePort: true });
      await eventually(async () => (await fetch(`${node.url}/healthz`)).ok, 'the restarted process healthy', 30_000);
    }
    await waitFor(reader.doc, () => noteTexts(reader.doc).size >= writer.written - 5, 'writing flows after the restarts', 30_000);
    writer.stop();
    const texts = writer.texts();
    await converged([annaOwn, reader], texts);
    for (const text of seen) expect(texts.has(text)).toBe(true);
    expect(stateVectorOf(reader.doc)).toBe(stateVectorOf(annaOwn.doc));
  }, 150_000);
});
