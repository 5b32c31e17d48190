import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createWorkshop, type Created } from '../helpers/api';
import { startChildServer, type ChildServer } from '../helpers/childServer';
import { rawHttp, request } from '../helpers/rawHttp';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * "Nothing a client sends crashes or stalls the process." A real server process (so that a
 * crash is an exit we can see, not the test runner dying) gets hostile HTTP: bad percent escapes
 * on every route, WebSocket upgrades included; request targets that do not parse; absurd
 * methods; headers too large; bodies that are not JSON or never finish; slow partial requests;
 * and a seeded fuzz. After each, it must still be running and answer the next request. Then,
 * in-process: the security headers, the client's lack of inline script, 415 for non-JSON bodies
 * and 503 + Retry-After when the store is full.
 */
const DIST_INDEX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/client/index.html');

let child: ChildServer;
let port: number;
let created: Created;

beforeAll(async () => {
  child = await startChildServer({ env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000', CREATE_PER_MINUTE: '100000' } });
  port = Number(new URL(child.url).port);
  created = await createWorkshop(child.url);
}, 30_000);

afterAll(async () => {
  await child?.dispose();
});

/** The process is alive and serves: /healthz is 200 and a workshop can be created. */
async function expectAlive(): Promise<void> {
  expect(child.pid, `the server process exited; stderr:\n${child.stderr()}`).toBeTypeOf('number');
  expect(() => process.kill(child.pid!, 0)).not.toThrow();
  const health = await fetch(`${child.url}/healthz`);
  expect(health.status).toBe(200);
  await createWorkshop(child.url);
}

const isServerError = (status: number | null) => status !== null && status >= 500;

function wsClose(url: string): Promise<{ code: number } | { refused: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.on('close', (code) => resolve({ code }));
    ws.on('unexpected-response', (_request, response) => {
      resolve({ refused: response.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

describe('hostile HTTP against a live server process', () => {
  it('bad percent escapes on every route are answered with a 4xx (or the app), never fatal', async () => {
    const id = created.id;
    const targets = [
      '/%',
      '/%E0%A4%A',
      '/%zz',
      '/%00',
      '/a%00b.js',
      '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/..%2f..%2f..%2f..%2fetc%2fpasswd',
      '/assets/%E0%A4%A.js',
      '/w/%E0%A4%A/join',
      '/api/%E0%A4%A',
      '/api/workshops/%ff%fe/join',
      `/api/workshops/${id}/join%`,
      `/api/workshops/${id}/preview?k=%E0%A4%A`,
      `/api/workshops/${id}/history?after=%E0%A4%A`,
      `/api/workshops/${id}/history/state?doc=%E0%A4%A&seq=1`,
      '/api/time?%E0',
      '/healthz%',
      '/metrics%E0%A4%A',
    ];
    for (const target of targets) {
      for (const method of ['GET', 'POST', 'HEAD']) {
        const answer = await rawHttp(port, request(method, target, method === 'POST' ? { 'content-type': 'application/json' } : {}, method === 'POST' ? '{}' : ''));
        expect(answer.status, `${method} ${target}`).not.toBeNull();
        expect(isServerError(answer.status), `${method} ${target} → ${answer.status}`).toBe(false);
        expect(answer.text, `${method} ${target}`).not.toContain('root:');
      }
    }
    // Upgrades: /ws/ with a bad escape is refused by close code 4400; anything else is not upgraded.
    for (const docPath of ['%E0%A4%A', '%', `${id}%2F..%2F..%2Fx`, '%00']) {
      expect(await wsClose(`${child.wsUrl}/${docPath}?token=x`), docPath).toEqual({ code: 4400 });
    }
    for (const target of ['/mux%E0%A4%A', '/%E0%A4%A', '/api/%zz']) {
      const upgrade = await rawHttp(port, request('GET', target, { Upgrade: 'websocket', Connection: 'Upgrade', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13' }));
      expect(upgrade.status, target).toBe(404);
    }
    await expectAlive();
  });

  it('request targets that do not parse, absurd methods and huge headers get 4xx answers', async () => {
    const cases: Array<[string, string | Buffer, number[]]> = [
      ['absolute-form target that is not a URL', 'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', [400]],
      ['asterisk target', 'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', [200, 400]],
      ['unknown method', 'BREW /coffee HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', [400]],
      ['WebDAV method on the app', request('PROPFIND', '/'), [400, 405]],
      ['DELETE on the API', request('DELETE', '/api/workshops'), [405]],
      ['OPTIONS', request('OPTIONS', '/'), [405]],
      ['HTTP/9.9', 'GET / HTTP/9.9\r\nHost: x\r\n\r\n', [400, 505]],
      ['header of 100 KB', request('GET', '/', { 'X-Big': 'a'.repeat(100_000) }), [431]],
      ['3000 headers', request('GET', '/healthz', Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`X-H${i}`, 'v']))), [431]],
      ['NUL in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n', [400]],
      ['binary noise', Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 73 + 11) % 256)), [400]],
      ['CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n', []],
    ];
    for (const [what, data, statuses] of cases) {
      const answer = await rawHttp(port, data);
      expect(answer.closed, what).toBe(true);
      if (statuses.length > 0) expect(statuses, `${what}: ${answer.text.slice(0, 80)}`).toContain(answer.status);
      else expect(isServerError(answer.status), what).toBe(false);
    }
    await expectAlive();
  });

  it('bodies that are not JSON, are truncated or badly chunked are refused; nothing is created', async () => {
    const db = new Database(path.join(child.dataDir, 'arvo.sqlite'), { readonly: true });
    const workshops = () => (db.prepare('SELECT COUNT(*) AS n FROM workshops').get() as { n: number }).n;
    const before = workshops();
    const body = JSON.stringify({ title: 'Cross-site', template: 'blank', language: 'en' });
    try {
      // The cross-site case: a form or `text/plain` fetch needs no CORS preflight.
      for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', '']) {
        const answer = await rawHttp(port, request('POST', '/api/workshops', type ? { 'content-type': type } : {}, body));
        expect(answer.status, type).toBe(415);
        expect(answer.text).toContain('"code":"unsupported-media-type"');
      }
      const join = await rawHttp(port, request('POST', `/api/workshops/${created.id}/join`, { 'content-type': 'text/plain' }, '{}'));
      expect(join.status).toBe(415);
      const notJson = await rawHttp(port, request('POST', '/api/workshops', { 'content-type': 'application/json' }, '<xml/>'));
      expect(notJson.status).toBe(400);
      const binary = await rawHttp(port, Buffer.concat([Buffer.from(request('POST', '/api/workshops', { 'content-type': 'application/json', 'content-length': '256' })), Buffer.alloc(256, 0xff)]));
      expect(binary.status).toBe(400);
      // Truncated: promises 1000 bytes, sends 10 and hangs up.
      const truncated = await rawHttp(port, request('POST', '/api/workshops', { 'content-type': 'application/json', 'content-length': '1000' }, '{"title":"'), { hangUp: true });
      expect(truncated.closed).toBe(true);
      expect(isServerError(truncated.status)).toBe(false);
      // A body that breaks the framing mid-request ends the connection (Node's parser gives up on it).
      const badChunk = await rawHttp(port, request('POST', '/api/workshops', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, 'zz\r\n{}\r\n0\r\n\r\n'));
      expect(badChunk.closed).toBe(true);
      expect([null, 400]).toContain(badChunk.status);
      const both = await rawHttp(port, request('POST', '/api/workshops', { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'content-length': '2' }, '2\r\n{}\r\n0\r\n\r\n'));
      expect(both.status).toBe(400);
      expect(workshops()).toBe(before);
    } finally {
      db.close();
    }
    await expectAlive();
  });

  it('slow clients: partial headers and a body that never ends are cut off, while others are served', async () => {
    const partialHeaders = rawHttp(port, 'GET / HTTP/1.1\r\nHost: x\r\nX-Slow: ', { timeoutMs: 8000 });
    const partialBody = rawHttp(port, 'POST /api/workshops HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"ti', { timeoutMs: 8000 });
    const idle = rawHttp(port, '', { timeoutMs: 8000 });
    // Meanwhile the server answers at once.
    const started = Date.now();
    expect((await fetch(`${child.url}/healthz`)).status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1000);
    // HTTP_HEADERS_TIMEOUT_MS=1000 and HTTP_REQUEST_TIMEOUT_MS=2000, checked every second.
    for (const [what, pending] of [['partial headers', partialHeaders], ['partial body', partialBody], ['idle connection', idle]] as const) {
      const answer = await pending;
      expect(answer.closed, `${what} was not cut off`).toBe(true);
      expect(answer.elapsedMs, what).toBeLessThan(7000);
    }
    await expectAlive();
  });

  it('a seeded fuzz of methods, paths, headers and bodies never gets a 5xx nor stops the server', async () => {
    const seed = Number(process.env.SEED ?? Math.floor(Math.random() * 2 ** 31));
    const random = mulberry32(seed);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    const id = created.id;
    const methods = ['GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'GETT', 'get', 'SEARCH', 'M-SEARCH', 'PURGE', ''];
    const segments = ['api', 'workshops', id, 'join', 'preview', 'history', 'state', 'healthz', 'metrics', 'ws', 'mux', 'assets', 'w', 'index.html', '..', '.', '', '%', '%2e%2e', '%2f', '%E0%A4', '%ff', '%00', '~', '\\', 'a'.repeat(300)];
    const queries = ['', '?k=x', '?after=%', '?limit=0', '?limit=99999999999999999999', '?doc=&seq=-1', '?at=1e9', '?%=%', '?a=%E0%A4%A&b'];
    const types = ['application/json', 'text/plain', 'application/json; charset=utf-8', 'application/JSON', '*/*', 'application/json\u0001', ''];
    const bodies = ['', '{}', 'null', '[]', '{"title":', '"\\ud800"', '{"title":"x","template":"blank","language":"en","actors":[{"name":"' + 'x'.repeat(2000) + '"}]}', '\u0000\u0001', 'x'.repeat(70_000)];
    const failures: string[] = [];
    for (let batch = 0; batch < 25; batch++) {
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const method = pick(methods);
          const target = `/${Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(segments)).join('/')}${pick(queries)}`;
          const headers: Record<string, string> = {};
          const type = pick(types);
          if (type) headers['content-type'] = type;
          if (random() < 0.2) headers.authorization = pick(['Bearer', 'Bearer x.y.z', `Bearer ${created.facilitatorToken}`, 'Basic Og==']);
          if (random() < 0.1) headers['x-forwarded-for'] = pick(['1.2.3.4', 'nonsense', '::1, 10.0.0.1']);
          if (random() < 0.1) headers.accept = 'application/octet-stream';
          const body = random() < 0.6 ? pick(bodies) : '';
          const answer = await rawHttp(port, request(method, target, headers, body));
          if (isServerError(answer.status)) failures.push(`${method} ${target} → ${answer.status}`);
        }),
      );
    }
    expect(failures, `seed ${seed} (rerun with SEED=${seed})`).toEqual([]);
    await expectAlive();
    expect(child.stderr()).not.toMatch(/uncaught-exception|unhandled-rejection|request-failed|api-failed/);
  }, 60_000);
});

describe('HTTP hygiene', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
    removeDir(server.dataDir);
  });

  it('the built client has no inline script, so the policy can forbid it', () => {
    expect(fs.existsSync(DIST_INDEX), 'run `npm run build` first').toBe(true);
    const html = fs.readFileSync(DIST_INDEX, 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, content] of scripts) {
      expect(attributes).toMatch(/\bsrc="\/assets\//);
      expect(content!.trim()).toBe('');
    }
    expect(html).not.toMatch(/\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/javascript:/i);
  });

  it('pages and assets carry a strict Content-Security-Policy and the framing, referrer and sniffing headers', async () => {
    for (const target of ['/', '/w/abc/join', '/favicon.svg']) {
      const response = await fetch(`${server.url}${target}`);
      expect(response.status, target).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      expect(directives.get('script-src')).toEqual(["'self'"]);
      expect(directives.get('default-src')).toEqual(["'self'"]);
      expect(directives.get('object-src')).toEqual(["'none'"]);
      expect(directives.get('base-uri')).toEqual(["'none'"]);
      expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
      expect(directives.get('style-src')).toEqual(["'self'", "'unsafe-inline'"]);
      expect(directives.get('connect-src')).toContain("'self'");
      expect(csp).not.toMatch(/unsafe-eval|\*/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      await response.arrayBuffer();
    }
  });

  it('API answers can be neither framed nor run as documents', async () => {
    for (const target of ['/healthz', '/api/time', '/api/nothing', '/metrics']) {
      const response = await fetch(`${server.url}${target}`);
      expect(response.headers.get('content-security-policy'), target).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      await response.arrayBuffer();
    }
  });
});

