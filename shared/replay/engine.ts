import * as Y from 'yjs';
import { parseDocName, type DocRef } from '../protocol/docNames';
import { readRoom } from '../read/snapshot';
import type { DocKind } from '../schema/layout';
import type { Note } from '../schema/note';
import { NotesTrack } from './notesTrack';
import { TimelineRecorder } from './timeline';
import { compareEntries, type NoteVersion, type ReplayEntry, type ReplayEvent, type ReplayPosition } from './types';

/**
 * The replay engine (issue 5): a workshop's update log in, the board at any moment out.
 *
 * Every entry is applied once, in log order, to a "head" copy of its document; every
 * `checkpointEvery` updates OF THAT DOCUMENT the head's state is kept (`Y.encodeStateAsUpdate`).
 * The state of a document after its k-th update is then checkpoint ⌊k/N⌋ plus fewer than N
 * updates, so a seek costs at most one checkpoint load and N−1 updates per document, wherever it
 * lands — never a replay from the start. A `ReplayCursor` keeps live documents and moves them
 * forward update by update when that is cheaper (playback), and only touches documents whose
 * position changed. Observers on the head documents record the timeline (`events`) and each
 * note's versions as a side effect of the single pass.
 *
 * Pure: yjs and shared/ only, for the browser and the server alike.
 */
export interface ReplayOptions {
  /** Updates of one document between its checkpoints (N). Default 64. */
  checkpointEvery?: number;
  /** Record the timeline and note histories while building (default true). */
  timeline?: boolean;
}

export const DEFAULT_CHECKPOINT_EVERY = 64;

/**
 * Cost model for "move forward in place or reload": decoding is roughly linear in bytes, plus a
 * fixed cost per update (a transaction step) and per load (a new document). Measured with yjs
 * 13.6 on this project's documents; only the ratio matters.
 */
const UPDATE_OVERHEAD = 200;
const LOAD_OVERHEAD = 2000;

const REPLAY_ORIGIN = Object.freeze({ kind: 'replay' });

/**
 * Replay documents are local copies that never sync, so they can share a fixed guid:
 * `new Y.Doc()` would otherwise draw a random uuid (dozens of crypto calls) per copy, a
 * measurable share of a seek that loads thirty documents.
 */
export const newReplayDoc = () => new Y.Doc({ guid: 'arvo-replay', gc: true });

interface Track {
  name: string;
  ref: DocRef | null;
  kind: DocKind | 'unknown';
  /** Engine indices of this document's entries, increasing. */
  indices: number[];
  /** work[p]: the estimated cost of applying the document's first p updates (see `cost`). */
  work: number[];
  /** checkpoints[j]: the document after its first (j + 1) · N updates. */
  checkpoints: Uint8Array[];
  /** The document after every entry appended so far. */
  head: Y.Doc;
  headState: Uint8Array | null;
  /** Notes and drafts documents: their notes as plain data over time (the board's fast path). */
  notes: NotesTrack | null;
}

export interface ReplayStats {
  entries: number;
  documents: number;
  checkpoints: number;
  checkpointBytes: number;
  updateBytes: number;
  events: number;
}

