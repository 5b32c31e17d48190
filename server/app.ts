import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSecret } from './auth/secret';
import { serverClock } from './clock';
import { createTokenService } from './auth/tokens';
import type { Config } from './config';
import { createLocalFanout } from './fanout/port';
import { createApi } from './http/api';
import { createStaticHandler } from './http/static';
import { createLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { PersistQueue } from './relay/persistQueue';
import { Rooms } from './relay/rooms';
import { createRelay } from './relay/upgrade';
import { createRoundEngine } from './rounds/engine';
import { openSqliteStore } from './store/sqlite';
import { createWorkshopService } from './workshops';

const CLIENT_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist/client');

export interface App {
  /** The address actually bound (PORT=0 picks a free port). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The composition root: every part is built here and nowhere else. */
export async function startApp(config: Config, log: Logger = createLogger(config.logLevel)): Promise<App> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const metrics = createMetrics();
  const store = openSqliteStore({ file: path.join(config.dataDir, 'arvo.sqlite'), synchronous: config.sqliteSynchronous, maxPages: config.sqliteMaxPages });
  const tokens = createTokenService(resolveSecret(config.secret, config.dataDir), config.tokenTtlDays * 86_400);
  const fanout = createLocalFanout();
  const persist = new PersistQueue(store, metrics, log);
  const rooms = new Rooms(
    {
      store,
      persist,
      fanout,
      processId: crypto.randomUUID(),
      metrics,
      log,
      limits: {
        docWarnBytes: config.docWarnBytes,
        docMaxBytes: config.docMaxBytes,
        snapshotEvery: config.snapshotEvery,
        awarenessIntervalMs: 50,
        awarenessMaxStateBytes: 4096,
      },
    },
    config.roomIdleMs,
  );
  // Timed rounds and "post to wall": watches every loaded room document (server/rounds/engine.ts).
  const roundEngine = createRoundEngine({ rooms, log, now: serverClock.now });
  rooms.listen(roundEngine);
  const relay = createRelay({
    rooms,
    store,
    tokens,
    metrics,
    log,
    maxMessageBytes: config.maxMessageBytes,
    keepaliveMs: config.keepaliveMs,
    rateLimitPerSec: config.rateLimitPerSec,
    rateLimitBurst: config.rateLimitBurst,
  });
  const api = createApi({ workshops: createWorkshopService({ store, rooms, tokens }), store, tokens, metrics, log });
  const serveStatic = createStaticHandler(CLIENT_DIST);

  const server = http.createServer((request, response) => {
    api(request, response).then(
      (handled) => {
        if (!handled) serveStatic(request, response);
      },
      (error: unknown) => {
        log.error('request-failed', { error: String(error) });
        if (!response.headersSent) response.writeHead(500);
        response.end();
      },
    );
  });
  server.on('upgrade', (request, socket, head) => {
    if (request.url?.startsWith('/ws/') || request.url?.startsWith('/mux')) relay.handleUpgrade(request, socket, head);
    else socket.destroy();
  });
  server.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info('listening', { url, dataDir: config.dataDir });

  return {
    url,
    port,
    async close() {
      relay.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await roundEngine.close();
      await rooms.closeAll();
      await persist.drain();
      await fanout.close();
      await store.close();
    },
  };
}
