import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Awareness } from 'y-protocols/awareness';
import { readBoardFull } from '../../client/src/sync/board/full';
import type { BoardEntry, BoardUi, Me } from '../../client/src/sync/board/inputs';
import { BoardModel } from '../../client/src/sync/board/model';
import { NotesRecords } from '../../client/src/sync/board/notesRecords';
import { encodeUpdate } from '../../server/relay/codec';
import { changedKeys, mergeDiff, readAll, RoomRecordsFeed, toRecordsDoc, type RecordsDiff } from '../../server/relay/notesRecords';
import { decodeMux, encodeMux, type RecordsDoc } from '../../shared/protocol/mux';
import { MAX_RECORDS } from '../../shared/read/records';
import { readNotes } from '../../shared/read/snapshot';
import { readVotes } from '../../shared/read/votes';
import { notesRoots, roomRoots, toYMap } from '../../shared/schema/layout';

/**
 * The workshop channel's records mode, server side (server/relay/notesRecords.ts) to client side
 * (client/src/sync/board/notesRecords.ts) through the real frame codec: after any sequence of
 * edits — notes added, edited, deleted, invalid and hostile records, votes — committed in any
 * grouping, the records a follower holds equal a full read of the document as committed (never
 * anything not committed yet), whether it followed from the start, caught up in the middle, or got
 * a busy workshop's merged diffs.
 */
const DOC = 'Workshop00000001/p/Participant00000';
const IDS = ['Note000000000001', 'Note000000000002', 'Note000000000003', 'Note000000000004'];
const TARGETS = ['theme:Theme00000000001', 'action:Action0000000001', 'theme:bad'];

type Edit =
  | { kind: 'add'; id: number; text: string; x: number }
  | { kind: 'field'; id: number; text: string }
  | { kind: 'delete'; id: number }
  | { kind: 'invalid'; id: number }
  | { kind: 'misplaced'; id: number }
  | { kind: 'nested'; id: number }
  | { kind: 'vote'; target: number; count: number | null | 'bad' }
  | { kind: 'meta' };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('add' as const), id: fc.nat(3), text: fc.string({ maxLength: 6 }), x: fc.oneof(fc.integer({ min: -500, max: 500 }), fc.constant(-0), fc.double({ min: -1e6, max: 1e6, noNaN: true })) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('field' as const), id: fc.nat(3), text: fc.string({ maxLength: 6 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), id: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('invalid' as const), id: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('misplaced' as const), id: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('nested' as const), id: fc.nat(3) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('vote' as const), target: fc.nat(2), count: fc.oneof(fc.nat(4), fc.constant(null), fc.constant('bad' as const)) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'meta' as const }) },
);

let clock = 1_700_000_000_000;

function apply(doc: Y.Doc, e: Edit): void {
  const { notes, votes, meta } = notesRoots(doc);
  const any = notes as unknown as Y.Map<unknown>;
  const id = IDS[('id' in e ? e.id : 0) % IDS.length]!;
  switch (e.kind) {
    case 'add':
      notes.set(id, toYMap({ id, questionId: '1b', text: e.text, x: e.x, y: 0, createdAt: ++clock, aboutActorId: null }));
      return;
    case 'field':
      notes.get(id)?.set('text', e.text);
      return;
    case 'delete':
      notes.delete(id);
      return;
    case 'invalid':
      notes.get(id)?.set('x', 'not a number');
      return;
    case 'misplaced':
      // A valid note under another note's key: not read (the key must be the id).
      notes.set(id, toYMap({ id: IDS[(e.id + 1) % IDS.length]!, questionId: '1b', text: '', x: 0, y: 0, createdAt: ++clock }));
      return;
    case 'nested': {
      // A hostile client nests a type inside a note's field: the note is invalid, its key still found.
      const inner = new Y.Map<unknown>();
      const record = notes.get(id);
      if (record) {
        record.set('text', inner);
        inner.set('deep', 1);
      } else any.set(id, inner);
      return;
    }
    case 'vote': {
      const target = TARGETS[e.target]!;
      if (e.count === null) votes.delete(target);
      else votes.set(target, e.count === 'bad' ? 'seven' : e.count);
      return;
    }
    case 'meta':
      meta.set('schemaVersion', ++clock);
  }
}

/** A full read of a document, as the board reads one it holds. */
const fullRead = (doc: Y.Doc) => ({ notes: readNotes(doc).notes, votes: readVotes(doc) });

