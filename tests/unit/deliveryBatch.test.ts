import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { deliver, heldSockets, holdDuringDelivery } from '../../server/relay/deliveryBatch';

/** Real TCP sockets on loopback: the server side is what the relay writes to. */
async function socketPairs(count: number) {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => accepted.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const clients: { socket: net.Socket; received: () => string; ended: Promise<void> }[] = [];
  for (let i = 0; i < count; i++) {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const ended = new Promise<void>((resolve) => socket.on('end', resolve));
    await new Promise<void>((resolve) => socket.once('connect', resolve));
    clients.push({ socket, received: () => text, ended });
  }
  while (accepted.length < count) await new Promise((resolve) => setImmediate(resolve));
  return { server, accepted, clients };
}

/** Counts the writes a socket hands to the OS (each is one write/writev system call). */
function countWrites(socket: net.Socket): () => number {
  let writes = 0;
  const internal = socket as unknown as { _writev: (...args: unknown[]) => unknown; _write: (...args: unknown[]) => unknown };
  const writev = internal._writev.bind(socket);
  const write = internal._write.bind(socket);
  internal._writev = (...args) => (writes++, writev(...args));
  internal._write = (...args) => (writes++, write(...args));
  return () => writes;
}

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

const send = (socket: net.Socket, text: string) => {
  holdDuringDelivery(socket);
  socket.write(text);
};

describe('delivery batch', () => {
  it('sends every frame of a batch to every recipient, in order, in one write per socket — also when a recipient ends mid-batch', async () => {
    const { server, accepted, clients } = await socketPairs(3);
    cleanup = () => {
      for (const c of clients) c.socket.destroy();
      server.close();
    };
    const [a, b, c] = accepted as [net.Socket, net.Socket, net.Socket];
    const writes = [a, b, c].map(countWrites);
    // As the rooms relay: each update's relay loop runs in its own promise continuation after the commit.
    await Promise.resolve()
      .then(() => deliver(() => [a, b, c].forEach((s) => send(s, '1'))))
      .then(() => deliver(() => [a, b, c].forEach((s) => send(s, '2'))))
      .then(() => {
        // A recipient leaves mid-batch: what it was sent so far still reaches it, before its end.
        b.end();
        expect(heldSockets()).toBe(3);
      })
      .then(() => deliver(() => [a, c].forEach((s) => send(s, '3'))));
    // Held until every continuation has run: nothing has been written by the recipients' sockets yet.
    expect(heldSockets()).toBe(3);
    expect(writes.map((count) => count())).toEqual([0, 1, 0]); // b's end() flushed b's share
    await new Promise((resolve) => process.nextTick(resolve));
    expect(heldSockets()).toBe(0);
    expect(writes[0]!()).toBe(1);
    expect(writes[2]!()).toBe(1);
    await clients[1]!.ended;
    await expect.poll(() => clients.map((client) => client.received())).toEqual(['123', '12', '123']);
  });

  it('holds nothing outside a relay loop', async () => {
    const { server, accepted, clients } = await socketPairs(1);
    cleanup = () => {
      for (const c of clients) c.socket.destroy();
      server.close();
    };
    const socket = accepted[0]!;
    const writes = countWrites(socket);
    send(socket, 'x');
    expect(heldSockets()).toBe(0);
    expect(writes()).toBe(1);
    await expect.poll(() => clients[0]!.received()).toBe('x');
  });

  it('skips a socket already destroyed and still releases the others', async () => {
    const { server, accepted, clients } = await socketPairs(2);
    cleanup = () => {
      for (const c of clients) c.socket.destroy();
      server.close();
    };
    const [gone, live] = accepted as [net.Socket, net.Socket];
    gone.destroy();
    deliver(() => {
      holdDuringDelivery(gone);
      send(live, 'y');
    });
    expect(heldSockets()).toBe(1);
    await new Promise((resolve) => process.nextTick(resolve));
    expect(heldSockets()).toBe(0);
    await expect.poll(() => clients[1]!.received()).toBe('y');
  });
});
