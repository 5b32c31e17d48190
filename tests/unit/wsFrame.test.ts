import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
// ws's own framing, as `ws.send` would put a server's binary message on the wire.
import * as ws from 'ws';
import { createLogger } from '../../server/log';
import { createMetrics } from '../../server/metrics';
import { Connection } from '../../server/relay/connection';
import type { Rooms } from '../../server/relay/rooms';
import { wsBinaryFrame } from '../../server/relay/wsFrame';
import type { Claims } from '../../shared/protocol/permissions';

const viaWs = (payload: Uint8Array) =>
  Buffer.concat((ws as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } }).Sender.frame(Buffer.from(payload), { fin: true, opcode: 2, mask: false, readOnly: true, rsv1: false }));

describe('wsBinaryFrame', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 70000])('a payload of %i bytes is framed byte for byte as ws frames it', (size) => {
    const payload = Uint8Array.from({ length: size }, (_, i) => (i * 7 + size) % 256);
    expect(Buffer.compare(wsBinaryFrame(payload), viaWs(payload))).toBe(0);
  });

  it('the same payload object is framed once; another object with the same bytes gets its own frame', () => {
    const payload = Uint8Array.of(1, 2, 3);
    const first = wsBinaryFrame(payload);
    expect(wsBinaryFrame(payload)).toBe(first);
    const copy = Uint8Array.of(1, 2, 3);
    const other = wsBinaryFrame(copy);
    expect(other).not.toBe(first);
    expect(Buffer.compare(other, first)).toBe(0);
  });
});

describe('the direct write path with the installed ws', () => {
  // Connection writes wsBinaryFrame's bytes to ws's private `_socket`; if a new ws renamed it, the
  // relay would fall back to ws.send without a word. This fails instead.
  it('a connection over a real WebSocket writes frames itself, and the peer receives them as ws messages', async () => {
    const server = new ws.WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const accepted = new Promise<ws.WebSocket>((resolve) => server.once('connection', (socket) => resolve(socket)));
    const client = new ws.WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      const serverSide = await accepted;
      const received = new Promise<Buffer>((resolve) => client.once('message', (data: Buffer) => resolve(data)));
      const claims = { workshopId: 'W', participantId: 'P', role: 'participant' } as unknown as Claims;
      const deps = { rooms: null as unknown as Rooms, metrics: createMetrics(), log: createLogger('error', () => undefined), rateLimitPerSec: 100, rateLimitBurst: 100 };
      const connection = new Connection(serverSide, claims, deps);
      expect(serverSide.extensions).toBe('');
      expect(connection.writesFramesDirectly).toBe(true);
      const payload = Uint8Array.from({ length: 300 }, (_, i) => i % 251);
      connection.sendFrame(payload);
      expect(Buffer.compare(await received, Buffer.from(payload))).toBe(0);
    } finally {
      client.terminate();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
