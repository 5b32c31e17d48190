/**
 * The server's clock as seen from this browser: one round trip to /api/time, the offset taken at
 * the midpoint (as NTP does). Rounds count down on it, so a phone with a wrong clock still shows
 * the same time left as the projector. Until measured, the local clock stands in.
 */
export class ServerClock {
  private offsetMs = 0;

  constructor(
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
    private readonly localNow: () => number = Date.now,
  ) {}

  now(): number {
    return this.localNow() + this.offsetMs;
  }

  async sync(origin: string): Promise<void> {
    try {
      const sent = this.localNow();
      const response = await this.fetchFn(`${origin}/api/time`, { cache: 'no-store' });
      const received = this.localNow();
      if (!response.ok) return;
      const { now } = (await response.json()) as { now: number };
      // Whole milliseconds: timestamps in the documents are validated as integers.
      if (typeof now === 'number') this.offsetMs = Math.round(now - (sent + received) / 2);
    } catch {
      // Offline: the local clock it is, until the next page load.
    }
  }
}
