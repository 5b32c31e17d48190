import { createHash } from 'node:crypto';
import * as Y from 'yjs';
import { MAX_RECORD_CHANGES, type RecordsDoc } from '../../shared/protocol/mux';
import { MAX_RECORDS } from '../../shared/read/records';
import { readNoteRecord } from '../../shared/read/snapshot';
import { readVoteCount } from '../../shared/read/votes';
import { ROOT } from '../../shared/schema/layout';

/**
 * What the board reads of a notes document, as records (the workshop channel's records mode,
 * docs/architecture.md): every note by key and every vote by target, read with the same shared
 * readers the client uses (shared/read) — so an invalid record travels as "gone", exactly as a
 * full read of the document skips it. Pure functions of a Y.Doc and its transactions; the channel
 * (workshopChannel.ts) decides when and to whom.
 *
 * A diff maps each changed key to its value after the change (null: gone or invalid). Values are
 * states, not deltas: applying any run of consecutive diffs that ends at a state gives that state,
 * whatever the reader held of the keys they name — which is what lets a catch-up snapshot and the
 * live diffs around it arrive in any interleaving that keeps their order.
 */
export interface RecordsDiff {
  /** Replaces everything (a catch-up, or a map past MAX_RECORDS where order decides what is read). */
  full: boolean;
  notes: Map<string, unknown>;
  votes: Map<string, number | null>;
}

/**
 * The two roots the board reads. Not `notesRoots`: that also makes the meta root a Y.Map, which
 * the feed never reads (a Y.Map and its event handlers per notes room, for nothing).
 */
export interface Roots {
  notes: Y.Map<Y.Map<unknown>>;
  votes: Y.Map<unknown>;
}

export const recordRoots = (doc: Y.Doc): Roots => ({ notes: doc.getMap<Y.Map<unknown>>(ROOT.notes), votes: doc.getMap<unknown>(ROOT.votes) });

/** Stands in for a root a document does not have yet: always empty (one pair for the process). */
const NO_ROOTS = recordRoots(new Y.Doc());

/**
 * The roots a document has, without making the missing ones: a notes document nobody has written
 * to yet (every participant's, as the workshop starts) gets no empty Y.Maps from its feed.
 * `asMaps` false: the root objects as they are now, which a transaction's `changed` names (one it
 * created may not be a Y.Map until asked for as one).
 */
function presentRoots(doc: Y.Doc, asMaps: boolean): Roots {
  const roots = { ...NO_ROOTS };
  if (doc.share.has(ROOT.notes)) roots.notes = asMaps ? doc.getMap<Y.Map<unknown>>(ROOT.notes) : (doc.share.get(ROOT.notes) as never);
  if (doc.share.has(ROOT.votes)) roots.votes = asMaps ? doc.getMap<unknown>(ROOT.votes) : (doc.share.get(ROOT.votes) as never);
  return roots;
}

/** How far up a changed type is followed to find its note (a record of ours nests nothing; deeper is not ours). */
const MAX_NESTING = 32;

/** The note and vote keys a transaction changed; null: read the whole document (see `readDiff`). */
export function changedKeys(roots: Roots, transaction: Y.Transaction): { notes: Set<string>; votes: Set<string> } | null {
  const notes = new Set<string>();
  const votes = new Set<string>();
  const notesRoot: Y.AbstractType<unknown> = roots.notes as never;
  const votesRoot: Y.AbstractType<unknown> = roots.votes as never;
  for (const [changed, keys] of transaction.changed) {
    const type = changed as Y.AbstractType<unknown>;
    if (type === notesRoot || type === votesRoot) {
      const into = type === notesRoot ? notes : votes;
      for (const key of keys) if (key !== null) into.add(key);
      continue;
    }
    // Something inside a record (a note's field): find which key of which root holds it.
    let inner: Y.AbstractType<unknown> = type;
    let depth = 0;
    while (inner._item && inner._item.parent !== notesRoot && inner._item.parent !== votesRoot) {
      if (++depth > MAX_NESTING) return null;
      inner = inner._item.parent as Y.AbstractType<unknown>;
    }
    const item = inner._item;
    if (!item || item.parentSub === null) continue; // another root (meta): not read by the board
    (item.parent === notesRoot ? notes : votes).add(item.parentSub);
  }
  return { notes, votes };
}

/** Whether a root holds more than `limit` entries: then order decides what a full read sees. */
export function isOverLimit(roots: Roots, limit = MAX_RECORDS): boolean {
  return holdsMore(roots.notes, limit) || holdsMore(roots.votes, limit);
}

/**
 * A Y.Map's `size` walks and copies every entry to count the live ones, and this is asked twice
 * per update of a followed document. The keys the map has ever held (`_map`, deleted entries
 * included) bound that count from above, so below the limit — nearly always — no walk is needed.
 */
