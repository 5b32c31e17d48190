import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { createWorkshop } from '../helpers/api';
import { startChildServer } from '../helpers/childServer';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { removeDir, tempDir } from '../helpers/server';

/**
 * Starting the real server process with DATABASE_URL (issue 11): the configuration errors and
 * the unreachable database stop it with a clear message and their documented exit codes
 * (server/main.ts, docs/postgres.md); a reachable one serves, and two processes started at
 * once on a fresh database both come up (the schema is migrated once).
 */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SECRET = 'pg-startup-test-secret-0123456789abcdefghij';

function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const dataDir = tempDir('arvo-pg-start-');
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATABASE_URL: '', SECRET: '', REDIS_URL: '', ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      removeDir(dataDir);
      resolve({ code, stderr });
    }),
  );
}

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('startup');
});
afterAll(async () => {
  await database?.drop();
});

// Starting a process through tsx takes seconds, and many on a busy machine.
const PROCESS_TEST_MS = 120_000;

describe('configuration with DATABASE_URL', () => {
  const base = { DATA_DIR: '/tmp/unused' };
  it('needs SECRET, a postgres:// URL, and no REDIS_URL', () => {
    expect(() => loadConfig({ ...base, DATABASE_URL: 'postgres://arvo@127.0.0.1:5432/arvo' })).toThrow(/DATABASE_URL is set but SECRET is not/);
    expect(() => loadConfig({ ...base, DATABASE_URL: 'mysql://root@127.0.0.1/arvo', SECRET })).toThrow(/postgres:\/\//);
    expect(() => loadConfig({ ...base, DATABASE_URL: 'not a url', SECRET })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/REDIS_URL is not used/);
    const config = loadConfig({ ...base, DATABASE_URL: 'postgresql://arvo@db:5432/arvo', SECRET, DATABASE_POOL_SIZE: '4' });
    expect(config).toMatchObject({ databaseUrl: 'postgresql://arvo@db:5432/arvo', databasePoolSize: 4, secret: SECRET });
    expect(loadConfig(base)).toMatchObject({ databaseUrl: undefined, databasePoolSize: 10 });
  });
});

describe('starting the process with DATABASE_URL', () => {
  it('without SECRET: stops with exit code 2 and says why', async () => {
    const { code, stderr } = await runToExit({ DATABASE_URL: database.url });
    expect(code).toBe(2);
    expect(stderr).toMatch(/DATABASE_URL is set but SECRET is not/);
  }, PROCESS_TEST_MS);

  it('PostgreSQL unreachable: exit code 4, with the address and without the password', async () => {
    const { code, stderr } = await runToExit({ DATABASE_URL: 'postgres://arvo:s3cret-pw@127.0.0.1:1/arvo', SECRET });
    expect(code).toBe(4);
    expect(stderr).toMatch(/PostgreSQL at postgres:\/\/arvo:\*\*\*@127\.0\.0\.1:1\/arvo cannot be used/);
    expect(stderr).not.toContain('s3cret-pw');
  }, PROCESS_TEST_MS);

  it('two processes started at once on a fresh database both serve the same workshops', async () => {
    const fresh = await createTestDatabase('twostart');
    const env = { DATABASE_URL: fresh.url, SECRET };
    const [one, two] = await Promise.all([startChildServer({ env, startTimeoutMs: 90_000 }), startChildServer({ env, startTimeoutMs: 90_000 })]);
    try {
      const created = await createWorkshop(one.url);
      const preview = await fetch(`${two.url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`);
      expect(preview.status).toBe(200);
      expect((await fetch(`${two.url}/healthz`)).status).toBe(200);
      const versions = await fresh.query<{ version: number }>('SELECT version FROM schema_migrations');
      expect(versions).toHaveLength(1);
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
      await fresh.drop();
    }
  }, 2 * PROCESS_TEST_MS);
});
