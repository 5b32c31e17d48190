/**
 * `npx tsx bench/relay/holdMicro.ts`: what holding a socket for a delivery batch
 * (server/relay/deliveryBatch.ts) costs or saves per frame, on real loopback sockets, without a
 * server around it. Each batch runs as the relay runs it (a promise continuation of a macrotask);
 * each frame is written as `ws` writes one (cork, header, payload, uncork). Numbers for
 * docs/relay-benchmark.md: CPU µs per frame, plain against held, 1 and 3 frames per socket per batch.
 */
import net from 'node:net';
import { deliver, holdDuringDelivery } from '../../server/relay/deliveryBatch';

const SOCKETS = 20;
const BATCHES = 3000;

async function main() {
  const accepted: net.Socket[] = [];
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    accepted.push(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const clients = Array.from({ length: SOCKETS }, () => net.connect(port, '127.0.0.1').on('data', () => undefined));
  while (accepted.length < SOCKETS) await new Promise((resolve) => setTimeout(resolve, 10));
  const header = Buffer.from([0x82, 60]);
  const payload = Buffer.alloc(60, 1);
  const sendAsWs = (socket: net.Socket) => {
    socket.cork();
    socket.write(header);
    socket.write(payload);
    socket.uncork();
  };
  const measure = async (framesPerBatch: number, hold: boolean) => {
    const started = process.cpuUsage();
    for (let i = 0; i < BATCHES; i++) {
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          void Promise.resolve()
            .then(() => {
              for (let k = 0; k < framesPerBatch; k++) {
                if (hold)
                  deliver(() => {
                    for (const socket of accepted) {
                      holdDuringDelivery(socket);
                      sendAsWs(socket);
                    }
                  });
                else for (const socket of accepted) sendAsWs(socket);
              }
            })
            .then(resolve);
        }),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    const used = process.cpuUsage(started);
    return (used.user + used.system) / (BATCHES * framesPerBatch * SOCKETS);
  };
  for (const framesPerBatch of [1, 3]) {
    const plain: number[] = [];
    const held: number[] = [];
    for (let repeat = 0; repeat < 4; repeat++) {
      plain.push(await measure(framesPerBatch, false));
      held.push(await measure(framesPerBatch, true));
    }
    const show = (values: number[]) => values.map((v) => v.toFixed(2)).join(' ');
    console.log(`${framesPerBatch} frame(s) per socket per batch — CPU µs per frame: plain ${show(plain)} | held ${show(held)}`);
  }
  for (const client of clients) client.destroy();
  server.close();
}

void main();
