import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TokenService } from '../auth/tokens';
import { serverClock } from '../clock';
import { createHistoryRoutes } from '../history/routes';
import type { Logger } from '../log';
import type { Metrics } from '../metrics';
import type { DocStore } from '../store/port';
import type { WorkshopService } from '../workshops';
import { HttpError, readJson, sendError, sendJson, toHttpError } from './json';

const BODY_LIMIT = 64 * 1024;
const JOIN_PATH = /^\/api\/workshops\/([0-9A-Za-z]{16})\/join$/;
const PREVIEW_PATH = /^\/api\/workshops\/([0-9A-Za-z]{16})\/preview$/;

/** The HTTP API. Returns false when the path is not an API path (the static handler takes it). */
export function createApi(deps: { workshops: WorkshopService; store: DocStore; tokens: TokenService; metrics: Metrics; log: Logger }) {
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
      sendJson(response, 200, { now: serverClock.now() });
      return;
    }
    if (pathname === '/api/workshops') {
      if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use POST');
      sendJson(response, 201, await deps.workshops.create(await readJson(request, BODY_LIMIT)));
      return;
    }
    const join = JOIN_PATH.exec(pathname);
    if (join) {
      if (method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use POST');
      sendJson(response, 201, await deps.workshops.join(join[1]!, await readJson(request, BODY_LIMIT)));
      return;
    }
    const preview = PREVIEW_PATH.exec(pathname);
    if (preview) {
      if (method !== 'GET') throw new HttpError(405, 'method-not-allowed', 'use GET');
      const key = new URL(request.url ?? '/', 'http://localhost').searchParams.get('k') ?? '';
      sendJson(response, 200, await deps.workshops.preview(preview[1]!, key));
      return;
    }
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
