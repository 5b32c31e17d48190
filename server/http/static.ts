import fs from 'node:fs';
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/**
 * Serves the built client (`dist/client`). Unknown paths get index.html, so that links such as
 * /w/<id>/join open the single-page app. Paths are resolved inside the root only.
 */
export function createStaticHandler(root: string) {
  const index = path.join(root, 'index.html');
  return (request: IncomingMessage, response: ServerResponse): void => {
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const candidate = path.resolve(root, `.${pathname}`);
    const inside = candidate.startsWith(root + path.sep);
    const file = inside && fs.existsSync(candidate) && fs.statSync(candidate).isFile() ? candidate : index;
    if (!fs.existsSync(file)) {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('The client is not built. Run `npm run build` (npm start does it for you).\n');
      return;
    }
    const immutable = file.includes(`${path.sep}assets${path.sep}`);
    response.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (request.method === 'HEAD') response.end();
    else fs.createReadStream(file).pipe(response);
  };
}
