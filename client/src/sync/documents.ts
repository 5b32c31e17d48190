import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { newDoc } from './newDoc';
import { draftsDocName, notesDocName, parseDocName, roomDocName } from '../../../shared/protocol/docNames';
import type { Claims } from '../../../shared/protocol/permissions';
import { roomPartReaders } from '../../../shared/read/snapshot';
import { roomRoots } from '../../../shared/schema/layout';
import type { BoardEntry, Warn } from './board/inputs';
import { NotesRecords } from './board/notesRecords';
import { keepCompact } from './compact';
import type { FollowedRecords, MuxConnection } from './mux';
import type { Persistence, RecordsStore } from './transports';

/**
 * Which documents of the workshop this tab holds: the room, every participant's public notes
 * (as they appear in the room), and my own drafts — on the shared socket. It owns their
 * lifetimes; what is read from them is the board model's business (`onNotes` hands each over).
 *
 * How each travels: a document this tab writes (the room — the facilitator writes it —, my own
 * notes and drafts) is a Y.Doc opened on its own and kept offline when persistence is given.
 * Every other participant's notes — the facilitator's tab included: no op writes anyone else's
 * notes (shared/ops/registry.ts) — come through the workshop channel's records mode: one
 * subscription for all of them, and per document plain records instead of a Y.Doc
 * (docs/architecture.md, "The workshop channel"; ~1.7 KiB less heap per note).
 *
 * Offline: records are kept across reloads in a small store of their own (`recordsStore`:
 * IndexedDB, one entry per document, saved a moment after each change) and read back until the
 * server speaks. A reconnect is sent only the documents that changed meanwhile (their versions go
 * with the follow).
 */
/** How long after a change followed records are saved (IndexedDB): at most one write per document this often. */
const RECORDS_SAVE_MS = 1000;

export interface OpenDoc {
  doc: Y.Doc;
  persistence: Persistence | null;
  participantId: string | null;
  draft: boolean;
  /** Stops keeping its values compact (./compact.ts). */
  release: () => void;
}

export interface WorkshopDocsOptions {
  workshopId: string;
  claims: Claims;
  room: Y.Doc;
  awareness: Awareness;
  mux: MuxConnection;
  persistence: ((name: string, doc: Y.Doc) => Persistence) | null;
  /** Keeps followed records across reloads; null: memory only. */
  recordsStore?: RecordsStore | null;
  /** Removes kept copies of documents by name (transports.ts `dropPersisted`); null: none kept. */
  dropPersisted?: ((drop: (name: string) => boolean) => void) | null;
  onNotes(entry: BoardEntry): void;
  /** Off: every document on its own, as before the channel (tests and the benchmark compare both). */
  workshopChannel?: boolean;
  /** Diagnostics, once per key (invalid records from the server). */
  warn?: Warn;
}

