import crypto from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { StoreHealth } from './port';

const HEALTH_CACHE_MS = 1000;
/** The database's clock in milliseconds. */
const NOW_MS = `(extract(epoch FROM clock_timestamp()) * 1000)::bigint`;

/**
 * For /healthz, as in SQLite: read the newest row of every table and commit a write to the log,
 * checkpoint and workshop tables that is removed in the same transaction (8 KiB, so a full disk
 * fails here as an append would). One round trip (a multi-statement simple query), at most one a
 * second (the answer is kept), with its own statement timeout. The probe rows are named per
 * process, so two processes' checks do not wait for each other.
 */
export function createHealthCheck(pool: Pool, isClosed: () => boolean): () => Promise<StoreHealth> {
  const probe = `\u0001health-probe-${crypto.randomUUID()}`;
  const literal = `'${probe}'`; // a UUID: nothing to escape
  const sql = `BEGIN;
SET LOCAL statement_timeout = 5000;
SELECT doc FROM updates ORDER BY doc DESC, seq DESC LIMIT 1;
SELECT doc FROM doc_seqs ORDER BY doc DESC LIMIT 1;
SELECT doc FROM snapshots ORDER BY doc DESC LIMIT 1;
SELECT doc FROM checkpoints ORDER BY doc DESC, seq DESC LIMIT 1;
SELECT id FROM workshops ORDER BY id DESC LIMIT 1;
SELECT workshop FROM participants ORDER BY workshop DESC, id DESC LIMIT 1;
SELECT workshop_id FROM leases ORDER BY workshop_id DESC LIMIT 1;
INSERT INTO updates (doc, seq, ts, participant, data) VALUES (${literal}, 0, 0, NULL, decode(repeat('00', 8192), 'hex'));
DELETE FROM updates WHERE doc = ${literal};
INSERT INTO checkpoints (doc, seq, ts, state) VALUES (${literal}, 0, 0, decode(repeat('00', 8192), 'hex'));
DELETE FROM checkpoints WHERE doc = ${literal};
INSERT INTO workshops (id, created_at, participant_key_hash, observer_key_hash) VALUES (${literal}, 0, '', '');
DELETE FROM workshops WHERE id = ${literal};
INSERT INTO health (id, ts) VALUES (1, ${NOW_MS}) ON CONFLICT (id) DO UPDATE SET ts = EXCLUDED.ts;
COMMIT;`;
  let cached: { at: number; result: StoreHealth } | null = null;
  let running: Promise<StoreHealth> | null = null;
  const run = async (): Promise<StoreHealth> => {
    let client: PoolClient | null = null;
    let broken = false;
    try {
      client = await pool.connect();
      await client.query(sql);
      return { ok: true };
    } catch (error) {
      broken = true;
      return { ok: false, problem: String((error as Error)?.message ?? error) || 'PostgreSQL did not answer' };
    } finally {
      // A failed check's connection may be mid-transaction or dead: discard it.
      client?.release(broken);
    }
  };
  return async () => {
    if (isClosed()) return { ok: false, problem: 'the store is closed' };
    const now = Date.now();
    if (cached && now - cached.at < HEALTH_CACHE_MS) return cached.result;
    // Concurrent callers share one check.
    running ??= run().then((result) => {
      cached = { at: Date.now(), result };
      running = null;
      return result;
    });
    return running;
  };
}
