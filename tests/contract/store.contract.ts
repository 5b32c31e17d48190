import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { isStoreUnavailable, StoreError } from '../../server/store/errors';
import type { DocStore, NewUpdate, ParticipantRecord, WorkshopRecord } from '../../server/store/port';

/**
 * The storage port's contract (server/store/port.ts). Every adapter — SQLite now, PostgreSQL
 * later — runs this same suite through the public interface only.
 */
export interface StoreUnderTest {
  store: DocStore;
  /** Closes whatever is open and removes the adapter's data. */
  cleanup(): Promise<void>;
  /** Durable adapters: opens the same data again. Called after `store.close()`; `cleanup` must then close the new store too. */
  reopen?: () => Promise<DocStore>;
}

export interface StoreContractOptions {
  /** The adapter keeps data across close and reopen (a file, a server): `reopen` must be provided. */
  durable?: boolean;
  /** Opens a store with almost no room left (SQLite: a tiny max_page_count), to make a large batch fail part-way. */
  openNearlyFull?: () => Promise<StoreUnderTest>;
}

let counter = 0;
const unique = (prefix: string) => `${prefix}${String(++counter).padStart(15, '0')}`;
const bytes = (...values: number[]) => new Uint8Array(values);
const update = (docName: string, data: Uint8Array, participantId: string | null = null, ts = 1_700_000_000_000 + counter): NewUpdate => ({
  docName,
  ts,
  participantId,
  update: data,
});

/** A document history as real Yjs updates: one per change, in order. */
function yjsHistory(changes: number): { updates: Uint8Array[]; stateAfter: (n: number) => Uint8Array; final: Y.Doc } {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  const states: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => {
    updates.push(u);
    states.push(Y.encodeStateAsUpdate(doc));
  });
  for (let i = 0; i < changes; i++) doc.getMap('notes').set(`n${i % 3}`, `text ${i}`);
  return { updates, stateAfter: (n) => states[n - 1]!, final: doc };
}

const sameContent = (a: Y.Doc, b: Y.Doc) => JSON.stringify(a.getMap('notes').toJSON()) === JSON.stringify(b.getMap('notes').toJSON());

function workshop(id = unique('W')): WorkshopRecord {
  return { id, createdAt: 1_700_000_000_123, participantKeyHash: 'a'.repeat(64), observerKeyHash: 'b'.repeat(64) };
}
function participant(workshopId: string, overrides: Partial<ParticipantRecord> = {}): ParticipantRecord {
  return { workshopId, participantId: unique('P'), role: 'participant', actorId: unique('A'), name: 'Anna Ä.', createdAt: 1_700_000_000_456, ...overrides };
}

