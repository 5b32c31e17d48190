import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { notesRoots } from '../../shared/schema/layout';
import { createWorkshop, join, type Joined } from '../helpers/api';
import type { ChildServer } from '../helpers/childServer';
import { connect, destroyAll, waitSynced, type Peer } from '../helpers/clients';
import { contentOf, describeDoc, playProviderOps, providerScenarioArb, sameDoc, waitForAll, type ProviderScenario } from '../fuzz/notesFuzz';
import { TestCluster, three } from './cluster';

/**
 * The seeded convergence fuzz (tests/fuzz/convergence.test.ts, same generator) on a cluster of
 * three processes: every copy of a participant's notes is connected to another process than the
 * next (participant i's copy of j's notes through process (i + j) mod 3, the facilitator's through
 * (j + 2) mod 3), so most edits cross a forwarding hop. Once everyone is back online:
 *   - every copy of each document is the same document (state vector, delete set and content);
 *   - nothing acknowledged is lost: whatever reached any copy but its author's (an update is
 *     relayed only once committed) is in the update log in PostgreSQL, replayed on its own, and in
 *     what a fresh reader through every process loads — also after the workshop's owner is
 *     SIGKILLed and another process has taken it over from the database alone.
 * Seeded (SEED, NUM_RUNS; 1 run by default — each run starts three processes).
 */

async function rejectedCounts(node: ChildServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^arvo_rejected_messages_total\{reason="([^"]+)"\} (\d+)/gm)) counts[match[1]!] = Number(match[2]);
  // Stock providers re-broadcast the presence of others; the server drops those echoes by design.
  delete counts['awareness-foreign-client'];
  return counts;
}

/** Highest clock per Yjs client that ever reached a copy other than that client's own. */
function trackAcknowledged(copies: Peer[]): Map<number, number> {
  const acknowledged = new Map<number, number>();
  for (const peer of copies) {
    peer.doc.on('update', () => {
      for (const [client, clock] of Y.decodeStateVector(Y.encodeStateVector(peer.doc))) {
        if (client === peer.doc.clientID) continue;
        if (clock > (acknowledged.get(client) ?? 0)) acknowledged.set(client, clock);
      }
    });
  }
  return acknowledged;
}

function lostFrom(doc: Y.Doc, acknowledged: Map<number, number>): string[] {
  const have = Y.decodeStateVector(Y.encodeStateVector(doc));
  return [...acknowledged].filter(([client, clock]) => (have.get(client) ?? 0) < clock).map(([client, clock]) => `${client}: ${have.get(client) ?? 0} < ${clock}`);
}

