import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, StoreOpenError } from '../../server/store/errors';
import type { DocStore } from '../../server/store/port';
import { openPostgresStore } from '../../server/store/postgres';
import { migrate, MIGRATIONS } from '../../server/store/postgresSchema';
import pg from 'pg';
import { createTestDatabase, refuseConnections, restoreConnections, terminateConnections, type TestDatabase } from '../helpers/pg';
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

describe('PostgreSQL: losing the server while open', () => {
  const one = (i: number) => [{ docName: 'Dlost00000000001', ts: i, participantId: null, update: new Uint8Array([i]) }];

  it('connections ended by the server are replaced by themselves; refused connections are StoreErrors and an unhealthy store, until it is back', async () => {
    const fresh = await createTestDatabase('lost');
    const store = await openPostgresStore({ url: fresh.url, poolSize: 3, connectTimeoutMs: 2000 });
    try {
      expect(await store.appendUpdates(one(1))).toEqual([1]);
      expect(await terminateConnections(fresh)).toBeGreaterThan(0);
      // The pool drops the ended connections and opens new ones. One operation may still meet a
      // connection whose end it had not yet heard of: that one fails as a StoreError, and the
      // connection is discarded, so the next one works.
      const first = await store.appendUpdates(one(2)).catch((e: unknown) => e);
      if (!Array.isArray(first)) {
        expect(first).toBeInstanceOf(StoreError);
        expect(await store.appendUpdates(one(2))).toEqual([2]);
      } else expect(first).toEqual([2]);

      await refuseConnections(fresh);
      const error = await store.appendUpdates(one(3)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect((error as StoreError).kind).toBe('unavailable');
      await expect(store.loadDoc('Dlost00000000001')).rejects.toBeInstanceOf(StoreError);
      // The health answer is kept for a second (HEALTH_CACHE_MS): ask after it.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.checkHealth()).toMatchObject({ ok: false, problem: expect.stringMatching(/not currently accepting connections/) });
      expect(await store.isWritable()).toBe(false);

      await restoreConnections(fresh);
      expect(await store.appendUpdates(one(4))).toEqual([3]);
      expect((await store.readLog('Dlost00000000001', 0, 10)).map((u) => u.update[0])).toEqual([1, 2, 4]);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await store.checkHealth()).toEqual({ ok: true });
    } finally {
      await store.close();
      await restoreConnections(fresh).catch(() => undefined);
      await fresh.drop();
    }
  });
});
