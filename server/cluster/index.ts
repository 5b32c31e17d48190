import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { parseDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import type { TokenService } from '../auth/tokens';
import { requestPathname } from '../http/url';
import type { Logger } from '../log';
import type { DocRoom } from '../relay/docRoom';
import type { RoomListener } from '../relay/rooms';
import { isFenced, StoreError } from '../store/errors';
import type { DocStore, Fence, NewUpdate } from '../store/port';
import { createClusterAuth, FORWARD_HEADER } from './auth';
import { createPeerCheck, forwardHttp, forwardUpgrade, PeerUnreachable } from './forward';
import { LeaseManager } from './leases';

export { type ClusterSettings, clusterSettings } from './settings';

/** What the cluster needs of the store: leases and fenced appends (server/store/port.ts). */
export type FencedStore = Pick<DocStore, 'appendUpdates' | 'acquireLease' | 'releaseLease'>;

export interface ClusterDeps {
  store: FencedStore;
  tokens: TokenService;
  secret: Uint8Array;
  /** This process: the lease owner id (also the rooms' process id). */
  processId: string;
  /** ADVERTISE_URL, or http://HOST:PORT once the port is known. */
  address: () => string;
  log: Logger;
  ttlMs: number;
  renewMs: number;
  /** How long a forwarder keeps trying while the owner is unreachable (it died; its lease must run out first). */
  failoverWaitMs?: number;
}


const WORKSHOP_PATH = /^\/api\/workshops\/([0-9A-Za-z]{16})\//;
const RECONNECT_REASON = 'workshop moved to another server process; reconnect';
const STORE_REASON = 'storage unavailable; your edits are kept and will be sent again';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** How often sockets held for an unreachable owner look at its lease again. */
const OWNER_RETRY_MS = 250;

function rawRefusal(socket: Duplex, status: string, retryAfter?: number): void {
  if (!socket.writable) return void socket.destroy();
  const extra = retryAfter !== undefined ? `retry-after: ${retryAfter}\r\n` : '';
  socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\n${extra}content-length: 0\r\n\r\n`);
}

function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  response.end(text);
}

/**
 * Several processes on one PostgreSQL (issue 11; docs/architecture.md, "Several processes").
 * One process owns a workshop at a time (a lease with a fencing epoch, ./leases.ts); any other
 * that receives the workshop's WebSocket or workshop-scoped HTTP call forwards it to the owner
 * (./forward.ts), or takes the lease itself when nobody live holds it. Everything of a workshop
 * — its documents, presence, the round engine's timers — therefore lives in one process, exactly
 * as on a single server, and the single-process code paths are used unchanged.
 */
export function createCluster(deps: ClusterDeps) {
  const auth = createClusterAuth(deps.secret);
  const checkPeer = createPeerCheck(auth);
  const failoverWaitMs = deps.failoverWaitMs ?? deps.ttlMs + 3000;
  /** The loaded documents of each workshop (told by Rooms). */
  const loaded = new Map<string, Set<DocRoom>>();
  let draining = false;
  /**
   * Sockets held for a workshop whose owner is unreachable wait together: one shared pause per
   * workshop, after which they all ask at once — and LeaseManager.resolve folds concurrent asks
   * into one database query. (Each waiting on its own clock, a reconnect storm of 200 sockets
   * made ~800 lease queries a second during the very failover it was waiting for.)
   */
  const ownerWaits = new Map<string, Promise<void>>();
  const waitForOwner = (workshopId: string): Promise<void> => {
    let wait = ownerWaits.get(workshopId);
    if (!wait) {
      wait = sleep(OWNER_RETRY_MS).then(() => void ownerWaits.delete(workshopId));
      ownerWaits.set(workshopId, wait);
    }
    return wait;
  };
  /** Client sockets piped to an owner elsewhere (cut on drain: the clients reconnect through another process). */
  const piped = new Set<Duplex>();

  function dropWorkshop(workshopId: string, why: string, storeFailed = false): void {
    const rooms = [...(loaded.get(workshopId) ?? [])];
    // Clients first, with the code that makes them reconnect at once (to the new owner, via any
    // process) — or, when the database itself is unreachable, the store-failure code, as one
    // process closes when a commit fails: the clients keep their edits and retry with backoff.
    for (const room of rooms) {
      for (const session of [...room.sessions]) {
        if (storeFailed) session.close(CloseCode.storeUnavailable, STORE_REASON);
        else session.close(CloseCode.shuttingDown, RECONNECT_REASON);
      }
    }
    // Then the documents: never served again from this copy; the next owner loads from the store.
    for (const room of rooms) room.abandon(`lease lost: ${why}`);
  }

  const leases = new LeaseManager({
    store: deps.store,
    owner: deps.processId,
    address: deps.address,
    ttlMs: deps.ttlMs,
    renewMs: deps.renewMs,
    idleReleaseMs: Math.max(deps.ttlMs, 5000),
    log: deps.log,
    inUse: (workshopId) => (loaded.get(workshopId)?.size ?? 0) > 0,
    onLost: dropWorkshop,
  });

  const listener: RoomListener = {
    loaded(room) {
      const { workshopId } = room.ref;
      let set = loaded.get(workshopId);
      if (!set) loaded.set(workshopId, (set = new Set()));
      set.add(room);
      // Loaded without the lease (cannot happen through the router; a safety net): drop it.
      if (!leases.owns(workshopId)) void leases.resolve(workshopId).then((owner) => !owner.mine && dropWorkshop(workshopId, 'loaded without the lease'), () => undefined);
    },
    unloading(room) {
      const set = loaded.get(room.ref.workshopId);
      set?.delete(room);
      if (set?.size === 0) loaded.delete(room.ref.workshopId);
    },
  };

  /**
   * The PersistQueue's append: the tick's updates in ONE transaction carrying the fence of every
   * workshop in it (one commit per tick, as on one process). Results per update: when that commit
   * is fenced, each workshop's share is retried alone, so that the one workshop we lost fails
   * alone and the others are stored.
   */
  async function append(batch: readonly NewUpdate[]): Promise<Array<number | Error>> {
    const results: Array<number | Error> = new Array(batch.length);
    const groups = new Map<string, number[]>();
    batch.forEach((update, i) => {
      const workshopId = parseDocName(update.docName)?.workshopId ?? update.docName;
      let group = groups.get(workshopId);
      if (!group) groups.set(workshopId, (group = []));
      group.push(i);
    });
    const fenced: Array<{ fence: Fence; indexes: number[] }> = [];
    await Promise.all(
      [...groups].map(async ([workshopId, indexes]) => {
        const fence = await leases.fence(workshopId).catch((error: unknown) => error as Error);
        if (fence && !(fence instanceof Error)) return void fenced.push({ fence, indexes });
        const failure = fence ?? new StoreError('fenced', `workshop ${workshopId} is owned by another process`);
        for (const i of indexes) results[i] = failure;
      }),
    );
    const store = async (parts: typeof fenced) => {
      const indexes = parts.flatMap((part) => part.indexes).sort((a, b) => a - b);
      const seqs = await deps.store.appendUpdates(
        indexes.map((i) => batch[i]!),
        parts.map((part) => part.fence),
      );
      indexes.forEach((i, k) => (results[i] = seqs[k]!));
    };
    const failAll = (parts: typeof fenced, error: unknown) => {
      for (const part of parts) {
        leases.recheck(part.fence.workshopId);
        for (const i of part.indexes) results[i] = error instanceof Error ? error : new Error(String(error));
      }
    };
    if (fenced.length > 0) {
      try {
        await store(fenced);
      } catch (error) {
        if (fenced.length === 1 || !isFenced(error)) failAll(fenced, error);
        else await Promise.all(fenced.map((part) => store([part]).catch((alone: unknown) => failAll([part], alone))));
      }
    }
    return results;
  }

  /** The workshop a WebSocket upgrade is for: from the document name, or (/mux) the token's claims. */
  async function workshopOfUpgrade(url: URL): Promise<string | null> {
    if (url.pathname === '/mux') {
      try {
        return (await deps.tokens.verify(url.searchParams.get('token'))).workshopId;
      } catch {
        return null; // the relay refuses it with the right code
      }
    }
    try {
      return parseDocName(decodeURIComponent(url.pathname.slice('/ws/'.length)))?.workshopId ?? null;
    } catch {
      return null;
    }
  }

  const peerAddress = (request: http.IncomingMessage) => {
    const forwardedFor = request.headers['x-arvo-client-address'];
    return typeof forwardedFor === 'string' && request.headers[FORWARD_HEADER] ? forwardedFor : (request.socket.remoteAddress ?? '');
  };

  /** Routes a WebSocket upgrade: handled here when we own the workshop, else piped to the owner. */
  function routeUpgrade(local: (request: http.IncomingMessage, socket: Duplex, head: Buffer) => void) {
    return (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
      void (async () => {
        const hop = request.headers[FORWARD_HEADER];
        if (hop !== undefined && !auth.verifyForward(hop, request.method ?? 'GET', request.url ?? '/')) {
          deps.log.warn('cluster-forward-refused', { path: (request.url ?? '').split('?')[0] });
          return rawRefusal(socket, '403 Forbidden');
        }
        if (draining) return rawRefusal(socket, '503 Service Unavailable', 1);
        const url = new URL(request.url ?? '/', 'http://localhost');
        const workshopId = await workshopOfUpgrade(url);
        if (!workshopId) return local(request, socket, head);
        const giveUpAt = performance.now() + failoverWaitMs;
        for (;;) {
          if (socket.destroyed) return;
          const owner = await leases.resolve(workshopId);
          if (owner.mine) return local(request, socket, head);
          // Forwarded once already: never a second hop (the owner moved meanwhile; the client retries).
          if (hop !== undefined || !owner.address) return rawRefusal(socket, '503 Service Unavailable', 1);
          try {
            await checkPeer(owner.address);
            // An owner that accepted but does not answer (paused) is given up after a lease's length:
            // by then, if it is really gone, its lease has run out and the client's retry takes it.
            const upstream = await forwardUpgrade(owner.address, request, socket, head, auth, peerAddress(request), Math.max(2000, deps.ttlMs));
            piped.add(upstream);
            upstream.once('close', () => piped.delete(upstream));
            return;
          } catch (error) {
            if (!(error instanceof PeerUnreachable) || performance.now() > giveUpAt) throw error;
            // The owner is gone (or is no peer): wait for its lease to run out, then take it.
            deps.log.debug('cluster-owner-unreachable', { workshop: workshopId, error: String(error) });
            await waitForOwner(workshopId);
          }
        }
      })().catch((error: unknown) => {
        deps.log.warn('cluster-upgrade-failed', { error: String(error) });
        rawRefusal(socket, '503 Service Unavailable', 1);
      });
    };
  }

  /** Routes HTTP: workshop-scoped API calls go to the owner; the peer challenge and drain's /healthz are answered here. */
  function routeHttp(local: (request: http.IncomingMessage, response: http.ServerResponse) => Promise<boolean>) {
    return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<boolean> => {
      const pathname = requestPathname(request.url);
      if (pathname === '/cluster/hello') {
        const nonce = new URL(request.url ?? '/', 'http://localhost').searchParams.get('nonce') ?? '';
        response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
        response.end(nonce.length >= 16 && nonce.length <= 64 ? auth.helloProof(nonce) : '');
        return true;
      }
      if (pathname === '/healthz' && draining) {
        sendJson(response, 503, { ok: false, error: 'draining' }, { 'retry-after': '1' });
        return true;
      }
      const hop = request.headers[FORWARD_HEADER];
      if (hop !== undefined && !auth.verifyForward(hop, request.method ?? 'GET', request.url ?? '/')) {
        deps.log.warn('cluster-forward-refused', { path: pathname });
        sendJson(response, 403, { error: 'forbidden', message: 'not a peer of this cluster' });
        return true;
      }
      const match = pathname === null ? null : WORKSHOP_PATH.exec(pathname);
      if (!match) return local(request, response);
      const workshopId = match[1]!;
      if (draining) {
        sendJson(response, 503, { error: 'unavailable', message: 'this server is restarting; try again' }, { 'retry-after': '1' });
        return true;
      }
      let owner;
      try {
        owner = await leases.resolve(workshopId);
      } catch {
        return local(request, response); // the store is failing: the API answers 503 as on one process
      }
      if (owner.mine) return local(request, response);
      try {
        if (hop !== undefined || !owner.address) throw new PeerUnreachable('not the owner');
        await checkPeer(owner.address);
        await forwardHttp(owner.address, request, response, auth, peerAddress(request));
      } catch (error) {
        deps.log.warn('cluster-forward-failed', { workshop: workshopId, error: String(error) });
        if (!response.headersSent) sendJson(response, 503, { error: 'unavailable', message: 'the workshop is moving to another server; try again' }, { 'retry-after': '1' });
      }
      return true;
    };
  }

  return {
    listener,
    append,
    routeUpgrade,
    routeHttp,
    owns: (workshopId: string) => leases.owns(workshopId),
    get leaseCount() {
      return leases.heldCount;
    },
    /** SIGTERM, step 1: /healthz answers 503, no new workshop is taken, new connections are sent away. */
    startDrain(): void {
      draining = true;
      leases.startDrain();
      for (const upstream of piped) upstream.destroy();
    },
    /** SIGTERM, step 2 (after the sockets are closed and the commits are done): hand every workshop over. */
    async releaseAll(): Promise<void> {
      await leases.releaseAll();
    },
    close(): void {
      leases.close();
    },
  };
}
export type Cluster = ReturnType<typeof createCluster>;

