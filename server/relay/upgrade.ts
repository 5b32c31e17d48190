import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseDocName } from '../../shared/protocol/docNames';
import { accessTo, type Claims } from '../../shared/protocol/permissions';
import { CloseCode, CloseReason } from '../../shared/protocol/wire';
import { TokenError, type TokenService, type VerifiedClaims } from '../auth/tokens';
import type { ConnectionRegistry } from '../membership/connections';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import { isStoreUnavailable } from '../store/errors';
import type { DocStore } from '../store/port';
import { Connection, DocumentRefusal, type ConnectionDeps, type Grant } from './connection';
import { KeepaliveWheel } from './keepalive';
import type { WorkshopChannels } from './workshopChannel';
import { decodeMux, encodeMux, type MuxMessage } from '../../shared/protocol/mux';

export interface RelayDeps extends ConnectionDeps {
  store: DocStore;
  tokens: TokenService;
  metrics: Metrics;
  log: Logger;
  maxMessageBytes: number;
  keepaliveMs: number;
  /** Open sockets by participant: removal and revocation close them, token expiry too. */
  registry: ConnectionRegistry;
  /** The workshop channel: a socket following every notes document of its workshop, read-only. */
  channels: WorkshopChannels;
}

/** A listener that ignores; module-level so that it keeps no request alive (handleUpgrade). */
const ignore = () => undefined;

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly label: string,
  ) {}
}

/**
 * The WebSocket endpoints: `/ws/<document name>?token=…` speaking the y-websocket protocol (for
 * stock providers), and `/mux?token=…` carrying many documents (shared/protocol/mux.ts) and the
 * workshop channel (./workshopChannel.ts).
 * Refusals complete the upgrade and then close with a named code, because a browser cannot read
 * the HTTP status of a failed upgrade — a close code and reason it can.
 */