/** Through the real codec: what a follower's `records` frame carries. */
const wire = (docs: RecordsDoc[]): RecordsDoc[] => {
  const decoded = decodeMux(encodeMux({ kind: 'records', docName: 'Workshop00000001', docs }));
  if (decoded.kind !== 'records') throw new Error('not a records frame');
  return decoded.docs;
};

const quiet = () => undefined;

/** The property above for a feed whose limit is `limit` (MAX_RECORDS, or a small one to cross it). */
async function followersHoldWhatIsCommitted(limit: number): Promise<void> {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ edits: fc.array(edit, { minLength: 1, maxLength: 3 }), commit: fc.nat(3), catchUp: fc.boolean(), window: fc.boolean() }), { minLength: 1, maxLength: 25 }),
      async (steps) => {
        // A full read as the server makes it (at most `limit` per root), held by a client.
        const fullReadAt = (at: Y.Doc) => {
          if (limit === MAX_RECORDS) return fullRead(at);
          const reference = new NotesRecords(DOC, 'Participant00000');
          reference.apply(wire([toRecordsDoc(DOC, readAll(notesRoots(at), limit))])[0]!, quiet);
          return reference.read();
        };
        const doc = new Y.Doc();
        // The room's relay, as docRoom.ts does: a frame per update, handed to the tap once committed.
        const uncommitted: Uint8Array[] = [];
        const committedDoc = new Y.Doc();
        doc.on('update', (update: Uint8Array) => uncommitted.push(update));
        const early = new NotesRecords(DOC, 'Participant00000');
        const merged = new NotesRecords(DOC, 'Participant00000');
        let late: NotesRecords | null = null;
        let window: RecordsDiff | null = null;
        const feed = new RoomRecordsFeed(
          { doc, change: () => Promise.resolve() },
          (diff) => {
          const [entry] = wire([toRecordsDoc(DOC, diff)]);
          early.apply(entry!, quiet);
          late?.apply(entry!, quiet);
          // The busy workshop's path: diffs merged by key, sent at the window's end.
          window = window ? mergeDiff(window, structuredClone(diff)) : structuredClone(diff);
          },
          limit,
        );
        await Promise.resolve();
        early.apply(wire([toRecordsDoc(DOC, readAll(notesRoots(doc), limit))])[0]!, quiet);
        merged.apply(wire([toRecordsDoc(DOC, readAll(notesRoots(doc), limit))])[0]!, quiet);
        const commit = (count: number) => {
          for (const update of uncommitted.splice(0, count)) {
            Y.applyUpdate(committedDoc, update);
            feed.committed(encodeUpdate(update));
          }
        };
        for (const step of steps) {
          doc.transact(() => step.edits.forEach((e) => apply(doc, e)));
          commit(step.commit);
          if (step.catchUp) {
            // A follower catching up now: its snapshot is read now, and sent once all before it is committed.
            const follower = new NotesRecords(DOC, 'Participant00000');
            const { snapshot } = feed.current(DOC);
            feed.whenCommitted(() => {
              follower.apply(wire([snapshot])[0]!, quiet);
              late = follower;
            }, quiet);
          }
          if (step.window && window) {
            merged.apply(wire([toRecordsDoc(DOC, window)])[0]!, quiet);
            window = null;
          }
          // Never ahead of what is committed.
          expect(early.read()).toEqual(fullReadAt(committedDoc));
        }
        commit(uncommitted.length);
        if (window) merged.apply(wire([toRecordsDoc(DOC, window)])[0]!, quiet);
        const expected = fullReadAt(doc);
        expect(early.read()).toEqual(expected);
        expect(merged.read()).toEqual(expected);
        if (late) expect((late as NotesRecords).read()).toEqual(expected);
        feed.dispose();
      },
    ),
    { numRuns: 150 },
  );
}

