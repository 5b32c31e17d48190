import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { browserFrames, type FrameScheduler } from './board/feed';

/**
 * Everything the sync layer needs from the outside world, passed in by whoever makes it: the
 * browser's by default (WebSocket, IndexedDB, fetch, Date.now, animation frames), Node's in the
 * tests (the `ws` package, no persistence). Nothing in client/src/sync reaches for a global
 * transport itself.
 */
export interface Persistence {
  destroy(): unknown;
}

export interface SyncTransports {
  createSocket(url: string): WebSocket;
  /** Keeps a document across reloads (IndexedDB in the browser); null: memory only. */
  persistence: ((name: string, doc: Y.Doc) => Persistence) | null;
  fetch: typeof fetch;
  now(): number;
  frames: FrameScheduler;
}

export function browserTransports(): SyncTransports {
  return {
    createSocket: (url) => new WebSocket(url),
    persistence: (name, doc) => new IndexeddbPersistence(`arvo:${name}`, doc),
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    frames: browserFrames,
  };
}
