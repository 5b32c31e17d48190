import type { Claims } from '../../shared/protocol/permissions';
import type { Access } from '../../shared/protocol/permissions';

/**
 * One connection's view of one document. A plain WebSocket at /ws/<doc> has one session; the
 * multiplexed endpoint has one per document it opened. The transport decides how frames travel.
 */
export interface SessionTransport {
  send(frame: Uint8Array): void;
  /** Ends the whole connection with a named close code. */
  close(code: number, reason: string): void;
}

let nextSessionId = 1;

export class DocSession {
  readonly id = nextSessionId++;
  /** Awareness client ids this session controls (removed when it leaves). */
  readonly awarenessClients = new Set<number>();
  closed = false;
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
    this.transport.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.transport.close(code, reason);
  }
}
