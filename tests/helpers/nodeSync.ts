import { WebSocket } from 'ws';
import { decodeClaims } from '../../client/src/sync/session';
import type { SyncTransports } from '../../client/src/sync/transports';
import type { BoardSnapshot } from '../../client/src/sync/types';
import { WorkshopSync } from '../../client/src/sync/workshop';

/**
 * The browser's sync layer (client/src/sync) run in Node against a real server: its transports
 * made of `ws` sockets, Node's fetch and timers, no IndexedDB.
 */
export function nodeTransports(options: { sockets?: WebSocket[]; onFetch?: (url: string) => void } = {}): Partial<SyncTransports> {
  return {
    createSocket: (url) => {
      const socket = new WebSocket(url);
      // A browser socket reports errors as events and then closes; Node's `ws` throws an 'error' nobody listens to.
      socket.on('error', () => undefined);
      options.sockets?.push(socket);
      return socket as unknown as globalThis.WebSocket;
    },
    persistence: null,
    fetch: (input, init) => {
      options.onFetch?.(String(input));
      return fetch(input, init);
    },
    now: () => Date.now(),
    frames: { request: (run) => setTimeout(run, 1), cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) },
  };
}

/**
 * A tab's sync layer in Node for `token` against `server` (its workshop from the token's claims),
 * with Node's transports unless others are given, and a short reconnect backoff.
 */
export function nodeWorkshopSync(
  server: { url: string },
  token: string,
  name: string,
  options: { transports?: Partial<SyncTransports>; workshopChannel?: boolean } = {},
): WorkshopSync {
  const claims = decodeClaims(token);
  if (!claims) throw new Error('not a workshop token');
  return new WorkshopSync({
    workshopId: claims.workshopId,
    token,
    claims,
    name,
    wsOrigin: server.url.replace('http', 'ws'),
    httpOrigin: server.url,
    transports: options.transports ?? nodeTransports(),
    minBackoffMs: 20,
    ...(options.workshopChannel === undefined ? {} : { workshopChannel: options.workshopChannel }),
  });
}

/** Resolves with the first published snapshot for which `condition` holds. */
export function untilBoard(sync: WorkshopSync, condition: (board: BoardSnapshot) => boolean, what: string, timeoutMs = 5000): Promise<BoardSnapshot> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | null = null;
    let done = false;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    unsubscribe = sync.subscribe((board) => {
      if (done || !condition(board)) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe?.());
      resolve(board);
    });
  });
}
