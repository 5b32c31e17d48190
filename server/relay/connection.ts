import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import type { DocRef } from '../../shared/protocol/docNames';
import type { Access, Claims } from '../../shared/protocol/permissions';
import { CloseCode } from '../../shared/protocol/wire';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { ProtocolError, decodeClientMessage, encodeAwareness, encodeAwarenessUpdate, muxDocFrame, type ClientMessage } from './codec';
import { holdDuringDelivery } from './deliveryBatch';
import type { DocRoom } from './docRoom';
import { TokenBucket } from './rateLimit';
import { wsBinaryFrame } from './wsFrame';
import type { Rooms } from './rooms';
import { DocSession, type SessionTransport } from './session';

export interface ConnectionDeps {
  rooms: Rooms;
  metrics: Metrics;
  log: Logger;
  rateLimitPerSec: number;
  rateLimitBurst: number;
}

const EMPTY_AWARENESS = encodeAwareness(encodeAwarenessUpdate([]));

/**
 * The rate limit's clock. Monotonic: on the wall clock, a step back of an hour would drain every
 * bucket by an hour's allowance and close every connection with 4429.
 */
const monotonicNow = () => performance.now();

/** WebSocket close reasons are limited to 123 bytes of UTF-8. */
const clip = (reason: string) => (Buffer.byteLength(reason) <= 123 ? reason : reason.slice(0, 120));

/** Why a document that was authorised could not be opened: a close code and reason for the client. */
export class DocumentRefusal extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly label: string,
  ) {
    super(reason);
  }
}

export function loadRefusal(error: unknown): DocumentRefusal {
  const code = (error as { code?: unknown })?.code;
  if (code === 'schema-too-new') return new DocumentRefusal(CloseCode.schemaTooNew, 'document needs a newer Arvo', 'schema-too-new');
  if (code === 'invalid-input' || error instanceof RangeError) return new DocumentRefusal(CloseCode.documentUnreadable, 'document is damaged and cannot be loaded', 'document-unreadable');
  return new DocumentRefusal(CloseCode.storeUnavailable, 'document could not be loaded', 'store-unavailable');
}

export interface Grant {
  ref: DocRef;
  access: Access;
}

/**
 * A document still being authorised or loaded on this connection. Once its room has the session,
 * the session itself takes this entry's place in the connection's map (it knows its room): a
 * record and an array per (tab, document) for the whole life of a session, only needed while a
 * document loads, were 1.3 KiB per tab of a workshop of 20 (docs/relay-benchmark.md).
 */
class Opening {
  /** Null until the document is authorised. */
  session: DocSession | null = null;
  /** Messages that arrived while the document was loading, handled in order once it is ready. */
  readonly backlog: ClientMessage[] = [];
}

/**
 * One WebSocket: rate limit, decoding, keepalive and teardown. It holds no method logic; the
 * document's room decides what a message means. A connection serves one document (`/ws/<doc>`)
 * today; the bindings map is what the multiplexed endpoint extends.
 */
export class Connection implements SessionTransport {
  /** Each open document: its session once the room has it, an `Opening` until then. */
  private readonly bindings = new Map<string, DocSession | Opening>();
  private readonly bucket: TokenBucket;
  /**
   * The workshop channel's say on a message for a document this socket has not opened
   * (server/relay/workshopChannel.ts): true when the channel covers it and has answered.
   */
  onUnopened: ((docName: string, data: Uint8Array) => boolean) | null = null;
  /** Heard from the peer (a message or a pong) since the last keepalive visit. */
  private heard = true;
  /** The last visit pinged a silent peer; silent at the next one too, it is dead. */
  private pinged = false;
  /** Anything sent since the last keepalive visit; when not, the visit sends an empty presence. */
  private sentSinceKeepalive = false;
  private closed = false;
  /** The TCP socket, when frames may be written to it directly (wsFrame.ts); null: through `ws`. */
  private readonly socket: Writable | null;

