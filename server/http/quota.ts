import type { IncomingMessage } from 'node:http';
import net from 'node:net';

/**
 * Per-address quotas for unauthenticated requests (creating workshops).
 *
 * The limiter is GCRA (a token bucket kept as one number per key): `limit` requests per
 * `windowMs`, as a burst or spread out. A key whose bucket is full again is forgotten, and the
 * map never holds more than `maxKeys` keys: when it is full, expired keys go first and then the
 * oldest, so a flood from many addresses costs bounded memory (at the price of forgetting some
 * of them early). Memory is one Map entry per recently active address.
 */
export interface RateLimiter {
  /** Counts one request for `key`: null when allowed, else the milliseconds until one would be. */
  take(key: string, now?: number): number | null;
  readonly size: number;
}

export function createRateLimiter(options: { limit: number; windowMs: number; maxKeys?: number }): RateLimiter {
  const interval = options.windowMs / options.limit;
  const tolerance = options.windowMs - interval;
  const maxKeys = options.maxKeys ?? 10_000;
  /** key → theoretical arrival time: the bucket is full again at that moment. */
  const tat = new Map<string, number>();

  function prune(now: number) {
    for (const [key, at] of tat) if (at <= now) tat.delete(key);
    // Still full: forget the oldest entries (Map keeps insertion order).
    for (const key of tat.keys()) {
      if (tat.size < maxKeys) break;
      tat.delete(key);
    }
  }

  return {
    take(key, now = Date.now()) {
      const stored = tat.get(key);
      const at = Math.max(stored ?? now, now);
      if (at - now > tolerance) return Math.ceil(at - now - tolerance);
      if (stored === undefined && tat.size >= maxKeys) prune(now);
      tat.delete(key); // re-insert: the most recently used key is the last one pruned
      tat.set(key, at + interval);
      return null;
    },
    get size() {
      return tat.size;
    },
  };
}

/**
 * The address a quota is counted against. The socket's peer address, unless `trustProxy`: then
 * the last X-Forwarded-For entry, the one our own reverse proxy appended (the ones before it are
 * whatever the client claimed). IPv6 addresses count per /64, the block one host usually has.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  let address = request.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const header = request.headers['x-forwarded-for'];
    const value = Array.isArray(header) ? header.at(-1) : header;
    const last = value?.split(',').at(-1)?.trim();
    if (last && net.isIP(last)) address = last;
  }
  return addressKey(address);
}

export function addressKey(address: string): string {
  if (address.startsWith('::ffff:') && net.isIPv4(address.slice(7))) return address.slice(7);
  if (!net.isIPv6(address)) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

function expandIpv6(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const middle = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...(tail === undefined ? [] : middle), ...right].map((part) => part.toLowerCase().replace(/^0+(?=.)/, ''));
}