async function runScenario(scenario: ProviderScenario): Promise<{ ops: number; notes: number }> {
  const cluster = await new TestCluster({
    size: 3,
    label: 'fuzz',
    env: { ROOM_IDLE_MS: String(scenario.roomIdleMs), SNAPSHOT_EVERY: String(scenario.snapshotEvery) },
  }).start();
  try {
    const nodes = three(cluster);
    const n = scenario.participants;
    const created = await createWorkshop(nodes[0].url, ['A', 'B', 'C', 'D', 'E']);
    const room = connect(nodes[1].wsUrl, roomDocName(created.id), created.facilitatorToken);
    await waitSynced(room, 15_000);
    const actors = readRoom(room.doc).actors;
    const people: Joined[] = [];
    for (let i = 0; i < n; i++) people.push(await join(nodes[i % 3]!.url, created.id, created.participantJoinKey, `P${i}`, actors[i % actors.length]!.id));
    const docNames = people.map((p) => notesDocName(created.id, p.participantId));

    // views[i][j]: participant i's copy of participant j's notes (i === j: the writer's own).
    const views: Peer[][] = people.map((p, i) => docNames.map((name, j) => connect(nodes[(i + j) % 3]!.wsUrl, name, p.token)));
    const moderator: Peer[] = docNames.map((name, j) => connect(nodes[(j + 2) % 3]!.wsUrl, name, created.facilitatorToken));
    const all = [...views.flat(), ...moderator];
    await Promise.all(all.map((peer) => waitSynced(peer, 15_000)));
    const copiesOf = (j: number) => [...views.map((row) => row[j]!), moderator[j]!];
    const acknowledged = docNames.map((_, j) => trackAcknowledged(copiesOf(j)));

    await playProviderOps(scenario.ops, n, views, moderator);

    // Everyone back online; every copy of each document must become the same document.
    for (const peer of all) if (!peer.provider.shouldConnect) peer.provider.connect();
    const converged = () => docNames.every((_, j) => copiesOf(j).every((peer, _k, copies) => sameDoc(peer.doc, copies[0]!.doc)));
    const summary = () =>
      docNames
        .map((_, j) => `doc ${j}: ${copiesOf(j).map((p) => `${p.provider.wsconnected ? 'on' : 'off'}:${notesRoots(p.doc).notes.size}:${contentOf(p.doc).length}`).join(' ')}`)
        .join('; ');
    await waitForAll(all.map((p) => p.doc), converged, summary, 30_000);
    const expected = docNames.map((_, j) => views[j]![j]!.doc);

    // Fresh readers through every process load exactly that document.
    const fresh = nodes.flatMap((node) => docNames.map((name, j) => ({ j, peer: connect(node.wsUrl, name, people[0]!.token) })));
    await Promise.all(fresh.map(({ peer }) => waitSynced(peer, 15_000)));
    for (const { j, peer } of fresh) {
      await waitForAll([peer.doc], () => sameDoc(peer.doc, expected[j]!), () => `fresh copy of doc ${j}: ${describeDoc(peer.doc)} vs ${describeDoc(expected[j]!)}`, 15_000);
    }
    for (const [j, doc] of expected.entries()) {
      expect(lostFrom(doc, acknowledged[j]!)).toEqual([]);
      expect(readNotes(doc).problems).toEqual([]);
    }
    for (const node of nodes) expect(await rejectedCounts(node)).toEqual({});

    // The update log alone, straight from PostgreSQL, replays to the converged document.
    for (const [j, name] of docNames.entries()) {
      const rows = await cluster.db.query<{ data: Buffer }>('SELECT data FROM updates WHERE doc = $1 ORDER BY seq', [name]);
      const replayed = new Y.Doc();
      for (const row of rows) Y.applyUpdate(replayed, row.data);
      if (!sameDoc(replayed, expected[j]!)) throw new Error(`doc ${j}: replaying the update log gives ${describeDoc(replayed)}, not ${describeDoc(expected[j]!)}`);
      expect(lostFrom(replayed, acknowledged[j]!)).toEqual([]);
    }

    // The owner dies: what another process loads from the database alone is still the same.
    const owner = await cluster.ownerNode(created.id);
    expect(owner).not.toBeNull();
    const epoch = (await cluster.lease(created.id))!.epoch;
    const references = expected.map((doc) => Y.encodeStateAsUpdate(doc));
    destroyAll();
    await owner!.kill('SIGKILL');
    const survivor = nodes.find((node) => node !== owner)!;
    const afterKill = docNames.map((name) => connect(survivor.wsUrl, name, created.facilitatorToken));
    await cluster.waitForOwner(created.id, { epochAbove: epoch, notOn: owner! });
    await Promise.all(afterKill.map((peer) => waitSynced(peer, 15_000)));
    afterKill.forEach((peer, j) => {
      const reference = new Y.Doc();
      Y.applyUpdate(reference, references[j]!);
      if (!sameDoc(peer.doc, reference)) throw new Error(`doc ${j} after the owner's SIGKILL: ${describeDoc(peer.doc)} vs ${describeDoc(reference)}`);
    });
    cluster.assertNoCrash();
    return { ops: scenario.ops.length, notes: expected.reduce((sum, doc) => sum + notesRoots(doc).notes.size, 0) };
  } finally {
    await cluster.dispose();
  }
}

describe('convergence on three processes', () => {
  it('every copy converges across processes; nothing acknowledged is lost, not even by the owner dying', async () => {
    const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
    console.log('cluster convergence seed', seed);
    const stats: Array<{ ops: number; notes: number }> = [];
    await fc.assert(
      fc.asyncProperty(providerScenarioArb, async (scenario) => {
        stats.push(await runScenario(scenario));
      }),
      { seed, numRuns: Number(process.env.NUM_RUNS ?? 1), endOnFailure: true },
    );
    console.log('cluster convergence runs', JSON.stringify(stats));
  }, 90_000);
});
