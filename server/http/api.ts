import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenService } from '../auth/tokens';
import { createHistoryRoutes } from '../history/routes';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore } from '../store/port';
import type { WorkshopService } from '../workshops';
import { HttpError, readJson, sendError, sendJson, toHttpError } from './json';

const BODY_LIMIT = 64 * 1024;

/** The HTTP API. Returns false when the path is not an API path (the static handler takes it). */
export function createApi(deps: {
  workshops: WorkshopService;
  store: DocStore;
  tokens: TokenService;
  metrics: Metrics;
  log: Logger;
  /** Join, preview, renew, recover, invite, rotation, removal (server/http/membership.ts). */
  membership: (request: IncomingMessage, response: ServerResponse, pathname: string) => Promise<boolean>;
}) {
  // Replay (issue 5): GET /api/workshops/:id/history and /history/state, with the reader's token.
  const history = createHistoryRoutes({ store: deps.store, tokens: deps.tokens });
  async function route(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const method = request.method ?? 'GET';
    if (pathname === '/healthz') {
      const ok = await deps.store.isWritable();
      sendJson(response, ok ? 200 : 503, ok ? { ok: true } : { ok: false, error: 'store not writable' });
      return;
    }
    if (pathname === '/metrics') {
      const text = await deps.metrics.registry.metrics();
      response.writeHead(200, { 'content-type': deps.metrics.registry.contentType });
      response.end(text);
      return;
    }
    if (pathname === '/api/time') {
      // The server clock, so that every device computes the same round countdown.
      if (method !== 'GET') throw new HttpError(405, 'method-not-allowed', 'use GET');
      sendJson(response, 200, { now: Date.now() });
      return;
    }
    if (pathname === '/api/workshops') {
      if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use POST');
      sendJson(response, 201, await deps.workshops.create(await readJson(request, BODY_LIMIT)));
      return;
    }
    if (await deps.membership(request, response, pathname)) return;
    if (await history(request, response, pathname)) return;
    throw new HttpError(404, 'not-found', `no API at ${pathname}`);
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (!(pathname.startsWith('/api/') || pathname === '/healthz' || pathname === '/metrics')) return false;
    try {
      await route(request, response, pathname);
    } catch (error) {
      const httpError = toHttpError(error);
      if (httpError) {
        deps.log.info('api-refused', { path: pathname, status: httpError.status, code: httpError.code });
        // A body left unread (413) stays on the wire: this connection cannot serve another request.
        if (!request.complete) response.shouldKeepAlive = false;
        sendError(response, httpError);
      } else {
        deps.log.error('api-failed', { path: pathname, error: String((error as Error)?.stack ?? error) });
        sendError(response, new HttpError(500, 'internal', 'internal error'));
      }
    }
    return true;
  };
}
