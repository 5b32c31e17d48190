import type { Claims } from '../../shared/protocol/permissions';
import type { Access } from '../../shared/protocol/permissions';
import type { DocRoom } from './docRoom';

/**
 * One connection's view of one document. A plain WebSocket at /ws/<doc> has one session; the
 * multiplexed endpoint has one per document it opened. The transport decides how frames travel.
 *
 * The transport is the connection's, shared by all its sessions (it is told which document a
 * frame is for): a tab of a workshop of N has N + 1 sessions, and a transport object with two
 * closures per session was a third of what a tab cost the server.
 */
export interface SessionTransport {
  send(docName: string, frame: Uint8Array): void;
  /** Ends the whole connection with a named close code. */
  close(code: number, reason: string): void;
}

/** Bits of `DocSession.flags`: one small integer instead of three fields, times every (tab, document) pair. */
const CLOSED = 1;
const ANSWERED_STEP1 = 2;
const CAN_WRITE = 4;

/**
 * A tab of a workshop of N keeps N + 1 of these, so every field counts (8 bytes each, times
 * every (tab, document) pair): the booleans share one integer, the access is one of its bits, and
 * what is rarely used (presence clients, held updates) is null until it is.
 */
export class DocSession {
  /**
   * Awareness client ids this session controls (removed when it leaves). Null until the session
   * first speaks for a client: most sessions never do (a tab announces presence on the documents
   * it shows, not on every participant's notes it follows), and an empty Set is ~150 bytes —
   * a tenth of a session's memory, times every (tab, document) pair.
   */
  awarenessClients: Set<number> | null = null;
  /**
   * The room this session is attached to, set by the connection once the document has loaded
   * (connection.ts keeps the session itself as its entry for the document, not a record around it).
   */
  room: DocRoom | null = null;
  /**
   * Updates held until the client's sync step 2 arrives, in arrival order (see DocRoom.hold).
   * Their size is summed when asked: at most a few hundred, and only before that step 2.
   */
  held: Uint8Array[] | null = null;
  private flags: number;

  constructor(
    /** The document's name; the connection swaps in the room's own string once loaded (one copy per document, not per tab). */
    public docName: string,
    readonly claims: Claims,
    access: Access,
    private readonly transport: SessionTransport,
  ) {
    this.flags = access === 'write' ? CAN_WRITE : 0;
  }

  get canWrite(): boolean {
    return (this.flags & CAN_WRITE) !== 0;
  }

  get closed(): boolean {
    return (this.flags & CLOSED) !== 0;
  }

  set closed(value: boolean) {
    this.flags = value ? this.flags | CLOSED : this.flags & ~CLOSED;
  }

  /**
   * Whether the client has answered our sync step 1 (its sync step 2: what it has that we lack).
   * Until then its live edits may build on edits that only that answer carries — offline work,
   * or what a process that died never committed — so the room holds such updates instead of
   * refusing them (see DocRoom.write).
   */
  get answeredStep1(): boolean {
    return (this.flags & ANSWERED_STEP1) !== 0;
  }

  set answeredStep1(value: boolean) {
    this.flags = value ? this.flags | ANSWERED_STEP1 : this.flags & ~ANSWERED_STEP1;
  }

  /** Bytes of the updates held (see `held`). */
  get heldBytes(): number {
    let bytes = 0;
    if (this.held) for (const update of this.held) bytes += update.byteLength;
    return bytes;
  }

  send(frame: Uint8Array): void {
    if (this.flags & CLOSED) return;
    this.transport.send(this.docName, frame);
  }

  close(code: number, reason: string): void {
    if (this.flags & CLOSED) return;
    this.transport.close(code, reason);
  }
}
