import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Claims } from '../../shared/protocol/permissions';
import { TokenError, type TokenService } from '../auth/tokens';
import { HttpError, sendJson } from '../http/json';
import { requestSearchParams } from '../http/url';
import type { DocStore } from '../store/port';
import { createHistoryService, HISTORY_PAGE_DEFAULT, HistoryBusyError, type HistoryService, type StatePoint } from './service';

export interface HistoryRouteOptions {
  checkpointEvery?: number | undefined;
  checkpointsPerDoc?: number | undefined;
  pageMaxBytes?: number | undefined;
}

/**
 * The history API (docs/schema.md, "History API"), read with the reader's own token:
 *   GET /api/workshops/:id/history?after=<cursor>&limit=<1…5000>
 *   GET /api/workshops/:id/history/state?doc=<name>&seq=<n> | &at=<ms>
 * `Authorization: Bearer <token>`; no or a bad token → 401, a token of another workshop → 403.
 */
export const HISTORY_PATH = /^\/api\/workshops\/([0-9A-Za-z]{16})\/history(\/state)?$/;

const INTEGER = /^(0|[1-9]\d{0,15})$/;

function integerParam(params: URLSearchParams, name: string): number | null {
  const value = params.get(name);
  if (value === null) return null;
  if (!INTEGER.test(value) || !Number.isSafeInteger(Number(value))) throw new HttpError(400, 'invalid-input', `${name}: must be a non-negative integer`);
  return Number(value);
}

export function createHistoryRoutes(deps: { store: DocStore; tokens: TokenService } & HistoryRouteOptions) {
  const service: HistoryService = createHistoryService({
    store: deps.store,
    ...(deps.checkpointEvery ? { checkpointEvery: deps.checkpointEvery } : {}),
    ...(deps.checkpointsPerDoc ? { checkpointsPerDoc: deps.checkpointsPerDoc } : {}),
    ...(deps.pageMaxBytes ? { pageMaxBytes: deps.pageMaxBytes } : {}),
  });

  async function authenticate(request: IncomingMessage, response: ServerResponse): Promise<Claims> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    try {
      return await deps.tokens.verify(match?.[1] ?? null);
    } catch (error) {
      const failure = error instanceof TokenError ? error.failure : 'invalid';
      response.setHeader('www-authenticate', `Bearer realm="arvo", error="${failure === 'missing' ? 'invalid_request' : 'invalid_token'}"`);
      const message = failure === 'missing' ? 'send the token as Authorization: Bearer <token>' : failure === 'expired' ? 'token has expired: join again' : 'token is invalid';
      throw new HttpError(401, 'unauthorized', message);
    }
  }

  /** Handles a history path; false when `pathname` is not one. Errors are thrown for the API's error handler. */
  return async function route(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<boolean> {
    const match = HISTORY_PATH.exec(pathname);
    if (!match) return false;
    if ((request.method ?? 'GET') !== 'GET') throw new HttpError(405, 'method-not-allowed', 'use GET');
    const claims = await authenticate(request, response);
    const workshopId = match[1]!;
    const params = requestSearchParams(request.url);

    if (!match[2]) {
      const limit = integerParam(params, 'limit') ?? HISTORY_PAGE_DEFAULT;
      const page = await service.page(claims, workshopId, params.get('after'), limit);
      sendJson(response, 200, {
        entries: page.entries.map((e) => ({ doc: e.doc, seq: e.seq, ts: e.ts, participantId: e.participantId, update: Buffer.from(e.update).toString('base64') })),
        next: page.next,
        last: page.last,
      });
      return true;
    }

    const doc = params.get('doc');
    if (!doc) throw new HttpError(400, 'invalid-input', 'doc: the document name is required');
    const seq = integerParam(params, 'seq');
    const at = integerParam(params, 'at');
    if ((seq === null) === (at === null)) throw new HttpError(400, 'invalid-input', 'give exactly one of seq and at');
    const point: StatePoint = seq !== null ? { seq } : { at: at! };
    const state = await service.state(claims, workshopId, doc, point).catch((error: unknown) => {
      if (error instanceof HistoryBusyError) throw new HttpError(503, 'busy', error.message, undefined, { 'retry-after': '2' });
      throw error;
    });
    if ((request.headers.accept ?? '').includes('application/octet-stream')) {
      response.writeHead(200, {
        'content-type': 'application/octet-stream',
        'cache-control': 'no-store',
        'content-length': state.state.byteLength,
        'x-arvo-doc': state.doc,
        'x-arvo-seq': String(state.seq),
        'x-arvo-ts': state.ts === null ? '' : String(state.ts),
      });
      response.end(Buffer.from(state.state.buffer, state.state.byteOffset, state.state.byteLength));
      return true;
    }
    sendJson(response, 200, { doc: state.doc, seq: state.seq, ts: state.ts, state: Buffer.from(state.state).toString('base64') });
    return true;
  };
}
