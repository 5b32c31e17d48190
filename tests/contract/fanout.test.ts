import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalFanout, type Fanout, type FanoutMessage } from '../../server/fanout/port';

/**
 * The fan-out port's contract (server/fanout/port.ts). A cross-process adapter (Redis, later) is
 * two connections to one bus: `publisher` and `subscriber` may be the same object (LocalFanout) or
 * two clients of a broker. Delivery may be asynchronous, so "not delivered" is proved with a
 * sentinel published afterwards: the contract includes in-order delivery of what one publisher
 * publishes (as Redis pub/sub gives on one connection).
 */
interface FanoutUnderTest {
  publisher: Fanout;
  subscriber: Fanout;
  cleanup(): Promise<void>;
}

/** Collects messages; `next(n)` resolves once `n` have arrived. */
function inbox() {
  const messages: FanoutMessage[] = [];
  let waiters: Array<{ count: number; resolve: () => void }> = [];
  const handler = (message: FanoutMessage) => {
    messages.push(message);
    waiters = waiters.filter((w) => (messages.length >= w.count ? (w.resolve(), false) : true));
  };
  const until = (count: number, what: string, timeoutMs = 2000) =>
    new Promise<void>((resolve, reject) => {
      if (messages.length >= count) return resolve();
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what} (have ${messages.length}/${count})`)), timeoutMs);
      waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
    });
  return { messages, handler, until };
}

const message = (docName: string, payload: number[], overrides: Partial<FanoutMessage> = {}): FanoutMessage => ({
  origin: 'process-A',
  docName,
  kind: 'update',
  payload: new Uint8Array(payload),
  ...overrides,
});

function describeFanoutContract(name: string, open: () => Promise<FanoutUnderTest>): void {
  describe(`Fanout contract: ${name}`, () => {
    let bus: FanoutUnderTest;
    beforeEach(async () => {
      bus = await open();
    });
    afterEach(async () => {
      await bus.cleanup();
    });

    it('a published message reaches every subscriber of its document, with origin, kind and payload intact', async () => {
      const first = inbox();
      const second = inbox();
      bus.subscriber.subscribe('w/p/1', first.handler);
      bus.subscriber.subscribe('w/p/1', second.handler);
      await bus.publisher.publish(message('w/p/1', [1, 2, 255], { origin: 'process-B' }));
      await bus.publisher.publish(message('w/p/1', [7], { kind: 'awareness' }));
      await Promise.all([first.until(2, 'two messages'), second.until(2, 'two messages')]);
      for (const box of [first, second]) {
        expect(box.messages.map((m) => ({ ...m, payload: [...m.payload] }))).toEqual([
          { origin: 'process-B', docName: 'w/p/1', kind: 'update', payload: [1, 2, 255] },
          { origin: 'process-A', docName: 'w/p/1', kind: 'awareness', payload: [7] },
        ]);
      }
    });

    it('messages for one document do not reach subscribers of another', async () => {
      const room = inbox();
      const notes = inbox();
      bus.subscriber.subscribe('w', room.handler);
      bus.subscriber.subscribe('w/p/1', notes.handler);
      await bus.publisher.publish(message('w/p/1', [1]));
      await bus.publisher.publish(message('w', [2]));
      await Promise.all([room.until(1, 'the room message'), notes.until(1, 'the notes message')]);
      // The sentinel on 'w' arrived after the notes message was published: nothing else is coming.
      expect(room.messages.map((m) => [...m.payload])).toEqual([[2]]);
      expect(notes.messages.map((m) => [...m.payload])).toEqual([[1]]);
    });

    it('many messages arrive in publish order', async () => {
      const box = inbox();
      bus.subscriber.subscribe('w/p/2', box.handler);
      await Promise.all(Array.from({ length: 50 }, (_, i) => bus.publisher.publish(message('w/p/2', [i]))));
      await box.until(50, 'fifty messages');
      expect(box.messages.map((m) => m.payload[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('unsubscribing stops delivery to that handler only; unsubscribing twice is harmless', async () => {
      const leaving = inbox();
      const staying = inbox();
      const unsubscribe = bus.subscriber.subscribe('w/p/3', leaving.handler);
      bus.subscriber.subscribe('w/p/3', staying.handler);
      await bus.publisher.publish(message('w/p/3', [1]));
      await Promise.all([leaving.until(1, 'the first message'), staying.until(1, 'the first message')]);
      unsubscribe();
      unsubscribe();
      await bus.publisher.publish(message('w/p/3', [2]));
      await bus.publisher.publish(message('w/p/3', [3]));
      await staying.until(3, 'the later messages');
      expect(leaving.messages.map((m) => m.payload[0])).toEqual([1]);
      expect(staying.messages.map((m) => m.payload[0])).toEqual([1, 2, 3]);
    });

    it('a document with no subscribers left can be subscribed to again', async () => {
      const before = inbox();
      bus.subscriber.subscribe('w/p/4', before.handler)();
      const after = inbox();
      bus.subscriber.subscribe('w/p/4', after.handler);
      await bus.publisher.publish(message('w/p/4', [9]));
      await after.until(1, 'the message');
      expect(before.messages).toEqual([]);
    });

    it('a stale unsubscribe (called again after the document was re-subscribed) leaves the new subscribers alone', async () => {
      const old = inbox();
      const unsubscribeOld = bus.subscriber.subscribe('w/p/7', old.handler);
      unsubscribeOld();
      const fresh = inbox();
      bus.subscriber.subscribe('w/p/7', fresh.handler);
      unsubscribeOld();
      await bus.publisher.publish(message('w/p/7', [7]));
      await fresh.until(1, 'the message at the new subscriber');
      expect(old.messages).toEqual([]);
    });

    it('the same handler on two documents receives each document once', async () => {
      const box = inbox();
      bus.subscriber.subscribe('w/p/5', box.handler);
      bus.subscriber.subscribe('w/p/6', box.handler);
      await bus.publisher.publish(message('w/p/5', [5]));
      await bus.publisher.publish(message('w/p/6', [6]));
      await box.until(2, 'both messages');
      expect(box.messages.map((m) => [m.docName, m.payload[0]])).toEqual([
        ['w/p/5', 5],
        ['w/p/6', 6],
      ]);
    });

    it('publishing to a document nobody follows succeeds', async () => {
      await expect(bus.publisher.publish(message('w/p/nobody', [1]))).resolves.toBeUndefined();
    });
  });
}

describeFanoutContract('LocalFanout (one process)', async () => {
  const fanout = createLocalFanout();
  return { publisher: fanout, subscriber: fanout, cleanup: () => fanout.close() };
});

describe('LocalFanout specifics', () => {
  it('after close, nothing is delivered', async () => {
    const fanout = createLocalFanout();
    const box = inbox();
    fanout.subscribe('w', box.handler);
    await fanout.close();
    await fanout.publish(message('w', [1]));
    expect(box.messages).toEqual([]);
  });
});
