import crypto from 'node:crypto';
import { startChildServer, type ChildServer } from '../helpers/childServer';
import { createTestDatabase, type TestDatabase } from '../helpers/pg';

/**
 * A cluster of real server processes (tests/helpers/childServer.ts) on a PostgreSQL database of
 * the test's own, created here and dropped by `dispose`. Short leases so that failover tests do
 * not wait long; everything else is the production configuration.
 */
export interface TestCluster {
  db: TestDatabase;
  nodes: ChildServer[];
  secret: string;
  env: Record<string, string>;
  /** The lease row of a workshop (who owns it, at which epoch), straight from the database. */
  lease(workshopId: string): Promise<{ owner: string; address: string; epoch: number; expiresAt: number } | null>;
  /** The node whose url is the lease's address (null: none of ours, or no lease). */
  ownerNode(workshopId: string): Promise<ChildServer | null>;
  /** Starts one more process on the same database. */
  add(extraEnv?: Record<string, string>): Promise<ChildServer>;
  dispose(): Promise<void>;
}

export const LEASE_TTL_MS = 3000;

export async function startCluster(size: number, label: string, extraEnv: Record<string, string> = {}): Promise<TestCluster> {
  const db = await createTestDatabase(label);
  const secret = crypto.randomBytes(32).toString('base64url');
  const env = { DATABASE_URL: db.url, SECRET: secret, LEASE_TTL_MS: String(LEASE_TTL_MS), ROOM_IDLE_MS: '60000', ...extraEnv };
  const nodes: ChildServer[] = [];
  const add = async (more: Record<string, string> = {}) => {
    const node = await startChildServer({ env: { ...env, ...more }, startTimeoutMs: 45_000 });
    nodes.push(node);
    return node;
  };
  try {
    // The schema is created by the first process to start; the others wait for its migration lock.
    await Promise.all(Array.from({ length: size }, () => add()));
  } catch (error) {
    for (const node of nodes) await node.dispose().catch(() => undefined);
    await db.drop().catch(() => undefined);
    throw error;
  }
  const lease = async (workshopId: string) => {
    const rows = await db.query<{ owner: string; address: string; epoch: string; expires_at: string }>(
      'SELECT owner, address, epoch, expires_at FROM leases WHERE workshop_id = $1',
      [workshopId],
    );
    const row = rows[0];
    return row ? { owner: row.owner, address: row.address, epoch: Number(row.epoch), expiresAt: Number(row.expires_at) } : null;
  };
  return {
    db,
    nodes,
    secret,
    env,
    lease,
    async ownerNode(workshopId) {
      const current = await lease(workshopId);
      return nodes.find((node) => node.url === current?.address) ?? null;
    },
    add,
    async dispose() {
      await Promise.all(nodes.map((node) => node.dispose().catch(() => undefined)));
      await db.drop();
    },
  };
}

/** Polls `check` (a database or HTTP look, which no event announces) until it holds. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

/** The workshop's actor ids, from the join preview (a workshop-scoped call: it takes the lease if nobody holds it). */
export async function previewActors(baseUrl: string, created: { id: string; participantJoinKey: string }): Promise<string[]> {
  const response = await fetch(`${baseUrl}/api/workshops/${created.id}/preview?k=${encodeURIComponent(created.participantJoinKey)}`);
  if (response.status !== 200) throw new Error(`preview failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { actors: Array<{ id: string }> }).actors.map((actor) => actor.id);
}
