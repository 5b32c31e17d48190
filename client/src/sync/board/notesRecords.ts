import type { RecordsDoc } from '../../../../shared/protocol/mux';
import { MAX_RECORDS, schemaKeys } from '../../../../shared/read/records';
import { readPlainNoteRecord } from '../../../../shared/read/snapshot';
import { readVoteCount } from '../../../../shared/read/votes';
import { noteSchema, type Note } from '../../../../shared/schema/note';
import type { Warn } from './inputs';
import { NotesSource } from './notesSource';

const EMPTY_VOTES: Readonly<Record<string, number>> = Object.freeze({});
const NOTE_KEYS = schemaKeys(noteSchema);

/** What is kept of a document's records across reloads (./documents.ts: IndexedDB, validated again when read back). */
export interface SavedRecords {
  version: Uint8Array | null;
  notes: Array<[string, unknown]>;
  votes: Array<[string, number]>;
}

/**
 * Someone else's public notes as the workshop channel's records mode sends them (docs/architecture.md,
 * "Records mode"): plain records — notes by key, votes by target — instead of a Y.Doc, for a
 * document this tab only reads. The server read them with the same shared readers; they are
 * validated again here all the same (the server is not believed blindly): an invalid record is
 * skipped with one warning per document, as an invalid record in a document is.
 *
 * `version` is what the last full snapshot said the document's state was; a change after it
 * clears it, so that a reconnect sends only the documents that changed (`followRecords`).
 */
export class NotesRecords extends NotesSource {
  version: Uint8Array | null = null;
  private readonly votesMap = new Map<string, number>();
  /** Keys received since the board last read (null: every key, after a full snapshot). */
  private dirty: Set<string> | null = new Set();
  private votesDirty = false;
  private fresh = true;
  private votesValue: Readonly<Record<string, number>> = EMPTY_VOTES;
  private readonly listeners = new Set<(local: boolean) => void>();
  /** Received values not yet read by the board: key → value (undefined: gone). */
  private readonly incoming = new Map<string, unknown>();
  private invalid = 0;
  /** Something came from the server (a saved copy is then too old to restore). */
  private received = false;

  constructor(name: string, participantId: string) {
    super({ name, participantId, draft: false });
  }

  get changed(): boolean {
    return this.fresh || this.dirty === null || this.dirty.size > 0 || this.votesDirty;
  }

  /** One document's entry of a `records` frame; `warn` once per document for invalid records. */
  apply(doc: RecordsDoc, warn: Warn): void {
    this.received = true;
    this.take(doc, warn);
  }

  /**
   * A copy saved by an earlier page (`saved()`), read back from storage: taken as a full snapshot
   * unless the server has spoken already. Anything there is validated like the server's records.
   */
  restore(saved: unknown, warn: Warn): void {
    if (this.received || !isSaved(saved)) return;
    const changes: RecordsDoc['changes'] = [
      ...saved.notes.map(([key, value]) => ({ root: 'notes' as const, key, value })),
      ...saved.votes.map(([key, value]) => ({ root: 'votes' as const, key, value })),
    ];
    this.take({ docName: this.name, full: true, version: saved.version ?? new Uint8Array(0), changes }, warn);
  }

  /** The records held (the known fields of each note, not yet validated ones included), for keeping across reloads. */
  saved(): SavedRecords {
    const notes = new Map<string, unknown>();
    if (this.dirty !== null) for (const [key, note] of this.records) notes.set(key, pick(note));
    for (const key of this.dirty ?? this.incoming.keys()) {
      const value = this.incoming.get(key);
      if (value === undefined) notes.delete(key);
      else notes.set(key, value);
    }
    return { version: this.version, notes: [...notes], votes: [...this.votesMap] };
  }

