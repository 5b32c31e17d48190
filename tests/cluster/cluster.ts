import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { HAPROXY_TEMPLATE, haproxyConfig, startHaproxy } from '../../scripts/cluster';
import { notesDocName } from '../../shared/protocol/docNames';
import { actorsOf, createWorkshop, join, type Created, type Joined } from '../helpers/api';
import { startChildServer, type ChildServer, type LogEntry } from '../helpers/childServer';
import { destroyAll } from '../helpers/clients';
import { createTestDatabase, startPgProxy, type PgProxy, type TestDatabase } from '../helpers/pg';

/**
 * The one way the cluster tests start processes (tests/cluster/*.test.ts and bench:cluster):
 * N real server processes (tests/helpers/childServer.ts) on a PostgreSQL database of the test's
 * own, optionally HAProxy in front (the shipped deploy/haproxy.cfg) and optionally a TCP proxy
 * between the processes and PostgreSQL (to cut the database away). `dispose` always kills every
 * child, stops the proxies and drops the database, whatever failed before.
 *
 * The children log at `info`, so a test can await what a process did (a lease taken, lost, a
 * round ended) from its log lines instead of polling the database with sleeps.
 */
export interface ClusterOptions {
  size: number;
  /** Part of the database name (arvo_test_<pid>_<label>_<random>). */
  label: string;
  /** Short by default so that failover tests wait little; 2 s survives a loaded 2-core machine. */
  leaseTtlMs?: number;
  env?: Record<string, string>;
  haproxy?: boolean;
  /** The processes reach PostgreSQL through a proxy the test can cut (`cluster.pg`). */
  pgProxy?: boolean;
}

export const LEASE_TTL_MS = 2000;

export interface Lease {
  owner: string;
  address: string;
  epoch: number;
  expiresAt: number;
}

export class TestCluster {
  db!: TestDatabase;
  readonly nodes: ChildServer[] = [];
  readonly secret = crypto.randomBytes(32).toString('base64url');
  env: Record<string, string> = {};
  /** HAProxy's http://host:port (haproxy: true). */
  base = '';
  /** The PostgreSQL proxy (pgProxy: true). */
  pg: PgProxy | null = null;
  private haproxy: Awaited<ReturnType<typeof startHaproxy>> | null = null;
  private readonly paused = new Set<number>();

  constructor(readonly options: ClusterOptions) {}

  get wsBase(): string {
    return `${this.base.replace(/^http/, 'ws')}/ws`;
  }

  async start(): Promise<this> {
    try {
      this.db = await createTestDatabase(this.options.label);
      if (this.options.pgProxy) this.pg = await startPgProxy();
      this.env = {
        DATABASE_URL: this.pg ? this.pg.url(this.db) : this.db.url,
        SECRET: this.secret,
        LEASE_TTL_MS: String(this.options.leaseTtlMs ?? LEASE_TTL_MS),
        ROOM_IDLE_MS: '60000',
        LOG_LEVEL: 'info',
        ...this.options.env,
      };
      // The schema is created by the first process to start; the others wait for its migration lock.
      await Promise.all(Array.from({ length: this.options.size }, () => this.add()));
      if (this.options.haproxy) {
        const port = await freePort();
        const servers = this.nodes.map((node) => new URL(node.url).host);
        this.haproxy = await startHaproxy(haproxyConfig(fs.readFileSync(HAPROXY_TEMPLATE, 'utf8'), port, servers), `http://127.0.0.1:${port}/healthz`);
        this.base = `http://127.0.0.1:${port}`;
      }
      return this;
    } catch (error) {
      await this.dispose();
      throw error;
    }
  }

  /** Starts one more process on the same database. */
  async add(extraEnv: Record<string, string> = {}): Promise<ChildServer> {
    const node = await startChildServer({ env: { ...this.env, ...extraEnv }, startTimeoutMs: 60_000 });
    this.nodes.push(node);
    return node;
  }

  /** The lease row of a workshop, straight from the database. */
  async lease(workshopId: string): Promise<Lease | null> {
    const rows = await this.db.query<{ owner: string; address: string; epoch: string; expires_at: string }>(
      'SELECT owner, address, epoch, expires_at FROM leases WHERE workshop_id = $1',
      [workshopId],
    );
    const row = rows[0];
    return row ? { owner: row.owner, address: row.address, epoch: Number(row.epoch), expiresAt: Number(row.expires_at) } : null;
  }

