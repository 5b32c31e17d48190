import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { CloseCode } from '../../shared/protocol/wire';
import { connect, waitClose, waitFor, waitSynced } from '../helpers/clients';
import { eventually, three, useCluster, workshopWithAnna } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf } from './workload';

/**
 * PostgreSQL lost while three processes serve a workshop (issue 11). The processes reach the
 * database through a TCP proxy of the test's own (tests/helpers/pg.ts), which is cut — every
 * connection reset, new ones refused — and restored; the machine's PostgreSQL is never touched.
 * While it is away: writes are refused with the store-failure close code (4503), nothing is
 * relayed that was not committed, /healthz answers 503 everywhere. When it is back: the clients
 * come back by themselves with the edits they kept, every copy converges, and nothing anybody
 * saw before the loss is missing.
 */
const cluster = useCluster({ size: 3, label: 'pgloss', pgProxy: true });

const health = async (url: string) => (await fetch(`${url}/healthz`)).status;

describe('PostgreSQL lost under a cluster', () => {
  it('refuses writes with 4503, relays nothing uncommitted, and recovers with nothing acknowledged lost', async () => {
    const [owner, second, third] = three(cluster);
    const pg = cluster.pg!;
    const { created, anna, doc } = await workshopWithAnna(owner, second);
    expect((await cluster.ownerNode(created.id))?.url).toBe(owner.url);

    // The writer through one non-owner, readers through the other and on the owner.
    const writer = connect(second.wsUrl, doc, anna.token);
    const farReader = connect(third.wsUrl, doc, created.facilitatorToken);
    const ownerReader = connect(owner.wsUrl, doc, created.facilitatorToken);
    await Promise.all([writer, farReader, ownerReader].map((peer) => waitSynced(peer, 15_000)));
    for (let i = 0; i < 5; i++) addNote(writer.doc, { questionId: '3a', text: `before ${i}`, x: i, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(farReader.doc, () => noteTexts(farReader.doc).size === 5, 'the notes before the loss', 15_000);
    await waitFor(ownerReader.doc, () => noteTexts(ownerReader.doc).size === 5, 'the notes before the loss (owner)', 15_000);
    const seenBefore = new Set(noteTexts(farReader.doc));
    const seenFar = recordSeen(farReader);
    const seenAtOwner = recordSeen(ownerReader);

    const writerClosed = waitClose(writer, 15_000);
    pg.cut();
    addNote(writer.doc, { questionId: '3a', text: 'during', x: 9, y: 0 }, Date.now(), LOCAL_ORIGIN);
    // The owner can neither commit nor renew its lease: the writer is sent away with the
    // store-failure code (through the forwarding process, unchanged).
    const closed = await writerClosed;
    if (closed.code !== CloseCode.storeUnavailable) {
      const tail = (node: typeof owner) => node.logs().slice(-12).map((entry) => JSON.stringify(entry)).join('\n');
      throw new Error(`the writer was closed with ${closed.code} ${closed.reason}\nowner:\n${tail(owner)}\nforwarder:\n${tail(second)}`);
    }
    for (const node of [owner, second, third]) await eventually(async () => (await health(node.url)) === 503, `/healthz 503 at ${node.url}`, 10_000);
    // The writer keeps editing while the database is away (its reconnects are refused).
    addNote(writer.doc, { questionId: '3a', text: 'offline', x: 10, y: 0 }, Date.now(), LOCAL_ORIGIN);
    expect(owner.logs().some((entry) => entry.event === 'lease-lost' && entry.workshop === created.id)).toBe(true);

    // Nothing uncommitted was relayed: what the readers saw is exactly what PostgreSQL holds.
    pg.restore();
    const committed = new Y.Doc();
    for (const row of await cluster.db.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 ORDER BY seq', [doc])) Y.applyUpdate(committed, row.data);
    for (const text of [...seenFar, ...seenAtOwner]) expect(noteTexts(committed).has(text)).toBe(true);
    expect(noteTexts(committed).has('offline')).toBe(false);

    // Back: the clients reconnect on their own; everything the writer kept is stored and relayed.
    const expected = new Set([...seenBefore, 'during', 'offline']);
    await converged([writer, farReader, ownerReader], expected, 20_000);
    for (const node of [owner, second, third]) await eventually(async () => (await health(node.url)) === 200, `/healthz 200 at ${node.url}`, 10_000);
    const fresh = [owner, second, third].map((node) => connect(node.wsUrl, doc, created.facilitatorToken));
    await converged(fresh, expected, 15_000);
    const vector = stateVectorOf(writer.doc);
    for (const peer of [farReader, ownerReader, ...fresh]) expect(stateVectorOf(peer.doc)).toBe(vector);
    // The workshop has one owner again (the process that let it go may take it back: its lease
    // row had not run out, so the epoch may stay — it reloaded everything from the database).
    expect(await cluster.ownerNode(created.id)).not.toBeNull();
  }, 60_000);
});
