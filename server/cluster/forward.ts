import crypto from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { FORWARD_HEADER, type ClusterAuth } from './auth';

/**
 * Forwarding a client's request to the workshop's owner.
 *
 * WebSockets are forwarded below the WebSocket layer: the client's upgrade request is written to
 * a TCP connection to the owner (with the peer header added) and the two byte streams are then
 * piped. The owner answers the upgrade itself, so its refusals, close codes and every frame
 * reach the client unchanged, and the forwarder neither decodes nor re-frames anything — the hop
 * costs one extra localhost/LAN write per frame, not a parse.
 */

/** Headers a hop must not copy (RFC 9110 §7.6.1) — for plain HTTP only; an upgrade keeps its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade']);

export class PeerUnreachable extends Error {
  override name = 'PeerUnreachable';
}

/**
 * Before any client request goes to an address, the peer there must prove it holds the cluster
 * SECRET (challenge, answered with an HMAC). Proven addresses are remembered for a minute.
 */
export function createPeerCheck(auth: ClusterAuth, timeoutMs = 2000, rememberMs = 60_000) {
  const proven = new Map<string, number>();
  return async function checkPeer(address: string): Promise<void> {
    const until = proven.get(address);
    if (until !== undefined && until > Date.now()) return;
    const nonce = crypto.randomBytes(18).toString('base64url');
    const proof = await new Promise<string>((resolve, reject) => {
      const request = http.get(`${address}/cluster/hello?nonce=${nonce}`, { timeout: timeoutMs, agent: false }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < 1000) body += chunk;
        });
        response.on('end', () => resolve(response.statusCode === 200 ? body.trim() : ''));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new PeerUnreachable(`no answer from ${address}`)));
      request.on('error', (error) => reject(new PeerUnreachable(`${address}: ${error.message}`)));
    });
    if (!auth.checkHello(nonce, proof)) throw new PeerUnreachable(`${address} did not prove the cluster secret`);
    proven.set(address, Date.now() + rememberMs);
  };
}

/** Connects to the owner; rejects (PeerUnreachable) when nobody answers — nothing was sent to the client yet. */
function connectTo(address: string, timeoutMs: number): Promise<net.Socket> {
  const url = new URL(address);
  return new Promise((resolve, reject) => {
    const upstream = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 80) });
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), timeoutMs);
    upstream.once('connect', () => {
      clearTimeout(timer);
      upstream.setNoDelay(true);
      resolve(upstream);
    });
    upstream.once('error', (error) => {
      clearTimeout(timer);
      reject(new PeerUnreachable(`${address}: ${error.message}`));
    });
  });
}

/** Pipes a WebSocket upgrade to the owner at `address`. */
export async function forwardUpgrade(
  address: string,
  request: http.IncomingMessage,
  socket: Duplex,
  head: Buffer,
  auth: ClusterAuth,
  clientAddress: string,
  answerTimeoutMs = 5000,
): Promise<net.Socket> {
  const upstream = await connectTo(address, 2000);
  const method = request.method ?? 'GET';
  const target = request.url ?? '/';
  const lines = [`${method} ${target} HTTP/1.1`];
  const raw = request.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (name === FORWARD_HEADER || name === 'x-arvo-client-address') continue;
    lines.push(`${raw[i]}: ${raw[i + 1]}`);
  }
  lines.push(`${FORWARD_HEADER}: ${auth.signForward(method, target)}`, `x-arvo-client-address: ${clientAddress}`);
  upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
  if (head.length > 0) upstream.write(head);
  const end = () => {
    socket.destroy();
    upstream.destroy();
  };
  // One side closed: END the other (flushing what is still buffered — typically the owner's close
  // frame with its code, e.g. 4503 or 4504, which a destroy would drop and the client would see
  // as 1006), and destroy it only if it does not finish in time. Errors cut both at once.
  const finish = (other: Duplex) => () => {
    if (other.destroyed) return;
    other.end();
    setTimeout(() => other.destroy(), 2000).unref();
  };
  upstream.on('error', end);
  upstream.on('close', finish(socket));
  socket.on('error', end);
  socket.on('close', finish(upstream));
  // An owner that accepts the connection but never answers (paused: SIGSTOP) must not hold the
  // client forever: without its first byte in time the client is cut off and reconnects.
  upstream.setTimeout(answerTimeoutMs, () => end());
  upstream.once('data', () => upstream.setTimeout(0));
  upstream.pipe(socket);
  socket.pipe(upstream);
  return upstream;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Sends an HTTP request on to the owner and its answer back. Rejects (PeerUnreachable) before anything is answered. */
export function forwardHttp(
  address: string,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  auth: ClusterAuth,
  clientAddress: string,
): Promise<void> {
  const method = request.method ?? 'GET';
  const target = request.url ?? '/';
  const headers: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name === FORWARD_HEADER || name === 'x-arvo-client-address') continue;
    headers[name] = value;
  }
  headers[FORWARD_HEADER] = auth.signForward(method, target);
  headers['x-arvo-client-address'] = clientAddress;
  // The per-address quotas at the owner (join, create) read X-Forwarded-For with TRUST_PROXY: keep
  // the load balancer's entry when there is one, else name the client this process saw.
  if (headers['x-forwarded-for'] === undefined) headers['x-forwarded-for'] = clientAddress;
  return new Promise((resolve, reject) => {
    let answered = false;
    const upstream = http.request(`${address}${target}`, { method, headers, agent, timeout: 30_000 }, (reply) => {
      answered = true;
      const out: http.OutgoingHttpHeaders = {};
      for (const [name, value] of Object.entries(reply.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
      response.writeHead(reply.statusCode ?? 502, out);
      reply.pipe(response);
      reply.on('end', () => resolve());
      reply.on('error', () => {
        response.destroy();
        resolve();
      });
    });
    upstream.on('timeout', () => upstream.destroy(new Error('owner did not answer in time')));
    upstream.on('error', (error) => {
      if (answered) {
        response.destroy();
        resolve();
      } else reject(new PeerUnreachable(`${address}: ${error.message}`));
    });
    request.pipe(upstream);
  });
}
