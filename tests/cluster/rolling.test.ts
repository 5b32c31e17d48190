import { describe, expect, it } from 'vitest';
import { notesDocName } from '../../shared/protocol/docNames';
import { createWorkshop, join } from '../helpers/api';
import { connect, waitFor, waitSynced } from '../helpers/clients';
import { previewActors, useCluster } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf, Writer } from './workload';

/**
 * A rolling restart behind HAProxy: each of three processes in turn gets SIGTERM (it drains and
 * exits cleanly) and is started again on its port, while someone writes. Nothing is lost.
 */
const cluster = useCluster({ size: 3, label: 'rolling', haproxy: true });

describe('rolling restart', () => {
  it('every process restarted in turn (SIGTERM) while someone writes: nothing is lost', async () => {
    const created = await createWorkshop(cluster.base);
    const actors = await previewActors(cluster.base, created);
    const anna = await join(cluster.base, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const annaOwn = connect(cluster.wsBase, notesDocName(created.id, anna.participantId), anna.token);
    const reader = connect(cluster.wsBase, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    await Promise.all([waitSynced(annaOwn, 15_000), waitSynced(reader, 15_000)]);
    const seen = recordSeen(reader);
    const writer = new Writer(annaOwn, 'anna');
    writer.start(60);
    for (const node of cluster.nodes) {
      await waitFor(reader.doc, () => noteTexts(reader.doc).size >= writer.written - 5, 'writing flows', 15_000);
      expect((await node.kill('SIGTERM')).code).toBe(0);
      // Started again on its port; the next one goes down only once this one serves (it printed
      // its ready line) and writing flows again.
      await node.restart({ samePort: true });
    }
    await waitFor(reader.doc, () => noteTexts(reader.doc).size >= writer.written - 5, 'writing flows after the restarts', 15_000);
    writer.stop();
    const texts = writer.texts();
    await converged([annaOwn, reader], texts);
    for (const text of seen) expect(texts.has(text)).toBe(true);
    expect(stateVectorOf(reader.doc)).toBe(stateVectorOf(annaOwn.doc));
    // Every process owned the workshop at most once per start, and the epochs only grew.
    const epochs = cluster.nodes.flatMap((node) => node.logs().filter((entry) => entry.event === 'lease-acquired' && entry.workshop === created.id).map((entry) => Number(entry.epoch)));
    expect(new Set(epochs).size).toBe(epochs.length);
  }, 90_000);
});