describe('a full store', () => {
  it('create and join answer 503 with Retry-After and a JSON error; /healthz says 503; the process serves on', async () => {
    // 12 pages of 4 KiB: room for the schema and a workshop or two, not for many.
    const server = await startTestServer({ SQLITE_MAX_PAGES: '14' });
    try {
      const first = await createWorkshop(server.url);
      let refused: Response | null = null;
      for (let i = 0; i < 40 && !refused; i++) {
        const response = await fetch(`${server.url}/api/workshops`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ title: `Workshop ${i} `.padEnd(200, 'x'), template: 'value-network', language: 'en', actors: [{ name: 'A' }, { name: 'B' }] }),
        });
        if (response.status !== 201) refused = response;
        else await response.arrayBuffer();
      }
      expect(refused?.status).toBe(503);
      expect(refused!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused!.json()).toEqual({ error: { code: 'store-unavailable', message: expect.stringMatching(/try again later/) } });

      const preview = await (await fetch(`${server.url}/api/workshops/${first.id}/preview?k=${first.participantJoinKey}`)).json();
      // Joins write little (a participant row, a room update): they go on until the last page is used.
      let second: Response | null = null;
      for (let i = 0; i < 60 && !second; i++) {
        const join = await fetch(`${server.url}/api/workshops/${first.id}/join`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ joinKey: first.participantJoinKey, name: `Person ${i}`, actorId: preview.actors[0].id }),
        });
        if (join.status !== 201) second = join;
        else await join.arrayBuffer();
      }
      expect(second).not.toBeNull();
      second = second!;
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await second.json()).error.code).toBe('store-unavailable');

      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(503);
      expect((await health.json()).error).toMatch(/^store: /);
      expect((await fetch(`${server.url}/api/time`)).status).toBe(200);
    } finally {
      await server.close();
      removeDir(server.dataDir);
    }
  });
});