export class WorkshopDocs {
  private readonly open = new Map<string, OpenDoc>();
  /** Other participants' notes held as records (the channel's records mode). */
  private readonly followed = new Map<string, NotesRecords>();
  /** My public notes and my drafts (blank documents, never synced, for anyone but a participant). */
  readonly ownNotes: Y.Doc;
  readonly ownDrafts: Y.Doc;
  readonly roomName: string;
  /** Read-only notes come through the workshop channel (until the server says it cannot). */
  private following: boolean;
  private destroyed = false;
  /** Records waiting to be saved (RECORDS_SAVE_MS after their last change). */
  private readonly saving = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: WorkshopDocsOptions) {
    this.roomName = roomDocName(options.workshopId);
    this.following = options.workshopChannel !== false;
    this.track(this.roomName, options.room, null, false);
    options.mux.open(this.roomName, options.room, options.awareness);
    const own = options.claims.role === 'participant' ? options.claims.participantId : null;
    this.ownNotes = own ? this.openNotes(own, false) : newDoc();
    this.ownDrafts = own ? this.openNotes(own, true) : newDoc();
    roomRoots(options.room).participants.observe(() => this.openParticipantDocs());
    if (this.following) {
      options.mux.followRecords(this.followedRecords());
      void options.mux.whenFollowing().then(() => this.dropStaleCopies());
    }
  }

  /**
   * Once the server serves records mode: the per-document copies that code from before it kept of
   * others' notes (one IndexedDB database each) are read by nothing any more, so they go. Own
   * notes and drafts, the room, and other workshops' documents stay.
   */
  private dropStaleCopies(): void {
    const { workshopId, dropPersisted } = this.options;
    if (!this.following || !dropPersisted || this.destroyed) return;
    dropPersisted((name) => {
      const ref = parseDocName(name);
      return ref?.kind === 'notes' && ref.workshopId === workshopId && this.readsOnly(ref.participantId, false) && !this.open.has(name);
    });
  }

  get(name: string): OpenDoc | undefined {
    return this.open.get(name);
  }

  /** Whose document `name` is (null: the room's), if this tab holds it. */
  ownerOf(name: string): string | null | undefined {
    return this.open.get(name)?.participantId ?? this.followed.get(name)?.participantId;
  }

  destroy(): void {
    this.destroyed = true;
    for (const { doc, persistence, release } of this.open.values()) {
      release();
      void persistence?.destroy();
      doc.destroy();
    }
    this.open.clear();
    this.followed.clear();
    for (const timer of this.saving.values()) clearTimeout(timer);
    this.saving.clear();
  }

  private track(name: string, doc: Y.Doc, participantId: string | null, draft: boolean): void {
    const release = keepCompact(doc);
    this.open.set(name, { doc, persistence: this.options.persistence?.(name, doc) ?? null, participantId, draft, release });
  }

  /** Only someone else's public notes (for every role: nobody writes another's notes). */
  private readsOnly(participantId: string, draft: boolean): boolean {
    return this.following && !draft && participantId !== this.options.claims.participantId;
  }

  /** A document of this workshop as a Y.Doc on its own session (made if new). */
  private openNotes(participantId: string, draft: boolean): Y.Doc {
    const { workshopId, mux, onNotes } = this.options;
    const name = draft ? draftsDocName(workshopId, participantId) : notesDocName(workshopId, participantId);
    const existing = this.open.get(name);
    if (existing) return existing.doc;
    const doc = newDoc();
    this.track(name, doc, participantId, draft);
    onNotes({ name, doc, participantId, draft });
    mux.open(name, doc);
    return doc;
  }

  /** Someone else's public notes as records from the channel (made if new). */
  private followNotes(participantId: string): NotesRecords {
    const name = notesDocName(this.options.workshopId, participantId);
    let records = this.followed.get(name);
    if (!records) {
      const made = new NotesRecords(name, participantId);
      records = made;
      this.followed.set(name, made);
      this.options.onNotes({ name, records: made, participantId, draft: false });
      const store = this.options.recordsStore;
      if (store) {
        void store.load(name).then((saved) => {
          if (this.followed.get(name) === made) made.restore(saved, this.options.warn ?? (() => undefined));
        });
        made.watch(() => this.saveLater(store, name, made));
      }
    }
    return records;
  }

  /** Saves a document's records once they have rested a moment (a busy document is not saved at every note). */
  private saveLater(store: RecordsStore, name: string, records: NotesRecords): void {
    if (this.saving.has(name)) return;
    this.saving.set(
      name,
      setTimeout(() => {
        this.saving.delete(name);
        if (this.followed.get(name) === records) store.save(name, records.saved());
      }, RECORDS_SAVE_MS),
    );
  }

  /** Only the participants are read (the whole room cost 40–50 ms a join in a 2,000-note workshop). */
  private openParticipantDocs(): void {
    for (const participant of roomPartReaders.participants(this.options.room).value) {
      if (participant.role !== 'participant') continue;
      if (this.readsOnly(participant.id, false)) this.followNotes(participant.id);
      else this.openNotes(participant.id, false);
    }
  }

  private followedRecords(): FollowedRecords {
    const { workshopId } = this.options;
    const warn = this.options.warn ?? (() => undefined);
    return {
      workshopId,
      held: () => [...this.followed].map(([name, records]) => [name, records.version] as [string, Uint8Array | null]),
      // The channel may bring a participant's notes before the room lists them: held from then on.
      apply: (doc) => {
        const ref = parseDocName(doc.docName);
        if (ref?.kind !== 'notes' || ref.workshopId !== workshopId || !this.readsOnly(ref.participantId, false)) return;
        this.followNotes(ref.participantId).apply(doc, warn);
      },
      unavailable: (reason) => {
        console.warn(`arvo: the workshop channel is not available (${reason}); following each notes document on its own`);
        this.following = false;
        // Each becomes a document on its own; the board reads it from there instead (same name).
        const names = [...this.followed.values()].map((records) => records.participantId);
        this.followed.clear();
        for (const participantId of names) this.openNotes(participantId, false);
      },
    };
  }
}