const holdsMore = <T>(map: Y.Map<T>, limit: number): boolean => map._map.size > limit && map.size > limit;

/**
 * The records the keys hold now; everything when a root is past `limit` (MAX_RECORDS) entries or
 * was before the change (`wasOver`: a deletion that brings it back under the limit brings into
 * the full read records beyond the limit that no key names), or too many keys changed.
 */
export function readDiff(roots: Roots, keys: { notes: Set<string>; votes: Set<string> } | null, limit = MAX_RECORDS, wasOver = false): RecordsDiff {
  if (!keys || wasOver || isOverLimit(roots, limit) || keys.notes.size + keys.votes.size > MAX_RECORD_CHANGES / 2) return readAll(roots, limit);
  const notes = new Map<string, unknown>();
  for (const key of keys.notes) notes.set(key, readNote(roots, key));
  const votes = new Map<string, number | null>();
  for (const target of keys.votes) votes.set(target, readVoteCount(target, roots.votes.get(target)));
  return { full: false, notes, votes };
}

/** Every record, as a full read of the document sees them (at most `limit`, MAX_RECORDS, looked at per root). */
export function readAll(roots: Roots, limit = MAX_RECORDS): RecordsDiff {
  const notes = new Map<string, unknown>();
  let seen = 0;
  for (const [key, value] of roots.notes.entries()) {
    if (++seen > limit) break;
    const note = readNoteRecord(key, value);
    if (note) notes.set(key, note);
  }
  const votes = new Map<string, number | null>();
  seen = 0;
  for (const [target, count] of roots.votes.entries()) {
    if (++seen > limit) break;
    const read = readVoteCount(target, count);
    if (read !== null) votes.set(target, read);
  }
  return { full: true, notes, votes };
}

function readNote(roots: Roots, key: string): unknown {
  const value = roots.notes.get(key);
  return value === undefined ? null : readNoteRecord(key, value);
}

/** `later` on top of `earlier` (a busy workshop's window): the same key keeps its latest value. */
export function mergeDiff(earlier: RecordsDiff, later: RecordsDiff): RecordsDiff {
  if (later.full) return later;
  for (const [key, value] of later.notes) setLatest(earlier.notes, key, value, earlier.full);
  for (const [key, value] of later.votes) setLatest(earlier.votes, key, value, earlier.full);
  return earlier;
}

/** A full diff lists only what exists: a key gone is left out of it rather than kept as null. */
function setLatest<V>(map: Map<string, V | null>, key: string, value: V | null, full: boolean): void {
  map.delete(key);
  if (value !== null || !full) map.set(key, value);
}

/** The diff as it travels (values encoded here, once for every follower). */
export function toRecordsDoc(docName: string, diff: RecordsDiff, version: Uint8Array = EMPTY): RecordsDoc {
  const changes: RecordsDoc['changes'] = [];
  for (const [key, value] of diff.notes) changes.push({ root: 'notes', key, value: value ?? undefined });
  for (const [key, value] of diff.votes) changes.push({ root: 'votes', key, value: value ?? undefined });
  return { docName, full: diff.full, version: diff.full ? version : EMPTY, changes };
}

const EMPTY = new Uint8Array(0);

/**
 * The document's state, as a short digest: its state vector and its delete set (a deletion adds
 * no struct, so the state vector alone would not change when a note is deleted). Equal versions:
 * the same records, and a follower that has them is not sent them again.
 */
export function docVersion(doc: Y.Doc): Uint8Array {
  const stateVector = Y.encodeStateVector(doc);
  const deleteSet = Y.encodeStateAsUpdate(doc, stateVector);
  return new Uint8Array(createHash('sha256').update(stateVector).update(deleteSet).digest().subarray(0, 16));
}

/** What a feed needs of a notes room (server/relay/docRoom.ts). */
export interface RecordsRoom {
  readonly doc: Y.Doc;
  /** Resolves once everything applied before the call is committed (`change` with nothing to change). */
  change(mutate: () => void): Promise<void>;
}

type Queued = { update: Uint8Array; diff: RecordsDiff; committed: boolean } | { marker: () => void; drop: () => void };

/**
 * One notes room's records diffs, in commit order: a diff is read when its transaction is applied
 * (the state right after it — later transactions may already be in the document by the time it
 * is committed) and leaves only once the room hands its committed update to the channel's tap
 * (`committed`), so nothing uncommitted leaves. A marker (`whenCommitted`) runs once every
 * transaction applied before it has been committed and its diff emitted: a catch-up snapshot read
 * when the marker is placed then reaches its follower after the diffs before it and before the
 * diffs after it.
 *
 * Transactions applied before the feed existed have no diff here (their frames are told apart by
 * their bytes and passed over): markers wait until those have been committed too (`warm`).
 */