  private take(doc: RecordsDoc, warn: Warn): void {
    if (doc.full) {
      this.incoming.clear();
      this.dirty = null;
      this.votesMap.clear();
      // A copy: the decoded version is a view into the whole frame, which it would keep alive.
      this.version = doc.version.length > 0 ? doc.version.slice() : null;
    } else {
      this.version = null;
    }
    let notes = 0;
    let skipped = 0;
    for (const change of doc.changes) {
      if (change.root === 'votes') {
        const count = change.value === undefined ? null : readVoteCount(change.key, change.value);
        if (count === null) this.votesMap.delete(change.key);
        else if (this.votesMap.size < MAX_RECORDS || this.votesMap.has(change.key)) this.votesMap.set(change.key, count);
        this.votesDirty = true;
        continue;
      }
      // A full snapshot holds at most MAX_RECORDS notes, as a full read of a document does.
      if (doc.full && ++notes > MAX_RECORDS) {
        skipped++;
        continue;
      }
      this.incoming.set(change.key, change.value);
      this.dirty?.add(change.key);
    }
    if (skipped > 0) warn(`problems:${this.name}`, `arvo: ${this.name} sent more than ${MAX_RECORDS} notes; the rest skipped`);
    if (doc.full) this.votesDirty = true;
    for (const listener of this.listeners) listener(false);
  }

  watch(listener: (local: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  votes(): Readonly<Record<string, number>> {
    if (this.votesDirty) {
      this.votesDirty = false;
      this.votesValue = this.votesMap.size === 0 ? EMPTY_VOTES : Object.freeze(Object.fromEntries(this.votesMap));
    }
    return this.votesValue;
  }

  destroy(): void {
    this.listeners.clear();
  }

  /**
   * Every valid note and vote held (what a full read of the document gives; the reference in tests
   * and full.ts). Reads without taking anything from the board's next read.
   */
  read(): { notes: Note[]; votes: Record<string, number> } {
    const notes: Note[] = [];
    for (const [key, value] of this.saved().notes) {
      const note = readPlainNoteRecord(key, value);
      if (note) notes.push(note);
    }
    notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    return { notes, votes: Object.fromEntries(this.votesMap) };
  }

  /** Validates what arrived since the last read; true when the set of valid notes changed. */
  protected refresh(warn: Warn): boolean {
    const dirty = this.dirty;
    const fresh = this.fresh;
    this.fresh = false;
    if (dirty !== null && dirty.size === 0) return fresh;
    this.dirty = new Set();
    let changed = fresh;
    if (dirty === null) {
      // A full snapshot: whatever is not in it is gone.
      const old = new Map(this.records);
      this.records.clear();
      for (const [key, value] of this.incoming) this.readOne(key, value, old.get(key));
      changed = changed || old.size !== this.records.size || [...this.records].some(([key, note]) => old.get(key) !== note);
    } else {
      for (const key of dirty) {
        const before = this.records.get(key);
        this.records.delete(key);
        if (this.incoming.has(key)) this.readOne(key, this.incoming.get(key), before);
        if (this.records.get(key) !== before) changed = true;
      }
    }
    this.incoming.clear();
    if (this.invalid > 0) {
      warn(`problems:${this.name}`, `arvo: skipped invalid records from the server for ${this.name}`, `${this.invalid} invalid`);
      this.invalid = 0;
    }
    return changed;
  }

  private readOne(key: string, value: unknown, previous: Note | undefined): void {
    if (value === undefined) return;
    const note = readPlainNoteRecord(key, value);
    if (!note) {
      this.invalid++;
      return;
    }
    this.keep(key, note, previous);
  }
}

/** A note's known fields (a board object carries its author context too, which is not kept). */
function pick(note: Note): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of NOTE_KEYS) if ((note as Record<string, unknown>)[key] !== undefined) out[key] = (note as Record<string, unknown>)[key];
  return out;
}

/** The shape of `SavedRecords` (what storage gives back may be anything: an older version, a damaged entry). */
function isSaved(value: unknown): value is SavedRecords {
  if (value === null || typeof value !== 'object') return false;
  const saved = value as Partial<SavedRecords>;
  const pairs = (list: unknown) => Array.isArray(list) && list.length <= MAX_RECORDS && list.every((pair) => Array.isArray(pair) && pair.length === 2 && typeof pair[0] === 'string' && pair[0].length <= 200);
  return (saved.version === null || saved.version instanceof Uint8Array) && pairs(saved.notes) && pairs(saved.votes);
}
