import { StoreError } from './errors';
import type { Fence } from './port';

/**
 * What both adapters share about leases and fences (issue 11); the rules themselves are in
 * server/store/port.ts (`acquireLease`, `appendUpdates`).
 */

/** One fence or several, as a list without repeats (a batch may span workshops). */
export function fenceList(fence: Fence | readonly Fence[] | undefined): Fence[] {
  if (fence === undefined) return [];
  const list = Array.isArray(fence) ? (fence as readonly Fence[]) : [fence as Fence];
  const byWorkshop = new Map<string, Fence>();
  for (const f of list) {
    const seen = byWorkshop.get(f.workshopId);
    // Two different epochs for one workshop cannot both hold: keep both apart so the check fails.
    if (seen && seen.epoch !== f.epoch) throw fencedError(f.workshopId, f.epoch);
    byWorkshop.set(f.workshopId, f);
  }
  return [...byWorkshop.values()];
}

export function fencedError(workshopId: string, epoch: number, current?: number | null): StoreError {
  const now = current === undefined ? '' : current === null ? ' (no lease)' : ` (the lease is at epoch ${current})`;
  return new StoreError('fenced', `append refused: workshop ${workshopId} is no longer held at epoch ${epoch}${now}`);
}

export function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 0) throw new RangeError('ttlMs: a non-negative integer');
}