export class RoomRecordsFeed {
  private readonly queue: Queued[] = [];
  private warm = false;
  private disposed = false;
  /** A committed frame that no queued diff was waiting for (see `onUpdate`); null: none. */
  private early: Uint8Array | null = null;
  private roots: Roots;
  private readonly doc: Y.Doc;
  /**
   * `current()`'s answer until the next transaction; null: read it again. Held weakly, as the
   * room's encoded state is (docRoom.ts): a reconnect storm finds it, an idle room does not keep
   * a copy of all its records for as long as nothing changes.
   */
  private whole: WeakRef<{ version: Uint8Array; snapshot: RecordsDoc }> | null = null;
  /** Whether a root was past the limit after the last transaction (see `readDiff`). */
  private over: boolean;
  private readonly onUpdate: (update: Uint8Array, origin: unknown, doc: Y.Doc, transaction: Y.Transaction) => void;

  constructor(
    room: RecordsRoom,
    private readonly emit: (diff: RecordsDiff) => void,
    /** MAX_RECORDS; smaller in tests (the path past it without 5,000 notes). */
    private readonly limit = MAX_RECORDS,
  ) {
    const doc = room.doc;
    this.doc = doc;
    this.roots = presentRoots(doc, true);
    this.over = isOverLimit(this.roots, limit);
    this.onUpdate = (update, _origin, _doc, transaction) => {
      this.whole = null;
      const keys = changedKeys(presentRoots(doc, false), transaction);
      this.roots = presentRoots(doc, true);
      const wasOver = this.over;
      this.over = isOverLimit(this.roots, this.limit);
      const diff = keys && keys.notes.size === 0 && keys.votes.size === 0 ? EMPTY_DIFF : readDiff(this.roots, keys, this.limit, wasOver);
      // Relayed before this listener heard of it. The room relays every update only after its
      // commit, so today this never holds; it keeps the order right should a room ever relay at
      // once from its own update listener (which runs before this one).
      const committed = this.early !== null && framesUpdate(this.early, update);
      this.early = null;
      this.queue.push({ update, diff, committed });
      this.drain();
    };
    doc.on('update', this.onUpdate);
    room.change(() => undefined).then(
      () => {
        this.warm = true;
        this.drain();
      },
      () => this.dispose(),
    );
  }

  /** The room relayed a committed update (the tap's frame: a y-websocket sync update). */
  committed(frame: Uint8Array): void {
    // An update that adds and deletes nothing (a joiner's empty sync step 2, relayed like any
    // write) makes no transaction here: nothing waits for it, and it must not displace an early frame.
    if (framesUpdate(frame, NOTHING)) return;
    const waiting = this.queue.find((entry): entry is Extract<Queued, { update: Uint8Array }> => 'update' in entry && !entry.committed);
    if (!waiting || !framesUpdate(frame, waiting.update)) {
      this.early = frame;
      return;
    }
    waiting.committed = true;
    this.drain();
  }

  /** Runs `run` once all applied so far is committed and emitted; `drop` instead if the room goes first. */
  whenCommitted(run: () => void, drop: () => void): void {
    if (this.disposed) return drop();
    this.queue.push({ marker: run, drop });
    this.drain();
  }

  /**
   * The document's records whole and its version, as it is now (a catch-up reads them where it
   * places its marker). Kept until the next transaction: a reconnect storm of N followers reads
   * and validates each document once, not N times.
   */
  current(docName: string): { version: Uint8Array; snapshot: RecordsDoc } {
    const held = this.whole?.deref();
    if (held) return held;
    const version = docVersion(this.doc);
    const whole = { version, snapshot: toRecordsDoc(docName, readAll(this.roots, this.limit), version) };
    this.whole = new WeakRef(whole);
    return whole;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.doc.off('update', this.onUpdate);
    for (const entry of this.queue.splice(0)) if ('drop' in entry) entry.drop();
  }

  private drain(): void {
    while (!this.disposed && this.queue.length > 0) {
      const head = this.queue[0]!;
      if ('update' in head) {
        if (!head.committed) return;
        this.queue.shift();
        if (head.diff !== EMPTY_DIFF) this.emit(head.diff);
      } else {
        if (!this.warm) return;
        this.queue.shift();
        head.marker();
      }
    }
  }
}

/** An update with no structs and an empty delete set (what a blank document encodes as). */
const NOTHING = new Uint8Array([0, 0]);

/** A transaction that touched neither notes nor votes (meta): nothing to send. */
const EMPTY_DIFF: RecordsDiff = { full: false, notes: new Map(), votes: new Map() };

/** Whether `frame` (y-websocket sync update: 0, 2, varUint length, bytes) carries exactly `update`. */
function framesUpdate(frame: Uint8Array, update: Uint8Array): boolean {
  const offset = frame.length - update.length;
  if (offset < 3 || offset > 7 || frame[0] !== 0 || frame[1] !== 2) return false;
  return Buffer.from(frame.buffer, frame.byteOffset + offset, update.length).equals(update);
}
