import type * as Y from 'yjs';
import { readNoteRecord } from '../read/snapshot';
import { notesRoots } from '../schema/layout';
import type { Note } from '../schema/note';

/**
 * A notes or drafts document as plain, validated notes over time — the board's fast path.
 *
 * While the engine applies the log, an observer on the document's `notes` map sees which notes
 * each update touched and re-reads exactly those, with the reference reader's rule
 * (`readNoteRecord`; an invalid record counts as absent, as `readNotes`
 * skips it). Each update thus becomes a small patch; every N updates the whole map is kept (it
 * shares the immutable note objects). The notes of the document after any number of its updates
 * are then a kept map plus fewer than N patches — no Yjs decoding at seek time.
 */
export type NotesPatch = ReadonlyArray<readonly [key: string, note: Note | null]>;

export class NotesTrack {
  private readonly current = new Map<string, Note>();
  private pending: Array<readonly [string, Note | null]> = [];
  /** patches[p]: what the document's update p (0-based) did to its notes. */
  readonly patches: NotesPatch[] = [];
  /** kept[j]: the notes after the document's first (j + 1) · N updates. */
  readonly kept: ReadonlyMap<string, Note>[] = [];

  constructor(
    doc: Y.Doc,
    private readonly every: number,
  ) {
    const { notes } = notesRoots(doc);
    notes.observeDeep((events) => {
      const touched = new Set<string>();
      for (const event of events) {
        if (event.target === notes) for (const key of event.keys.keys()) touched.add(key);
        else {
          // A change inside a record. Only a record's own fields are read, so a change deeper
          // down (inside something a hostile client nested there) changes nothing we read:
          // never walk up an unbounded chain of parents to find out whose it was.
          const key = event.target.parent === notes ? event.target._item?.parentSub : null;
          if (key) touched.add(key);
        }
      }
      for (const key of touched) {
        const note = readNoteRecord(key, notes.get(key));
        if (note) this.current.set(key, note);
        else this.current.delete(key);
        this.pending.push([key, note]);
      }
    });
  }

  /** Called by the engine after each update of this document has been applied. */
  commit(): void {
    this.patches.push(this.pending);
    this.pending = [];
    if (this.patches.length % this.every === 0) this.kept.push(new Map(this.current));
  }

  /** The notes after `count` of the document's updates (a new map the caller may change). */
  at(count: number): Map<string, Note> {
    const j = Math.floor(count / this.every);
    const map = new Map(j > 0 ? this.kept[j - 1] : undefined);
    this.forward(map, j * this.every, count);
    return map;
  }

  /** Applies patches [from, to) to `map`. */
  forward(map: Map<string, Note>, from: number, to: number): void {
    for (let p = from; p < to; p++) {
      for (const [key, note] of this.patches[p]!) {
        if (note) map.set(key, note);
        else map.delete(key);
      }
    }
  }

  /** Patches to apply from `from` to `to` going forward, versus starting from the kept map at `to`. */
  cheaperForward(from: number, to: number): boolean {
    return to > from && to - from <= (to % this.every) + 4;
  }
}

/** `readNotes` order: by createdAt, then id. */
export const sortNotes = (notes: Note[]): Note[] => notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
