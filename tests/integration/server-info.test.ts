import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../server/config';
import { lanOrigins } from '../../server/http/serverInfo';
import { createWorkshop, join } from '../helpers/api';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * GET /api/workshops/:id/server-info: what join links may point to (PUBLIC_URL, loopback-only,
 * the LAN addresses), for the facilitator of that workshop only.
 */
let servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers) {
    await s.close();
    removeDir(s.dataDir);
  }
  servers = [];
});

async function start(env: Record<string, string>) {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}

const info = (server: TestServer, id: string, token?: string) =>
  fetch(`${server.url}/api/workshops/${id}/server-info`, { headers: token ? { authorization: `Bearer ${token}` } : {} }).then(async (r) => ({ status: r.status, json: (await r.json()) as any }));

describe('server info for join links', () => {
  it('loopback only, no PUBLIC_URL: says so, lists no addresses; only the facilitator may ask', async () => {
    const server = await start({});
    const created = await createWorkshop(server.url);
    expect(await info(server, created.id, created.facilitatorToken)).toEqual({ status: 200, json: { publicUrl: null, listening: 'loopback', lanOrigins: [] } });
    expect((await info(server, created.id)).status).toBe(401);
    const observer = await join(server.url, created.id, created.observerJoinKey, 'Olli');
    expect((await info(server, created.id, observer.token)).status).toBe(403);
    const other = await createWorkshop(server.url);
    expect((await info(server, other.id, created.facilitatorToken)).status).toBe(403);
  });

  it('PUBLIC_URL is handed out as an origin', async () => {
    const server = await start({ PUBLIC_URL: 'https://arvo.example.org/' });
    const created = await createWorkshop(server.url);
    expect((await info(server, created.id, created.facilitatorToken)).json.publicUrl).toBe('https://arvo.example.org');
  });

  it('on all interfaces: the LAN addresses on the real port, as os.networkInterfaces() gives them', async () => {
    const server = await start({ HOST: '0.0.0.0' });
    const created = await createWorkshop(`http://127.0.0.1:${server.port}`);
    const { json } = await info({ ...server, url: `http://127.0.0.1:${server.port}` }, created.id, created.facilitatorToken);
    expect(json.listening).toBe('all');
    expect(json.lanOrigins).toEqual(lanOrigins(server.port));
    for (const origin of json.lanOrigins as string[]) expect(origin).toMatch(new RegExp(`:${server.port}$`));
    if (json.lanOrigins.length === 0) console.warn('server-info: this machine has no non-internal interface; the LAN list is empty (asserted equal to os.networkInterfaces())');
  });

  it('PUBLIC_URL must be an http(s) origin without path or query', () => {
    for (const bad of ['arvo.example.org', 'ftp://arvo.example.org', 'https://arvo.example.org/arvo', 'https://arvo.example.org/?x=1', 'https://u:p@arvo.example.org']) {
      expect(() => loadConfig({ PUBLIC_URL: bad }), bad).toThrow(ConfigError);
    }
    expect(loadConfig({ PUBLIC_URL: 'http://192.168.1.20:8080' }).publicUrl).toBe('http://192.168.1.20:8080');
    expect(loadConfig({}).publicUrl).toBeUndefined();
  });
});