export function describeStoreContract(name: string, open: () => Promise<StoreUnderTest>, options: StoreContractOptions = {}): void {
  describe(`DocStore contract: ${name}`, () => {
    let handle: StoreUnderTest;
    let store: DocStore;
    beforeEach(async () => {
      handle = await open();
      store = handle.store;
    });
    afterEach(async () => {
      await handle.cleanup();
    });

    describe('update log', () => {
      it('an empty batch appends nothing and returns no sequence numbers', async () => {
        const doc = unique('D');
        expect(await store.appendUpdates([])).toEqual([]);
        expect(await store.readLog(doc, 0, 100)).toEqual([]);
      });

      it('sequence numbers increase by one per document, independently of other documents', async () => {
        const a = unique('D');
        const b = unique('D');
        const first = await store.appendUpdates([update(a, bytes(1)), update(a, bytes(2)), update(b, bytes(3)), update(a, bytes(4))]);
        const [a1, a2, b1, a3] = first as [number, number, number, number];
        expect(a1).toBeGreaterThan(0);
        expect([a2, a3]).toEqual([a1 + 1, a1 + 2]);
        // B's numbering does not see A's three appends: a new document starts where A started.
        expect(b1).toBe(a1);
        const second = await store.appendUpdates([update(b, bytes(5)), update(a, bytes(6))]);
        expect(second).toEqual([b1 + 1, a3 + 1]);
        expect((await store.readLog(a, 0, 100)).map((u) => u.seq)).toEqual([a1, a2, a3, a3 + 1]);
        expect((await store.readLog(b, 0, 100)).map((u) => u.seq)).toEqual([b1, b1 + 1]);
      });

      it('appends that overlap in time still get distinct, increasing sequence numbers', async () => {
        const doc = unique('D');
        const results = await Promise.all(Array.from({ length: 10 }, (_, i) => store.appendUpdates([update(doc, bytes(i)), update(doc, bytes(100 + i))])));
        const seqs = results.flat();
        expect(new Set(seqs).size).toBe(20);
        for (const pair of results) expect(pair[1]).toBe(pair[0]! + 1);
        const logged = await store.readLog(doc, 0, 100);
        expect(logged.map((u) => u.seq)).toEqual([...seqs].sort((x, y) => x - y));
        // Each batch's two updates are adjacent in the log, in batch order.
        for (const [first, second] of results) {
          const at = logged.findIndex((u) => u.seq === first);
          expect(logged[at + 1]!.update[0]).toBe(logged[at]!.update[0]! + 100);
          expect(logged[at + 1]!.seq).toBe(second);
        }
      });

      it('stores every field exactly: bytes, timestamp, author (or none)', async () => {
        const doc = unique('D');
        const big = new Uint8Array(70_000).map((_, i) => (i * 31) & 0xff);
        const items = [update(doc, bytes(0, 255, 0, 7), 'Abcdefghijklmnop', 1_234_567_890_123), update(doc, big, null, 42), update(doc, bytes(9), 'Zyxwvutsrqponmlk', 0)];
        const seqs = await store.appendUpdates(items);
        const logged = await store.readLog(doc, 0, 100);
        expect(logged).toHaveLength(3);
        logged.forEach((entry, i) => {
          expect(entry.seq).toBe(seqs[i]);
          expect(entry.docName).toBe(doc);
          expect(entry.ts).toBe(items[i]!.ts);
          expect(entry.participantId).toBe(items[i]!.participantId);
          expect(entry.update).toBeInstanceOf(Uint8Array);
          expect([...entry.update]).toEqual([...items[i]!.update]);
        });
      });

      it('readLog pages through the whole history with afterSeq and limit, one document only', async () => {
        const doc = unique('D');
        const other = unique('D');
        const seqs = await store.appendUpdates(Array.from({ length: 7 }, (_, i) => update(doc, bytes(i))));
        await store.appendUpdates([update(other, bytes(99))]);
        const pages: number[][] = [];
        for (let after = 0; ; ) {
          const page = await store.readLog(doc, after, 3);
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(3);
          pages.push(page.map((u) => u.update[0]!));
          after = page.at(-1)!.seq;
        }
        expect(pages).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
        expect((await store.readLog(doc, seqs[4]!, 100)).map((u) => u.seq)).toEqual([seqs[5], seqs[6]]);
        expect(await store.readLog(doc, seqs[6]!, 100)).toEqual([]);
      });

      it('a batch is atomic: when one item cannot be stored, none of the batch is, and numbering continues without a gap', async () => {
        const a = unique('D');
        const b = unique('D');
        const before = await store.appendUpdates([update(a, bytes(1)), update(b, bytes(2))]);
        // An item the store cannot take (no update bytes), after valid items for both documents.
        const broken = { ...update(b, bytes(0)), update: null } as unknown as NewUpdate;
        await expect(store.appendUpdates([update(a, bytes(3)), update(a, bytes(4)), update(b, bytes(5)), broken])).rejects.toThrow();
        expect((await store.readLog(a, 0, 100)).map((u) => u.update[0])).toEqual([1]);
        expect((await store.readLog(b, 0, 100)).map((u) => u.update[0])).toEqual([2]);
        expect((await store.loadDoc(a)).updates.map((u) => u.update[0])).toEqual([1]);
        // Sequence numbers the failed batch would have used are not skipped, nor reused wrongly.
        expect(await store.appendUpdates([update(a, bytes(6)), update(b, bytes(7))])).toEqual([before[0]! + 1, before[1]! + 1]);
        expect((await store.readLog(a, 0, 100)).map((u) => u.update[0])).toEqual([1, 6]);
      });
    });

    describe('snapshots', () => {
      it('loadDoc of a document never written: no snapshot, no updates', async () => {
        expect(await store.loadDoc(unique('D'))).toEqual({ snapshot: null, updates: [] });
      });

      it('loadDoc without a snapshot returns the whole log in order', async () => {
        const doc = unique('D');
        const history = yjsHistory(5);
        const seqs = await store.appendUpdates(history.updates.map((u) => update(doc, u)));
        const loaded = await store.loadDoc(doc);
        expect(loaded.snapshot).toBeNull();
        expect(loaded.updates.map((u) => u.seq)).toEqual(seqs);
      });

      it('loadDoc returns the snapshot and only the updates after it; together they are the document', async () => {
        const doc = unique('D');
        const history = yjsHistory(8);
        const seqs = await store.appendUpdates(history.updates.map((u) => update(doc, u)));
        const state = history.stateAfter(5);
        await store.writeSnapshot({ docName: doc, seq: seqs[4]!, ts: 1_700_000_000_999, state });
        const loaded = await store.loadDoc(doc);
        expect(loaded.snapshot).toMatchObject({ docName: doc, seq: seqs[4], ts: 1_700_000_000_999 });
        expect([...loaded.snapshot!.state]).toEqual([...state]);
        expect(loaded.updates.map((u) => u.seq)).toEqual(seqs.slice(5));
        const rebuilt = new Y.Doc();
        Y.applyUpdate(rebuilt, loaded.snapshot!.state);
        for (const entry of loaded.updates) Y.applyUpdate(rebuilt, entry.update);
        expect(sameContent(rebuilt, history.final)).toBe(true);
      });

      it('the newest snapshot wins, even if an older one is written after it', async () => {
        const doc = unique('D');
        const seqs = await store.appendUpdates(Array.from({ length: 6 }, (_, i) => update(doc, bytes(i))));
        await store.writeSnapshot({ docName: doc, seq: seqs[1]!, ts: 1, state: bytes(1) });
        await store.writeSnapshot({ docName: doc, seq: seqs[3]!, ts: 2, state: bytes(3) });
        await store.writeSnapshot({ docName: doc, seq: seqs[2]!, ts: 3, state: bytes(2) });
        const loaded = await store.loadDoc(doc);
        expect(loaded.snapshot?.seq).toBe(seqs[3]);
        expect([...loaded.snapshot!.state]).toEqual([3]);
        expect(loaded.updates.map((u) => u.update[0])).toEqual([4, 5]);
      });

      it('a snapshot of everything leaves no updates to load; later appends are loaded after it', async () => {
        const doc = unique('D');
        const seqs = await store.appendUpdates([update(doc, bytes(1)), update(doc, bytes(2))]);
        await store.writeSnapshot({ docName: doc, seq: seqs[1]!, ts: 1, state: bytes(12) });
        expect((await store.loadDoc(doc)).updates).toEqual([]);
        const [next] = await store.appendUpdates([update(doc, bytes(3))]);
        expect(next).toBe(seqs[1]! + 1);
        expect((await store.loadDoc(doc)).updates.map((u) => u.seq)).toEqual([next]);
      });

      it('writing snapshots keeps the log: readLog still returns everything from the start', async () => {
        const doc = unique('D');
        const seqs = await store.appendUpdates(Array.from({ length: 5 }, (_, i) => update(doc, bytes(i))));
        await store.writeSnapshot({ docName: doc, seq: seqs[2]!, ts: 1, state: bytes(2) });
        await store.writeSnapshot({ docName: doc, seq: seqs[4]!, ts: 2, state: bytes(4) });
        expect((await store.readLog(doc, 0, 100)).map((u) => u.update[0])).toEqual([0, 1, 2, 3, 4]);
        expect((await store.readLog(doc, 0, 2)).map((u) => u.seq)).toEqual(seqs.slice(0, 2));
      });

      it("a snapshot belongs to its document only", async () => {
        const doc = unique('D');
        const other = unique('D');
        const [seq] = await store.appendUpdates([update(doc, bytes(1)), update(other, bytes(2))]);
        await store.writeSnapshot({ docName: doc, seq: seq!, ts: 1, state: bytes(1) });
        const loaded = await store.loadDoc(other);
        expect(loaded.snapshot).toBeNull();
        expect(loaded.updates.map((u) => u.update[0])).toEqual([2]);
      });
    });

    describe('replay reads (issue 5)', () => {
      it("readWorkshopLog returns a workshop's documents in (ts, doc, seq) order, paged, and nothing of other workshops", async () => {
        const w = unique('W');
        const other = unique('W');
        const room = w;
        const notesA = `${w}/p/${unique('P')}`;
        const notesB = `${w}/p/${unique('P')}`;
        // Appended out of time order across documents; equal times are ordered by document name, then seq.
        await store.appendUpdates([update(notesB, bytes(1), 'x', 30), update(room, bytes(2), null, 10), update(other, bytes(3), null, 15)]);
        await store.appendUpdates([update(notesA, bytes(4), 'y', 30), update(notesA, bytes(5), 'y', 30), update(room, bytes(6), null, 40)]);
        await store.appendUpdates([update(`${other}/p/${unique('P')}`, bytes(7), null, 20), update(notesB, bytes(8), 'x', 5)]);
        const expected = [
          [notesB, 5],
          [room, 10],
          // notesA < notesB: their participant ids come from an increasing counter.
          [notesA, 30],
          [notesA, 30],
          [notesB, 30],
          [room, 40],
        ];
        const all = await store.readWorkshopLog({ workshopId: w, after: null, limit: 100, draftsOf: null });
        expect(all.map((u) => [u.docName, u.ts])).toEqual(expected);
        // Within one document at one time, sequence order.
        const a = all.filter((u) => u.docName === notesA);
        expect(a.map((u) => u.update[0])).toEqual([4, 5]);
        expect(a[1]!.seq).toBe(a[0]!.seq + 1);
        expect(all.every((u) => u.docName.startsWith(w))).toBe(true);
        // Paging with the last entry's position yields the same sequence, without gaps or repeats.
        const paged: string[] = [];
        let after = null as null | { ts: number; docName: string; seq: number };
        for (;;) {
          const page = await store.readWorkshopLog({ workshopId: w, after, limit: 2, draftsOf: null });
          if (page.length === 0) break;
          expect(page.length).toBeLessThanOrEqual(2);
          paged.push(...page.map((u) => `${u.docName}#${u.seq}`));
          const last = page.at(-1)!;
          after = { ts: last.ts, docName: last.docName, seq: last.seq };
        }
        expect(paged).toEqual(all.map((u) => `${u.docName}#${u.seq}`));
        expect(all[0]).toMatchObject({ participantId: 'x', ts: 5 });
        expect([...all[0]!.update]).toEqual([8]);
      });

      it('readWorkshopLog includes one participant\'s drafts document at most, and none when asked for none', async () => {
        const w = unique('W');
        const me = unique('P');
        const you = unique('P');
        await store.appendUpdates([
          update(w, bytes(1), null, 1),
          update(`${w}/drafts/${me}`, bytes(2), me, 2),
          update(`${w}/drafts/${you}`, bytes(3), you, 3),
          update(`${w}/p/${you}`, bytes(4), you, 4),
        ]);
        const read = async (draftsOf: string | null) =>
          (await store.readWorkshopLog({ workshopId: w, after: null, limit: 100, draftsOf })).map((u) => u.update[0]);
        expect(await read(null)).toEqual([1, 4]);
        expect(await read(me)).toEqual([1, 2, 4]);
        expect(await read(you)).toEqual([1, 3, 4]);
        expect(await read(unique('P'))).toEqual([1, 4]);
      });

      it('lastLogged gives the newest entry of a document, or the newest at or before a time', async () => {
        const doc = `${unique('W')}/p/${unique('P')}`;
        expect(await store.lastLogged(doc)).toBeNull();
        const seqs = await store.appendUpdates([update(doc, bytes(1), null, 100), update(doc, bytes(2), null, 200), update(doc, bytes(3), null, 300)]);
        expect(await store.lastLogged(doc)).toEqual({ seq: seqs[2], ts: 300 });
        expect(await store.lastLogged(doc, 250)).toEqual({ seq: seqs[1], ts: 200 });
        expect(await store.lastLogged(doc, 200)).toEqual({ seq: seqs[1], ts: 200 });
        expect(await store.lastLogged(doc, 99)).toBeNull();
      });

      it('checkpoints: the newest at or before a seq, per document, replaced in place, kept beside snapshots', async () => {
        const doc = unique('D');
        const other = unique('D');
        expect(await store.checkpointAtOrBefore(doc, 100)).toBeNull();
        await store.writeCheckpoint({ docName: doc, seq: 10, ts: 1, state: bytes(10) });
        await store.writeCheckpoint({ docName: doc, seq: 20, ts: 2, state: bytes(20) });
        await store.writeCheckpoint({ docName: other, seq: 15, ts: 3, state: bytes(15) });
        expect(await store.checkpointAtOrBefore(doc, 9)).toBeNull();
        const at10 = await store.checkpointAtOrBefore(doc, 19);
        expect(at10).toMatchObject({ docName: doc, seq: 10, ts: 1 });
        expect([...at10!.state]).toEqual([10]);
        expect((await store.checkpointAtOrBefore(doc, 20))?.seq).toBe(20);
        expect((await store.checkpointAtOrBefore(doc, 1000))?.seq).toBe(20);
        await store.writeCheckpoint({ docName: doc, seq: 20, ts: 4, state: bytes(21) });
        const replaced = await store.checkpointAtOrBefore(doc, 25);
        expect(replaced).toMatchObject({ seq: 20, ts: 4 });
        expect([...replaced!.state]).toEqual([21]);
        // A snapshot (which prunes older snapshots) leaves checkpoints alone, and vice versa.
        await store.writeSnapshot({ docName: doc, seq: 30, ts: 5, state: bytes(30) });
        expect((await store.checkpointAtOrBefore(doc, 15))?.seq).toBe(10);
        expect((await store.loadDoc(doc)).snapshot?.seq).toBe(30);
      });
    });

    describe('bounded history reads and checkpoints (issue 8)', () => {
      it('readWorkshopLogPage: the same order as readWorkshopLog, cut by count or by bytes, the first entry always, `more` exact', async () => {
        const w = unique('W');
        const notes = `${w}/p/${unique('P')}`;
        const sized = (n: number, fill: number) => new Uint8Array(n).fill(fill);
        await store.appendUpdates([
          update(w, sized(100, 1), null, 1),
          update(notes, sized(300, 2), 'x', 2),
          update(w, sized(50, 3), null, 3),
          update(notes, sized(1000, 4), 'x', 4),
          update(w, sized(10, 5), null, 5),
        ]);
        const all = await store.readWorkshopLog({ workshopId: w, after: null, limit: 100, draftsOf: null });
        const page = (after: (typeof all)[number] | null, limit: number, maxBytes: number) =>
          store.readWorkshopLogPage({ workshopId: w, after: after && { ts: after.ts, docName: after.docName, seq: after.seq }, limit, draftsOf: null, maxBytes });
        const fills = (entries: typeof all) => entries.map((u) => u.update[0]);

        expect(fills((await page(null, 100, 1_000_000)).entries)).toEqual(fills(all));
        expect((await page(null, 100, 1_000_000)).more).toBe(false);
        // By count.
        expect(await page(null, 2, 1_000_000).then((p) => [fills(p.entries), p.more])).toEqual([[1, 2], true]);
        // By bytes: 100 + 300 = 400 fit in 449 and the next 50 would not; in 450 they do, and 1000 more would not.
        expect(await page(null, 100, 449).then((p) => [fills(p.entries), p.more])).toEqual([[1, 2], true]);
        expect(await page(null, 100, 450).then((p) => [fills(p.entries), p.more])).toEqual([[1, 2, 3], true]);
        // An entry larger than the budget comes alone, so a reader always gets past it.
        expect(await page(all[2]!, 100, 10).then((p) => [fills(p.entries), p.more])).toEqual([[4], true]);
        expect(await page(all[3]!, 100, 10).then((p) => [fills(p.entries), p.more])).toEqual([[5], false]);
        expect(await page(all[4]!, 100, 10)).toEqual({ entries: [], more: false });
        // Entries are complete: bytes, author, time.
        const [first] = (await page(all[0]!, 1, 1_000_000)).entries;
        expect(first).toMatchObject({ docName: notes, ts: 2, participantId: 'x' });
        expect(first!.update.byteLength).toBe(300);
      });

      it('readWorkshopLogPage filters drafts like readWorkshopLog', async () => {
        const w = unique('W');
        const me = unique('P');
        const you = unique('P');
        await store.appendUpdates([update(w, bytes(1), null, 1), update(`${w}/drafts/${me}`, bytes(2), me, 2), update(`${w}/drafts/${you}`, bytes(3), you, 3)]);
        const read = async (draftsOf: string | null) =>
          (await store.readWorkshopLogPage({ workshopId: w, after: null, limit: 100, draftsOf, maxBytes: 1000 })).entries.map((u) => u.update[0]);
        expect(await read(null)).toEqual([1]);
        expect(await read(me)).toEqual([1, 2]);
      });

      it("pruneCheckpoints keeps only a document's multiples of the spacing, and no other document's are touched", async () => {
        const doc = unique('D');
        const other = unique('D');
        for (const seq of [200, 400, 600, 800, 1000]) await store.writeCheckpoint({ docName: doc, seq, ts: seq, state: bytes(seq % 251) });
        await store.writeCheckpoint({ docName: other, seq: 200, ts: 1, state: bytes(1) });
        expect(await store.pruneCheckpoints(doc, 400)).toBe(3);
        expect((await store.checkpointAtOrBefore(doc, 1000))?.seq).toBe(800);
        expect((await store.checkpointAtOrBefore(doc, 799))?.seq).toBe(400);
        expect(await store.checkpointAtOrBefore(doc, 399)).toBeNull();
        expect((await store.checkpointAtOrBefore(other, 200))?.seq).toBe(200);
        expect(await store.pruneCheckpoints(doc, 400)).toBe(0);
        await expect(store.pruneCheckpoints(doc, 0)).rejects.toThrow();
      });

      it('checkHealth: a fresh store is healthy and stays so after reads and writes; a closed one is not', async () => {
        expect(await store.checkHealth()).toEqual({ ok: true });
        const w = workshop();
        await store.createWorkshop(w, participant(w.id, { role: 'facilitator', actorId: null }));
        await store.appendUpdates([update(w.id, bytes(1))]);
        expect(await store.checkHealth()).toEqual({ ok: true });
        // The check leaves nothing behind in the tables it writes.
        expect(await store.readWorkshopLog({ workshopId: w.id, after: null, limit: 10, draftsOf: null })).toHaveLength(1);
        await store.close();
        expect(await store.checkHealth()).toMatchObject({ ok: false, problem: expect.any(String) });
      });
    });

    describe.runIf(options.openNearlyFull !== undefined)('health of a store that is full (issue 8)', () => {
      let full: StoreUnderTest;
      beforeEach(async () => {
        full = await options.openNearlyFull!();
      });
      afterEach(async () => {
        await full.cleanup();
      });

      it('checkHealth says not ok once appends fail for lack of space, and names the problem', async () => {
        const doc = unique('D');
        const chunk = () => new Uint8Array(1024).map(() => Math.floor(Math.random() * 256));
        let failed = false;
        for (let i = 0; i < 1000 && !failed; i++) failed = await full.store.appendUpdates([update(doc, chunk())]).then(() => false, () => true);
        expect(failed).toBe(true);
        const health = await full.store.checkHealth();
        expect(health.ok).toBe(false);
        expect(await full.store.isWritable()).toBe(false);
      });
    });

    describe('workshops and participants', () => {
      it('a workshop and its facilitator round-trip', async () => {
        const w = workshop();
        const facilitator = participant(w.id, { role: 'facilitator', actorId: null, name: 'Facilitator' });
        await store.createWorkshop(w, facilitator);
        expect(await store.getWorkshop(w.id)).toEqual(w);
        expect(await store.getParticipant(w.id, facilitator.participantId)).toEqual(facilitator);
      });

      it('participants and observers round-trip, scoped to their workshop', async () => {
        const w = workshop();
        const other = workshop();
        await store.createWorkshop(w, participant(w.id, { role: 'facilitator', actorId: null }));
        await store.createWorkshop(other, participant(other.id, { role: 'facilitator', actorId: null }));
        const anna = participant(w.id, { name: 'Anna' });
        const olli = participant(w.id, { role: 'observer', actorId: null, name: 'Olli' });
        await store.addParticipant(anna);
        await store.addParticipant(olli);
        expect(await store.getParticipant(w.id, anna.participantId)).toEqual(anna);
        expect(await store.getParticipant(w.id, olli.participantId)).toEqual(olli);
        expect(await store.getParticipant(other.id, anna.participantId)).toBeNull();
      });

      it('unknown workshops and participants are null', async () => {
        const w = workshop();
        await store.createWorkshop(w, participant(w.id, { role: 'facilitator', actorId: null }));
        expect(await store.getWorkshop(unique('W'))).toBeNull();
        expect(await store.getParticipant(w.id, unique('P'))).toBeNull();
        expect(await store.getParticipant(unique('W'), unique('P'))).toBeNull();
      });

      it('the same participant cannot be added twice; the first record stays', async () => {
        const w = workshop();
        await store.createWorkshop(w, participant(w.id, { role: 'facilitator', actorId: null }));
        const anna = participant(w.id, { name: 'Anna' });
        await store.addParticipant(anna);
        await expect(store.addParticipant({ ...anna, name: 'Impostor' })).rejects.toThrow();
        expect(await store.getParticipant(w.id, anna.participantId)).toEqual(anna);
      });

      it('creating a workshop is atomic: if its facilitator cannot be stored, neither is the workshop', async () => {
        const w = workshop();
        const first = participant(w.id, { role: 'facilitator', actorId: null });
        await store.createWorkshop(w, first);
        const w2 = workshop();
        // The facilitator collides with an existing record (same workshop and id as `first`).
        await expect(store.createWorkshop(w2, { ...first })).rejects.toThrow();
        expect(await store.getWorkshop(w2.id)).toBeNull();
        // A duplicate workshop id is refused as well, and the original is unchanged.
        await expect(store.createWorkshop({ ...w, createdAt: 5 }, participant(w.id, { role: 'facilitator', actorId: null }))).rejects.toThrow();
        expect(await store.getWorkshop(w.id)).toEqual(w);
      });
    });

    // ——— Membership (issue 8) ———
    describe('membership: removal, token epochs, join quotas, join keys, recovery', () => {
      async function withFacilitator() {
        const w = workshop();
        const facilitator = participant(w.id, { role: 'facilitator', actorId: null, name: 'Facilitator' });
        await store.createWorkshop(w, facilitator);
        return { w, facilitator };
      }

      it('a new participant has epoch 0 and is not removed; memberships list in join order', async () => {
        const { w, facilitator } = await withFacilitator();
        const anna = participant(w.id, { name: 'Anna', createdAt: facilitator.createdAt + 1 });
        await store.addParticipant(anna);
        expect(await store.getMembership(w.id, anna.participantId)).toEqual({ ...anna, tokenEpoch: 0, removedAt: null });
        expect((await store.listMemberships(w.id)).map((m) => m.participantId)).toEqual([facilitator.participantId, anna.participantId]);
        expect(await store.getMembership(w.id, unique('P'))).toBeNull();
        expect(await store.listMemberships(unique('W'))).toEqual([]);
      });

      it('removal marks once, bumps the epoch every time, and leaves the participant record', async () => {
        const { w } = await withFacilitator();
        const anna = participant(w.id, { name: 'Anna' });
        await store.addParticipant(anna);
        expect(await store.removeParticipant(w.id, anna.participantId, 1000)).toEqual({ ...anna, tokenEpoch: 1, removedAt: 1000 });
        // Again: the first removal time stays, the epoch moves on.
        expect(await store.removeParticipant(w.id, anna.participantId, 2000)).toMatchObject({ tokenEpoch: 2, removedAt: 1000 });
        expect(await store.getParticipant(w.id, anna.participantId)).toEqual(anna);
        expect(await store.removeParticipant(w.id, unique('P'), 1000)).toBeNull();
      });

      it('bumpTokenEpoch moves the epoch on and returns it; unknown participants are null', async () => {
        const { w, facilitator } = await withFacilitator();
        expect(await store.bumpTokenEpoch(w.id, facilitator.participantId)).toBe(1);
        expect(await store.bumpTokenEpoch(w.id, facilitator.participantId)).toBe(2);
        expect(await store.getMembership(w.id, facilitator.participantId)).toMatchObject({ tokenEpoch: 2, removedAt: null });
        expect(await store.bumpTokenEpoch(w.id, unique('P'))).toBeNull();
      });

      it('addParticipantWithin stops at the cap; facilitators and other workshops do not count', async () => {
        const { w } = await withFacilitator();
        const other = workshop();
        await store.createWorkshop(other, participant(other.id, { role: 'facilitator', actorId: null }));
        await store.addParticipant(participant(other.id));
        expect(await store.addParticipantWithin(participant(w.id), 2)).toBe(true);
        expect(await store.addParticipantWithin(participant(w.id, { role: 'observer', actorId: null }), 2)).toBe(true);
        const third = participant(w.id);
        expect(await store.addParticipantWithin(third, 2)).toBe(false);
        expect(await store.getParticipant(w.id, third.participantId)).toBeNull();
        // Removed people still count: their documents still load on every board.
        const [first] = (await store.listMemberships(w.id)).filter((m) => m.role !== 'facilitator');
        await store.removeParticipant(w.id, first!.participantId, 5);
        expect(await store.addParticipantWithin(participant(w.id), 2)).toBe(false);
      });

      it('join keys are replaced with their sealed copy; the recovery hash is kept; both start empty', async () => {
        const { w } = await withFacilitator();
        expect(await store.getWorkshopAccess(w.id)).toEqual({ sealedJoinKeys: null, recoveryHash: null });
        await store.setJoinKeys(w.id, { participantKeyHash: 'c'.repeat(64), observerKeyHash: 'd'.repeat(64), sealedJoinKeys: 'v1.sealed' });
        await store.setRecoveryHash(w.id, 'e'.repeat(64));
        expect(await store.getWorkshop(w.id)).toEqual({ ...w, participantKeyHash: 'c'.repeat(64), observerKeyHash: 'd'.repeat(64) });
        expect(await store.getWorkshopAccess(w.id)).toEqual({ sealedJoinKeys: 'v1.sealed', recoveryHash: 'e'.repeat(64) });
        expect(await store.getWorkshopAccess(unique('W'))).toBeNull();
      });
    });

    // ——— Ownership (issue 11) ———
    describe('ownership: leases and fenced appends', () => {
      const fencedRefusal = async (promise: Promise<unknown>) => {
        const error = await promise.then(() => null, (e: unknown) => e);
        expect(error, 'the append must be refused').toBeInstanceOf(StoreError);
        expect((error as StoreError).kind).toBe('fenced');
        // The HTTP API answers it with 503 like any store failure (a retry reaches the new owner).
        expect(isStoreUnavailable(error)).toBe(true);
      };

      it('the first lease has epoch 1 and expires ttl after now; getLease reads it; unknown workshops have none', async () => {
        const w = unique('W');
        expect(await store.getLease(w)).toBeNull();
        const before = Date.now();
        const lease = await store.acquireLease(w, 'owner-a', 'http://10.0.0.1:8080', 10_000);
        const after = Date.now();
        expect(lease).toMatchObject({ workshopId: w, owner: 'owner-a', address: 'http://10.0.0.1:8080', epoch: 1 });
        // The database's clock, on this machine: within a second of ours.
        expect(lease.expiresAt).toBeGreaterThanOrEqual(before + 10_000 - 1000);
        expect(lease.expiresAt).toBeLessThanOrEqual(after + 10_000 + 1000);
        expect(await store.getLease(w)).toEqual(lease);
        expect(await store.getLease(unique('W'))).toBeNull();
      });

      it('renewal by the holder keeps the epoch and moves the expiry on; another owner gets the lease in force, unchanged', async () => {
        const w = unique('W');
        const first = await store.acquireLease(w, 'owner-a', 'http://a', 1000);
        const renewed = await store.acquireLease(w, 'owner-a', 'http://a2', 60_000);
        expect(renewed).toMatchObject({ owner: 'owner-a', address: 'http://a2', epoch: first.epoch });
        expect(renewed.expiresAt).toBeGreaterThan(first.expiresAt);
        const refused = await store.acquireLease(w, 'owner-b', 'http://b', 60_000);
        expect(refused).toEqual(renewed);
        expect(await store.getLease(w)).toEqual(renewed);
      });

      it('an expired lease is taken over by another owner with the epoch bumped; the holder renewing after expiry keeps its epoch', async () => {
        const w = unique('W');
        // ttl 0: expired at once.
        const a = await store.acquireLease(w, 'owner-a', 'http://a', 0);
        expect((await store.acquireLease(w, 'owner-a', 'http://a', 0)).epoch).toBe(a.epoch);
        const b = await store.acquireLease(w, 'owner-b', 'http://b', 60_000);
        expect(b).toMatchObject({ owner: 'owner-b', address: 'http://b', epoch: a.epoch + 1 });
        // A cannot take it back while B's lease runs.
        expect(await store.acquireLease(w, 'owner-a', 'http://a', 60_000)).toEqual(b);
      });

      it('releaseLease lets another owner take over at once; a stale release (wrong owner or epoch) changes nothing', async () => {
        const w = unique('W');
        const a = await store.acquireLease(w, 'owner-a', 'http://a', 60_000);
        await store.releaseLease(w, 'owner-b', a.epoch);
        await store.releaseLease(w, 'owner-a', a.epoch + 1);
        expect(await store.getLease(w)).toEqual(a);
        await store.releaseLease(w, 'owner-a', a.epoch);
        const b = await store.acquireLease(w, 'owner-b', 'http://b', 60_000);
        expect(b).toMatchObject({ owner: 'owner-b', epoch: a.epoch + 1 });
        // A's late release of its old epoch does not end B's lease.
        await store.releaseLease(w, 'owner-a', a.epoch);
        expect(await store.acquireLease(w, 'owner-c', 'http://c', 60_000)).toEqual(b);
        await store.releaseLease(unique('W'), 'owner-a', 1);
      });

      it('leases are per workshop', async () => {
        const w1 = unique('W');
        const w2 = unique('W');
        await store.acquireLease(w1, 'owner-a', 'http://a', 60_000);
        expect(await store.acquireLease(w2, 'owner-b', 'http://b', 60_000)).toMatchObject({ owner: 'owner-b', epoch: 1 });
        expect(await store.getLease(w1)).toMatchObject({ owner: 'owner-a', epoch: 1 });
      });

      it('a fenced append commits at the current epoch and is refused as a whole at any other, or without a lease; numbering continues without a gap', async () => {
        const w = unique('W');
        const notes = `${w}/p/${unique('P')}`;
        await fencedRefusal(store.appendUpdates([update(w, bytes(1))], { workshopId: w, epoch: 1 }));
        const lease = await store.acquireLease(w, 'owner-a', 'http://a', 60_000);
        const fence = { workshopId: w, epoch: lease.epoch };
        const first = await store.appendUpdates([update(w, bytes(1)), update(notes, bytes(2))], fence);
        await fencedRefusal(store.appendUpdates([update(w, bytes(3)), update(notes, bytes(4))], { workshopId: w, epoch: lease.epoch + 1 }));
        await fencedRefusal(store.appendUpdates([update(w, bytes(3))], { workshopId: w, epoch: lease.epoch - 1 }));
        expect((await store.readLog(w, 0, 100)).map((u) => u.update[0])).toEqual([1]);
        expect((await store.readLog(notes, 0, 100)).map((u) => u.update[0])).toEqual([2]);
        expect(await store.appendUpdates([update(w, bytes(5)), update(notes, bytes(6))], fence)).toEqual([first[0]! + 1, first[1]! + 1]);
        // Unfenced appends (single process, migrations) are not checked.
        expect(await store.appendUpdates([update(w, bytes(7))])).toEqual([first[0]! + 2]);
      });

      it('after a takeover the old epoch is refused and the new one commits', async () => {
        const w = unique('W');
        const a = await store.acquireLease(w, 'owner-a', 'http://a', 60_000);
        await store.appendUpdates([update(w, bytes(1))], { workshopId: w, epoch: a.epoch });
        await store.releaseLease(w, 'owner-a', a.epoch);
        const b = await store.acquireLease(w, 'owner-b', 'http://b', 60_000);
        await fencedRefusal(store.appendUpdates([update(w, bytes(2))], { workshopId: w, epoch: a.epoch }));
        // Renewing by the old owner does not revive its epoch: B holds the lease.
        expect((await store.acquireLease(w, 'owner-a', 'http://a', 60_000)).owner).toBe('owner-b');
        await fencedRefusal(store.appendUpdates([update(w, bytes(2))], { workshopId: w, epoch: a.epoch }));
        expect(await store.appendUpdates([update(w, bytes(3))], { workshopId: w, epoch: b.epoch })).toEqual([2]);
        expect((await store.readLog(w, 0, 100)).map((u) => u.update[0])).toEqual([1, 3]);
      });

      it('several fences: the batch commits only when every workshop is still held', async () => {
        const w1 = unique('W');
        const w2 = unique('W');
        const l1 = await store.acquireLease(w1, 'owner-a', 'http://a', 60_000);
        const l2 = await store.acquireLease(w2, 'owner-a', 'http://a', 60_000);
        const fences = [{ workshopId: w1, epoch: l1.epoch }, { workshopId: w2, epoch: l2.epoch }];
        expect(await store.appendUpdates([update(w1, bytes(1)), update(w2, bytes(2))], fences)).toEqual([1, 1]);
        await fencedRefusal(store.appendUpdates([update(w1, bytes(3)), update(w2, bytes(4))], [fences[0]!, { workshopId: w2, epoch: l2.epoch + 1 }]));
        expect((await store.readLog(w1, 0, 100)).map((u) => u.update[0])).toEqual([1]);
        expect((await store.readLog(w2, 0, 100)).map((u) => u.update[0])).toEqual([2]);
      });

      it('ttlMs must be a non-negative integer', async () => {
        await expect(store.acquireLease(unique('W'), 'owner-a', 'http://a', -1)).rejects.toThrow(RangeError);
        await expect(store.acquireLease(unique('W'), 'owner-a', 'http://a', 1.5)).rejects.toThrow(RangeError);
      });
    });

    describe('health and lifecycle', () => {
      it('a fresh store is writable; a closed one is not, and closing twice is harmless', async () => {
        expect(await store.isWritable()).toBe(true);
        await store.close();
        expect(await store.isWritable()).toBe(false);
        await store.close();
      });

      it.runIf(options.durable ?? false)('everything survives close and reopen, and numbering continues', async () => {
        expect(handle.reopen, 'a durable adapter must provide reopen').toBeTypeOf('function');
        const doc = unique('D');
        const w = workshop();
        const facilitator = participant(w.id, { role: 'facilitator', actorId: null });
        const anna = participant(w.id);
        await store.createWorkshop(w, facilitator);
        await store.addParticipant(anna);
        const seqs = await store.appendUpdates([update(doc, bytes(1), anna.participantId), update(doc, bytes(2)), update(doc, bytes(3))]);
        await store.writeSnapshot({ docName: doc, seq: seqs[1]!, ts: 77, state: bytes(12) });
        await store.close();

        store = await handle.reopen!();
        expect(await store.getWorkshop(w.id)).toEqual(w);
        expect(await store.getParticipant(w.id, facilitator.participantId)).toEqual(facilitator);
        expect(await store.getParticipant(w.id, anna.participantId)).toEqual(anna);
        const loaded = await store.loadDoc(doc);
        expect(loaded.snapshot).toMatchObject({ seq: seqs[1], ts: 77 });
        expect(loaded.updates.map((u) => u.seq)).toEqual([seqs[2]]);
        const log = await store.readLog(doc, 0, 100);
        expect(log.map((u) => [u.seq, u.update[0], u.participantId])).toEqual([
          [seqs[0], 1, anna.participantId],
          [seqs[1], 2, null],
          [seqs[2], 3, null],
        ]);
        expect(await store.appendUpdates([update(doc, bytes(4))])).toEqual([seqs[2]! + 1]);
        expect(await store.isWritable()).toBe(true);
      });
    });

    describe.runIf(options.openNearlyFull !== undefined)('a store that runs out of space', () => {
      let full: StoreUnderTest;
      beforeEach(async () => {
        full = await options.openNearlyFull!();
      });
      afterEach(async () => {
        await full.cleanup();
      });

      it('a batch too large to fit fails as a whole; the store keeps what it had and keeps working', async () => {
        const doc = unique('D');
        const kept = await full.store.appendUpdates([update(doc, bytes(1)), update(doc, bytes(2))]);
        const chunk = () => new Uint8Array(2048).map(() => Math.floor(Math.random() * 256));
        const huge = Array.from({ length: 400 }, () => update(doc, chunk()));
        await expect(full.store.appendUpdates(huge)).rejects.toThrow();
        expect((await full.store.readLog(doc, 0, 1000)).map((u) => u.update[0])).toEqual([1, 2]);
        expect(await full.store.isWritable()).toBe(true);
        expect(await full.store.appendUpdates([update(doc, bytes(3))])).toEqual([kept[1]! + 1]);
        expect((await full.store.loadDoc(doc)).updates.map((u) => u.update[0])).toEqual([1, 2, 3]);
      });
    });
  });
}
