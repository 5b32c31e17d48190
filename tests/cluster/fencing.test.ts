import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { connect, waitClose, waitFor, waitSynced } from '../helpers/clients';
import { useCluster, workshopWithAnna } from './cluster';
import { noteTexts, recordSeen } from './workload';

/**
 * Fencing: an owner that is paused (SIGSTOP) long enough for another process to take its
 * workshop over, and then resumed (SIGCONT) with client writes waiting in its socket buffers,
 * commits none of them (every append carries its old epoch, which the database refuses) and so,
 * since nothing is relayed before it is committed, relays none of them either.
 */
const cluster = useCluster({ size: 2, label: 'fencing' });

describe('a paused and resumed owner', () => {
  it('can neither commit nor relay after another process took its workshop over', async () => {
    const [stale, survivor] = cluster.nodes as [(typeof cluster.nodes)[0], (typeof cluster.nodes)[0]];
    const { created, anna, doc } = await workshopWithAnna(stale);
    expect((await cluster.ownerNode(created.id))?.url).toBe(stale.url);

    // Connected straight to the owner: a writer, and a reader that records everything relayed to it.
    const writer = connect(stale.wsUrl, doc, anna.token);
    const staleReader = connect(stale.wsUrl, doc, created.facilitatorToken);
    await Promise.all([waitSynced(writer, 15_000), waitSynced(staleReader, 15_000)]);
    addNote(writer.doc, { questionId: '3a', text: 'before the pause', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(staleReader.doc, () => noteTexts(staleReader.doc).has('before the pause'), 'the first note relayed');
    const relayedAtStale = recordSeen(staleReader);

    cluster.pause(stale);
    // Written into the paused owner's socket: it will read them when it resumes.
    for (let i = 0; i < 5; i++) addNote(writer.doc, { questionId: '3a', text: `stale ${i}`, x: i, y: 0 }, Date.now(), LOCAL_ORIGIN);
    // A client of the other process makes it take the workshop over once the lease has run out.
    const fresh = connect(survivor.wsUrl, doc, created.facilitatorToken);
    const taken = await cluster.waitForOwner(created.id, { epochAbove: 1, notOn: stale });
    expect(taken).toMatchObject({ node: survivor, epoch: 2 });
    await waitSynced(fresh, 15_000);
    expect(noteTexts(fresh.doc)).toEqual(new Set(['before the pause']));
    const rowsBefore = await cluster.db.query<{ n: string }>('SELECT count(*) AS n FROM updates WHERE doc = $1', [doc]);

    // The writer must not resend through a new connection after the stale owner drops it: we
    // are asking what the STALE process does with what it already received.
    const writerClosed = waitClose(writer, 20_000);
    writer.provider.on('connection-close', () => {
      writer.provider.shouldConnect = false;
    });
    cluster.resume(stale);
    const closed = await writerClosed;
    // 4504: the stale owner noticed the lost lease and sent its clients to reconnect; 4503: its
    // first append was refused by the fence first. Either way it let go.
    expect([4503, 4504]).toContain(closed.code);
    const letGo = await stale.waitForLog((entry) => (entry.event === 'lease-lost' && entry.workshop === created.id) || /fenced/.test(JSON.stringify(entry)), 'the stale owner to let the workshop go', 10_000);
    expect(letGo.epoch ?? 1).toBe(1);

    // Nothing of what it read after resuming was committed...
    const rowsAfter = await cluster.db.query<{ n: string }>('SELECT count(*) AS n FROM updates WHERE doc = $1', [doc]);
    expect(rowsAfter[0]!.n).toBe(rowsBefore[0]!.n);
    const check = connect(survivor.wsUrl, doc, created.facilitatorToken);
    await waitSynced(check, 15_000);
    expect([...noteTexts(check.doc)].filter((text) => text.startsWith('stale'))).toEqual([]);
    // ...nor relayed, to its own clients or anyone else.
    expect([...relayedAtStale].filter((text) => text.startsWith('stale'))).toEqual([]);
    expect([...noteTexts(fresh.doc)].filter((text) => text.startsWith('stale'))).toEqual([]);
  }, 60_000);
});
