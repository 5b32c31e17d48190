import type { Writable } from 'node:stream';

/**
 * Fan-out in as few system calls as the batch allows. The persist queue commits every update of
 * one event-loop turn together and then relays them all; without this, a recipient of k of those
 * updates gets k frames and k `writev` calls — and the system call is most of what a delivery
 * costs (docs/relay-benchmark.md). While a room relays (`deliver`), every socket that is sent to
 * is corked once; all of them are uncorked together once the batch's deliveries are done, so each
 * socket's frames of the batch leave in one write, in the order they were sent. Outside `deliver`
 * nothing is held.
 *
 * "Done" is a `process.nextTick` scheduled at the first hold: the rooms relay in promise
 * continuations of the commit, and a tick queued from a continuation runs only after the whole
 * microtask queue has drained — after every room has relayed its share of the batch, and before
 * the event loop reads or writes anything else. No frame waits for another event-loop turn.
 *
 * Only the transport (server/relay/connection.ts) knows the socket: it calls `holdDuringDelivery`
 * before each send. A socket that ends while held is flushed by `end()` (Node uncorks on end);
 * one destroyed while held drops what it held, as it would drop anything not yet written.
 */
let delivering = 0;
let held = new Set<Writable>();
let releaseScheduled = false;

/** Runs `relay` (a loop of sends) as part of the current delivery batch. */
export function deliver(relay: () => void): void {
  delivering++;
  try {
    relay();
  } finally {
    delivering--;
  }
}

/** Called by the transport before it writes to `socket`: inside a delivery, holds the socket's writes for the batch. */
export function holdDuringDelivery(socket: Writable | undefined | null): void {
  if (delivering === 0 || !socket || held.has(socket) || socket.destroyed) return;
  socket.cork();
  held.add(socket);
  if (!releaseScheduled) {
    releaseScheduled = true;
    process.nextTick(release);
  }
}

function release(): void {
  releaseScheduled = false;
  const sockets = held;
  held = new Set();
  for (const socket of sockets) socket.uncork();
}

/** How many sockets are held right now (tests). */
export const heldSockets = (): number => held.size;
