import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveSecret } from './auth/secret';
import { serverClock, type ServerClock } from './clock';
import { createTokenService } from './auth/tokens';
import type { Config } from './config';
import { createApi } from './http/api';
import { createMembershipRoutes } from './http/membership';
import { createServerInfoRoute } from './http/serverInfo';
import { ConnectionRegistry } from './membership/connections';
import { JoinLimiter } from './membership/joinLimiter';
import { withRecovery } from './membership/provision';
import { createKeySealer } from './membership/seal';
import { createLivenessCheck, createMembershipService } from './membership/service';
import { createCreateGuard } from './http/createGuard';
import { createHttpServer } from './http/server';
import { clientAddress } from './http/quota';
import { createStaticHandler } from './http/static';
import { createLogger, type Logger } from './log';
import { createMetrics } from './metrics';
import { PersistQueue } from './relay/persistQueue';
import { Rooms } from './relay/rooms';
import { createWriteQuota } from './relay/writeQuota';
import { createRelay } from './relay/upgrade';
import { WorkshopChannels } from './relay/workshopChannel';
import { createRoundEngine } from './rounds/engine';
import type { DocStore } from './store/port';
import { openSqliteStore } from './store/sqlite';
import { createWorkshopService } from './workshops';
import { clusterSettings, createCluster } from './cluster';

/**
 * The built client, next to this module either way it runs: from the sources (server/app.ts, dev
 * and tests) or from the compiled bundle (dist/server/main.js, `npm run serve`).
 */
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLIENT_DIST = path.basename(path.dirname(HERE)) === 'dist' ? path.resolve(HERE, '../client') : path.resolve(HERE, '../dist/client');

/**
 * How long `close()` lets connections end on their own before it cuts them. Without a bound, one
 * peer kept a restart waiting: `server.close()` resolves only once every socket has ended, but it
 * closes only idle HTTP connections; a connection that has not sent (all of) a request has no
 * timeout once the server stops listening, and a WebSocket ends when its peer answers the close
 * frame (else after `ws`'s 30 s close timeout). Chromium opens a spare connection ahead of need and
 * may leave it unused for over a minute: tests/e2e/hostile.test.ts saw a restart wait 75 s for one
 * while the boards' backoff grew to its 15 s cap. Honest clients answer within milliseconds.
 */
export const SHUTDOWN_GRACE_MS = 1000;

