import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { draftsDocName, notesDocName, roomDocName } from '../../../shared/protocol/docNames';
import type { Claims } from '../../../shared/protocol/permissions';
import { readRoom } from '../../../shared/read/snapshot';
import { roomRoots } from '../../../shared/schema/layout';
import type { BoardDoc } from './board/inputs';
import type { MuxConnection } from './mux';
import type { Persistence } from './transports';

/**
 * Which documents of the workshop this tab holds: the room, every participant's public notes
 * (opened as they appear in the room), and my own drafts — each on the shared socket, and kept
 * offline when persistence is given. It owns their lifetimes; what is read from them is the
 * board model's business (`onNotes` hands each notes document over).
 */
export interface OpenDoc {
  doc: Y.Doc;
  persistence: Persistence | null;
  participantId: string | null;
  draft: boolean;
}

export interface WorkshopDocsOptions {
  workshopId: string;
  claims: Claims;
  room: Y.Doc;
  awareness: Awareness;
  mux: MuxConnection;
  persistence: ((name: string, doc: Y.Doc) => Persistence) | null;
  onNotes(entry: BoardDoc): void;
}

export class WorkshopDocs {
  private readonly open = new Map<string, OpenDoc>();
  /** My public notes and my drafts (blank documents, never synced, for anyone but a participant). */
  readonly ownNotes: Y.Doc;
  readonly ownDrafts: Y.Doc;
  readonly roomName: string;

  constructor(private readonly options: WorkshopDocsOptions) {
    this.roomName = roomDocName(options.workshopId);
    this.track(this.roomName, options.room, null, false);
    options.mux.open(this.roomName, options.room, options.awareness);
    const own = options.claims.role === 'participant' ? options.claims.participantId : null;
    this.ownNotes = own ? this.openNotes(own, false) : new Y.Doc();
    this.ownDrafts = own ? this.openNotes(own, true) : new Y.Doc();
    roomRoots(options.room).participants.observe(() => this.openParticipantDocs());
  }

  get(name: string): OpenDoc | undefined {
    return this.open.get(name);
  }

  destroy(): void {
    for (const { doc, persistence } of this.open.values()) {
      void persistence?.destroy();
      doc.destroy();
    }
    this.open.clear();
  }

  private track(name: string, doc: Y.Doc, participantId: string | null, draft: boolean): void {
    this.open.set(name, { doc, persistence: this.options.persistence?.(name, doc) ?? null, participantId, draft });
  }

  private openNotes(participantId: string, draft: boolean): Y.Doc {
    const { workshopId, mux, onNotes } = this.options;
    const name = draft ? draftsDocName(workshopId, participantId) : notesDocName(workshopId, participantId);
    const existing = this.open.get(name);
    if (existing) return existing.doc;
    const doc = new Y.Doc();
    this.track(name, doc, participantId, draft);
    onNotes({ name, doc, participantId, draft });
    mux.open(name, doc);
    return doc;
  }

  private openParticipantDocs(): void {
    for (const participant of readRoom(this.options.room).participants) {
      if (participant.role === 'participant') this.openNotes(participant.id, false);
    }
  }
}
