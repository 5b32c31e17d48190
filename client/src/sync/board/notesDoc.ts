import type * as Y from 'yjs';
import { MAX_RECORDS } from '../../../../shared/read/records';
import { readNoteRecord } from '../../../../shared/read/snapshot';
import { readVotes } from '../../../../shared/read/votes';
import { notesRoots } from '../../../../shared/schema/layout';
import type { Note } from '../../../../shared/schema/note';
import type { AuthoredNote } from '../types';
import { authored, sameContext, type AuthorContext } from './author';
import type { BoardDoc, Warn } from './inputs';

const byCreation = (a: Note, b: Note) => a.createdAt - b.createdAt || a.id.localeCompare(b.id);
const EMPTY_VOTES: Readonly<Record<string, number>> = Object.freeze({});

/**
 * One notes (or drafts) document's notes and votes, kept read. Yjs tells which notes a
 * transaction touched (the note's key in the `notes` map, for the map itself or anything nested
 * in a note); only those are re-read and re-validated. A note that did not change keeps its
 * object, and so does the list when nothing in it changed, so views can compare by identity.
 */
export class NotesDocCache {
  readonly name: string;
  readonly participantId: string;
  readonly draft: boolean;
  private readonly doc: Y.Doc;
  private readonly notesMap: Y.Map<Y.Map<unknown>>;
  private readonly votesMap: Y.Map<unknown>;
  /**
   * Valid notes by key; `invalid` holds the keys of records that failed validation. Once the board
   * has read a note, its record is replaced by its board object (a note with its author context):
   * one object per note is held, not a record and its board copy (heap, docs/client-benchmark.md).
   */
  private readonly records = new Map<string, Note | AuthoredNote>();
  private readonly invalid = new Set<string>();
  /** Keys to re-read, or 'all' (first read, or a map past MAX_RECORDS, where order decides what is read). */
  private dirty: Set<string> | 'all' = 'all';
  private votesDirty = true;
  private context: AuthorContext | null = null;
  private list: readonly AuthoredNote[] = Object.freeze([]);
  private ids: ReadonlySet<string> = new Set();
  private votesValue: Readonly<Record<string, number>> = EMPTY_VOTES;
  private readonly unobserve: () => void;

  constructor(entry: BoardDoc) {
    this.name = entry.name;
    this.participantId = entry.participantId;
    this.draft = entry.draft;
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

  /**
   * The document's notes with their author context (new context: every note gets a new object;
   * otherwise only re-read notes do). Returns the same array while nothing changed.
   */
  notes(context: AuthorContext, warn: Warn): readonly AuthoredNote[] {
    const contextChanged = this.context === null || !sameContext(this.context, context);
    const recordsChanged = this.refresh(warn);
    if (!recordsChanged && !contextChanged) return this.list;
    this.context = context;
    const list: AuthoredNote[] = [];
    for (const [key, note] of this.records) {
      // A board object made with this context is kept (a note re-read unchanged keeps it, readOne).
      const value = !contextChanged && isAuthored(note) ? note : authored(note, context);
      if (value !== note) this.records.set(key, value);
      list.push(value);
    }
    list.sort(byCreation);
    this.ids = new Set(list.map((note) => note.id));
    this.list = Object.freeze(list);
    return this.list;
  }

  /** Ids of the notes read (a draft with a public copy is left out of the board). */
  noteIds(): ReadonlySet<string> {
    return this.ids;
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
  private refresh(warn: Warn): boolean {
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
    this.records.set(key, previous && isSameNote(previous, note) ? previous : note);
  }
}

/** Made by `authored` (a record read from the document has none of the author fields: readers keep known fields only). */
const isAuthored = (note: Note | AuthoredNote): note is AuthoredNote => 'authorName' in note;

/** Field-by-field equality of the note part (the author context is compared separately). */
function isSameNote(a: Note, b: Note): boolean {
  return (
    a.id === b.id &&
    a.questionId === b.questionId &&
    a.text === b.text &&
    a.x === b.x &&
    a.y === b.y &&
    a.createdAt === b.createdAt &&
    a.updatedAt === b.updatedAt &&
    a.aboutActorId === b.aboutActorId &&
    a.late === b.late &&
    'updatedAt' in a === 'updatedAt' in b &&
    'aboutActorId' in a === 'aboutActorId' in b &&
    'late' in a === 'late' in b
  );
}
