import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreOpenError } from '../../server/store/sqlite';
import { createWorkshop } from '../helpers/api';
import { startChildServer, type ChildServer } from '../helpers/childServer';
import { removeDir, startTestServer, tempDir } from '../helpers/server';

/**
 * One process per data directory, and a damaged database refused at start — with real
 * operating-system processes (tests/helpers/childServer.ts) on real files.
 */
const children: ChildServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) await child.dispose().catch(() => undefined);
  for (const dir of dirs.splice(0)) removeDir(dir);
});

async function startChild(dataDir: string): Promise<ChildServer> {
  const child = await startChildServer({ dataDir });
  children.push(child);
  return child;
}

/** Starts a process that must fail; resolves with the error the helper reports (exit code and stderr). */
async function expectStartFailure(dataDir: string): Promise<string> {
  try {
    const child = await startChildServer({ dataDir, startTimeoutMs: 15_000 });
    children.push(child);
  } catch (error) {
    return String((error as Error).message);
  }
  throw new Error('the second process started');
}

describe('one process per DATA_DIR', () => {
  it('a second process on the same DATA_DIR refuses to start with a clear message; the first serves on', async () => {
    const dataDir = tempDir('arvo-single-');
    dirs.push(dataDir);
    const first = await startChild(dataDir);
    const created = await createWorkshop(first.url);

    const failure = await expectStartFailure(dataDir);
    expect(failure).toMatch(/exited before listening \(code 3/);
    expect(failure).toMatch(/another Arvo process is using .* Only one server may use a DATA_DIR/);

    // The first process noticed nothing.
    expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    const preview = await fetch(`${first.url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`);
    expect(preview.status).toBe(200);
  });

  it('after SIGKILL of the holder (no clean shutdown) a new process starts at once and has the data', async () => {
    const dataDir = tempDir('arvo-single-');
    dirs.push(dataDir);
    const first = await startChild(dataDir);
    const created = await createWorkshop(first.url);
    expect(fs.existsSync(path.join(dataDir, 'arvo.sqlite.lock'))).toBe(true);
    const killed = await first.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');
    // The lock file is still there (nobody removed it); the kernel released the lock with the process.
    expect(fs.existsSync(path.join(dataDir, 'arvo.sqlite.lock'))).toBe(true);

    await first.restart();
    const preview = await fetch(`${first.url}/api/workshops/${created.id}/preview?k=${created.participantJoinKey}`);
    expect(preview.status).toBe(200);
    // And the new holder refuses a third.
    expect(await expectStartFailure(dataDir)).toMatch(/another Arvo process is using/);
    // Three process starts in a row: more than the default 30 s beside the browser suites on two cores.
  }, 90_000);

  it('in one process too: a second server on the same directory is refused, and the first one closing frees it', async () => {
    const dataDir = tempDir('arvo-single-');
    dirs.push(dataDir);
    const first = await startTestServer({}, dataDir);
    await expect(startTestServer({}, dataDir)).rejects.toBeInstanceOf(StoreOpenError);
    await first.close();
    const second = await startTestServer({}, dataDir);
    expect((await fetch(`${second.url}/healthz`)).status).toBe(200);
    await second.close();
  });
});

describe('a damaged database file', () => {
  it('is found by the check at start: a clear message and exit code 3, nothing served', async () => {
    const dataDir = tempDir('arvo-corrupt-');
    dirs.push(dataDir);
    const first = await startChild(dataDir);
    for (let i = 0; i < 5; i++) await createWorkshop(first.url);
    await first.kill('SIGTERM');
    children.splice(children.indexOf(first), 1);

    // Overwrite pages in the middle of the file (the header stays intact, so SQLite opens it).
    const file = path.join(dataDir, 'arvo.sqlite');
    const size = fs.statSync(file).size;
    expect(size).toBeGreaterThan(8 * 4096);
    const fd = fs.openSync(file, 'r+');
    try {
      fs.writeSync(fd, Buffer.alloc(3 * 4096, 0xa5), 0, 3 * 4096, 2 * 4096);
    } finally {
      fs.closeSync(fd);
    }

    const failure = await expectStartFailure(dataDir);
    expect(failure).toMatch(/exited before listening \(code 3/);
    expect(failure).toMatch(/the database file .*arvo\.sqlite is damaged/);
    expect(failure).toMatch(/restore it from a backup/);
  });

  it('a file that is not a database at all is refused the same way', async () => {
    const dataDir = tempDir('arvo-corrupt-');
    dirs.push(dataDir);
    fs.writeFileSync(path.join(dataDir, 'arvo.sqlite'), Buffer.alloc(64 * 1024, 0x42));
    const failure = await expectStartFailure(dataDir);
    expect(failure).toMatch(/exited before listening \(code 3/);
    expect(failure).toMatch(/is damaged \(file is not a database\)/);
  });
});
