import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApp, type App, type AppDeps } from '../../server/app';
import { loadConfig, type Config } from '../../server/config';
import { createLogger } from '../../server/log';

/** A real server on an ephemeral port with its own data directory; `close` removes both. */
export interface TestServer extends App {
  dataDir: string;
  wsUrl: string;
  config: Config;
}

export function tempDir(prefix = 'arvo-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** `deps`: what the test hands in instead (a store of its own: app.ts `AppDeps`). */
export async function startTestServer(env: Record<string, string> = {}, dataDir = tempDir(), deps: AppDeps = {}): Promise<TestServer> {
  // Test files create many workshops from one address; tests/integration/quotas.test.ts sets its own quota.
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ROOM_IDLE_MS: '200', CREATE_PER_MINUTE: '100000', ...env });
  const app = await startApp(config, createLogger(config.logLevel), deps);
  return {
    ...app,
    dataDir,
    config,
    wsUrl: app.url.replace('http', 'ws') + '/ws',
    async close() {
      await app.close();
    },
  };
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}