describe('records mode', () => {
  it('a follower holds exactly what is committed, after any edits, commits, catch-ups and merged windows', () => followersHoldWhatIsCommitted(MAX_RECORDS));

  it('past MAX_RECORDS entries in a root (here 2 of 4 notes, 2 of 3 votes) the same holds, crossing the limit both ways', () => followersHoldWhatIsCommitted(2));


  it('finds the note a nested change belongs to, and ignores roots the board does not read', () => {
    const doc = new Y.Doc();
    const roots = notesRoots(doc);
    roots.notes.set(IDS[0]!, toYMap({ id: IDS[0]!, questionId: '1b', text: 'a', x: 0, y: 0, createdAt: 1 }));
    let seen: ReturnType<typeof changedKeys> = null;
    doc.on('afterTransaction', (transaction: Y.Transaction) => (seen = changedKeys(roots, transaction)));
    roots.notes.get(IDS[0]!)!.set('text', 'b');
    expect(seen).toEqual({ notes: new Set([IDS[0]]), votes: new Set() });
    roots.meta.set('schemaVersion', 3);
    expect(seen).toEqual({ notes: new Set(), votes: new Set() });
    roots.votes.set(TARGETS[0]!, 2);
    expect(seen).toEqual({ notes: new Set(), votes: new Set([TARGETS[0]]) });
  });

  it('sends nothing before its warm-up: what was applied before the feed existed is committed first', async () => {
    const doc = new Y.Doc();
    notesRoots(doc).notes.set(IDS[0]!, toYMap({ id: IDS[0]!, questionId: '1b', text: 'before', x: 0, y: 0, createdAt: 1 }));
    let release!: () => void;
    const warm = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const feed = new RoomRecordsFeed({ doc, change: () => warm }, () => sent.push('diff'));
    feed.whenCommitted(() => sent.push('snapshot'), () => sent.push('dropped'));
    // A frame of the update applied before the feed: passed over, not taken for a diff.
    feed.committed(encodeUpdate(Y.encodeStateAsUpdate(doc)));
    expect(sent).toEqual([]);
    release();
    await warm;
    await Promise.resolve();
    expect(sent).toEqual(['snapshot']);
    feed.whenCommitted(() => sent.push('second'), () => sent.push('dropped'));
    expect(sent).toEqual(['snapshot', 'second']);
    notesRoots(doc).votes.set(TARGETS[0]!, 1);
    feed.whenCommitted(() => sent.push('third'), () => sent.push('dropped'));
    feed.dispose();
    expect(sent).toEqual(['snapshot', 'second', 'dropped']);
  });

  it('an update relayed before its transaction is still matched when an empty update is relayed in between', async () => {
    const doc = new Y.Doc();
    const sent: RecordsDiff[] = [];
    const feed = new RoomRecordsFeed({ doc, change: () => Promise.resolve() }, (diff) => sent.push(diff));
    await Promise.resolve();
    const writer = new Y.Doc();
    notesRoots(writer).notes.set(IDS[0]!, toYMap({ id: IDS[0]!, questionId: '1b', text: 'early', x: 0, y: 0, createdAt: 1 }));
    const update = Y.encodeStateAsUpdate(writer);
    // Another process's update is relayed before this doc's listener runs; a joiner's empty sync step 2 follows.
    feed.committed(encodeUpdate(update));
    feed.committed(encodeUpdate(Y.encodeStateAsUpdate(new Y.Doc())));
    Y.applyUpdate(doc, update);
    expect(sent.map((diff) => [...diff.notes.keys()])).toEqual([[IDS[0]]]);
    feed.dispose();
  });

  it('skips a hostile record from the server with one warning, and keeps the rest', () => {
    const records = new NotesRecords(DOC, 'Participant00000');
    const warnings: string[] = [];
    const warn = (key: string) => warnings.push(key);
    const good = { id: IDS[0]!, questionId: '1b', text: 'fine', x: 1, y: 2, createdAt: 5 };
    records.apply(
      wire([
        {
          docName: DOC,
          full: true,
          version: new Uint8Array([9]),
          changes: [
            { root: 'notes', key: IDS[0]!, value: good },
            { root: 'notes', key: IDS[1]!, value: { ...good, id: IDS[1]!, text: 42 } },
            { root: 'notes', key: IDS[2]!, value: { ...good } },
            { root: 'notes', key: IDS[3]!, value: 'not a record' },
            { root: 'votes', key: TARGETS[0]!, value: 2 },
            { root: 'votes', key: TARGETS[2]!, value: 2 },
            { root: 'votes', key: TARGETS[1]!, value: 1000 },
          ],
        },
      ])[0]!,
      warn,
    );
    const board = records.notes({ participantId: 'Participant00000', authorName: 'P', actorId: null, mine: false, draft: false }, warn);
    expect(board.map((note) => note.text)).toEqual(['fine']);
    expect(warnings).toEqual([`problems:${DOC}`]);
    expect(records.read()).toEqual({ notes: [good], votes: { [TARGETS[0]!]: 2 } });
    expect(records.version).toEqual(new Uint8Array([9]));
    // A live change forgets the version (a reconnect asks for the document again).
    records.apply(wire([{ docName: DOC, full: false, version: new Uint8Array(0), changes: [{ root: 'notes', key: IDS[0]!, value: undefined }] }])[0]!, warn);
    expect(records.read().notes).toEqual([]);
    expect(records.version).toBeNull();
  });

  it('keeps records across a reload: what is saved reads back the same, through the same validation', () => {
    const doc = new Y.Doc();
    for (const e of [{ kind: 'add', id: 0, text: 'one', x: 1 }, { kind: 'add', id: 1, text: 'two', x: 2 }, { kind: 'vote', target: 1, count: 3 }] as Edit[]) apply(doc, e);
    const records = new NotesRecords(DOC, 'Participant00000');
    records.apply(wire([toRecordsDoc(DOC, readAll(notesRoots(doc)), new Uint8Array([7]))])[0]!, quiet);
    // Saved both before and after the board has read them (records, then board objects).
    const before = structuredClone(records.saved());
    records.notes({ participantId: 'Participant00000', authorName: 'P', actorId: null, mine: false, draft: false }, quiet);
    const after = structuredClone(records.saved());
    expect(after).toEqual(before);
    const reloaded = new NotesRecords(DOC, 'Participant00000');
    reloaded.restore(after, quiet);
    expect(reloaded.read()).toEqual(fullRead(doc));
    expect(reloaded.version).toEqual(new Uint8Array([7]));
    // A damaged copy is ignored; so is any copy once the server has spoken.
    const damaged = new NotesRecords(DOC, 'Participant00000');
    damaged.restore({ version: 'x', notes: 'y', votes: [] }, quiet);
    expect(damaged.read()).toEqual({ notes: [], votes: {} });
    const live = new NotesRecords(DOC, 'Participant00000');
    live.apply(wire([{ docName: DOC, full: true, version: new Uint8Array(0), changes: [] }])[0]!, quiet);
    live.restore(after, quiet);
    expect(live.read()).toEqual({ notes: [], votes: {} });
  });

  it('the board reads records and documents alike; a document replaces the records of its name (the fallback)', () => {
    const room = new Y.Doc();
    const awareness = new Awareness(room);
    roomRoots(room).participants.set('Participant00000', toYMap({ id: 'Participant00000', name: 'Ben', actorId: null, role: 'participant', joinedAt: 1 }));
    const me: Me = { workshopId: 'Workshop00000001', participantId: 'Facilitator00000', role: 'facilitator', actorId: null, name: 'F' };
    const ui: BoardUi = { status: 'live', statusReason: null, canUndo: false, canRedo: false, lastRefusal: null };
    let changes = 0;
    const model = new BoardModel({ room, awareness, me, ui: () => ui, onChange: () => changes++ });
    const source = new Y.Doc();
    for (const e of [{ kind: 'add', id: 0, text: 'one', x: 1 }, { kind: 'add', id: 1, text: 'two', x: 2 }, { kind: 'vote', target: 0, count: 2 }] as Edit[]) apply(source, e);
    const records = new NotesRecords(DOC, 'Participant00000');
    const entry: BoardEntry = { name: DOC, records, participantId: 'Participant00000', draft: false };
    model.addDoc(entry);
    records.apply(wire([toRecordsDoc(DOC, readAll(notesRoots(source)), new Uint8Array([1]))])[0]!, quiet);
    expect(changes).toBeGreaterThan(0);
    const full = (docs: BoardEntry[]) => readBoardFull({ room, awareness, docs, me, ui });
    const viaRecords = model.snapshot();
    expect(viaRecords.notes.map((n) => n.text).sort()).toEqual(['one', 'two']);
    expect(viaRecords.notes).toEqual(full([entry]).notes);
    expect(viaRecords.votes).toEqual(full([entry]).votes);
    // The server would not send records: the same document, now a Y.Doc, takes their place.
    const doc = new Y.Doc();
    model.addDoc({ name: DOC, doc, participantId: 'Participant00000', draft: false });
    Y.applyUpdate(doc, Y.encodeStateAsUpdate(source));
    apply(doc, { kind: 'add', id: 2, text: 'three', x: 3 });
    const viaDoc = model.snapshot();
    expect(viaDoc.notes.map((n) => n.text).sort()).toEqual(['one', 'three', 'two']);
    expect(viaDoc.notes).toEqual(full([{ name: DOC, doc, participantId: 'Participant00000', draft: false }]).notes);
    model.destroy();
    awareness.destroy();
  });
});
