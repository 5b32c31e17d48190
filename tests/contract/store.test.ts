import Database from 'better-sqlite3';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DocStore } from '../../server/store/port';
import { openSqliteStore } from '../../server/store/sqlite';
import { removeDir, tempDir } from '../helpers/server';
import { describeStoreContract, type StoreUnderTest } from './store.contract';

/** The SQLite adapter, on a temporary file (durable) and in memory. */
function onTempFile(maxPages?: number): StoreUnderTest {
  const dir = tempDir('arvo-store-');
  const file = path.join(dir, 'arvo.sqlite');
  let current: DocStore = openSqliteStore({ file, synchronous: 'NORMAL', maxPages });
  return {
    get store() {
      return current;
    },
    async reopen() {
      current = openSqliteStore({ file, synchronous: 'NORMAL', maxPages });
      return current;
    },
    async cleanup() {
      await current.close();
      removeDir(dir);
    },
  };
}

describeStoreContract('SQLite on a file', async () => onTempFile(), {
  durable: true,
  // 48 pages of 4 KiB: room for the schema and a little data, not for a batch of ~800 KiB.
  openNearlyFull: async () => onTempFile(48),
});

describeStoreContract(':memory: SQLite', async () => {
  const store = openSqliteStore({ file: ':memory:', synchronous: 'NORMAL' });
  return { store, cleanup: () => store.close() };
});

describe('SQLite: a file from before the membership columns (issue 8)', () => {
  it('opens, gains the columns with their defaults, and keeps its rows', async () => {
    const dir = tempDir('arvo-store-old-');
    const file = path.join(dir, 'arvo.sqlite');
    const old = new Database(file);
    old.exec(`CREATE TABLE workshops (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, participant_key_hash TEXT NOT NULL, observer_key_hash TEXT NOT NULL);
      CREATE TABLE participants (workshop TEXT NOT NULL REFERENCES workshops(id), id TEXT NOT NULL, role TEXT NOT NULL, actor TEXT, name TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (workshop, id));
      INSERT INTO workshops VALUES ('W000000000000001', 1, '${'a'.repeat(64)}', '${'b'.repeat(64)}');
      INSERT INTO participants VALUES ('W000000000000001', 'P000000000000001', 'participant', NULL, 'Anna', 2);`);
    old.close();
    const store = openSqliteStore({ file, synchronous: 'NORMAL' });
    try {
      expect(await store.getMembership('W000000000000001', 'P000000000000001')).toMatchObject({ name: 'Anna', tokenEpoch: 0, removedAt: null });
      expect(await store.getWorkshopAccess('W000000000000001')).toEqual({ sealedJoinKeys: null, recoveryHash: null });
    } finally {
      await store.close();
    }
    // Opening again is a no-op for the columns.
    const again = openSqliteStore({ file, synchronous: 'NORMAL' });
    await again.close();
    removeDir(dir);
  });
});

describe('SQLite: sequence numbers with a second writer of the same file', () => {
  // The adapter remembers each document's last committed sequence number instead of asking the
  // log on every append; a writer without the lock (a test planting rows) can still move the log
  // on behind its back, and the next append must continue after it, not fail.
  it('appends continue after rows another writer added to the same document', async () => {
    const dir = tempDir('arvo-store-two-');
    const file = path.join(dir, 'arvo.sqlite');
    const owner = openSqliteStore({ file, synchronous: 'NORMAL' });
    const other = openSqliteStore({ file, synchronous: 'NORMAL', exclusive: false });
    const update = (byte: number) => ({ docName: 'W1/notes/P1', ts: byte, participantId: null, update: new Uint8Array([byte]) });
    try {
      expect(await owner.appendUpdates([update(1), update(2)])).toEqual([1, 2]);
      expect(await other.appendUpdates([update(3)])).toEqual([3]);
      expect(await owner.appendUpdates([update(4), update(5)])).toEqual([4, 5]);
      expect(await owner.appendUpdates([{ ...update(6), docName: 'W1/notes/P2' }, update(7)])).toEqual([1, 6]);
      const { updates } = await owner.loadDoc('W1/notes/P1');
      expect(updates.map((u) => [u.seq, u.update[0]])).toEqual([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 7]]);
    } finally {
      await other.close();
      await owner.close();
      removeDir(dir);
    }
  });
});
