import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeClaims } from '../../client/src/sync/session';
import type { BoardSnapshot } from '../../client/src/sync/types';
import { WorkshopSync } from '../../client/src/sync/workshop';
import { createWorkshop, join } from '../helpers/api';
import type { ChildServer } from '../helpers/childServer';
import { previewActors, useCluster } from './cluster';

/**
 * The workshop channel through a cluster (server/cluster): a tab whose /mux socket reaches a
 * process that does not own the workshop is piped to the owner whole, so its `follow` is served
 * there like any other frame — nothing on the way reads the frames or assumes one document per
 * `open`.
 */
const cluster = useCluster({ size: 2, label: 'channel' });
const syncs: WorkshopSync[] = [];

afterEach(() => {
  for (const sync of syncs.splice(0)) sync.destroy();
});

function tab(node: ChildServer, workshopId: string, token: string, name: string): WorkshopSync {
  const sync = new WorkshopSync({
    workshopId,
    token,
    claims: decodeClaims(token)!,
    name,
    wsOrigin: node.url.replace('http', 'ws'),
    httpOrigin: node.url,
    transports: {
      createSocket: (url) => {
        const socket = new WebSocket(url);
        socket.on('error', () => undefined);
        return socket as unknown as globalThis.WebSocket;
      },
      persistence: null,
      fetch: (input, init) => fetch(input, init),
      now: () => Date.now(),
      frames: { request: (run) => setTimeout(run, 1), cancel: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>) },
    },
  });
  syncs.push(sync);
  return sync;
}

function until(sync: WorkshopSync, condition: (board: BoardSnapshot) => boolean, what: string, timeoutMs = 15_000): Promise<BoardSnapshot> {
  return new Promise((resolve, reject) => {
    let unsubscribe: (() => void) | null = null;
    let done = false;
    const timer = setTimeout(() => {
      unsubscribe?.();
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    unsubscribe = sync.subscribe((board) => {
      if (done || !condition(board)) return;
      done = true;
      clearTimeout(timer);
      queueMicrotask(() => unsubscribe?.());
      resolve(board);
    });
  });
}

async function gauge(node: ChildServer, name: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  return Number(text.split('\n').find((l) => l.startsWith(`${name} `))?.split(' ')[1] ?? NaN);
}

describe('the workshop channel in a cluster', () => {
  it("follows through a process that is not the owner: notes both ways, the followers held by the owner", async () => {
    const [first, second] = cluster.nodes as [ChildServer, ChildServer];
    const created = await createWorkshop(first.url);
    const actors = await previewActors(first.url, created);
    const anna = await join(first.url, created.id, created.participantJoinKey, 'Anna', actors[0]);
    const ben = await join(first.url, created.id, created.participantJoinKey, 'Ben', actors[1]);
    const owner = (await cluster.ownerNode(created.id))!;
    const other = owner === first ? second : first;

    const annaTab = tab(other, created.id, anna.token, 'Anna'); // forwarded to the owner
    const benTab = tab(owner, created.id, ben.token, 'Ben');
    await until(annaTab, (b) => b.status === 'live', 'Anna live');
    await until(benTab, (b) => b.status === 'live', 'Ben live');

    benTab.addNote({ questionId: '1b', text: 'from the owner', x: 0, y: 0 });
    annaTab.addNote({ questionId: '1b', text: 'through the other', x: 0, y: 0 });
    await until(annaTab, (b) => b.notes.some((n) => n.text === 'from the owner'), "Ben's note at Anna (forwarded socket)");
    await until(benTab, (b) => b.notes.some((n) => n.text === 'through the other'), "Anna's note at Ben");
    expect(await gauge(owner, 'arvo_workshop_followers')).toBe(2);
    expect(await gauge(other, 'arvo_workshop_followers')).toBe(0);
  }, 60_000);
});
