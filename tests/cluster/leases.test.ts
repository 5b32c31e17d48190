import { afterEach, describe, expect, it } from 'vitest';
import { createClusterAuth } from '../../server/cluster/auth';
import { LeaseManager } from '../../server/cluster/leases';
import { createLogger } from '../../server/log';
import { openSqliteStore } from '../../server/store/sqlite';
import type { DocStore } from '../../server/store/port';

/**
 * The lease manager and the process-to-process MACs on their own, on a real (in-memory SQLite)
 * store with the same lease semantics as PostgreSQL: a lost or taken-over lease is dropped at
 * once; a late renewal is never trusted; a MAC from another SECRET, or for another request, or
 * too old, does not verify.
 */
const stores: DocStore[] = [];
const managers: LeaseManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) manager.close();
  for (const store of stores.splice(0)) await store.close();
});

function manager(store: DocStore, owner: string, lost: string[], now?: () => number) {
  const leases = new LeaseManager({
    store,
    owner,
    address: () => `http://${owner}`,
    ttlMs: 1000,
    renewMs: 60_000, // renewals driven by the test (recheck)
    idleReleaseMs: 60_000,
    log: createLogger('silent'),
    inUse: () => true,
    onLost: (workshopId) => lost.push(workshopId),
    now,
  });
  managers.push(leases);
  return leases;
}

describe('LeaseManager', () => {
  it('one owner at a time; the other is told where the owner is', async () => {
    const store = openSqliteStore({ file: ':memory:', synchronous: 'NORMAL' });
    stores.push(store);
    const a = manager(store, 'a', []);
    const b = manager(store, 'b', []);
    expect(await a.resolve('w1')).toEqual({ mine: true, epoch: 1 });
    expect(await b.resolve('w1')).toEqual({ mine: false, address: 'http://a', owner: 'a' });
    expect(await b.fence('w1')).toBeNull();
    expect(await a.fence('w1')).toEqual({ workshopId: 'w1', epoch: 1 });
  });

  it('a lease taken over while this process looked away is dropped at the next look, not trusted', async () => {
    const store = openSqliteStore({ file: ':memory:', synchronous: 'NORMAL' });
    stores.push(store);
    let clock = 0;
    const lostA: string[] = [];
    const a = manager(store, 'a', lostA, () => clock);
    expect((await a.resolve('w1')).mine).toBe(true);
    // Paused past its ttl (SIGSTOP): its own clock says the lease may be gone — and it is.
    clock += 5000;
    await store.releaseLease('w1', 'a', 1); // as if it had expired in the database
    const b = manager(store, 'b', []);
    expect(await b.resolve('w1')).toEqual({ mine: true, epoch: 2 });
    expect(a.owns('w1')).toBe(false);
    expect(await a.resolve('w1')).toEqual({ mine: false, address: 'http://b', owner: 'b' });
    expect(lostA).toEqual(['w1']);
  });

  it('a renewal that finds another owner drops the workshop at once', async () => {
    const store = openSqliteStore({ file: ':memory:', synchronous: 'NORMAL' });
    stores.push(store);
    const lostA: string[] = [];
    const a = manager(store, 'a', lostA);
    expect((await a.resolve('w1')).mine).toBe(true);
    await store.releaseLease('w1', 'a', 1);
    await store.acquireLease('w1', 'b', 'http://b', 1000);
    a.recheck('w1');
    await expect.poll(() => lostA).toEqual(['w1']);
    expect(a.owns('w1')).toBe(false);
  });
});

describe('process-to-process MACs', () => {
  const auth = createClusterAuth(new TextEncoder().encode('s'.repeat(40)));
  const other = createClusterAuth(new TextEncoder().encode('t'.repeat(40)));

  it('verify only for the same SECRET, method and target, within a minute', () => {
    const header = auth.signForward('GET', '/mux?token=x', 1_000_000);
    expect(auth.verifyForward(header, 'GET', '/mux?token=x', 1_000_500)).toBe(true);
    expect(other.verifyForward(header, 'GET', '/mux?token=x', 1_000_500)).toBe(false);
    expect(auth.verifyForward(header, 'POST', '/mux?token=x', 1_000_500)).toBe(false);
    expect(auth.verifyForward(header, 'GET', '/mux?token=y', 1_000_500)).toBe(false);
    expect(auth.verifyForward(header, 'GET', '/mux?token=x', 1_000_000 + 61_000)).toBe(false);
    expect(auth.verifyForward('garbage', 'GET', '/mux?token=x')).toBe(false);
    expect(auth.verifyForward(undefined, 'GET', '/mux?token=x')).toBe(false);
  });

  it('a peer proves the SECRET by answering a challenge', () => {
    expect(auth.checkHello('nonce-1234567890', auth.helloProof('nonce-1234567890'))).toBe(true);
    expect(auth.checkHello('nonce-1234567890', other.helloProof('nonce-1234567890'))).toBe(false);
    expect(auth.checkHello('nonce-1234567890', auth.helloProof('nonce-0000000000'))).toBe(false);
  });
});