  /** The node whose url is the lease's address (null: none of ours, or no lease). */
  async ownerNode(workshopId: string): Promise<ChildServer | null> {
    const current = await this.lease(workshopId);
    return this.nodes.find((node) => node.url === current?.address) ?? null;
  }

  /**
   * Resolves when one of the nodes (other than `notOn`) has logged taking the workshop's lease at
   * an epoch above `epochAbove` — the moment a failover or handover is done, as an event.
   */
  waitForOwner(workshopId: string, options: { epochAbove?: number; notOn?: ChildServer; timeoutMs?: number } = {}): Promise<{ node: ChildServer; epoch: number }> {
    const above = options.epochAbove ?? 0;
    const candidates = this.nodes.filter((node) => node !== options.notOn);
    const match = (entry: LogEntry) => entry.event === 'lease-acquired' && entry.workshop === workshopId && Number(entry.epoch) > above;
    const timeoutMs = options.timeoutMs ?? 20_000;
    return new Promise((resolve, reject) => {
      let pending = candidates.length;
      for (const node of candidates) {
        node.waitForLog(match, `workshop ${workshopId} taken at an epoch above ${above}`, timeoutMs).then(
          (entry) => resolve({ node, epoch: Number(entry.epoch) }),
          (error: unknown) => {
            if (--pending === 0) reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    });
  }

  /** Throws when any process logged an uncaught exception (it died of an error). */
  assertNoCrash(): void {
    const crashes = this.nodes.flatMap((node) => node.logs().filter((entry) => entry.event === 'uncaught-exception'));
    if (crashes.length > 0) throw new Error(`a server process crashed: ${JSON.stringify(crashes)}`);
  }

  /** SIGSTOP: the process is frozen (its sockets stay open, its lease runs out). */
  pause(node: ChildServer): void {
    process.kill(node.pid!, 'SIGSTOP');
    this.paused.add(node.pid!);
  }

  resume(node: ChildServer): void {
    if (node.pid === undefined || !this.paused.delete(node.pid)) return;
    process.kill(node.pid, 'SIGCONT');
  }

  /** Kills every child, stops the proxies, drops the database — each step even if another failed. */
  async dispose(): Promise<void> {
    destroyAll();
    for (const pid of this.paused) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
    this.paused.clear();
    await Promise.all(this.nodes.map((node) => node.dispose().catch(() => undefined)));
    await this.haproxy?.stop().catch(() => undefined);
    await this.pg?.close().catch(() => undefined);
    await this.db?.drop();
  }
}

/**
 * A cluster for one test file: started before its tests, disposed after them; every stock
 * provider is destroyed after each test. Returns the cluster object at once (filled in by beforeAll).
 */
export function useCluster(options: ClusterOptions): TestCluster {
  const cluster = new TestCluster(options);
  beforeAll(async () => {
    await cluster.start();
  }, 120_000);
  afterAll(async () => {
    await cluster.dispose();
  }, 60_000);
  afterEach(() => {
    destroyAll();
    // No process may have died of an error, whatever the test looked at (a crash would only show
    // as clients reconnecting elsewhere, which every test here tolerates by design).
    cluster.assertNoCrash();
  });
  return cluster;
}

/** Starts a cluster outside a test file's lifecycle (the benchmark); the caller disposes it. */
export function startCluster(options: ClusterOptions): Promise<TestCluster> {
  return new TestCluster(options).start();
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls `check` (an HTTP or database look that no event announces) until it holds. */
export async function eventually<T>(check: () => Promise<T | null | undefined | false>, what: string, timeoutMs = 15_000, everyMs = 50): Promise<T> {
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
export async function previewActors(baseUrl: string, created: Created): Promise<string[]> {
  return (await actorsOf(baseUrl, created)).map((actor) => actor.id);
}

/**
 * A workshop made on `owner` (whose preview takes the workshop's lease there) with Anna, of its
 * first actor, joined through `via`; `doc` is her notes document.
 */
export async function workshopWithAnna(owner: ChildServer, via: ChildServer = owner): Promise<{ created: Created; anna: Joined; doc: string }> {
  const created = await createWorkshop(owner.url);
  const actors = await previewActors(owner.url, created);
  const anna = await join(via.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
  return { created, anna, doc: notesDocName(created.id, anna.participantId) };
}

/** The node list as a tuple (the tests name their roles). */
export function three(cluster: TestCluster): [ChildServer, ChildServer, ChildServer] {
  const [a, b, c] = cluster.nodes;
  if (!a || !b || !c) throw new Error('the cluster has fewer than three processes');
  return [a, b, c];
}
