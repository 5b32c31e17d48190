import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreOpenError } from '../../server/store/errors';
import type { DocStore } from '../../server/store/port';
import { openPostgresStore } from '../../server/store/postgres';
import { migrate, MIGRATIONS } from '../../server/store/postgresSchema';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';
import { describeStoreContract } from './store.contract';
import { describeTwoWriterContract } from './twoWriters.contract';

/**
 * The PostgreSQL adapter (issue 11) on a database of this file's own, created here and dropped
 * after. The contract's ids are unique per test, so its tests share the database.
 */
let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase('contract');
});
afterAll(async () => {
  await database?.drop();
});

const open = () => openPostgresStore({ url: database.url, poolSize: 12 });

describeStoreContract('PostgreSQL', async () => {
  let current: DocStore = await open();
  return {
    get store() {
      return current;
    },
    async reopen() {
      current = await open();
      return current;
    },
    async cleanup() {
      await current.close();
    },
  };
}, { durable: true });

describeTwoWriterContract('PostgreSQL', async () => {
  const stores = [await open(), await open()] as const;
  return { stores, cleanup: async () => void (await Promise.all(stores.map((s) => s.close()))) };
});

describe('PostgreSQL: opening', () => {
  it('several processes starting at once migrate the schema once, and it is versioned', async () => {
    const fresh = await createTestDatabase('migrate');
    try {
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore({ url: fresh.url, poolSize: 2 })));
      const versions = await fresh.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
      // Every one of them works on the same schema.
      const seqs = await Promise.all(stores.map((s, i) => s.appendUpdates([{ docName: 'D000000000000001', ts: i, participantId: null, update: new Uint8Array([i]) }])));
      expect(seqs.flat().sort()).toEqual([1, 2, 3, 4]);
      await Promise.all(stores.map((s) => s.close()));
      // Opening again applies nothing.
      const pool = new pg.Pool({ connectionString: fresh.url });
      expect(await migrate(pool)).toEqual([]);
      await pool.end();
    } finally {
      await fresh.drop();
    }
  });

  it('a schema newer than the code is refused with a clear message', async () => {
    const fresh = await createTestDatabase('newer');
    try {
      await (await openPostgresStore({ url: fresh.url })).close();
      await fresh.query("INSERT INTO schema_migrations (version, name) VALUES (9999, 'from the future')");
      const error = await openPostgresStore({ url: fresh.url }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreOpenError);
      expect((error as StoreOpenError).reason).toBe('incompatible');
      expect((error as Error).message).toMatch(/version 9999/);
    } finally {
      await fresh.drop();
    }
  });

  it('an unreachable server, or a database that does not exist, is a StoreOpenError "unreachable" naming the address without the password', async () => {
    const refused = await openPostgresStore({ url: 'postgres://arvo:hunter2@127.0.0.1:1/arvo', connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreOpenError);
    expect((refused as StoreOpenError).reason).toBe('unreachable');
    expect((refused as Error).message).toContain('127.0.0.1:1');
    expect((refused as Error).message).not.toContain('hunter2');
    const url = new URL(database.url);
    url.pathname = `/${database.name}_missing`;
    const missing = await openPostgresStore({ url: url.toString() }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(StoreOpenError);
    expect((missing as Error).message).toMatch(/does not exist/);
  });
});
