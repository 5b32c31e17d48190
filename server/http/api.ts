import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenService } from '../auth/tokens';
import { serverClock, type ServerClock } from '../clock';
import { createHistoryRoutes } from '../history/routes';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore } from '../store/port';
import type { WorkshopService } from '../workshops';
import type { CreateGuard } from './createGuard';
import { HttpError, readJson, sendError, sendJson, storeUnavailable, toHttpError } from './json';
import { requestPathname } from './url';

const BODY_LIMIT = 64 * 1024;

export interface ApiDeps {
  workshops: WorkshopService;
  store: DocStore;
  tokens: TokenService;
  metrics: Metrics;
  log: Logger;
  /** Quotas and the create key for POST /api/workshops (server/http/createGuard.ts). */
  createGuard: CreateGuard;
  /** History limits (server/history/service.ts). */
  history?: { pageMaxBytes?: number; checkpointsPerDoc?: number };
  /** Join, preview, renew, recover, invite, rotation, removal (server/http/membership.ts). */
  membership: (request: IncomingMessage, response: ServerResponse, pathname: string) => Promise<boolean>;
  /** The clock of /api/time, the same the round engine ends rounds on (default: the process's). */
  clock?: ServerClock;
}

/** The HTTP API. Returns false when the path is not an API path (the static handler takes it). */
export function createApi(deps: ApiDeps) {
  // Replay (issue 5): GET /api/workshops/:id/history and /history/state, with the reader's token.
  const history = createHistoryRoutes({ store: deps.store, tokens: deps.tokens, ...deps.history });
  async function route(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<void> {
    const method = request.method ?? 'GET';
    if (pathname === '/healthz') {
      // The store really reads and writes its tables (server/store/sqlite.ts, createHealthCheck).
      const health = await deps.store.checkHealth();
      if (!health.ok) deps.log.warn('unhealthy', { problem: health.problem });
      sendJson(response, health.ok ? 200 : 503, health.ok ? { ok: true } : { ok: false, error: `store: ${health.problem}` });
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
      sendJson(response, 200, { now: (deps.clock ?? serverClock).now() });
      return;
    }
    if (pathname === '/api/workshops') {
      if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use POST');
      const body = await readJson(request, BODY_LIMIT);
      deps.createGuard.check(request);
      sendJson(response, 201, await deps.workshops.create(body));
      return;
    }
    if (await deps.membership(request, response, pathname)) return;
    if (await history(request, response, pathname)) return;
    throw new HttpError(404, 'not-found', `no API at ${pathname}`);
  }

  return async function handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const pathname = requestPathname(request.url);
    if (pathname === null) return false; // the static handler answers 400
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
      } else if (request.socket.destroyed || (error as NodeJS.ErrnoException)?.code === 'ECONNRESET') {
        // The client went away mid-request (a truncated body, a closed tab): nobody to answer.
        deps.log.debug('api-aborted', { path: pathname });
      } else if (!(await deps.store.checkHealth()).ok) {
        // A failure deeper down (a room document that could not be stored) while the store cannot
        // write is the store's condition: the client should come back, not report a bug.
        deps.log.warn('api-store-unavailable', { path: pathname, error: String((error as Error)?.message ?? error) });
        sendError(response, storeUnavailable());
      } else {
        deps.log.error('api-failed', { path: pathname, error: String((error as Error)?.stack ?? error) });
        sendError(response, new HttpError(500, 'internal', 'internal error'));
      }
    }
    return true;
  };
}
