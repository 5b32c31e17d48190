import type { IncomingMessage, ServerResponse } from 'node:http';
import { ArvoError, type ArvoErrorCode } from '../../shared/errors';
import { isStoreUnavailable } from '../store/errors';

/** JSON in and out, with errors shaped `{ error: { code, message, details? } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    /** Extra response headers, e.g. Retry-After on 429 and 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const STATUS: Record<ArvoErrorCode, number> = {
  'invalid-input': 400,
  'not-found': 404,
  forbidden: 403,
  conflict: 409,
  'schema-too-new': 409,
  'limit-exceeded': 413,
};

/** Seconds a client should wait before trying again when the store cannot write. */
export const STORE_RETRY_AFTER_SECONDS = 30;

export function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof ArvoError) return new HttpError(STATUS[error.code], error.code, error.message, error.details);
  if (isStoreUnavailable(error)) return storeUnavailable();
  return null;
}

/** A full disk or an I/O error is the server's condition, not the request's: try again later. */
export function storeUnavailable(): HttpError {
  return new HttpError(503, 'store-unavailable', 'the server cannot store data right now; try again later', undefined, {
    'retry-after': String(STORE_RETRY_AFTER_SECONDS),
  });
}

/** `application/json`, with or without parameters (`; charset=utf-8`), and nothing else. */
const JSON_TYPE = /^application\/json\s*(;|$)/i;

/**
 * Reads a JSON body. Only `Content-Type: application/json` is read (415 otherwise): a
 * cross-site page can send `text/plain` or a form without a CORS preflight, never
 * `application/json`, so this also keeps other sites from creating workshops in a visitor's name.
 */
export async function readJson(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!JSON_TYPE.test(type)) {
    throw new HttpError(415, 'unsupported-media-type', 'send the body as JSON with Content-Type: application/json', undefined, { accept: 'application/json' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).byteLength;
    if (size > maxBytes) throw new HttpError(413, 'too-large', `request body over ${maxBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new HttpError(400, 'invalid-json', 'request body must be JSON');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid-json', 'request body is not valid JSON');
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendError(response: ServerResponse, error: HttpError): void {
  sendJson(response, error.status, { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } }, error.headers);
}
