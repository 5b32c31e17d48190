import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '../log';
import { setSecurityHeaders } from './security';
import { requestPathname } from './url';

export interface HttpServerDeps {
  /** The API; resolves false when the path is not an API path. */
  api(request: http.IncomingMessage, response: http.ServerResponse): Promise<boolean>;
  serveStatic(request: http.IncomingMessage, response: http.ServerResponse): void;
  /** WebSocket upgrades on /ws/… and /mux. */
  upgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  log: Logger;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
}

/**
 * The HTTP server and its guards: whatever a client sends — any path, method, header or body,
 * a request that never finishes — is answered or dropped here, and never escapes as an
 * exception (which would end the process; server/main.ts).
 *
 * Slow clients: a request must send its headers within `headersTimeoutMs` and finish within
 * `requestTimeoutMs` (then 408 and the socket closes), checked every second. Headers over Node's
 * 16 KiB limit get 431. WebSocket connections are past these limits once upgraded.
 */
export function createHttpServer(deps: HttpServerDeps): http.Server {
  const server = http.createServer(
    { headersTimeout: deps.headersTimeoutMs, requestTimeout: deps.requestTimeoutMs, connectionsCheckingInterval: 1000 },
    (request, response) => {
      const fail = (error: unknown) => {
        deps.log.error('request-failed', { method: request.method, path: safePath(request.url), error: String((error as Error)?.stack ?? error) });
        if (!response.headersSent) {
          response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          response.end('Internal error.\n');
        } else response.destroy();
      };
      try {
        setSecurityHeaders(response);
        deps.api(request, response).then((handled) => {
          if (!handled) deps.serveStatic(request, response);
        }).catch(fail);
      } catch (error) {
        fail(error);
      }
    },
  );

  server.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const pathname = requestPathname(request.url);
    if (pathname === null) return refuseUpgrade(socket, 400, 'Bad Request');
    if (!(pathname.startsWith('/ws/') || pathname === '/mux')) return refuseUpgrade(socket, 404, 'Not Found');
    try {
      deps.upgrade(request, socket, head);
    } catch (error) {
      deps.log.error('upgrade-failed', { path: safePath(request.url), error: String((error as Error)?.stack ?? error) });
      socket.destroy();
    }
  });

  // A request Node cannot parse (bad request line, oversized or malformed headers, a timeout).
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable || (socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  return server;
}

function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  else socket.destroy();
}

/** The request path for a log line, cut short (it is whatever the client sent). */
function safePath(url: string | undefined): string {
  return String(url ?? '').split('?')[0]!.slice(0, 200);
}
