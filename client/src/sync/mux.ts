import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { decodeMux, encodeMux, type RecordsDoc } from '../../../shared/protocol/mux';
import { CloseCode, MessageType } from '../../../shared/protocol/wire';
import type { ConnectionStatus } from './types';

/**
 * One WebSocket per tab for every document of the workshop (server: /mux). Each document runs
 * the y-websocket exchange inside its own channel: step 1 on (re)connect, step 2 in answer,
 * then updates both ways; awareness beside it. Offline edits wait in the Y.Doc and leave with the
 * next sync. Reconnects back off exponentially with jitter, so that a server restart does not
 * bring every client back in the same instant; the backoff starts over only once a connection
 * has stayed up for HEALTHY_MS, so a server that accepts and at once closes (rate limit 4429,
 * overload) sees each client slow down instead of a reconnect loop.
 *
 * A document the server refuses (a `refused` frame: no access, damaged, too new) is refused on
 * its own: the socket and every other document go on; the refused one is asked for again only
 * on the next connection. A frame that cannot be read is skipped and reported once per document.
 *
 * Documents this tab only reads (other participants' notes) can come through the workshop
 * channel instead (`follow`): one subscription for all of them, sent after the documents opened
 * on their own on every (re)connection, with the state vector of each held one so that only what
 * is missing comes back. They are applied as they arrive and never answered or written.
 * In records mode (`followRecords`) the channel brings each such document's plain records
 * instead of its updates: the tab holds no Y.Doc for it at all.
 */
export interface MuxOptions {
  url: string;
  onStatus(status: ConnectionStatus, reason: string | null): void;
  /**
   * A write the server refused (y-protocols permission denied: no `code`), or a document it
   * would not open on this connection (`code`: its close code, shared/protocol/wire.ts).
   */
  onRefusal(docName: string, reason: string, code?: number): void;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a connection must stay up before the backoff starts over (default HEALTHY_MS). */
  healthyMs?: number;
  /** Tests: a socket other than the browser's WebSocket, and the source of jitter. */
  createSocket?: (url: string) => WebSocket;
  random?: () => number;
}

/**
 * The notes documents a tab follows through the workshop channel (client/src/sync/documents.ts
 * decides which): read-only, made on demand when the channel brings one the tab does not hold yet.
 */
export interface FollowedDocs {
  workshopId: string;
  /** The followed documents held now: their state vectors go with `follow`. */
  held(): Iterable<[string, Y.Doc]>;
  /** The document for a name the channel delivers (made if new); null: not one to follow. */
  docFor(docName: string): Y.Doc | null;
  /** The server will not serve the channel (refused, or too old to know it): open them one by one. */
  unavailable(reason: string): void;
}

/**
 * The notes documents a tab follows in the channel's records mode (client/src/sync/documents.ts):
 * each one's records, made on demand when the channel brings one the tab does not hold yet.
 */
export interface FollowedRecords {
  workshopId: string;
  /** Each followed document held now, with the version of its last full snapshot (null: none, or changed since). */
  held(): Iterable<[string, Uint8Array | null]>;
  /** One document's records as they arrive (validated by the receiver). */
  apply(doc: RecordsDoc): void;
  /** The server will not serve records mode: open the documents one by one. */
  unavailable(reason: string): void;
}

/** Counters for what the sync layer skipped or refused (for diagnostics and tests). */
export interface MuxDiagnostics {
  /** Sockets opened so far (the first connection and every reconnection). */
  connections: number;
  /** Frames that could not be read or applied and were skipped. */
  unreadableFrames: number;
  /** Documents the server refused on this socket, by name, with the close code. */
  refused: Map<string, number>;
  /** The workshop channel has caught up on this socket (its `following` arrived). */
  following: boolean;
}

/** A connection that stays up this long is healthy: the next drop starts the backoff over. */
export const HEALTHY_MS = 10_000;
/** WebSocket.OPEN, spelled out so that injected sockets (tests) need not define it. */
const OPEN = 1;

/** A stock y-websocket client gives up on a silent socket after 30 s; the server talks every ~10 s. */
const SILENCE_LIMIT_MS = 30_000;
const AUTH_FAILURES = new Set<number>([CloseCode.unauthorized, CloseCode.forbidden, CloseCode.removed]);

interface Channel {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness | null;
  synced: boolean;
  /** The server refused this document on the current socket: nothing is sent for it until the next. */
  refused: boolean;
  /** A frame for it was unreadable (reported once). */
  warned: boolean;
  onSynced: Array<() => void>;
  detach(): void;
}

