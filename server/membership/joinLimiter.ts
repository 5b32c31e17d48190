/**
 * Joins per address per minute, so that one script cannot fill a workshop with identities (each
 * joined identity adds documents every board loads). A fixed one-minute window per address; the
 * map is bounded: expired windows are swept when it grows past `maxAddresses`, and if that is not
 * enough the oldest addresses are forgotten (at worst they get a fresh window).
 */
export interface JoinDecision {
  allowed: boolean;
  /** Seconds until this address may join again (when refused). */
  retryAfterSeconds: number;
}

const WINDOW_MS = 60_000;

export class JoinLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly maxAddresses = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  take(address: string): JoinDecision {
    const now = this.now();
    let window = this.windows.get(address);
    if (!window || now - window.start >= WINDOW_MS) {
      this.windows.delete(address);
      window = { start: now, count: 0 };
      this.windows.set(address, window);
      this.bound(now);
    }
    if (window.count >= this.perMinute) {
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + WINDOW_MS - now) / 1000)) };
    }
    window.count++;
    return { allowed: true, retryAfterSeconds: 0 };
  }

  get size(): number {
    return this.windows.size;
  }

  private bound(now: number): void {
    if (this.windows.size <= this.maxAddresses) return;
    for (const [address, window] of this.windows) if (now - window.start >= WINDOW_MS) this.windows.delete(address);
    // Map order is insertion order: the first entries are the oldest windows. Evict down to 90 %,
    // so that a flood of new addresses pays for one sweep per tenth of the map, not one per join.
    const target = Math.floor(this.maxAddresses * 0.9);
    for (const address of this.windows.keys()) {
      if (this.windows.size <= target) break;
      this.windows.delete(address);
    }
  }
}
