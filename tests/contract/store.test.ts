import path from 'node:path';
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