/** First index with sorted[i] > value (binary search). */
export function upperBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ReplayEngine {
  readonly checkpointEvery: number;
  private readonly entries: ReplayEntry[] = [];
  private readonly times: number[] = [];
  private readonly tracks = new Map<string, Track>();
  private readonly recorder: TimelineRecorder | null;
  private actorCache: Map<string, string | null> | null = null;
  /**
   * Indices of entries that could not be applied (bytes damaged in the store, or content that
   * makes Yjs itself fail): they stay in the log, change nothing, and are skipped the same way
   * wherever the log is replayed, so every reading of a moment agrees.
   */
  readonly unreadable: number[] = [];

  constructor(options: ReplayOptions = {}) {
    const every = options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY;
    if (!Number.isInteger(every) || every < 1) throw new RangeError('checkpointEvery must be a positive integer');
    this.checkpointEvery = every;
    this.recorder = options.timeline === false ? null : new TimelineRecorder();
  }

  /** Builds an engine from a whole log (in log order). */
  static from(entries: Iterable<ReplayEntry>, options: ReplayOptions = {}): ReplayEngine {
    const engine = new ReplayEngine(options);
    engine.append(entries);
    return engine;
  }

  /**
   * Adds entries after those already in (pages of the history API, in order). An entry out of
   * log order (time, document, seq) is refused: checkpoints and indices assume order.
   */
  append(entries: Iterable<ReplayEntry>): void {
    for (const entry of entries) {
      const last = this.entries.at(-1);
      if (last && compareEntries(last, entry) >= 0) throw new RangeError(`entry ${entry.doc}#${entry.seq} is not after ${last.doc}#${last.seq} in log order`);
      const index = this.entries.length;
      const track = this.track(entry.doc);
      if (this.recorder) this.recorder.context = { index, ts: entry.ts, by: entry.participantId };
      this.entries.push(entry);
      this.times.push(entry.ts);
      track.indices.push(index);
      track.work.push(track.work.at(-1)! + UPDATE_OVERHEAD + entry.update.byteLength);
      if (!applySafely(track.head, entry.update)) this.unreadable.push(index);
      track.notes?.commit();
      track.headState = null;
      if (track.indices.length % this.checkpointEvery === 0) {
        track.headState = Y.encodeStateAsUpdate(track.head);
        track.checkpoints.push(track.headState);
      }
      if (track.kind === 'room') this.actorCache = null;
    }
  }

  private track(name: string): Track {
    let track = this.tracks.get(name);
    if (!track) {
      const ref = parseDocName(name);
      const head = newReplayDoc();
      const notes = ref?.kind === 'notes' || ref?.kind === 'drafts' ? new NotesTrack(head, this.checkpointEvery) : null;
      track = { name, ref, kind: ref?.kind ?? 'unknown', indices: [], work: [0], checkpoints: [], head, headState: null, notes };
      this.recorder?.attach(name, ref, track.head);
      this.tracks.set(name, track);
    }
    return track;
  }

  get length(): number {
    return this.entries.length;
  }
  /** Time of the first and last entry (null when empty). */
  get startTs(): number | null {
    return this.times[0] ?? null;
  }
  get endTs(): number | null {
    return this.times.at(-1) ?? null;
  }
  entry(index: number): ReplayEntry | undefined {
    return this.entries[index];
  }
  /** Every document seen, in order of first appearance. */
  get docNames(): string[] {
    return [...this.tracks.keys()];
  }
  docRef(name: string): DocRef | null {
    return this.tracks.get(name)?.ref ?? null;
  }

  /** The index of the last entry at or before `ts` (−1: before the first). */
  indexAt(ts: number): number {
    return upperBound(this.times, ts) - 1;
  }

  /** Normalises a position to an entry index in [−1, length − 1]. */
  resolve(at: ReplayPosition): number {
    const index = 'index' in at ? at.index : this.indexAt(at.ts);
    return Math.max(-1, Math.min(this.entries.length - 1, Math.floor(index)));
  }

  /** How many of the document's updates are applied at `index`. */
  docCountAt(name: string, index: number): number {
    const track = this.tracks.get(name);
    return track ? upperBound(track.indices, index) : 0;
  }

  /**
   * A notes or drafts document's notes after `count` of its updates, as `readNotes` reads them
   * but from plain data (no Yjs decoding); `from` moves an existing map forward instead when
   * that is cheaper. Null for other documents.
   */
  notesAt(name: string, count: number, from?: { map: Map<string, Note>; count: number }): Map<string, Note> | null {
    const notes = this.tracks.get(name)?.notes;
    if (!notes) return null;
    if (from && notes.cheaperForward(from.count, count)) {
      notes.forward(from.map, from.count, count);
      return from.map;
    }
    return notes.at(count);
  }

  /** The timeline (in log order). Filter with `filterEvents`; markers are `MARKER_KINDS`. */
  get events(): readonly ReplayEvent[] {
    return this.recorder?.events ?? [];
  }

  /** Events made by the entries in (fromIndex, toIndex] — what a playback frame just showed. */
  eventsBetween(fromIndex: number, toIndex: number): readonly ReplayEvent[] {
    const events = this.events;
    const first = lowerBoundBy(events, fromIndex + 1);
    const end = lowerBoundBy(events, toIndex + 1);
    return events.slice(first, end);
  }

  /** A note's versions (added, edited, moved, deleted), optionally only up to an index. `ref` is `<participantId>/<noteId>`. */
  noteHistory(ref: string, untilIndex = Infinity): NoteVersion[] {
    const all = this.recorder?.history.get(ref) ?? [];
    return untilIndex === Infinity ? [...all] : all.filter((v) => v.index <= untilIndex);
  }

  /** Participant → actor (null: none), from the room document as it is at the end of the log. */
  actorOf(participantId: string | null | undefined): string | null {
    if (!participantId) return null;
    if (!this.actorCache) {
      this.actorCache = new Map();
      for (const track of this.tracks.values()) {
        if (track.kind !== 'room') continue;
        for (const p of readRoom(track.head).participants) this.actorCache.set(p.id, p.actorId);
      }
    }
    return this.actorCache.get(participantId) ?? null;
  }

  /** A fresh copy of the document as of `count` of its own updates: the nearest checkpoint at or below, then the updates after it. */
  private load(track: Track, count: number): Y.Doc {
    const doc = newReplayDoc();
    if (count === 0) return doc;
    if (count === track.indices.length) {
      track.headState ??= Y.encodeStateAsUpdate(track.head);
      Y.applyUpdate(doc, track.headState, REPLAY_ORIGIN);
      return doc;
    }
    const j = Math.floor(count / this.checkpointEvery);
    doc.transact(() => {
      if (j > 0) Y.applyUpdate(doc, track.checkpoints[j - 1]!, REPLAY_ORIGIN);
      this.applyRange(track, doc, j * this.checkpointEvery, count);
    }, REPLAY_ORIGIN);
    return doc;
  }

  /** Applies the document's updates number [from, to) (0-based, its own numbering) to `doc`. */
  private applyRange(track: Track, doc: Y.Doc, from: number, to: number): void {
    if (from >= to) return;
    doc.transact(() => {
      for (let p = from; p < to; p++) applySafely(doc, this.entries[track.indices[p]!]!.update);
    }, REPLAY_ORIGIN);
  }

  /**
   * Moves a live copy of a document to `count` updates: forward in place when that decodes no
   * more than starting from the target's checkpoint would, otherwise a fresh copy from it.
   */
  private moveDoc(track: Track, current: { doc: Y.Doc; count: number } | undefined, count: number): { doc: Y.Doc; count: number; replaced: boolean } | null {
    if (current && current.count === count) return null;
    if (current && count > current.count) {
      // Forward in place, or afresh from the target's checkpoint: whichever decodes less.
      const j = Math.floor(count / this.checkpointEvery);
      // (At the very end the head's state is loaded instead: about the same size as this estimate.)
      const reload = LOAD_OVERHEAD + (j > 0 ? track.checkpoints[j - 1]!.byteLength : 0) + track.work[count]! - track.work[j * this.checkpointEvery]!;
      if (track.work[count]! - track.work[current.count]! <= reload) {
        this.applyRange(track, current.doc, current.count, count);
        return { doc: current.doc, count, replaced: false };
      }
    }
    return { doc: this.load(track, count), count, replaced: true };
  }

  /** Every document's state at a moment, encoded (`Y.encodeStateAsUpdate`); documents with no update yet are left out. */
  stateAt(at: ReplayPosition): Map<string, Uint8Array> {
    const index = this.resolve(at);
    const out = new Map<string, Uint8Array>();
    for (const track of this.tracks.values()) {
      const count = upperBound(track.indices, index);
      if (count === 0) continue;
      if (count === track.indices.length) out.set(track.name, (track.headState ??= Y.encodeStateAsUpdate(track.head)));
      else if (count % this.checkpointEvery === 0) out.set(track.name, track.checkpoints[count / this.checkpointEvery - 1]!);
      else {
        const doc = this.load(track, count);
        out.set(track.name, Y.encodeStateAsUpdate(doc));
        doc.destroy();
      }
    }
    return out;
  }

  /** One document's encoded state at a moment (null: no update yet). */
  docStateAt(name: string, at: ReplayPosition): Uint8Array | null {
    const track = this.tracks.get(name);
    if (!track) return null;
    const count = upperBound(track.indices, this.resolve(at));
    if (count === 0) return null;
    const doc = this.load(track, count);
    const state = Y.encodeStateAsUpdate(doc);
    doc.destroy();
    return state;
  }

  /** Fresh documents as they were at a moment (the caller owns them). */
  docsAt(at: ReplayPosition): Map<string, Y.Doc> {
    const index = this.resolve(at);
    const out = new Map<string, Y.Doc>();
    for (const track of this.tracks.values()) {
      const count = upperBound(track.indices, index);
      if (count > 0) out.set(track.name, this.load(track, count));
    }
    return out;
  }

  /** A stateful reader for scrubbing and playback. */
  cursor(): ReplayCursor {
    return new ReplayCursor(this, (name, current, count) => {
      const track = this.tracks.get(name);
      return track ? this.moveDoc(track, current, count) : null;
    });
  }

  stats(): ReplayStats {
    let checkpoints = 0;
    let checkpointBytes = 0;
    for (const track of this.tracks.values()) {
      checkpoints += track.checkpoints.length;
      for (const c of track.checkpoints) checkpointBytes += c.byteLength;
    }
    let updateBytes = 0;
    for (const e of this.entries) updateBytes += e.update.byteLength;
    return { entries: this.entries.length, documents: this.tracks.size, checkpoints, checkpointBytes, updateBytes, events: this.events.length };
  }

  destroy(): void {
    for (const track of this.tracks.values()) track.head.destroy();
  }
}

