import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { appCsp } from './security';
import { requestPathname } from './url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};

function isFile(candidate: string): boolean {
  try {
    return fs.statSync(candidate).isFile();
  } catch {
    return false;
  }
}

function plain(response: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...extra });
  response.end(text);
}

/**
 * Serves the built client (`dist/client`). Unknown paths get index.html, so that links such as
 * /w/<id>/join open the single-page app. Paths are resolved inside the root only. Whatever the
 * path holds (a bad percent escape, a NUL byte, a URL that does not parse) is answered, never
 * thrown: one request must not be able to stop the process.
 */
export function createStaticHandler(root: string) {
  const index = path.join(root, 'index.html');
  return (request: IncomingMessage, response: ServerResponse): void => {
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      plain(response, 405, 'Use GET.\n', { allow: 'GET, HEAD' });
      return;
    }
    const pathname = requestPathname(request.url, { decode: true });
    if (pathname === null) {
      plain(response, 400, 'Bad request path.\n');
      return;
    }
    const candidate = path.resolve(root, `.${pathname}`);
    const inside = candidate.startsWith(root + path.sep);
    const file = inside && isFile(candidate) ? candidate : index;
    if (!isFile(file)) {
      plain(response, 503, 'The client is not built. Run `npm run build` (npm start does it for you).\n');
      return;
    }
    const immutable = file.includes(`${path.sep}assets${path.sep}`);
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    response.writeHead(200, {
      'content-type': type,
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
      // The app's policy on everything served from here (an SVG opened on its own is a document too).
      'content-security-policy': appCsp(request),
    });
    if (method === 'HEAD') {
      response.end();
      return;
    }
    // A file that vanishes or fails mid-read ends this response, not the process.
    pipeline(fs.createReadStream(file), response, () => undefined);
  };
}
