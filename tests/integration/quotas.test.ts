import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config';
import { addressKey, createRateLimiter } from '../../server/http/quota';
import { createWorkshop } from '../helpers/api';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Quotas on the one unauthenticated write: creating a workshop. Per client address per minute
 * (429 + Retry-After), and, on public servers, a key (CREATE_KEY). Real server, real requests.
 */
const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    await server.close();
    removeDir(server.dataDir);
  }
});

async function start(env: Record<string, string>): Promise<TestServer> {
  const server = await startTestServer(env);
  servers.push(server);
  return server;
}

const body = JSON.stringify({ title: 'Quota', template: 'blank', language: 'en' });
const create = (server: TestServer, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/api/workshops`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

describe('workshop creation per address', () => {
  it('allows CREATE_PER_MINUTE creations, then answers 429 with Retry-After and a JSON error; joins are not affected', async () => {
    const server = await start({ CREATE_PER_MINUTE: '3' });
    const first = await createWorkshop(server.url);
    for (let i = 0; i < 2; i++) expect((await create(server)).status).toBe(201);
    const refused = await create(server);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    // 3 per minute: the next one is allowed 20 s after the first.
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(20);
    const json = await refused.json();
    expect(json.error).toMatchObject({ code: 'rate-limited', message: expect.stringMatching(/too many workshops .* try again in \d+ s/) });
    expect(json.error.details).toEqual({ retryAfterSeconds: retryAfter });
    // Nothing was created by the refused request, and the workshops that exist work.
    const preview = await (await fetch(`${server.url}/api/workshops/${first.id}/preview?k=${first.participantJoinKey}`)).json();
    const join = await fetch(`${server.url}/api/workshops/${first.id}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ joinKey: first.participantJoinKey, name: 'Anna', actorId: preview.actors[0].id }),
    });
    expect(join.status).toBe(201);
  });

  it('counts the socket address: X-Forwarded-For is ignored unless TRUST_PROXY, then its last entry counts', async () => {
    const direct = await start({ CREATE_PER_MINUTE: '1' });
    expect((await create(direct, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await create(direct, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(429);

    const proxied = await start({ CREATE_PER_MINUTE: '1', TRUST_PROXY: 'true' });
    expect((await create(proxied, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(201);
    expect((await create(proxied, { 'x-forwarded-for': '203.0.113.1' })).status).toBe(429);
    // What the client put in front of the proxy's own entry does not help it.
    expect((await create(proxied, { 'x-forwarded-for': '198.51.100.7, 203.0.113.1' })).status).toBe(429);
    expect((await create(proxied, { 'x-forwarded-for': '203.0.113.2' })).status).toBe(201);
  });
});

describe('CREATE_KEY', () => {
  const KEY = 'workshop-key-for-tests';

  it('without the key: 401 create-key-required; a wrong key: 403 create-key-invalid; the key: 201', async () => {
    const server = await start({ CREATE_KEY: KEY });
    const missing = await create(server);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('create-key-required');
    const wrong = await create(server, { 'x-arvo-create-key': 'not-the-key' });
    expect(wrong.status).toBe(403);
    expect((await wrong.json()).error.code).toBe('create-key-invalid');
    const right = await create(server, { 'x-arvo-create-key': KEY });
    expect(right.status).toBe(201);
    const created = await right.json();
    // Joining needs no key: only creating does.
    const preview = await fetch(`${server.url}/api/workshops/${created.id}/preview?k=${created.observerJoinKey}`);
    expect(preview.status).toBe(200);
  });

  it('guesses count against the quota', async () => {
    const server = await start({ CREATE_KEY: KEY, CREATE_PER_MINUTE: '2' });
    expect((await create(server, { 'x-arvo-create-key': 'guess-1' })).status).toBe(403);
    expect((await create(server, { 'x-arvo-create-key': 'guess-2' })).status).toBe(403);
    expect((await create(server, { 'x-arvo-create-key': KEY })).status).toBe(429);
  });

  it('is validated at start', () => {
    expect(() => loadConfig({ CREATE_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ CREATE_PER_MINUTE: '0' })).toThrow(/CREATE_PER_MINUTE/);
    expect(() => loadConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
    expect(loadConfig({ TRUST_PROXY: '1' }).trustProxy).toBe(true);
    expect(loadConfig({}).createKey).toBeUndefined();
  });
});

describe('the limiter', () => {
  it('refills at limit per window, says how long to wait, and forgets a key once its bucket is full again', () => {
    const limiter = createRateLimiter({ limit: 3, windowMs: 60_000 });
    const t0 = 1_000_000;
    expect([limiter.take('a', t0), limiter.take('a', t0), limiter.take('a', t0)]).toEqual([null, null, null]);
    expect(limiter.take('a', t0)).toBe(20_000);
    expect(limiter.take('b', t0)).toBeNull();
    expect(limiter.take('a', t0 + 19_999)).toBe(1);
    expect(limiter.take('a', t0 + 20_000)).toBeNull();
    expect(limiter.take('a', t0 + 20_000)).toBe(20_000);
  });

  it('keeps its memory bounded whatever the number of addresses', () => {
    const limiter = createRateLimiter({ limit: 5, windowMs: 60_000, maxKeys: 100 });
    for (let i = 0; i < 10_000; i++) limiter.take(`10.0.${i >> 8}.${i & 255}`, 1000 + i);
    expect(limiter.size).toBeLessThanOrEqual(100);
    // Expired keys are the first to go: long after, one new key prunes them all.
    limiter.take('late', 10_000_000);
    expect(limiter.size).toBe(1);
  });

  it('counts IPv6 clients per /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });
});
