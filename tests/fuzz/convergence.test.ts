import fc from 'fast-check';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addNote } from '../../shared/ops/notes';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { notesRoots } from '../../shared/schema/layout';
import { openSqliteStore } from '../../server/store/sqlite';
import { createWorkshop, join, type Joined } from '../helpers/api';
import { connect, destroyAll, waitSynced, type Peer } from '../helpers/clients';
import { removeDir, startTestServer, tempDir, type TestServer } from '../helpers/server';
import { contentOf, playProviderOps, providerScenarioArb as scenarioArb, sameDoc, waitForAll, type ProviderScenario } from './notesFuzz';

/**
 * Convergence property: participants edit their own notes documents (and a facilitator edits
 * everyone's, concurrently) while providers drop and come back. Once everyone is connected
 * again, every copy of each document — writers', readers', a fresh reader of the server, the
 * update log replayed on its own, and a fresh reader after a server restart — is the same
 * document. Seeded by fast-check (SEED, NUM_RUNS, SHRINK=1); a failure prints seed and path.
 */

type Scenario = ProviderScenario;

async function rejectedCounts(server: TestServer): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^arvo_rejected_messages_total\{reason="([^"]+)"\} (\d+)/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

/** One scenario against a real server of its own; throws (with details) if copies diverge. */
async function runScenario(scenario: Scenario): Promise<{ ops: number; notes: number }> {
  const dataDir = tempDir('arvo-fuzz-');
  const env = { ROOM_IDLE_MS: String(scenario.roomIdleMs), SNAPSHOT_EVERY: String(scenario.snapshotEvery) };
  const first = await startTestServer(env, dataDir);
  let running: TestServer | null = first;
  try {
    const n = scenario.participants;
    const created = await createWorkshop(first.url, ['A', 'B', 'C', 'D', 'E']);
    const room = connect(first.wsUrl, roomDocName(created.id), created.facilitatorToken);
    await waitSynced(room);
    const actors = readRoom(room.doc).actors;
    const people: Joined[] = [];
    for (let i = 0; i < n; i++) people.push(await join(first.url, created.id, created.participantJoinKey, `P${i}`, actors[i % actors.length]!.id));
    const docNames = people.map((p) => notesDocName(created.id, p.participantId));

    // views[i][j]: participant i's copy of participant j's notes (i === j: the writer's own).
    const views: Peer[][] = people.map((p) => docNames.map((name) => connect(first.wsUrl, name, p.token)));
    const moderator: Peer[] = docNames.map((name) => connect(first.wsUrl, name, created.facilitatorToken));
    const all = [...views.flat(), ...moderator];
    await Promise.all(all.map((peer) => waitSynced(peer)));

    await playProviderOps(scenario.ops, n, views, moderator);

    // Everyone back online; every copy of each document must become the same document.
    for (const peer of all) if (!peer.provider.shouldConnect) peer.provider.connect();
    const copiesOf = (j: number) => [...views.map((row) => row[j]!), moderator[j]!];
    const converged = () => docNames.every((_, j) => copiesOf(j).every((peer, _k, copies) => sameDoc(peer.doc, copies[0]!.doc)));
    const summary = () =>
      docNames
        .map((_, j) => `doc ${j}: ${copiesOf(j).map((p) => `${p.provider.wsconnected ? 'on' : 'off'}:${notesRoots(p.doc).notes.size}:${contentOf(p.doc).length}`).join(' ')}`)
        .join('; ');
    await waitForAll(all.map((p) => p.doc), converged, summary);

    // The server's copy: a fresh reader now, and a fresh reader after a restart (snapshot + log).
    const expectedOf = (j: number) => views[j]![j]!.doc;
    const freshNow = docNames.map((name) => connect(first.wsUrl, name, people[0]!.token));
    await Promise.all(freshNow.map((peer) => waitSynced(peer)));
    freshNow.forEach((peer, j) => {
      if (!sameDoc(peer.doc, expectedOf(j))) throw new Error(`server copy of doc ${j} differs from the clients'`);
      if (readNotes(peer.doc).problems.length > 0) throw new Error(`doc ${j} has invalid notes: ${readNotes(peer.doc).problems.join(', ')}`);
    });
    const rejected = await rejectedCounts(first);
    // Readers only ever answer with what the server already has; nobody exceeds a limit. (Stock
    // providers re-broadcast the presence of others; the server drops those echoes by design.)
    delete rejected['awareness-foreign-client'];
    if (Object.keys(rejected).length > 0) throw new Error(`the server refused messages: ${JSON.stringify(rejected)}`);
    const expected = docNames.map((_, j) => Y.encodeStateAsUpdate(expectedOf(j)));
    const notes = docNames.reduce((sum, _, j) => sum + notesRoots(expectedOf(j)).notes.size, 0);

    destroyAll();
    await first.close();
    running = null;
    // The update log alone (no snapshot) replays to the converged document: every accepted update was logged.
    const store = openSqliteStore({ file: path.join(dataDir, 'arvo.sqlite'), synchronous: 'NORMAL' });
    try {
      for (const [j, name] of docNames.entries()) {
        const replayed = new Y.Doc();
        for (let after = 0; ; ) {
          const page = await store.readLog(name, after, 100);
          if (page.length === 0) break;
          for (const entry of page) Y.applyUpdate(replayed, entry.update);
          after = page.at(-1)!.seq;
        }
        const reference = new Y.Doc();
        Y.applyUpdate(reference, expected[j]!);
        if (!sameDoc(replayed, reference)) throw new Error(`doc ${j}: replaying the update log does not give the converged document`);
      }
    } finally {
      await store.close();
    }
    const restarted = await startTestServer(env, dataDir);
    running = restarted;
    const afterRestart = docNames.map((name) => connect(restarted.wsUrl, name, created.facilitatorToken));
    await Promise.all(afterRestart.map((peer) => waitSynced(peer)));
    afterRestart.forEach((peer, j) => {
      const reference = new Y.Doc();
      Y.applyUpdate(reference, expected[j]!);
      if (!sameDoc(peer.doc, reference)) throw new Error(`doc ${j} after restart differs from the converged copy`);
    });
    return { ops: scenario.ops.length, notes };
  } finally {
    destroyAll();
    await running?.close();
    removeDir(dataDir);
  }
}