/** A small seeded generator, so that a failing fuzz run can be repeated with its seed. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('process-level handlers (server/main.ts)', () => {
  const fixture = fileURLToPath(new URL('../fixtures/fault.mjs', import.meta.url));

  it('an uncaught exception is logged with its stack and ends the process non-zero, for systemd to restart', async () => {
    const faulty = await startChildServer({ env: { NODE_OPTIONS: `--import ${fixture}`, ARVO_TEST_FAULT: 'throw' } });
    try {
      expect((await fetch(`${faulty.url}/healthz`)).status).toBe(200);
      process.kill(faulty.pid!, 'SIGUSR2');
      // SIGCONT changes nothing for a running process: this only waits for it to end on its own.
      const exit = await faulty.kill('SIGCONT');
      expect(exit).toEqual({ code: 1, signal: null });
      expect(faulty.stderr()).toMatch(/"event":"uncaught-exception".*a bug outside every handler/);
    } finally {
      await faulty.dispose().catch(() => undefined);
    }
  });

  it('an unhandled rejection is logged and the server goes on serving', async () => {
    const faulty = await startChildServer({ env: { NODE_OPTIONS: `--import ${fixture}`, ARVO_TEST_FAULT: 'reject' } });
    try {
      process.kill(faulty.pid!, 'SIGUSR2');
      const deadline = Date.now() + 10_000;
      while (!/unhandled-rejection/.test(faulty.stderr()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(faulty.stderr()).toMatch(/"event":"unhandled-rejection".*a forgotten promise/);
      expect((await fetch(`${faulty.url}/healthz`)).status).toBe(200);
      await createWorkshop(faulty.url);
    } finally {
      await faulty.dispose();
    }
  });
});