export interface App {
  /** The address actually bound (PORT=0 picks a free port). */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * What a test may hand in instead of what the configuration would open (issue 11): several apps
 * on one store or database, a clock of its own. An injected store is the caller's: `close()`
 * leaves it open.
 */
export interface AppDeps {
  store?: DocStore;
  clock?: ServerClock;
}

/** The store the configuration names: PostgreSQL with DATABASE_URL, else the SQLite file in DATA_DIR. */
export async function openConfiguredStore(config: Config, log: Logger): Promise<DocStore> {
  if (config.databaseUrl) {
    // Loaded only when used: a SQLite server does not pay for the PostgreSQL client at start.
    const { openPostgresStore } = await import('./store/postgres');
    return openPostgresStore({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      onIdleError: (error) => log.warn('postgres-connection-lost', { error: String(error.message ?? error) }),
    });
  }
  return openSqliteStore({ file: path.join(config.dataDir, 'arvo.sqlite'), synchronous: config.sqliteSynchronous, maxPages: config.sqliteMaxPages, log });
}

/** The composition root: every part is built here and nowhere else. */
export async function startApp(config: Config, log: Logger = createLogger(config.logLevel), deps: AppDeps = {}): Promise<App> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const metrics = createMetrics();
  const secret = resolveSecret(config.secret, config.dataDir, { shared: Boolean(config.databaseUrl) });
  const store = deps.store ?? (await openConfiguredStore(config, log));
  const ownsStore = deps.store === undefined;
  const clock = deps.clock ?? serverClock;
  // Every token is checked against the store after its signature: removed or revoked is refused.
  const tokens = createTokenService(secret, config.tokenTtlSeconds, createLivenessCheck(store));
  const connectionRegistry = new ConnectionRegistry();
  const processId = crypto.randomUUID();
  // Several processes on one database (DATABASE_URL): one owner per workshop, the rest forward (server/cluster).
  let listenUrl = '';
  const settings = config.databaseUrl ? clusterSettings() : null;
  const cluster = settings
      ? createCluster({
          store,
          tokens,
          secret,
          processId,
          address: () => settings.advertiseUrl ?? listenUrl,
          log,
          ttlMs: settings.leaseTtlMs,
          renewMs: settings.leaseRenewMs,
        })
      : null;
  const persist = new PersistQueue(store, metrics, log, cluster?.append);
  const rooms = new Rooms(
    {
      store,
      persist,
      metrics,
      log,
      quota: createWriteQuota(config.participantBytesPerMin),
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
  const roundEngine = createRoundEngine({ rooms, log, now: clock.now });
  rooms.listen(roundEngine);
  if (cluster) rooms.listen(cluster.listener);
  // The workshop channel taps every loaded notes document (server/relay/workshopChannel.ts).
  const channels = new WorkshopChannels({ rooms, store, metrics, log });
  rooms.listen(channels);
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
    registry: connectionRegistry,
    channels,
  });
  const membership = createMembershipService({ store, rooms, tokens, registry: connectionRegistry, sealer: createKeySealer(secret), log });
  const workshops = withRecovery(createWorkshopService({ store, rooms, tokens, maxParticipants: config.maxParticipants }), membership);
  const membershipRoutes = createMembershipRoutes({
    workshops,
    membership,
    tokens,
    joinLimiter: new JoinLimiter(config.joinRatePerMin),
    clientAddress: (request) => clientAddress(request, config.trustProxy),
  });
  // Join links a phone can open (issue 9): PUBLIC_URL, loopback-only, LAN addresses; facilitator-only.
  let listenPort = config.port;
  const serverInfoRoute = createServerInfoRoute({ tokens, host: config.host, publicUrl: config.publicUrl, port: () => listenPort });
  const api = createApi({
    workshops,
    store,
    tokens,
    metrics,
    log,
    createGuard: createCreateGuard({ perMinute: config.createPerMinute, createKey: config.createKey, trustProxy: config.trustProxy }),
    history: { pageMaxBytes: config.historyPageMaxBytes, checkpointsPerDoc: config.checkpointsPerDoc },
    membership: async (request, response, pathname) => (await serverInfoRoute(request, response, pathname)) || membershipRoutes(request, response, pathname),
    clock,
  });
  // Every request, upgrade and parse error is answered or dropped there, never thrown (server/http/server.ts).
  const server = createHttpServer({
    api: cluster ? cluster.routeHttp(api) : api,
    serveStatic: createStaticHandler(CLIENT_DIST),
    upgrade: cluster ? cluster.routeUpgrade(relay.handleUpgrade) : relay.handleUpgrade,
    log,
    headersTimeoutMs: config.httpHeadersTimeoutMs,
    requestTimeoutMs: config.httpRequestTimeoutMs,
  });

  const sockets = trackSockets(server);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => resolve());
    });
  } catch (error) {
    // The port is taken (or the like): give the store back (its SQLite lock, its connections).
    if (ownsStore) await store.close().catch(() => undefined);
    throw error;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  listenPort = port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  listenUrl = url;
  log.info('listening', { url, store: config.databaseUrl && ownsStore ? 'postgres' : ownsStore ? 'sqlite' : 'injected', dataDir: config.dataDir });

  return {
    url,
    port,
    async close() {
      // Drain (cluster): /healthz 503 and nothing new taken; sockets closed with the reconnect code;
      // the round engine stopped and the last commits done BEFORE the leases go, so that the next
      // owner starts from everything this one committed.
      cluster?.startDrain();
      relay.close();
      connectionRegistry.close();
      if (cluster) {
        await roundEngine.close();
        await persist.drain();
        await cluster.releaseAll();
      }
      await closeServer(server, sockets, SHUTDOWN_GRACE_MS);
      await roundEngine.close();
      await rooms.closeAll();
      await persist.drain();
      cluster?.close();
      if (ownsStore) await store.close();
    },
  };
}

/** Every TCP connection the server holds, HTTP and upgraded alike, for `closeServer` to cut. */
function trackSockets(server: http.Server): Set<Socket> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return sockets;
}

/**
 * Stops listening and resolves once every connection has ended: idle HTTP connections (Node does
 * that in `server.close()`) and connections that never sent a byte are closed at once, the rest get
 * `graceMs` to finish (a response under way, a WebSocket's closing handshake) and are then destroyed.
 */
function closeServer(server: http.Server, sockets: Set<Socket>, graceMs: number): Promise<void> {
  for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
  return new Promise((resolve) => {
    const cut = setTimeout(() => {
      for (const socket of sockets) socket.destroy();
    }, graceMs);
    server.close(() => {
      clearTimeout(cut);
      resolve();
    });
  });
}