  constructor(
    private readonly ws: WebSocket,
    readonly claims: Claims,
    private readonly deps: ConnectionDeps,
    /** Whether a document's message travels inside a mux frame (`/mux`) or as is (`/ws/<doc>`). */
    private readonly muxed = false,
  ) {
    this.bucket = new TokenBucket(deps.rateLimitPerSec, deps.rateLimitBurst, monotonicNow());
    this.socket = ws.extensions === '' ? ((ws as unknown as { _socket?: Writable })._socket ?? null) : null;
    deps.metrics.connections.inc();
    ws.on('pong', () => (this.heard = true));
    ws.on('error', (error: Error & { code?: string }) => {
      const reason = error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'message-too-large' : 'invalid-frame';
      deps.metrics.rejected.inc({ reason });
      deps.log.warn('connection-error', { participant: claims.participantId, reason, error: error.message });
    });
    ws.on('close', () => this.teardown());
  }

  /**
   * Opens a document on this connection. Messages for it are queued from this moment until it
   * has been authorised and loaded; a refusal goes to `onRefused` and the connection stays open.
   */
  async open(docName: string, authorise: () => Promise<Grant>, onRefused: (error: unknown) => void): Promise<void> {
    if (this.closed || this.bindings.has(docName)) return;
    const opening = new Opening();
    this.bindings.set(docName, opening);
    const stillWanted = () => !this.closed && this.bindings.get(docName) === opening;
    let grant: Grant;
    try {
      grant = await authorise();
    } catch (error) {
      if (stillWanted()) this.bindings.delete(docName);
      onRefused(error);
      return;
    }
    if (!stillWanted()) return;
    const session = new DocSession(docName, this.claims, grant.access, this);
    opening.session = session;
    this.deps.metrics.docSessions.inc();
    let room: DocRoom;
    try {
      room = await this.deps.rooms.acquire(docName, grant.ref);
    } catch (error) {
      // One document that cannot load (too new, damaged, the store failing) is refused on its
      // own: the connection and every other document on it stay open. `/ws/<doc>` carries
      // only this document, so its refusal handler closes the socket with the same code.
      this.deps.log.error('room-load-failed', { doc: docName, error: String(error) });
      if (stillWanted()) this.bindings.delete(docName);
      session.closed = true;
      this.deps.metrics.docSessions.dec();
      onRefused(loadRefusal(error));
      return;
    }
    if (!stillWanted()) {
      this.deps.rooms.release(room);
      return;
    }
    session.room = room;
    // Keyed by the room's own name string from now on: every tab's copy of the name (decoded from
    // its `open` frame) would otherwise live as long as the session, ~70 bytes per (tab, document).
    session.docName = room.name;
    this.bindings.delete(docName);
    this.bindings.set(room.name, session);
    room.attach(session);
    for (const message of opening.backlog.splice(0)) if (!this.dispatch(session, message)) return;
  }

  /** Stops following a document (multiplexed connections only). */
  closeDoc(docName: string): void {
    const binding = this.bindings.get(docName);
    if (!binding) return;
    this.bindings.delete(docName);
    this.release(binding);
  }

  private release(binding: DocSession | Opening): void {
    const session = binding instanceof Opening ? binding.session : binding;
    if (!session) return;
    if (!session.closed) this.deps.metrics.docSessions.dec();
    session.closed = true;
    // An Opening's room is not yet acquired (or was released by `open` itself when no longer wanted).
    if (session.room) {
      session.room.detach(session);
      this.deps.rooms.release(session.room);
    }
  }

  onMessage(docName: string, data: Uint8Array): void {
    if (this.closed) return;
    this.heard = true;
    this.deps.metrics.bytesIn.inc(data.byteLength);
    if (!this.bucket.take(monotonicNow())) {
      this.reject('rate-limited', CloseCode.rateLimited, 'rate limit exceeded: too many messages');
      return;
    }
    const binding = this.bindings.get(docName);
    if (!binding) {
      // A document this socket follows through the workshop channel: read-only (a write is refused there).
      if (this.onUnopened?.(docName, data)) return;
      // A multiplexed client may still send for a document just closed or refused: not an attack.
      this.deps.metrics.rejected.inc({ reason: 'document-not-open' });
      return;
    }
    let message: ClientMessage;
    try {
      message = decodeClientMessage(data);
    } catch (error) {
      this.fail(error);
      return;
    }
    this.deps.metrics.messagesIn.inc(message.type);
    if (binding instanceof Opening) binding.backlog.push(message);
    else this.dispatch(binding, message);
  }

