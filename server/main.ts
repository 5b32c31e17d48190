import { startApp } from './app';
import { ConfigError, loadConfig } from './config';
import { createLogger } from './log';

/** `npm start`: configuration from the environment, a clean shutdown on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`arvo: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const app = await startApp(config, log);
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
