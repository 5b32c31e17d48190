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

let nextSessionId = 1;

export class DocSession {
  readonly id = nextSessionId++;
  /**
   * Awareness client ids this session controls (removed when it leaves). Null until the session
   * first speaks for a client: most sessions never do (a tab announces presence on the documents
   * it shows, not on every participant's notes it follows), and an empty Set is ~150 bytes —
   * a tenth of a session's memory, times every (tab, document) pair.
   */
  awarenessClients: Set<number> | null = null;
  closed = false;
  /**
   * The room this session is attached to, set by the connection once the document has loaded
   * (connection.ts keeps the session itself as its entry for the document, not a record around it).
   */
  room: DocRoom | null = null;
  /**
   * Whether the client has answered our sync step 1 (its sync step 2: what it has that we lack).
   * Until then its live edits may build on edits that only that answer carries — offline work,
   * or what a process that died never committed — so the room holds such updates instead of
   * refusing them (see DocRoom.write).
   */
  answeredStep1 = false;
  /** Updates held until the client's sync step 2 arrives, in arrival order, and their size. */
  held: Uint8Array[] | null = null;
  heldBytes = 0;

  constructor(
    readonly docName: string,
    readonly claims: Claims,
    readonly access: Access,
    private readonly transport: SessionTransport,
  ) {}

  get canWrite(): boolean {
    return this.access === 'write';
  }

  send(frame: Uint8Array): void {
    if (this.closed) return;
    this.transport.send(this.docName, frame);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.transport.close(code, reason);
  }
}