afterEach(() => destroyAll());

async function checkProperty(seed: number, numRuns: number): Promise<void> {
  const stats: Array<{ ops: number; notes: number }> = [];
  await fc
    .assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        stats.push(await runScenario(scenario));
      }),
      // Each run is a real server and up to 30 connections: no shrinking unless asked (SHRINK=1);
      // a failure prints the seed and path to replay it with SEED=… (fast-check's report).
      { seed, numRuns, endOnFailure: !process.env.SHRINK, interruptAfterTimeLimit: 90_000, markInterruptAsFailure: true },
    )
    .then(() => console.log('convergence runs', JSON.stringify(stats)));
}

describe('convergence of notes documents under random edits and disconnects', () => {
  it('every copy of every document converges, and equals the server copy before and after a restart', async () => {
    const seed = process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
    console.log('convergence seed', seed);
    await checkProperty(seed, Number(process.env.NUM_RUNS ?? 10));
  }, 120_000);

  // Pinned: the first run of this seed made stock providers echo each other's presence, which the
  // server refuses ('awareness-foreign-client') by design; it once failed this test's own check.
  it('regression seed 471333854 (presence echoes from stock providers)', async () => {
    await checkProperty(471333854, 1);
  }, 120_000);

  it('sanity: the convergence check itself notices two different documents', () => {
    const a = new Y.Doc();
    const b = new Y.Doc();
    addNote(a, { questionId: '3a', text: 'only in a', x: 0, y: 0 }, 1, LOCAL_ORIGIN);
    expect(sameDoc(a, b)).toBe(false);
    Y.applyUpdate(b, Y.encodeStateAsUpdate(a));
    expect(sameDoc(a, b)).toBe(true);
  });
});
