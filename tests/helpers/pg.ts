import crypto from 'node:crypto';
import net from 'node:net';
import pg from 'pg';

/**
 * A PostgreSQL database of the test's own (issue 11): created with a unique name per call on the
 * server at PG_TEST_URL (default postgres://postgres@127.0.0.1:5432/postgres, as in CI), dropped
 * with FORCE (ending any connection a test left open) by `drop`. Never touches another database.
 */
export const PG_ADMIN_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: string;
  url: string;
  /** Runs one statement as the admin user, inside this database (for checks and faults). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<R[]>;
  drop(): Promise<void>;
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(label = 'db'): Promise<TestDatabase> {
  const name = `arvo_test_${process.pid}_${label.replace(/[^a-z0-9]/gi, '').toLowerCase().slice(0, 12)}_${crypto.randomBytes(4).toString('hex')}`;
  await withAdmin(PG_ADMIN_URL, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    query: (sql, params = []) => withAdmin(url.toString(), async (client) => (await client.query(sql, params)).rows),
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(PG_ADMIN_URL, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

/** Ends every server connection to this database (as a crash or restart of PostgreSQL would for them). */
export async function terminateConnections(database: TestDatabase): Promise<number> {
  const rows = await withAdmin(PG_ADMIN_URL, async (client) =>
    (await client.query<{ ended: boolean }>('SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database.name])).rows,
  );
  return rows.filter((r) => r.ended).length;
}

/**
 * PostgreSQL "lost" for this database only: new connections are refused and the open ones ended.
 * `restoreConnections` lets connections in again.
 */
export async function refuseConnections(database: TestDatabase): Promise<void> {
  await withAdmin(PG_ADMIN_URL, (client) => client.query(`ALTER DATABASE "${database.name}" WITH ALLOW_CONNECTIONS false`));
  await terminateConnections(database);
}

export async function restoreConnections(database: TestDatabase): Promise<void> {
  await withAdmin(PG_ADMIN_URL, (client) => client.query(`ALTER DATABASE "${database.name}" WITH ALLOW_CONNECTIONS true`));
}

/**
 * A TCP proxy in front of PostgreSQL, for making the database unreachable to some processes
 * without touching the machine's server: `cut()` resets every open connection and refuses new
 * ones (as a dead network or a crashed server would look to the client), `restore()` lets
 * connections through again. `url(database)` is the database's URL through the proxy.
 */
export interface PgProxy {
  readonly port: number;
  url(database: TestDatabase): string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startPgProxy(target = PG_ADMIN_URL): Promise<PgProxy> {
  const targetUrl = new URL(target);
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return void client.resetAndDestroy();
    const upstream = net.connect({ host: targetUrl.hostname, port: Number(targetUrl.port || 5432) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url(database) {
      const url = new URL(database.url);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return url.toString();
    },
    cut() {
      open = false;
      for (const socket of sockets) socket.resetAndDestroy();
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
