import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isFenced } from '../../server/store/errors';
import type { DocStore, NewUpdate, ParticipantRecord } from '../../server/store/port';

/**
 * The two-writer contract (issue 11): two store instances on one database — two processes of a
 * cluster — writing at the same time. Every networked adapter runs it (SQLite cannot: one
 * process per file).
 */
export interface TwoStoresUnderTest {
  stores: readonly [DocStore, DocStore];
  cleanup(): Promise<void>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${String(++counter).padStart(10, '0')}${Math.random().toString(36).slice(2, 7).padEnd(5, '0')}`;
const update = (docName: string, tag: number[]): NewUpdate => ({ docName, ts: 1_700_000_000_000 + counter++, participantId: null, update: new Uint8Array(tag) });

export function describeTwoWriterContract(name: string, open: () => Promise<TwoStoresUnderTest>): void {
  describe(`DocStore two-writer contract: ${name}`, () => {
    let handle: TwoStoresUnderTest;
    let a: DocStore;
    let b: DocStore;
    beforeEach(async () => {
      handle = await open();
      [a, b] = handle.stores;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    it('concurrent appends to the same documents: numbers unique and gap-free per document, each batch contiguous, every byte where its number says', async () => {
      const docs = [unique('W'), unique('W'), unique('W')];
      // Writer w, batch i: updates tagged [w, i, k]; batches of 1–3 updates over the three documents.
      const batchOf = (w: number, i: number) => Array.from({ length: 1 + ((i + w) % 3) }, (_, k) => update(docs[(i + k) % 3]!, [w, i, k]));
      const run = (store: DocStore, w: number) => Promise.all(Array.from({ length: 40 }, (_, i) => store.appendUpdates(batchOf(w, i)).then((seqs) => ({ i, seqs }))));
      const [fromA, fromB] = await Promise.all([run(a, 0), run(b, 1)]);
      const given = new Map<string, number[]>(docs.map((d) => [d, []]));
      const expected = new Map<string, number[]>(); // `${doc}:${seq}` -> tag
      for (const [w, results] of [[0, fromA], [1, fromB]] as const) {
        for (const { i, seqs } of results) {
          const batch = batchOf(w, i);
          expect(seqs).toHaveLength(batch.length);
          batch.forEach((u, k) => {
            given.get(u.docName)!.push(seqs[k]!);
            expected.set(`${u.docName}:${seqs[k]}`, [...u.update]);
          });
          // Within a batch, one document's updates are numbered consecutively, in batch order.
          for (const doc of docs) {
            const mine = batch.map((u, k) => (u.docName === doc ? seqs[k]! : null)).filter((s): s is number => s !== null);
            mine.forEach((s, j) => j > 0 && expect(s).toBe(mine[j - 1]! + 1));
          }
        }
      }
      for (const doc of docs) {
        const seqs = given.get(doc)!.sort((x, y) => x - y);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
        // Either writer reads the same complete log; each entry holds the bytes of the append that got its number.
        for (const reader of [a, b]) {
          const log = await reader.readLog(doc, 0, 10_000);
          expect(log.map((u) => u.seq)).toEqual(seqs);
          for (const entry of log) expect([...entry.update]).toEqual(expected.get(`${doc}:${entry.seq}`));
        }
      }
    });

    it('racing for a free lease, exactly one wins and both see the same lease; racing for an expired one bumps the epoch once', async () => {
      const w = unique('W');
      const [la, lb] = await Promise.all([a.acquireLease(w, 'owner-a', 'http://a', 60_000), b.acquireLease(w, 'owner-b', 'http://b', 60_000)]);
      expect(la).toEqual(lb);
      expect(la.epoch).toBe(1);
      const winner = la.owner;
      const w2 = unique('W');
      const old = await a.acquireLease(w2, 'owner-old', 'http://old', 0);
      const racers = await Promise.all(
        Array.from({ length: 6 }, (_, i) => (i % 2 ? a : b).acquireLease(w2, `owner-${i}`, `http://${i}`, 60_000)),
      );
      const winners = new Set(racers.map((l) => l.owner));
      expect(winners.size).toBe(1);
      expect(racers.every((l) => l.epoch === old.epoch + 1)).toBe(true);
      expect(await b.getLease(w2)).toEqual(racers[0]);
      expect(['owner-a', 'owner-b']).toContain(winner);
    });

    it('a takeover fences the old owner: its appends before commit, none after, and the new owner appends after them without a gap', async () => {
      const w = unique('W');
      const doc = `${w}/p/${unique('P')}`;
      const leaseA = await a.acquireLease(w, 'owner-a', 'http://a', 60_000);
      let aStopped = false;
      let aCommitted = 0;
      let aRefusal: unknown = null;
      // A writes as fast as it can until it is refused.
      const writer = (async () => {
        for (let i = 0; !aStopped && i < 10_000; i++) {
          try {
            await a.appendUpdates([update(w, [0, i]), update(doc, [0, i])], { workshopId: w, epoch: leaseA.epoch });
            aCommitted++;
          } catch (error) {
            aRefusal = error;
            aStopped = true;
          }
        }
      })();
      // Let A commit a few, then B takes over (A "paused" past its lease: release stands for the expiry).
      while (aCommitted < 5) await a.readLog(w, 0, 1);
      await b.releaseLease(w, 'owner-a', leaseA.epoch);
      const leaseB = await b.acquireLease(w, 'owner-b', 'http://b', 60_000);
      expect(leaseB).toMatchObject({ owner: 'owner-b', epoch: leaseA.epoch + 1 });
      const [firstB] = await b.appendUpdates([update(w, [1, 0])], { workshopId: w, epoch: leaseB.epoch });
      await writer;
      expect(isFenced(aRefusal)).toBe(true);
      const log = await b.readLog(w, 0, 100_000);
      // Everything of A's is before B's first entry, and numbering has no gap.
      expect(log.map((u) => u.seq)).toEqual(Array.from({ length: log.length }, (_, i) => i + 1));
      expect(log.filter((u) => u.update[0] === 0)).toHaveLength(aCommitted);
      expect(log.findIndex((u) => u.update[0] === 1)).toBe(aCommitted);
      expect(firstB).toBe(aCommitted + 1);
      // The other document of A's batches holds exactly the committed ones: no batch half-stored.
      expect(await a.readLog(doc, 0, 100_000)).toHaveLength(aCommitted);
      await expect(a.appendUpdates([update(w, [0, -1])], { workshopId: w, epoch: leaseA.epoch })).rejects.toSatisfy(isFenced);
    });

    it('addParticipantWithin from both writers at once never passes the cap', async () => {
      const w = unique('W');
      const person = (role: ParticipantRecord['role'] = 'participant'): ParticipantRecord => ({
        workshopId: w,
        participantId: unique('P'),
        role,
        actorId: role === 'participant' ? unique('A') : null,
        name: 'N',
        createdAt: 1_700_000_000_000 + counter++,
      });
      await a.createWorkshop({ id: w, createdAt: 1, participantKeyHash: 'a'.repeat(64), observerKeyHash: 'b'.repeat(64) }, person('facilitator'));
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).addParticipantWithin(person(i % 5 === 0 ? 'observer' : 'participant'), 7)));
      expect(results.filter(Boolean)).toHaveLength(7);
      const members = await b.listMemberships(w);
      expect(members.filter((m) => m.role !== 'facilitator')).toHaveLength(7);
      // A facilitator is not counted: still admitted at the cap.
      expect(await a.addParticipantWithin(person('facilitator'), 7)).toBe(true);
    });

    it("a snapshot never replaces another writer's newer one", async () => {
      const doc = unique('W');
      const seqs = await a.appendUpdates(Array.from({ length: 6 }, (_, i) => update(doc, [i])));
      await Promise.all([a.writeSnapshot({ docName: doc, seq: seqs[4]!, ts: 2, state: new Uint8Array([4]) }), b.writeSnapshot({ docName: doc, seq: seqs[2]!, ts: 1, state: new Uint8Array([2]) })]);
      await b.writeSnapshot({ docName: doc, seq: seqs[1]!, ts: 3, state: new Uint8Array([1]) });
      for (const reader of [a, b]) {
        const loaded = await reader.loadDoc(doc);
        expect(loaded.snapshot?.seq).toBe(seqs[4]);
        expect([...loaded.snapshot!.state]).toEqual([4]);
        expect(loaded.updates.map((u) => u.seq)).toEqual([seqs[5]]);
      }
    });

    it('both writers are healthy at once (their health probes do not collide)', async () => {
      const results = await Promise.all([a.checkHealth(), b.checkHealth(), a.isWritable(), b.isWritable()]);
      expect(results).toEqual([{ ok: true }, { ok: true }, true, true]);
    });
  });
}
