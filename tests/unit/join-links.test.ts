import { describe, expect, it } from 'vitest';
import { isLoopbackOrigin, joinBase, type ServerInfo } from '../../client/src/model/joinLinks';

const info = (over: Partial<ServerInfo>): ServerInfo => ({ publicUrl: null, listening: 'loopback', lanOrigins: [], ...over });

describe('join links (client/src/model/joinLinks.ts)', () => {
  it('knows loopback origins', () => {
    for (const o of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080', 'http://127.1.2.3', 'http://app.localhost:5173']) expect(isLoopbackOrigin(o), o).toBe(true);
    for (const o of ['http://192.168.1.20:8080', 'https://arvo.example.org', 'http://[fd00::1]:8080', 'not a url']) expect(isLoopbackOrigin(o), o).toBe(false);
  });

  it('PUBLIC_URL wins over everything, wherever the page is opened', () => {
    expect(joinBase('http://127.0.0.1:8080', info({ publicUrl: 'https://arvo.example.org', listening: 'all', lanOrigins: ['http://10.0.0.2:8080'] }))).toEqual({
      origin: 'https://arvo.example.org', choices: [], warning: null,
    });
    expect(joinBase('http://192.168.1.2:8080', info({ publicUrl: 'https://arvo.example.org/' })).origin).toBe('https://arvo.example.org');
  });

  it('a page opened on a reachable address keeps it', () => {
    expect(joinBase('http://192.168.1.20:8080', info({ listening: 'all', lanOrigins: ['http://10.0.0.2:8080'] }))).toEqual({ origin: 'http://192.168.1.20:8080', choices: [], warning: null });
    expect(joinBase('https://arvo.example.org', null).origin).toBe('https://arvo.example.org');
  });

  it('loopback page, server on all interfaces: the LAN addresses, the first by default, a kept choice when still offered', () => {
    const lan = info({ listening: 'all', lanOrigins: ['http://192.168.1.20:8080', 'http://10.0.0.2:8080'] });
    expect(joinBase('http://127.0.0.1:8080', lan)).toEqual({ origin: 'http://192.168.1.20:8080', choices: lan.lanOrigins, warning: null });
    expect(joinBase('http://127.0.0.1:8080', lan, 'http://10.0.0.2:8080').origin).toBe('http://10.0.0.2:8080');
    expect(joinBase('http://127.0.0.1:8080', lan, 'http://172.16.0.9:8080').origin).toBe('http://192.168.1.20:8080');
    expect(joinBase('http://localhost:8080', info({ listening: 'all', lanOrigins: [] }))).toEqual({ origin: 'http://localhost:8080', choices: [], warning: 'no-lan' });
  });

  it('loopback page, server on loopback only: the page address with a warning', () => {
    expect(joinBase('http://127.0.0.1:8080', info({ listening: 'loopback' }))).toEqual({ origin: 'http://127.0.0.1:8080', choices: [], warning: 'loopback-only' });
  });

  it('before the server answered (or offline): the page address, no warning', () => {
    expect(joinBase('http://127.0.0.1:8080', null)).toEqual({ origin: 'http://127.0.0.1:8080', choices: [], warning: null });
  });
});
