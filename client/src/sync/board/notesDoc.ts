import type * as Y from 'yjs';
import { MAX_RECORDS } from '../../../../shared/read/records';
import { readNoteRecord } from '../../../../shared/read/snapshot';
import { readVotes } from '../../../../shared/read/votes';
import { notesRoots } from '../../../../shared/schema/layout';
import type { Note } from '../../../../shared/schema/note';
import type { BoardDoc, Warn } from './inputs';
import { NotesSource } from './notesSource';

const EMPTY_VOTES: Readonly<Record<string, number>> = Object.freeze({});

/**
 * One notes (or drafts) document's notes and votes, kept read from its Y.Doc. Yjs tells which
 * notes a transaction touched (the note's key in the `notes` map, for the map itself or anything
 * nested in a note); only those are re-read and re-validated (./notesSource.ts keeps the objects).
 */
export class NotesDocCache extends NotesSource {
  private readonly doc: Y.Doc;
  private readonly notesMap: Y.Map<Y.Map<unknown>>;
  private readonly votesMap: Y.Map<unknown>;
  /** Keys of records that failed validation. */
  private readonly invalid = new Set<string>();
  /** Keys to re-read, or 'all' (first read, or a map past MAX_RECORDS, where order decides what is read). */
  private dirty: Set<string> | 'all' = 'all';
  private votesDirty = true;
  private votesValue: Readonly<Record<string, number>> = EMPTY_VOTES;
  private readonly unobserve: () => void;

  constructor(entry: BoardDoc) {
    super(entry);
    this.doc = entry.doc;
    const roots = notesRoots(entry.doc);
    this.notesMap = roots.notes;
    this.votesMap = roots.votes;
    const onNotes = (events: Array<Y.YEvent<Y.AbstractType<unknown>>>) => {
      if (this.dirty !== 'all') {
        for (const event of events) {
          if (event.target === this.notesMap) for (const key of event.keys.keys()) this.dirty.add(key);
          else if (event.path.length > 0) this.dirty.add(String(event.path[0]));
        }
      }
    };
    const onVotes = () => {
      this.votesDirty = true;
    };
    this.notesMap.observeDeep(onNotes);
    this.votesMap.observeDeep(onVotes);
    this.unobserve = () => {
      this.notesMap.unobserveDeep(onNotes);
      this.votesMap.unobserveDeep(onVotes);
    };
  }

  get changed(): boolean {
    return this.dirty === 'all' || this.dirty.size > 0 || this.votesDirty;
  }

  watch(listener: (local: boolean) => void): () => void {
    const after = (transaction: Y.Transaction) => {
      if (this.changed) listener(transaction.local);
    };
    this.doc.on('afterTransaction', after);
    return () => this.doc.off('afterTransaction', after);
  }

  votes(): Readonly<Record<string, number>> {
    if (this.votesDirty) {
      this.votesDirty = false;
      const read = readVotes(this.doc);
      this.votesValue = Object.keys(read).length === 0 ? EMPTY_VOTES : Object.freeze(read);
    }
    return this.votesValue;
  }

  destroy(): void {
    this.unobserve();
  }

  /** Re-reads the dirty keys; true when the set of valid notes changed. */
  protected refresh(warn: Warn): boolean {
    const dirty = this.dirty;
    if (dirty !== 'all' && dirty.size === 0) return false;
    this.dirty = this.notesMap.size > MAX_RECORDS ? 'all' : new Set();
    let changed = false;
    if (dirty === 'all' || this.notesMap.size > MAX_RECORDS) {
      const before = this.records.size;
      const old = new Map(this.records);
      this.records.clear();
      this.invalid.clear();
      let seen = 0;
      for (const [key, value] of this.notesMap.entries()) {
        if (++seen > MAX_RECORDS) break;
        this.readOne(key, value, old.get(key));
      }
      changed = before !== this.records.size || [...this.records].some(([key, note]) => old.get(key) !== note);
    } else {
      for (const key of dirty) {
        const before = this.records.get(key);
        const value = this.notesMap.get(key);
        this.records.delete(key);
        this.invalid.delete(key);
        if (value !== undefined) this.readOne(key, value, before);
        if (this.records.get(key) !== before) changed = true;
      }
    }
    if (this.invalid.size > 0) warn(`problems:${this.name}`, `arvo: skipped invalid records in ${this.name}`, [...this.invalid].slice(0, 5).map((key) => `note ${key.slice(0, 40)} is invalid`));
    return changed;
  }

  /** Reads one record; an unchanged note keeps its previous object. */
  private readOne(key: string, value: unknown, previous: Note | undefined): void {
    const note = readNoteRecord(key, value);
    if (!note) {
      this.invalid.add(key);
      return;
    }
    this.keep(key, note, previous);
  }
}
