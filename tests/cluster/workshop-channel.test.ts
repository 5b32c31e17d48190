import { afterEach, describe, expect, it } from 'vitest';
import { decodeClaims } from '../../client/src/sync/session';
import { WorkshopSync } from '../../client/src/sync/workshop';
import { createWorkshop, join } from '../helpers/api';
import type { ChildServer } from '../helpers/childServer';
import { nodeTransports, untilBoard } from '../helpers/nodeSync';
import { previewActors, useCluster } from './cluster';

/**
 * The workshop channel through a cluster (server/cluster): a tab whose /mux socket reaches a
 * process that does not own the workshop is piped to the owner whole, so its `follow` is served
 * there like any other frame — nothing on the way reads the frames or assumes one document per
 * `open`.
 */
const cluster = useCluster({ size: 2, label: 'channel' });
const syncs: WorkshopSync[] = [];
/** Child processes on a loaded machine: the first lease and load take longer than in-process. */
const CLUSTER_WAIT_MS = 15_000;

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
    transports: nodeTransports(),
  });
  syncs.push(sync);
  return sync;
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
    await untilBoard(annaTab, (b) => b.status === 'live', 'Anna live', CLUSTER_WAIT_MS);
    await untilBoard(benTab, (b) => b.status === 'live', 'Ben live', CLUSTER_WAIT_MS);

    benTab.addNote({ questionId: '1b', text: 'from the owner', x: 0, y: 0 });
    annaTab.addNote({ questionId: '1b', text: 'through the other', x: 0, y: 0 });
    await untilBoard(annaTab, (b) => b.notes.some((n) => n.text === 'from the owner'), "Ben's note at Anna (forwarded socket)", CLUSTER_WAIT_MS);
    await untilBoard(benTab, (b) => b.notes.some((n) => n.text === 'through the other'), "Anna's note at Ben", CLUSTER_WAIT_MS);
    expect(await gauge(owner, 'arvo_workshop_followers')).toBe(2);
    expect(await gauge(other, 'arvo_workshop_followers')).toBe(0);
  }, 60_000);
});
