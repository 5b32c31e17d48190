import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { roomDocName } from '../../shared/protocol/docNames';
import { CloseCode } from '../../shared/protocol/wire';
import { createWorkshop } from '../helpers/api';
import { connect, destroyAll, waitSynced } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * A restart is quick whatever the connected peers do (server/app.ts, `close()`): the server tells
 * every WebSocket client it is restarting, cuts what has not ended after a short grace, and the
 * clients are back within the first steps of their backoff. Before, a connection that never sent a
 * request (Chromium's spare connection) or not all of one held `close()` until the peer let go, and
 * a peer that never answered the close frame held it for `ws`'s 30 s close timeout, while every
 * client's backoff grew towards its cap: tests/e2e/hostile.test.ts timed out on a 75 s restart.
 */
const CLIENTS = 8;
/** The stock provider's own schedule (y-websocket): 200, 400, 800, 1 600, 2 500 ms … */
const STOCK_MAX_BACKOFF_MS = 2500;

let server: TestServer | null = null;
let dataDir: string | null = null;
const peers: net.Socket[] = [];
afterEach(async () => {
  destroyAll();
  for (const socket of peers.splice(0)) socket.destroy();
  await server?.close();
  server = null;
  if (dataDir) removeDir(dataDir);
  dataDir = null;
});

/** A TCP connection that sends `data` (maybe nothing, maybe half a request) and then only listens. */
function silentPeer(port: number, data: string): Promise<{ socket: net.Socket; received: Buffer[]; ended: Promise<void> }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    peers.push(socket);
    const received: Buffer[] = [];
    const ended = new Promise<void>((done) => socket.once('close', () => done()));
    socket.on('error', () => undefined);
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.once('connect', () => {
      socket.write(data);
      resolve({ socket, received, ended });
    });
  });
}

/** A WebSocket upgrade to /mux that completes, after which the peer reads but never answers (no close frame back). */
async function deafWebSocket(port: number, token: string) {
  const peer = await silentPeer(
    port,
    `GET /mux?token=${encodeURIComponent(token)} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  await new Promise<void>((resolve) => {
    const check = () => {
      if (!Buffer.concat(peer.received).toString('latin1').startsWith('HTTP/1.1 101')) return;
      peer.socket.off('data', check);
      resolve();
    };
    peer.socket.on('data', check);
    check();
  });
  return peer;
}

/** The close code of the first close frame in what a server sent after the upgrade (unmasked, short payload). */
function closeCodeIn(bytes: Buffer): number | null {
  const start = bytes.indexOf('\r\n\r\n') + 4;
  for (let i = start; i + 3 < bytes.length; ) {
    const opcode = bytes[i]! & 0x0f;
    let length = bytes[i + 1]! & 0x7f;
    let header = 2;
    if (length === 126) {
      length = bytes.readUInt16BE(i + 2);
      header = 4;
    } else if (length === 127) return null;
    if (opcode === 0x8) return bytes.readUInt16BE(i + header);
    i += header + length;
  }
  return null;
}

describe('a restart with clients connected', () => {
  it('close() ends within its grace while peers hold their sockets, and stock providers are back within their first backoff steps', async () => {
    server = await startTestServer();
    const { port } = server;
    dataDir = server.dataDir;
    // Peers that never let go: a WebSocket that does not answer the close frame, a request whose
    // headers never finish, a connection that never sends anything (a browser's preconnect).
    const created = await createWorkshop(server.url);
    const deaf = await deafWebSocket(port, created.facilitatorToken);
    const halfRequest = await silentPeer(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const preconnect = await silentPeer(port, '');

    // Honest clients: stock y-websocket providers with their own backoff, counting their sockets.
    const sockets = Array.from({ length: CLIENTS }, () => 0);
    const clients = sockets.map((_, i) =>
      connect(server!.wsUrl, roomDocName(created.id), created.facilitatorToken, { maxBackoffTime: STOCK_MAX_BACKOFF_MS, onSocket: () => sockets[i]!++ }),
    );
    await Promise.all(clients.map((client) => waitSynced(client)));
    const heard = clients.map(
      (client) => new Promise<number>((resolve) => client.provider.once('connection-close', (event: CloseEvent | null) => resolve(event?.code ?? 0))),
    );

    // Without a bound, the deaf peer held close() for 30 s and the other two for good (this test's timeout).
    const closing = server;
    server = null;
    await closing.close();
    await Promise.all([deaf.ended, halfRequest.ended, preconnect.ended]);
    expect(closeCodeIn(Buffer.concat(deaf.received)), 'the deaf peer was told before it was cut').toBe(CloseCode.shuttingDown);
    expect(await Promise.all(heard)).toEqual(sockets.map(() => CloseCode.shuttingDown));

    server = await startTestServer({ PORT: String(port) }, dataDir);
    await Promise.all(clients.map((client) => waitSynced(client, 15_000)));
    // The first socket and at most five retries (after 0.2, 0.6, 1.4, 3 and 5.5 s): the server was
    // back within 5.5 s, the grace and a start on a loaded machine. A 30 s close took some fifteen.
    for (const count of sockets) expect(count).toBeLessThanOrEqual(6);
  }, 20_000);
});
