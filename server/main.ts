import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger, type Logger } from './log';
import { StoreOpenError } from './store/errors';

/**
 * Exit codes: 2 = configuration, 3 = the store cannot be opened (SQLite locked or damaged, or a
 * PostgreSQL schema newer than this code), 4 = PostgreSQL cannot be reached (not running, wrong
 * address, login refused, no such database: worth retrying once it is up), 1 = anything else.
 */
const EXIT_CONFIG = 2;
const EXIT_STORE = 3;
const EXIT_DATABASE_UNREACHABLE = 4;

/**
 * The last line of defence. Every HTTP request, upgrade and WebSocket message is handled where
 * it arrives (server/http/server.ts, server/relay/), so one client cannot reach these handlers;
 * what does reach them is a bug.
 *
 * - `uncaughtException`: log it with its stack and **exit non-zero**. A synchronous throw that
 *   escaped every handler may have left a room, a commit batch or a timer half-updated, and a
 *   process in an unknown state must not go on accepting writes. Exiting loses nothing anyone
 *   was told is stored (updates are committed before they are relayed); clients reconnect with
 *   backoff and send what was not stored again, and systemd (deploy/arvo.service,
 *   Restart=always) starts a fresh process within seconds.
 * - `unhandledRejection`: log it and **keep running**. A rejected promise nobody awaited is a
 *   fire-and-forget task that failed as a whole (its state changes happen inside the awaited
 *   steps, each of which handles its own errors); ending every workshop on the server for it
 *   would be the larger harm. It is logged at error level so that it gets fixed.
 */
function installProcessHandlers(getLog: () => Logger): void {
  process.on('uncaughtException', (error, origin) => {
    try {
      getLog().error('uncaught-exception', { origin, error: String((error as Error)?.stack ?? error) });
    } finally {
      process.exit(1);
    }
  });
  process.on('unhandledRejection', (reason) => {
    getLog().error('unhandled-rejection', { error: String((reason as Error)?.stack ?? reason) });
  });
}

/** `npm start`: configuration from the environment, a clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let log = createLogger('info');
  installProcessHandlers(() => log);
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`arvo: ${error.message}\n`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  log = createLogger(config.logLevel);
  let app;
  try {
    app = await startApp(config, log);
  } catch (error) {
    if (error instanceof StoreOpenError) {
      process.stderr.write(`arvo: ${error.message}\n`);
      process.exit(error.reason === 'unreachable' ? EXIT_DATABASE_UNREACHABLE : EXIT_STORE);
    }
    throw error;
  }
  process.stdout.write(`Arvo is running at ${app.url}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting-down', { signal });
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error('shutdown-failed', { error: String(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`arvo: failed to start: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
