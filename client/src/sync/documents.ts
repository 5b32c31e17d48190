import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { newDoc } from './newDoc';
import { draftsDocName, notesDocName, parseDocName, roomDocName } from '../../../shared/protocol/docNames';
import type { Claims } from '../../../shared/protocol/permissions';
import { roomPartReaders } from '../../../shared/read/snapshot';
import { roomRoots } from '../../../shared/schema/layout';
import type { BoardDoc } from './board/inputs';
import { keepCompact } from './compact';
import type { FollowedDocs, MuxConnection } from './mux';
import type { Persistence } from './transports';

/**
 * Which documents of the workshop this tab holds: the room, every participant's public notes
 * (opened as they appear in the room), and my own drafts — each on the shared socket, and kept
 * offline when persistence is given. It owns their lifetimes; what is read from them is the
 * board model's business (`onNotes` hands each notes document over).
 *
 * How each travels: a document this tab writes (the room for the facilitator, my own notes and
 * drafts, and every notes document for the facilitator, who may edit anyone's) is opened on its
 * own; the notes documents it only reads come through the workshop channel — one subscription
 * for all of them instead of one per document (docs/architecture.md, "The workshop channel").
 * The Y.Doc is the same either way, so the board model above does not know the difference.
 */
export interface OpenDoc {
  doc: Y.Doc;
  persistence: Persistence | null;
  participantId: string | null;
  draft: boolean;
  /** Comes through the workshop channel (read-only) rather than on its own. */
  followed: boolean;
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
  onNotes(entry: BoardDoc): void;
  /** Off: every document on its own, as before the channel (tests and the benchmark compare both). */
  workshopChannel?: boolean;
}

export class WorkshopDocs {
  private readonly open = new Map<string, OpenDoc>();
  /** My public notes and my drafts (blank documents, never synced, for anyone but a participant). */
  readonly ownNotes: Y.Doc;
  readonly ownDrafts: Y.Doc;
  readonly roomName: string;
  /** Read-only notes come through the workshop channel (until the server says it cannot). */
  private following: boolean;

  constructor(private readonly options: WorkshopDocsOptions) {
    this.roomName = roomDocName(options.workshopId);
    // The facilitator writes every notes document: each stays on its own session.
    this.following = options.workshopChannel !== false && options.claims.role !== 'facilitator';
    this.track(this.roomName, options.room, null, false, false);
    options.mux.open(this.roomName, options.room, options.awareness);
    const own = options.claims.role === 'participant' ? options.claims.participantId : null;
    this.ownNotes = own ? this.openNotes(own, false) : newDoc();
    this.ownDrafts = own ? this.openNotes(own, true) : newDoc();
    roomRoots(options.room).participants.observe(() => this.openParticipantDocs());
    if (this.following) options.mux.follow(this.followedDocs());
  }

  get(name: string): OpenDoc | undefined {
    return this.open.get(name);
  }

  destroy(): void {
    for (const { doc, persistence, release } of this.open.values()) {
      release();
      void persistence?.destroy();
      doc.destroy();
    }
    this.open.clear();
  }

  private track(name: string, doc: Y.Doc, participantId: string | null, draft: boolean, followed: boolean): void {
    const release = keepCompact(doc);
    this.open.set(name, { doc, persistence: this.options.persistence?.(name, doc) ?? null, participantId, draft, followed, release });
  }

  /** Only someone else's public notes, read by a participant or an observer. */
  private readsOnly(participantId: string, draft: boolean): boolean {
    return this.following && !draft && participantId !== this.options.claims.participantId;
  }

  private openNotes(participantId: string, draft: boolean): Y.Doc {
    const { workshopId, mux, onNotes } = this.options;
    const name = draft ? draftsDocName(workshopId, participantId) : notesDocName(workshopId, participantId);
    const existing = this.open.get(name);
    if (existing) return existing.doc;
    const doc = newDoc();
    const followed = this.readsOnly(participantId, draft);
    this.track(name, doc, participantId, draft, followed);
    onNotes({ name, doc, participantId, draft });
    if (!followed) mux.open(name, doc);
    return doc;
  }

  /** Only the participants are read (the whole room cost 40–50 ms a join in a 2,000-note workshop). */
  private openParticipantDocs(): void {
    for (const participant of roomPartReaders.participants(this.options.room).value) {
      if (participant.role === 'participant') this.openNotes(participant.id, false);
    }
  }

  private followedDocs(): FollowedDocs {
    const { workshopId, mux } = this.options;
    return {
      workshopId,
      held: () => [...this.open].filter(([, entry]) => entry.followed).map(([name, entry]) => [name, entry.doc] as [string, Y.Doc]),
      // The channel may bring a participant's notes before the room lists them: held from then on.
      docFor: (docName) => {
        const ref = parseDocName(docName);
        if (ref?.kind !== 'notes' || ref.workshopId !== workshopId || !this.readsOnly(ref.participantId, false)) return null;
        const doc = this.openNotes(ref.participantId, false);
        return this.open.get(docName)?.followed ? doc : null;
      },
      unavailable: (reason) => {
        console.warn(`arvo: the workshop channel is not available (${reason}); following each notes document on its own`);
        this.following = false;
        for (const [name, entry] of this.open) {
          if (!entry.followed) continue;
          entry.followed = false;
          mux.open(name, entry.doc);
        }
      },
    };
  }
}
