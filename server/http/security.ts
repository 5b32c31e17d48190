import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Security headers for every HTTP response (docs/schema.md, "HTTP hygiene").
 *
 * The app's Content-Security-Policy allows scripts from this origin only: the built client has
 * no inline script (tests/integration/http-hardening.test.ts checks dist/client/index.html), so
 * an injected `<script>` or `onclick=` never runs. Styles need `'unsafe-inline'`: the memo
 * preview is an `<iframe srcdoc>` (it inherits this policy) whose HTML carries its own
 * `<style>` element and `style="…"` attributes so that the downloaded memo is one self-contained
 * file. Svelte's `style:` directives and Konva set styles through the CSSOM (`el.style…`), which
 * CSP does not restrict. Inline CSS cannot run code, and since images, fonts and connections are
 * limited to this origin (plus `data:`/`blob:` images for the QR code and map export), CSS
 * cannot send data anywhere else either.
 */
const APP_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** JSON, metrics and error bodies are never documents: nothing may load or frame them. */
const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** A Host header we are willing to echo into the policy (browsers before CSP 3 did not let 'self' match ws:). */
const SAFE_HOST = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]{2,45}\](:\d{1,5})?$/;

export function appCsp(request: IncomingMessage): string {
  const host = request.headers.host;
  const sockets = host && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [...APP_CSP, `connect-src 'self'${sockets}`].join('; ');
}

/** Headers every response carries, whatever answers it; the static handler replaces the CSP with the app's. */
export function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('content-security-policy', API_CSP);
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('referrer-policy', 'no-referrer');
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('cross-origin-opener-policy', 'same-origin');
}