  /** Returns false when the message closed the connection. */
  private dispatch(session: DocSession, message: ClientMessage): boolean {
    try {
      session.room!.handle(session, message);
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  private fail(error: unknown): void {
    if (error instanceof ProtocolError) {
      this.reject(reasonLabel(error.closeCode), error.closeCode, error.reason);
      return;
    }
    this.deps.log.error('message-handler-crashed', { participant: this.claims.participantId, error: String((error as Error)?.stack ?? error) });
    this.reject('internal-error', CloseCode.internalError, 'internal error');
  }

  private reject(reason: string, code: number, message: string): void {
    this.deps.metrics.rejected.inc({ reason });
    this.deps.log.warn('connection-refused-message', { participant: this.claims.participantId, reason, code, message });
    this.close(code, message);
  }

  /**
   * Called once per keepalive interval (server/relay/keepalive.ts): detects dead peers and keeps
   * idle ones from timing out. A stock y-websocket client reconnects after 30 s without a message
   * (pings don't count), and so does the mux client (client/src/sync/mux.ts) — per socket, not per
   * document: one empty presence message on a silent socket is enough, however many documents it
   * carries. The silence is a flag set by every send, so delivering needs no clock read.
   *
   * A peer is pinged only when it has said nothing since the last visit: any message proves it
   * alive as well as a pong would, and a tab that writes needs no ping (bare y-websocket pings
   * every socket every 30 s; at 10 s here, pings of busy sockets were a few % of the relay's CPU).
   * A silent peer is pinged, and ended at the next visit if it has not answered.
   */
  keepalive(): void {
    if (this.heard) {
      this.heard = false;
      this.pinged = false;
    } else if (this.pinged) {
      this.deps.log.info('connection-dead', { participant: this.claims.participantId });
      this.ws.terminate();
      return;
    } else {
      this.pinged = true;
      this.ws.ping();
    }
    if (!this.sentSinceKeepalive) {
      for (const binding of this.bindings.values()) {
        const session = binding instanceof Opening ? binding.session : binding;
        if (!session || session.closed) continue;
        session.send(EMPTY_AWARENESS);
        break;
      }
    }
    this.sentSinceKeepalive = false;
  }

  /**
   * Whether this socket's frames are framed once per fan-out and written to the TCP socket as is
   * (wsFrame.ts), not through `ws`. It relies on `ws` keeping its socket in `_socket`: should a
   * new `ws` rename it, sending still works (through `ws.send`) but silently costs more, so a
   * test asserts that the fast path is taken with the installed `ws` (tests/unit/wsFrame.test.ts).
   */
  get writesFramesDirectly(): boolean {
    return this.socket !== null;
  }

  /** Is this document open on this connection (authorised or still being authorised)? */
  hasDoc(docName: string): boolean {
    return this.bindings.has(docName);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * A document's message, framed as this socket frames. The connection is the transport of all
   * its sessions (session.ts) — one object per socket, not a transport object and two closures
   * per (socket, document) — and the workshop channel sends through it outside any session.
   */
  send(docName: string, frame: Uint8Array): void {
    this.sendRaw(this.muxed ? muxDocFrame(docName, frame) : frame);
  }

  /** A whole frame of the socket's own protocol (the workshop channel's `following`/`unfollowed`). */
  sendFrame(frame: Uint8Array): void {
    this.sendRaw(frame);
  }

  /** Handles a message as if it had failed in a room: a ProtocolError closes with its code. */
  failWith(error: unknown): void {
    this.fail(error);
  }

  private sendRaw(frame: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.sentSinceKeepalive = true;
    this.deps.metrics.sent.add(frame.byteLength);
    if (this.socket) {
      // Inside a room's relay loop, this socket's frames of the batch leave in one write (deliveryBatch.ts).
      holdDuringDelivery(this.socket);
      this.socket.write(wsBinaryFrame(frame));
      return;
    }
    holdDuringDelivery((this.ws as unknown as { _socket?: Writable })._socket);
    this.ws.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.ws.close(code, clip(reason));
    this.teardown();
  }

  private teardown(): void {
    if (this.closed) return;
    this.closed = true;
    this.deps.metrics.connections.dec();
    for (const binding of this.bindings.values()) this.release(binding);
    this.bindings.clear();
  }
}

const LABELS = new Map<number, string>(Object.entries(CloseCode).map(([name, code]) => [code, name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)]));
const reasonLabel = (code: number) => LABELS.get(code) ?? `close-${code}`;
