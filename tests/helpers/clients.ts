import { WebSocket } from 'ws';
import * as Y from 'yjs';
import { WebsocketProvider } from 'y-websocket';
import { readRoom } from '../../shared/read/snapshot';

/**
 * Stock y-websocket providers (not our client code) and small awaitable conditions. Every
 * provider made here is destroyed by `destroyAll`.
 */
const providers = new Set<WebsocketProvider>();

/**
 * A stock provider in Node adds a process 'exit' listener of its own (to drop its presence), so a
 * test with a dozen providers tripped Node's MaxListenersExceededWarning. The providers made here
 * share one listener instead, registered while any of them is alive.
 */
const dropPresenceOnExit = () => {
  for (const provider of providers) provider._exitHandler();
};

export interface Peer {
  doc: Y.Doc;
  provider: WebsocketProvider;
}

export interface ConnectOptions {
  doc?: Y.Doc;
  connect?: boolean;
  /** The provider's longest retry delay (its own default is 2 500 ms; tests retry within 200 ms). */
  maxBackoffTime?: number;
  /** Called for every socket the provider opens (the first and each reconnection). */
  onSocket?: () => void;
}

export function connect(wsUrl: string, docName: string, token: string, options: ConnectOptions = {}): Peer {
  const doc = options.doc ?? new Y.Doc();
  const Socket = options.onSocket ? reporting(options.onSocket) : WebSocket;
  const provider = new WebsocketProvider(wsUrl, docName, doc, {
    params: { token },
    WebSocketPolyfill: Socket as unknown as typeof globalThis.WebSocket,
    connect: options.connect ?? true,
    disableBc: true,
    maxBackoffTime: options.maxBackoffTime ?? 200,
  });
  process.off('exit', provider._exitHandler);
  if (providers.size === 0) process.on('exit', dropPresenceOnExit);
  providers.add(provider);
  return { doc, provider };
}

/** `ws`'s WebSocket, calling `onSocket` for every socket made. */
function reporting(onSocket: () => void) {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols);
      onSocket();
    }
  };
}

export function destroyAll(): void {
  for (const provider of providers) {
    provider.awareness.setLocalState(null);
    provider.destroy();
  }
  providers.clear();
  process.off('exit', dropPresenceOnExit);
}

/** Resolves when `condition()` is true, checking after every document update (and at start). */
export function waitFor(doc: Y.Doc, condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (condition()) return resolve();
    const timer = setTimeout(() => {
      doc.off('update', check);
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    function check() {
      if (!condition()) return;
      clearTimeout(timer);
      doc.off('update', check);
      resolve();
    }
    doc.on('update', check);
  });
}

export function waitSynced(peer: Peer, timeoutMs = 5000): Promise<void> {
  if (peer.provider.synced) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for sync')), timeoutMs);
    peer.provider.once('sync', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Resolves with the close event of the provider's next WebSocket close. */
export function waitClose(peer: Peer, timeoutMs = 5000): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
    peer.provider.once('connection-close', (event: CloseEvent | null) => {
      clearTimeout(timer);
      resolve({ code: event?.code ?? 0, reason: String(event?.reason ?? '') });
    });
  });
}

export const roomActors = (doc: Y.Doc) => readRoom(doc).actors;