/** Applies one logged update; false (and nothing thrown) when it cannot be read. */
function applySafely(doc: Y.Doc, update: Uint8Array): boolean {
  try {
    Y.applyUpdate(doc, update, REPLAY_ORIGIN);
    return true;
  } catch {
    return false;
  }
}

function lowerBoundBy(events: readonly ReplayEvent[], index: number): number {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (events[mid]!.index < index) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

type MoveDoc = (name: string, current: { doc: Y.Doc; count: number } | undefined, count: number) => { doc: Y.Doc; count: number; replaced: boolean } | null;

/**
 * Live documents at a moment, moved by `seek`. Documents are read-only to the caller; a document
 * may be REPLACED by a new `Y.Doc` on a backward or long seek, so look documents up again (by
 * name) after every seek — `seek` returns the names of those that changed or were replaced.
 */
export class ReplayCursor {
  private readonly live = new Map<string, { doc: Y.Doc; count: number }>();
  private position = -1;

  constructor(
    private readonly engine: ReplayEngine,
    private readonly move: MoveDoc,
  ) {}

  /** The entry index the documents are at (−1: before the first entry). */
  get index(): number {
    return this.position;
  }

  /**
   * Moves to a moment; returns the names of the documents whose content (or object) changed.
   * `only` limits the documents moved (the others keep their position until a later seek).
   */
  seek(at: ReplayPosition, only?: (name: string) => boolean): Set<string> {
    const index = this.engine.resolve(at);
    const changed = new Set<string>();
    for (const name of this.engine.docNames) {
      if (only && !only(name)) continue;
      const current = this.live.get(name);
      const count = this.engine.docCountAt(name, index);
      if (!current && count === 0) continue;
      const moved = this.move(name, current, count);
      if (!moved) continue;
      if (moved.replaced) current?.doc.destroy();
      if (moved.count === 0) {
        moved.doc.destroy();
        this.live.delete(name);
      } else this.live.set(name, { doc: moved.doc, count: moved.count });
      changed.add(name);
    }
    this.position = index;
    return changed;
  }

  /** The document as it is at the cursor (undefined: it had no update yet). */
  doc(name: string): Y.Doc | undefined {
    return this.live.get(name)?.doc;
  }

  /** Every document that exists at the cursor. */
  get docs(): Map<string, Y.Doc> {
    return new Map([...this.live].map(([name, { doc }]) => [name, doc]));
  }

  destroy(): void {
    for (const { doc } of this.live.values()) doc.destroy();
    this.live.clear();
  }
}
