import type { RecordsDoc } from '../../../../shared/protocol/mux';
import { MAX_RECORDS } from '../../../../shared/read/records';
import { readPlainNoteRecord } from '../../../../shared/read/snapshot';
import { readVoteCount } from '../../../../shared/read/votes';
import type { Note } from '../../../../shared/schema/note';
import type { Warn } from './inputs';
import { NotesSource } from './notesSource';

const EMPTY_VOTES: Readonly<Record<string, number>> = Object.freeze({});

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

  constructor(name: string, participantId: string) {
    super({ name, participantId, draft: false });
  }

  get changed(): boolean {
    return this.fresh || this.dirty === null || this.dirty.size > 0 || this.votesDirty;
  }

  /** One document's entry of a `records` frame; `warn` once per document for invalid records. */
  apply(doc: RecordsDoc, warn: Warn): void {
    if (doc.full) {
      this.incoming.clear();
      this.dirty = null;
      this.votesMap.clear();
      this.version = doc.version.length > 0 ? doc.version : null;
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

  /** Every note and vote held (what a full read of the document gives; the reference in tests and full.ts). */
  read(): { notes: Note[]; votes: Record<string, number> } {
    this.refresh(() => undefined);
    const notes = [...this.records.values()].map((note) => readPlainNoteRecord(note.id, note)!);
    notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
    return { notes, votes: { ...this.votes() } };
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