export function createRelay(deps: RelayDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes });
  const connections = new Set<Connection>();

  // Each connection is visited once per interval, a slice of them per tick (never all at once).
  const keepalive = new KeepaliveWheel<Connection>(deps.keepaliveMs, (connection) => connection.keepalive());

  async function verifyToken(url: URL): Promise<VerifiedClaims> {
    try {
      return await deps.tokens.verify(url.searchParams.get('token'));
    } catch (error) {
      // The liveness check reads the store: a store that cannot answer is not a bad token, and a
      // 44xx close would make stock clients stop reconnecting for good.
      if (!(error instanceof TokenError) && isStoreUnavailable(error)) {
        throw new Refusal(CloseCode.storeUnavailable, 'storage unavailable; try again shortly', 'store-unavailable');
      }
      const failure = error instanceof TokenError ? error.failure : 'invalid';
      if (failure === 'removed') throw new Refusal(CloseCode.removed, CloseReason.removed, 'token-removed');
      const reason =
        failure === 'expired' ? CloseReason.tokenExpired : failure === 'revoked' ? CloseReason.tokenRevoked : failure === 'missing' ? 'token missing' : 'token invalid';
      throw new Refusal(CloseCode.unauthorized, reason, `token-${failure}`);
    }
  }

  /** May these claims open this document, and does it exist? The same rule on both endpoints. */
  async function authoriseDoc(claims: Claims, docName: string): Promise<Grant> {
    const ref = parseDocName(docName);
    if (!ref) throw new Refusal(CloseCode.badRequest, `not a document name: ${docName.slice(0, 60)}`, 'bad-document-name');
    if (claims.workshopId !== ref.workshopId) throw new Refusal(CloseCode.forbidden, 'token is for another workshop', 'foreign-workshop');
    const access = accessTo(claims, ref);
    if (access === 'none') throw new Refusal(CloseCode.forbidden, 'no access to this document', 'no-read-access');
    const [workshop, participant] = await readsOrUnavailable(() =>
      Promise.all([deps.store.getWorkshop(ref.workshopId), ref.kind === 'room' ? null : deps.store.getParticipant(ref.workshopId, ref.participantId)]),
    );
    if (!workshop) throw new Refusal(CloseCode.unknownDocument, 'no such workshop', 'unknown-document');
    if (ref.kind !== 'room' && !participant) throw new Refusal(CloseCode.unknownDocument, 'no such participant in this workshop', 'unknown-document');
    return { ref, access };
  }

  /** Store reads during authorisation: an unreachable store closes with the retry-later code, never as an internal error. */
  async function readsOrUnavailable<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (isStoreUnavailable(error)) throw new Refusal(CloseCode.storeUnavailable, 'storage unavailable; try again shortly', 'store-unavailable');
      throw error;
    }
  }

  function asRefusal(error: unknown): Refusal {
    if (error instanceof Refusal) return error;
    if (error instanceof DocumentRefusal) return new Refusal(error.code, error.reason, error.label);
    deps.log.error('authorisation-failed', { error: String(error) });
    return new Refusal(CloseCode.internalError, 'internal error', 'internal-error');
  }

  function countRefusal(refusal: Refusal, path: string | undefined) {
    deps.metrics.rejected.inc({ reason: refusal.label });
    deps.log.warn('connection-refused', { reason: refusal.label, message: refusal.reason, path });
  }

  function acceptAndClose(request: IncomingMessage, socket: Duplex, head: Buffer, refusal: Refusal) {
    countRefusal(refusal, request.url?.split('?')[0]);
    wss.handleUpgrade(request, socket, head, (ws) => ws.close(refusal.code, refusal.reason));
  }

  function accept(request: IncomingMessage, socket: Duplex, head: Buffer, claims: VerifiedClaims, muxed: boolean, setup: (ws: WebSocket, connection: Connection) => void) {
    const token = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token');
    wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
      const connection = new Connection(ws, claims, deps, muxed);
      track(ws, connection, claims);
      setup(ws, connection);
      // A removal between the token check and this moment found no socket to close: look again.
      deps.tokens.verify(token).catch((error: unknown) => {
        if (error instanceof TokenError && error.failure === 'removed') connection.close(CloseCode.removed, CloseReason.removed);
        else if (error instanceof TokenError) connection.close(CloseCode.unauthorized, error.failure === 'expired' ? CloseReason.tokenExpired : CloseReason.tokenRevoked);
      });
    });
  }

  /**
   * What a connection keeps for its whole life is made here, in a function of its own: closures
   * made inside `accept` would share its scope and keep the upgrade request alive (its headers,
   * parser state and buffers) as long as the socket — about a kilobyte per tab.
   */
  function track(ws: WebSocket, connection: Connection, claims: VerifiedClaims) {
    connections.add(connection);
    keepalive.add(connection);
    const untrack = deps.registry.track(claims, connection);
    connection.onUnopened = (docName, data) => deps.channels.onUnopened(connection, docName, data);
    ws.on('close', () => {
      connections.delete(connection);
      keepalive.delete(connection);
      deps.channels.unfollow(connection);
      untrack();
    });
  }

  const toBytes = (data: Buffer, isBinary: boolean) => (isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0));

  /** `/ws/<doc>`: one document, authorised before the upgrade completes. */
  async function upgradeSingle(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) {
    let docName: string;
    try {
      docName = decodeURIComponent(url.pathname.slice('/ws/'.length));
    } catch {
      throw new Refusal(CloseCode.badRequest, 'malformed document name', 'bad-document-name');
    }
    if (!parseDocName(docName)) throw new Refusal(CloseCode.badRequest, `not a document name: ${docName.slice(0, 60)}`, 'bad-document-name');
    const claims = await verifyToken(url);
    const grant = await authoriseDoc(claims, docName);
    const path = request.url?.split('?')[0];
    accept(request, socket, head, claims, false, (ws, connection) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => connection.onMessage(docName, toBytes(data, isBinary)));
      void connection.open(docName, async () => grant, (error) => {
        const refusal = asRefusal(error);
        countRefusal(refusal, path);
        connection.close(refusal.code, refusal.reason);
      });
    });
  }

  /** `/mux`: the token is checked at upgrade; each document is authorised when it is opened. */
  async function upgradeMux(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL) {
    const claims = await verifyToken(url);
    accept(request, socket, head, claims, true, (ws, connection) => {
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        let message: MuxMessage;
        try {
          message = decodeMux(toBytes(data, isBinary));
        } catch {
          deps.metrics.rejected.inc({ reason: 'malformed-message' });
          connection.close(CloseCode.malformedMessage, 'malformed multiplexed frame');
          return;
        }
        switch (message.kind) {
          case 'doc':
            connection.onMessage(message.docName, message.payload);
            return;
          case 'open':
            void connection.open(
              message.docName,
              () => authoriseDoc(claims, message.docName),
              (error) => {
                const refusal = asRefusal(error);
                countRefusal(refusal, `/mux ${message.docName}`);
                if (ws.readyState === ws.OPEN) ws.send(encodeMux({ kind: 'refused', docName: message.docName, code: refusal.code, reason: refusal.reason }));
              },
            );
            return;
          case 'close':
            connection.closeDoc(message.docName);
            return;
          case 'follow':
            deps.channels.follow(connection, message.docName, message.entries);
            return;
          case 'followRecords':
            deps.channels.followRecords(connection, message.docName, message.entries);
            return;
          case 'unfollow':
            deps.channels.unfollow(connection);
            return;
          case 'records':
          case 'refused':
          case 'following':
          case 'unfollowed':
          case 'batch':
            connection.close(CloseCode.unknownMessageType, 'clients do not send refusals or acknowledgements');
            return;
        }
      });
    });
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    // A listener made here would keep this call's scope (the request and its head) for the socket's life.
    socket.on('error', ignore);
    const upgrade = url.pathname === '/mux' ? upgradeMux : upgradeSingle;
    upgrade(request, socket, head, url).catch((error: unknown) => acceptAndClose(request, socket, head, asRefusal(error)));
  }

  return {
    handleUpgrade,
    get connectionCount() {
      return connections.size;
    },
    /** Shutdown: tell every client, so it reconnects (with backoff) to the next process. */
    close() {
      keepalive.stop();
      for (const connection of connections) connection.close(CloseCode.shuttingDown, 'server restarting');
      wss.close();
    },
  };
}
export type Relay = ReturnType<typeof createRelay>;
