import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/log';
import { openSqliteStore } from '../../server/store/sqlite';
import { startWalCheckpointer } from '../../server/store/walCheckpointer';

/**
 * WAL checkpoints on a worker thread (server/store/walCheckpointer.ts): a real SQLite file, a
 * real worker with its own connection, the committing connection's own checkpoints turned off
 * while the worker runs, and SQLite's default back when the worker cannot run.
 */
const dirs: string[] = [];
function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'arvo-wal-'));
  dirs.push(dir);
  return path.join(dir, 'test.sqlite');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function openLog(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS log (id INTEGER PRIMARY KEY, data BLOB NOT NULL)');
  const insert = db.prepare('INSERT INTO log (data) VALUES (?)');
  return { db, write: () => insert.run(Buffer.alloc(2000, 7)) };
}

const autocheckpoint = (db: Database.Database) => db.pragma('wal_autocheckpoint', { simple: true });

describe('WAL checkpoints off the event loop', () => {
  it('starts a worker after enough commits; it checkpoints while the committing connection does not; nothing is lost', async () => {
    const file = tempFile();
    const { db, write } = openLog(file);
    // A long interval: every checkpoint in this test is asked for.
    const checkpointer = startWalCheckpointer(db, { file, startAfterCommits: 5, intervalMs: 600_000 });
    for (let i = 0; i < 4; i++) {
      write();
      checkpointer.committed();
    }
    expect(checkpointer.state).toBe('inline');
    expect(autocheckpoint(db)).toBe(1000);
    write();
    checkpointer.committed();
    expect(checkpointer.state).toBe('starting');
    expect(await checkpointer.settled()).toBe('worker');
    expect(autocheckpoint(db)).toBe(0);

    // Well past SQLite's 1,000-page default: the committing connection leaves the WAL alone.
    for (let i = 0; i < 1500; i++) write();
    const walFrames = (db.pragma('wal_checkpoint(NOOP)') as Array<{ log: number; checkpointed: number }>)[0]!;
    expect(walFrames.log).toBeGreaterThan(1500);
    expect(walFrames.checkpointed).toBe(0);

    const checkpointed = checkpointer.next();
    checkpointer.now();
    const result = await checkpointed;
    expect(result.walFrames).toBeGreaterThan(1500);
    expect(result.checkpointedFrames).toBe(result.walFrames);

    await checkpointer.close();
    expect(checkpointer.state).toBe('inline');
    db.close();
    const reopened = new Database(file, { readonly: true });
    expect(reopened.prepare('SELECT COUNT(*) AS n FROM log').get()).toEqual({ n: 1505 });
    reopened.close();
  });

  it('falls back to checkpoints on the committing connection, with a warning, when the worker cannot run', async () => {
    const file = tempFile();
    const { db, write } = openLog(file);
    const lines: string[] = [];
    const checkpointer = startWalCheckpointer(db, {
      file,
      startAfterCommits: 1,
      intervalMs: 600_000,
      driver: path.join(os.tmpdir(), 'no-such-sqlite-driver.js'),
      log: createLogger('warn', (line) => lines.push(line)),
    });
    write();
    checkpointer.committed();
    expect(await checkpointer.settled()).toBe('inline');
    expect(autocheckpoint(db)).toBe(1000);
    expect(lines.some((line) => JSON.parse(line).event === 'wal-checkpointer-stopped')).toBe(true);
    // Not started again: one warning, and commits go on as SQLite does by default.
    checkpointer.committed();
    expect(checkpointer.state).toBe('inline');
    await checkpointer.close();
    db.close();
  });

  it('the store keeps every append across a close and a reopen with its worker running', async () => {
    const file = tempFile();
    const store = openSqliteStore({ file, synchronous: 'NORMAL', checkpoints: { startAfterCommits: 2, intervalMs: 5 } });
    for (let i = 0; i < 300; i++) await store.appendUpdates([{ docName: 'doc', ts: i, participantId: null, update: new Uint8Array([0, 0, i % 256]) }]);
    await store.close();
    const again = openSqliteStore({ file, synchronous: 'NORMAL' });
    const { updates } = await again.loadDoc('doc');
    expect(updates.map((u) => u.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    await again.close();
  });
});
