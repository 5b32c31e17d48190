import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseDocName, type DocRef } from '../../shared/protocol/docNames';
import { accessTo, type Access, type Claims } from '../../shared/protocol/permissions';
import { CloseCode } from '../../shared/protocol/wire';
import { TokenError, type TokenService } from '../auth/tokens';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore } from '../store/port';
import { Connection, type ConnectionDeps } from './connection';

export interface RelayDeps extends ConnectionDeps {
  store: DocStore;
  tokens: TokenService;
  metrics: Metrics;
  log: Logger;
  maxMessageBytes: number;
  keepaliveMs: number;
}

class Refusal {
  constructor(
    readonly code: number,
    readonly reason: string,
    readonly label: string,
  ) {}
}

/**
 * The WebSocket endpoint `/ws/<document name>?token=…`, speaking the y-websocket protocol.
 * Refusals complete the upgrade and then close with a named code, because a browser cannot read
 * the HTTP status of a failed upgrade — a close code and reason it can.
 */
export function createRelay(deps: RelayDeps) {
  const wss = new WebSocketServer({ noServer: true, maxPayload: deps.maxMessageBytes });
  const connections = new Set<Connection>();

  const keepaliveTimer = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) connection.keepalive(now, deps.keepaliveMs);
  }, deps.keepaliveMs);
  keepaliveTimer.unref();

  async function authorise(url: URL): Promise<{ claims: Claims; docName: string; ref: DocRef; access: Access }> {
    let docName: string;
    try {
      docName = decodeURIComponent(url.pathname.slice('/ws/'.length));
    } catch {
      throw new Refusal(CloseCode.badRequest, 'malformed document name', 'bad-document-name');
    }
    const ref = parseDocName(docName);
    if (!ref) throw new Refusal(CloseCode.badRequest, `not a document name: ${docName.slice(0, 60)}`, 'bad-document-name');
    let claims: Claims;
    try {
      claims = await deps.tokens.verify(url.searchParams.get('token'));
    } catch (error) {
      const failure = error instanceof TokenError ? error.failure : 'invalid';
      const reason = failure === 'expired' ? 'token expired: join again' : failure === 'missing' ? 'token missing' : 'token invalid';
      throw new Refusal(CloseCode.unauthorized, reason, `token-${failure}`);
    }
    if (claims.workshopId !== ref.workshopId) throw new Refusal(CloseCode.forbidden, 'token is for another workshop', 'foreign-workshop');
    const access = accessTo(claims, ref);
    if (access === 'none') throw new Refusal(CloseCode.forbidden, 'no access to this document', 'no-read-access');
    if (!(await deps.store.getWorkshop(ref.workshopId))) throw new Refusal(CloseCode.unknownDocument, 'no such workshop', 'unknown-document');
    if (ref.kind !== 'room' && !(await deps.store.getParticipant(ref.workshopId, ref.participantId))) {
      throw new Refusal(CloseCode.unknownDocument, 'no such participant in this workshop', 'unknown-document');
    }
    return { claims, docName, ref, access };
  }

  function acceptAndClose(request: IncomingMessage, socket: Duplex, head: Buffer, refusal: Refusal) {
    deps.metrics.rejected.inc({ reason: refusal.label });
    deps.log.warn('connection-refused', { reason: refusal.label, message: refusal.reason, path: request.url?.split('?')[0] });
    wss.handleUpgrade(request, socket, head, (ws) => ws.close(refusal.code, refusal.reason));
  }

  function handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://localhost');
    socket.on('error', () => undefined);
    authorise(url).then(
      ({ claims, docName, ref, access }) => {
        wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
          const connection = new Connection(ws, claims, deps);
          connections.add(connection);
          ws.on('close', () => connections.delete(connection));
          ws.on('message', (data: Buffer, isBinary: boolean) => {
            const bytes = isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(0);
            connection.onMessage(docName, bytes);
          });
          void connection.open(docName, ref, access);
        });
      },
      (error: unknown) => {
        if (error instanceof Refusal) acceptAndClose(request, socket, head, error);
        else {
          deps.log.error('upgrade-failed', { error: String(error) });
          acceptAndClose(request, socket, head, new Refusal(CloseCode.internalError, 'internal error', 'internal-error'));
        }
      },
    );
  }

  return {
    handleUpgrade,
    get connectionCount() {
      return connections.size;
    },
    /** Shutdown: tell every client, so it reconnects (with backoff) to the next process. */
    close() {
      clearInterval(keepaliveTimer);
      for (const connection of connections) connection.close(CloseCode.shuttingDown, 'server restarting');
      wss.close();
    },
  };
}
export type Relay = ReturnType<typeof createRelay>;
