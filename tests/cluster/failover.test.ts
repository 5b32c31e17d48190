import { describe, expect, it } from 'vitest';
import { addNote } from '../../shared/ops/notes';
import { expiresAt, startRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { draftsDocName, notesDocName, roomDocName } from '../../shared/protocol/docNames';
import { readNotes, readRoom } from '../../shared/read/snapshot';
import { createWorkshop, join } from '../helpers/api';
import { connect, waitFor, waitSynced } from '../helpers/clients';
import { previewActors, three, useCluster } from './cluster';
import { converged, noteTexts, recordSeen, stateVectorOf, Writer } from './workload';

/**
 * SIGKILL of the process that owns a workshop while people write and while a round is about to
 * run out: the clients (connected through the other processes) reconnect, one of the survivors
 * takes the lease once it has run out, nothing that anyone saw is lost, every copy converges, and
 * the round is ended exactly once with endedAt equal to its expiry, its drafts posted once.
 */
const cluster = useCluster({ size: 3, label: 'failover' });

describe('losing the owner', () => {
  it('SIGKILL of the owner while people write and a round runs out: nothing seen is lost, the round ends once at its expiry', async () => {
    const [owner, second, third] = three(cluster);
    const created = await createWorkshop(owner.url);
    const actors = await previewActors(owner.url, created); // takes the lease on `owner`
    expect((await cluster.ownerNode(created.id))?.url).toBe(owner.url);
    const anna = await join(second.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const ben = await join(third.url, created.id, created.participantJoinKey, 'Ben', actors[1]);

    // Everybody is connected through the two processes that will survive.
    const facilitator = connect(second.wsUrl, roomDocName(created.id), created.facilitatorToken);
    const annaOwn = connect(second.wsUrl, notesDocName(created.id, anna.participantId), anna.token);
    const benOwn = connect(third.wsUrl, notesDocName(created.id, ben.participantId), ben.token);
    const benReadsAnna = connect(third.wsUrl, notesDocName(created.id, anna.participantId), ben.token);
    const annaReadsBen = connect(second.wsUrl, notesDocName(created.id, ben.participantId), anna.token);
    const annaDrafts = connect(second.wsUrl, draftsDocName(created.id, anna.participantId), anna.token);
    const peers = [facilitator, annaOwn, benOwn, benReadsAnna, annaReadsBen, annaDrafts];
    await Promise.all(peers.map((peer) => waitSynced(peer, 15_000)));
    const seenAtBen = recordSeen(benReadsAnna);
    const seenAtAnna = recordSeen(annaReadsBen);

    // A round on 3a that runs out during the failover, with two drafts of Anna's in it.
    const now = ((await (await fetch(`${second.url}/api/time`)).json()) as { now: number }).now;
    const round = startRound(facilitator.doc, '3a', 2000, now, LOCAL_ORIGIN);
    const expiry = expiresAt(round)!;
    addNote(annaDrafts.doc, { questionId: '3a', text: 'draft one', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    addNote(annaDrafts.doc, { questionId: '3a', text: 'draft two', x: 0, y: 0 }, Date.now(), LOCAL_ORIGIN);
    await waitFor(annaDrafts.doc, () => readNotes(annaDrafts.doc).notes.length === 2, 'drafts written');

    const annaWriter = new Writer(annaOwn, 'anna');
    const benWriter = new Writer(benOwn, 'ben');
    annaWriter.start();
    benWriter.start();
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).size >= 10, 'writing under way', 15_000);
    const killed = await owner.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    const killedAt = Date.now();
    // They keep writing through the outage, until a survivor has taken the workshop over.
    const taken = await cluster.waitForOwner(created.id, { epochAbove: 1, notOn: owner });
    const failoverMs = Date.now() - killedAt;
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).size >= annaWriter.written - 5, 'writing flows after the takeover', 15_000);
    annaWriter.stop();
    benWriter.stop();

    const annaTexts = annaWriter.texts();
    const benTexts = benWriter.texts();
    expect(annaTexts.size).toBe(annaWriter.written);
    await converged([annaOwn, benReadsAnna], annaTexts).catch((error: unknown) => {
      throw new Error(`${String(error)}\nsecond: ${second.stderr().slice(-3000)}\nthird: ${third.stderr().slice(-3000)}`);
    });
    await converged([benOwn, annaReadsBen], benTexts);
    // Nothing any reader ever saw is missing.
    for (const text of seenAtBen) expect(annaTexts.has(text) || text.startsWith('draft ')).toBe(true);
    for (const text of seenAtAnna) expect(benTexts.has(text)).toBe(true);

    // The round: ended by the new owner, at its expiry, once; the drafts on the wall once.
    await waitFor(facilitator.doc, () => readRoom(facilitator.doc).session.round?.endedAt != null, 'the round ended', 15_000);
    expect(readRoom(facilitator.doc).session.round?.endedAt).toBe(expiry);
    await waitFor(annaOwn.doc, () => noteTexts(annaOwn.doc).has('draft one') && noteTexts(annaOwn.doc).has('draft two'), 'the drafts posted', 15_000);
    await waitFor(annaDrafts.doc, () => readNotes(annaDrafts.doc).notes.length === 0, 'the drafts document emptied', 15_000);
    await waitFor(benReadsAnna.doc, () => noteTexts(benReadsAnna.doc).has('draft one') && noteTexts(benReadsAnna.doc).has('draft two'), 'the drafts posted (reader)', 15_000);
    // Compared once the server's own edits (the round's posting) have reached both copies too.
    expect(stateVectorOf(benReadsAnna.doc)).toBe(stateVectorOf(annaOwn.doc));
    expect(stateVectorOf(annaReadsBen.doc)).toBe(stateVectorOf(benOwn.doc));
    const posted = readNotes(annaOwn.doc).notes.filter((note) => note.text.startsWith('draft '));
    expect(posted.map((note) => note.text).sort()).toEqual(['draft one', 'draft two']);
    const ended = [second, third].flatMap((node) => node.logs().filter((entry) => entry.event === 'round-expired' && entry.workshop === created.id));
    expect(ended.length).toBeLessThanOrEqual(1);

    // A fresh client on the other survivor loads the same state from the store.
    const fresh = connect(third.wsUrl, notesDocName(created.id, anna.participantId), created.facilitatorToken);
    await waitSynced(fresh, 15_000);
    await waitFor(fresh.doc, () => noteTexts(fresh.doc).size === annaTexts.size + 2, 'a fresh copy', 15_000);
    expect(stateVectorOf(fresh.doc)).toBe(stateVectorOf(annaOwn.doc));
    expect(taken.epoch).toBe(2);
    expect((await cluster.lease(created.id))!.epoch).toBe(2);
    console.log(`failover: lease taken over ${failoverMs} ms after SIGKILL by ${taken.node.url}; ${annaWriter.written + benWriter.written} notes written`);
  }, 60_000);
});
