import * as encoding from 'lib0/encoding';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { HEALTHY_MS, MuxConnection } from '../../client/src/sync/mux';
import { decodeMux, encodeMux } from '../../shared/protocol/mux';
import { CloseCode, MessageType } from '../../shared/protocol/wire';

/**
 * The browser's multiplexed connection (client/src/sync/mux.ts) against a scripted socket and
 * fake timers: how it backs off when a server accepts and at once closes (4429), when the
 * backoff starts over, and how it takes the refusal of one document and an unreadable frame.
 */
class ScriptedSocket {
  binaryType = '';
  readyState = 0;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: ArrayBuffer }) => void) | null = null;
  onclose: ((event: { code: number; reason: string }) => void) | null = null;
  readonly sent: Uint8Array[] = [];
  constructor(readonly url: string) {}
  send(data: Uint8Array) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  accept() {
    this.readyState = 1;
    this.onopen?.({});
  }
  drop(code: number, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  deliver(frame: Uint8Array) {
    this.onmessage?.({ data: frame.slice().buffer });
  }
  framesFor(docName: string) {
    return this.sent.map((bytes) => decodeMux(bytes)).filter((m) => m.docName === docName);
  }
}

let sockets: ScriptedSocket[] = [];
let mux: MuxConnection | null = null;
const refusals: Array<{ docName: string; code: number | undefined }> = [];

function start(options: { healthyMs?: number } = {}) {
  mux = new MuxConnection({
    url: 'ws://test/mux',
    onStatus: () => undefined,
    onRefusal: (docName, _reason, code) => refusals.push({ docName, code }),
    minBackoffMs: 500,
    maxBackoffMs: 60_000,
    random: () => 0.5, // the jitter's midpoint: delay = base
    createSocket: (url) => {
      const socket = new ScriptedSocket(url);
      sockets.push(socket);
      return socket as unknown as WebSocket;
    },
    ...options,
  });
  return mux;
}
const current = () => sockets.at(-1)!;

/** How long after a drop the next socket is made. */
async function delayUntilNextSocket(): Promise<number> {
  const before = sockets.length;
  let waited = 0;
  while (sockets.length === before) {
    await vi.advanceTimersByTimeAsync(50);
    waited += 50;
    if (waited > 120_000) throw new Error('no reconnection within two minutes');
  }
  return waited;
}

beforeEach(() => {
  vi.useFakeTimers();
  sockets = [];
  refusals.length = 0;
});
afterEach(() => {
  mux?.destroy();
  mux = null;
  vi.useRealTimers();
});

describe('mux reconnect backoff', () => {
  it('keeps backing off when the server accepts and at once refuses with 4429 (no reconnect loop)', async () => {
    start();
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      current().accept();
      current().drop(CloseCode.rateLimited, 'rate limit exceeded');
      delays.push(await delayUntilNextSocket());
    }
    // 500, 1000, 2000, … (the jitter is pinned to its midpoint): doubling, never reset by the opens.
    for (let i = 1; i < delays.length; i++) expect(delays[i]).toBeGreaterThanOrEqual(delays[i - 1]! * 2 - 50);
    expect(delays.at(-1)).toBeGreaterThanOrEqual(16_000);
    expect(mux!.diagnostics.connections).toBe(7);
  });

  it('starts the backoff over once a connection has stayed up for HEALTHY_MS', async () => {
    start();
    for (let i = 0; i < 4; i++) {
      current().accept();
      current().drop(CloseCode.internalError);
      await delayUntilNextSocket();
    }
    current().accept();
    await vi.advanceTimersByTimeAsync(HEALTHY_MS - 1000);
    current().drop(1006);
    expect(await delayUntilNextSocket()).toBeGreaterThanOrEqual(8000); // not yet healthy: still backing off
    current().accept();
    await vi.advanceTimersByTimeAsync(HEALTHY_MS + 100);
    current().drop(1006);
    expect(await delayUntilNextSocket()).toBeLessThanOrEqual(550); // healthy: back to the minimum
  });

  it('jitters each delay within ±50 % of the base', async () => {
    let next = 0;
    const draws = [0, 0.999];
    mux = new MuxConnection({
      url: 'ws://test/mux',
      onStatus: () => undefined,
      onRefusal: () => undefined,
      minBackoffMs: 1000,
      random: () => draws[next++ % draws.length]!,
      createSocket: (url) => {
        const socket = new ScriptedSocket(url);
        sockets.push(socket);
        return socket as unknown as WebSocket;
      },
    });
    current().drop(1006);
    const low = await delayUntilNextSocket();
    current().drop(1006);
    const high = await delayUntilNextSocket();
    expect(low).toBeGreaterThanOrEqual(500);
    expect(low).toBeLessThanOrEqual(550);
    expect(high).toBeGreaterThanOrEqual(2 * 1000 * 1.45);
    expect(high).toBeLessThanOrEqual(2 * 1000 * 1.55);
  });
});

describe('mux refusal of one document', () => {
  const update = (doc: Y.Doc) => {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, MessageType.sync);
    syncProtocol.writeUpdate(encoder, Y.encodeStateAsUpdate(doc));
    return encoding.toUint8Array(encoder);
  };

  it('keeps the socket and the other documents, stops sending for the refused one, and asks again on the next connection', async () => {
    const connection = start();
    const good = new Y.Doc();
    const bad = new Y.Doc();
    connection.open('good', good);
    connection.open('bad', bad);
    current().accept();
    const socket = current();
    socket.deliver(encodeMux({ kind: 'refused', docName: 'bad', code: CloseCode.documentUnreadable, reason: 'document is damaged' }));
    expect(refusals).toEqual([{ docName: 'bad', code: CloseCode.documentUnreadable }]);
    expect(connection.diagnostics.refused.get('bad')).toBe(CloseCode.documentUnreadable);

    const sentForBad = socket.framesFor('bad').length;
    bad.getMap('notes').set('x', 1);
    expect(socket.framesFor('bad').length).toBe(sentForBad);

    const source = new Y.Doc();
    source.getMap('notes').set('hello', 'world');
    socket.deliver(encodeMux({ kind: 'doc', docName: 'good', payload: update(source) }));
    expect(good.getMap('notes').get('hello')).toBe('world');
    good.getMap('notes').set('mine', 1);
    expect(socket.framesFor('good').filter((m) => m.kind === 'doc').length).toBeGreaterThan(1);
    expect(sockets.length).toBe(1);

    socket.drop(1006);
    await delayUntilNextSocket();
    current().accept();
    expect(current().framesFor('bad').some((m) => m.kind === 'open')).toBe(true);
  });

  it('skips an unreadable frame and goes on with the next', () => {
    const connection = start();
    const good = new Y.Doc();
    connection.open('good', good);
    current().accept();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      current().deliver(encodeMux({ kind: 'doc', docName: 'good', payload: new Uint8Array([MessageType.sync, 9]) })); // no such sync step
      current().deliver(encodeMux({ kind: 'doc', docName: 'good', payload: new Uint8Array([]) })); // cut short
      current().deliver(new Uint8Array([9, 9, 9])); // no such frame kind
      const source = new Y.Doc();
      source.getMap('notes').set('after', true);
      current().deliver(encodeMux({ kind: 'doc', docName: 'good', payload: update(source) }));
      expect(good.getMap('notes').get('after')).toBe(true);
      expect(connection.diagnostics.unreadableFrames).toBe(3);
      expect(warn).toHaveBeenCalledTimes(2); // once for the document, once for the nameless frame
      expect(sockets.length).toBe(1);
    } finally {
      warn.mockRestore();
    }
  });
});