export class MuxConnection {
  private socket: WebSocket | null = null;
  private readonly channels = new Map<string, Channel>();
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private healthyTimer: ReturnType<typeof setTimeout> | null = null;
  private silenceTimer: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;
  private destroyed = false;
  status: ConnectionStatus = 'connecting';
  readonly diagnostics: MuxDiagnostics = { connections: 0, unreadableFrames: 0, refused: new Map(), following: false };
  private followed: FollowedDocs | null = null;
  private followedRecords: FollowedRecords | null = null;
  /** A `follow` went out on the current socket and no answer has come yet. */
  private followPending = false;
  private onFollowing: Array<() => void> = [];

  constructor(private readonly options: MuxOptions) {
    this.connect();
    if (typeof window !== 'undefined') {
      window.addEventListener('online', this.reconnectNow);
      window.addEventListener('offline', this.dropNow);
    }
  }

  open(docName: string, doc: Y.Doc, awareness: awarenessProtocol.Awareness | null = null): void {
    if (this.channels.has(docName)) return;
    const onUpdate = (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MessageType.sync);
      syncProtocol.writeUpdate(encoder, update);
      this.sendDoc(docName, encoding.toUint8Array(encoder));
    };
    const onAwareness = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
      if (origin === this || !awareness) return;
      const changed = added.concat(updated, removed);
      this.sendDoc(docName, awarenessFrame(awareness, changed));
    };
    doc.on('update', onUpdate);
    awareness?.on('update', onAwareness);
    const channel: Channel = {
      doc,
      awareness,
      synced: false,
      refused: false,
      warned: false,
      onSynced: [],
      detach: () => {
        doc.off('update', onUpdate);
        awareness?.off('update', onAwareness);
      },
    };
    this.channels.set(docName, channel);
    if (this.isOpen()) this.startChannel(docName, channel);
  }

  close(docName: string): void {
    const channel = this.channels.get(docName);
    if (!channel) return;
    channel.detach();
    this.channels.delete(docName);
    if (this.isOpen()) this.send(encodeMux({ kind: 'close', docName }));
  }

  /**
   * Follows the workshop's notes documents through the workshop channel (at once when connected,
   * then on every reconnection, after the documents opened one by one).
   */
  follow(followed: FollowedDocs): void {
    this.followed = followed;
    if (this.isOpen()) this.sendFollow();
  }

  /** Follows the workshop's notes documents in records mode (as `follow`, plain records instead of updates). */
  followRecords(followed: FollowedRecords): void {
    this.followedRecords = followed;
    if (this.isOpen()) this.sendFollow();
  }

  /** Stops following (the server is told; documents already held stay as they are). */
  unfollow(): void {
    const followed = this.followed ?? this.followedRecords;
    this.followed = null;
    this.followedRecords = null;
    this.followPending = false;
    if (followed && this.isOpen()) this.send(encodeMux({ kind: 'unfollow', docName: followed.workshopId }));
  }

  /** Resolves once the workshop channel has caught up on the current connection. */
  whenFollowing(): Promise<void> {
    if (this.diagnostics.following) return Promise.resolve();
    return new Promise((resolve) => this.onFollowing.push(resolve));
  }

  private sendFollow(): void {
    this.followPending = true;
    const records = this.followedRecords;
    if (records) {
      const entries = [...records.held()].map(([docName, version]) => ({ docName, version: version ?? new Uint8Array(0) }));
      this.send(encodeMux({ kind: 'followRecords', docName: records.workshopId, entries }));
      return;
    }
    const followed = this.followed!;
    const entries = [...followed.held()].map(([docName, doc]) => ({ docName, stateVector: Y.encodeStateVector(doc) }));
    this.send(encodeMux({ kind: 'follow', docName: followed.workshopId, entries }));
  }

  /** Resolves once the document has received the server's state in this connection. */
  whenSynced(docName: string): Promise<void> {
    const channel = this.channels.get(docName);
    if (!channel || channel.synced) return Promise.resolve();
    return new Promise((resolve) => channel.onSynced.push(resolve));
  }

  destroy(): void {
    this.destroyed = true;
    if (typeof window !== 'undefined') {
      window.removeEventListener('online', this.reconnectNow);
      window.removeEventListener('offline', this.dropNow);
    }
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    for (const [docName, channel] of this.channels) {
      if (channel.awareness) awarenessProtocol.removeAwarenessStates(channel.awareness, [channel.doc.clientID], 'destroy');
      this.close(docName);
    }
    this.socket?.close();
    this.socket = null;
  }

  private send(frame: Uint8Array): void {
    // DOM typings want an ArrayBuffer-backed view; lib0 encoders always produce one.
    this.socket!.send(frame as Uint8Array<ArrayBuffer>);
  }

  private isOpen(): boolean {
    return this.socket?.readyState === OPEN;
  }

  private setStatus(status: ConnectionStatus, reason: string | null = null): void {
    this.status = status;
    this.options.onStatus(status, reason);
  }

  /**
   * The browser says the network is gone: say so now. A socket on a dead network can look open
   * until the silence limit (or forever, when only the browser's side knows); edits made
   * meanwhile wait in the documents and leave with the sync after 'online'.
   */
  private readonly dropNow = () => {
    const socket = this.socket;
    if (this.destroyed || !socket) return;
    socket.onmessage = null;
    socket.close();
    this.closed(socket, null);
  };

  private readonly reconnectNow = () => {
    if (this.destroyed || this.isOpen()) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.attempt = 0;
    this.connect();
  };

  private connect(): void {
    if (this.destroyed) return;
    const socket = this.options.createSocket ? this.options.createSocket(this.options.url) : new WebSocket(this.options.url);
    socket.binaryType = 'arraybuffer';
    this.socket = socket;
    this.diagnostics.connections++;
    this.diagnostics.refused.clear();
    socket.onopen = () => {
      // Not `attempt = 0` here: a server that accepts and closes at once must not reset the backoff.
      this.healthyTimer = setTimeout(() => {
        this.healthyTimer = null;
        this.attempt = 0;
      }, this.options.healthyMs ?? HEALTHY_MS);
      this.lastMessageAt = Date.now();
      this.setStatus('live');
      for (const [docName, channel] of this.channels) this.startChannel(docName, channel);
      if (this.followed || this.followedRecords) this.sendFollow();
      this.silenceTimer = setInterval(() => {
        if (Date.now() - this.lastMessageAt > SILENCE_LIMIT_MS) socket.close();
      }, SILENCE_LIMIT_MS / 10);
    };
    socket.onmessage = (event: MessageEvent<ArrayBuffer>) => {
      this.lastMessageAt = Date.now();
      this.receive(new Uint8Array(event.data));
    };
    socket.onclose = (event) => this.closed(socket, event);
  }

  /** A socket ended (its close event, or `dropNow` giving up on it first): report and retry. */
  private closed(socket: WebSocket, event: CloseEvent | null): void {
    // An old socket whose close arrives late must not touch the current connection.
    if (this.socket !== socket) return;
    if (this.silenceTimer) clearInterval(this.silenceTimer);
    this.silenceTimer = null;
    if (this.healthyTimer) clearTimeout(this.healthyTimer);
    this.healthyTimer = null;
    this.socket = null;
    this.diagnostics.following = false;
    // A server too old to know the channel closes on its frame as malformed: open them one by one.
    const followRefused = this.followPending && event?.code === CloseCode.malformedMessage;
    this.followPending = false;
    if (followRefused) this.stopFollowing(event.reason || 'the server does not know the workshop channel');
    for (const channel of this.channels.values()) {
      channel.synced = false;
      channel.refused = false;
      // Others' presence is stale once we cannot hear them.
      if (channel.awareness) {
        const others = [...channel.awareness.getStates().keys()].filter((id) => id !== channel.doc.clientID);
        awarenessProtocol.removeAwarenessStates(channel.awareness, others, this);
      }
    }
    if (this.destroyed) return;
    if (event && AUTH_FAILURES.has(event.code)) {
      this.setStatus('denied', event.reason || null);
      return;
    }
    this.setStatus('offline', event?.reason || null);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const min = this.options.minBackoffMs ?? 500;
    const max = this.options.maxBackoffMs ?? 15_000;
    const base = Math.min(max, min * 2 ** Math.min(this.attempt, 30));
    const delay = base / 2 + (this.options.random ?? Math.random)() * base; // ±50 % jitter
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      // No network at all: stay "offline" and keep waiting ('online' reconnects at once).
      if (typeof navigator !== 'undefined' && navigator.onLine === false) return this.scheduleReconnect();
      this.setStatus('connecting');
      this.connect();
    }, delay);
  }

  private startChannel(docName: string, channel: Channel): void {
    this.send(encodeMux({ kind: 'open', docName }));
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeSyncStep1(encoder, channel.doc);
    this.sendDoc(docName, encoding.toUint8Array(encoder));
    if (channel.awareness?.getLocalState()) this.sendDoc(docName, awarenessFrame(channel.awareness, [channel.doc.clientID]));
  }

  private sendDoc(docName: string, payload: Uint8Array): void {
    if (this.isOpen() && !this.channels.get(docName)?.refused) this.send(encodeMux({ kind: 'doc', docName, payload }));
  }

  /** One frame; one that cannot be read (or applied) is skipped, never ends the connection. */
  private receive(bytes: Uint8Array): void {
    let docName: string | null = null;
    try {
      const message = decodeMux(bytes);
      docName = message.docName;
      if (message.kind === 'refused') this.refuse(message.docName, message.code, message.reason);
      else if (message.kind === 'doc') this.receiveDoc(message.docName, message.payload);
      else if (message.kind === 'following') this.caughtUp();
      else if (message.kind === 'batch') {
        // Several channel messages in one frame; one for a document open on its own is ours already.
        for (const entry of message.entries) if (!this.channels.has(entry.docName)) this.receiveDoc(entry.docName, entry.payload);
      }
      else if (message.kind === 'records') {
        // A document open on its own is ours already (the same frame goes to every follower).
        for (const doc of message.docs) if (!this.channels.has(doc.docName)) this.followedRecords?.apply(doc);
      }
      else if (message.kind === 'unfollowed') {
        this.followPending = false;
        this.stopFollowing(`${message.code} ${message.reason}`);
      }
    } catch (error) {
      this.diagnostics.unreadableFrames++;
      const channel = docName === null ? undefined : this.channels.get(docName);
      if (channel && channel.warned) return;
      if (channel) channel.warned = true;
      console.warn(`arvo: skipped an unreadable frame${docName ? ` for ${docName}` : ''}`, error);
    }
  }

  private refuse(docName: string, code: number, reason: string): void {
    this.diagnostics.refused.set(docName, code);
    const channel = this.channels.get(docName);
    if (channel) channel.refused = true;
    this.options.onRefusal(docName, reason, code);
  }

  private caughtUp(): void {
    this.followPending = false;
    this.diagnostics.following = true;
    for (const resolve of this.onFollowing.splice(0)) resolve();
  }

  private stopFollowing(reason: string): void {
    const followed = this.followed ?? this.followedRecords;
    this.followed = null;
    this.followedRecords = null;
    followed?.unavailable(reason);
  }

  /** A followed document's frame: state and updates are applied; nothing is ever answered. */
  private receiveFollowed(docName: string, payload: Uint8Array): void {
    const doc = this.followed?.docFor(docName);
    if (!doc) return;
    const decoder = decoding.createDecoder(payload);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.sync) {
      const syncType = decoding.readVarUint(decoder);
      if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) syncProtocol.readSyncStep2(decoder, doc, this);
    } else if (type === MessageType.auth && decoding.readVarUint(decoder) === 0) this.options.onRefusal(docName, decoding.readVarString(decoder));
  }

  private receiveDoc(docName: string, payload: Uint8Array): void {
    const message = { docName, payload };
    const channel = this.channels.get(docName);
    if (!channel && this.followed) return this.receiveFollowed(docName, payload);
    if (!channel || channel.refused) return;
    const decoder = decoding.createDecoder(message.payload);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MessageType.sync: {
        const encoder = encoding.createEncoder();
        encoding.writeVarUint(encoder, MessageType.sync);
        const syncType = syncProtocol.readSyncMessage(decoder, encoder, channel.doc, this);
        if (encoding.length(encoder) > 1) this.sendDoc(message.docName, encoding.toUint8Array(encoder));
        if (syncType === syncProtocol.messageYjsSyncStep2 && !channel.synced) {
          channel.synced = true;
          for (const resolve of channel.onSynced.splice(0)) resolve();
        }
        return;
      }
      case MessageType.awareness:
        if (channel.awareness) awarenessProtocol.applyAwarenessUpdate(channel.awareness, decoding.readVarUint8Array(decoder), this);
        return;
      case MessageType.auth:
        if (decoding.readVarUint(decoder) === 0) this.options.onRefusal(message.docName, decoding.readVarString(decoder));
        return;
      default:
        return;
    }
  }
}

function awarenessFrame(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MessageType.awareness);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}
