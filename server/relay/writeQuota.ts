import type { Claims } from '../../shared/protocol/permissions';

/**
 * How many bytes each participant may add to the update log per minute, across all their
 * connections and documents: a token bucket per participant that holds at most one minute's
 * allowance and refills continuously. Facilitators get `FACILITATOR_FACTOR` times as much (they
 * write the room and may edit everyone's notes, but anyone can create a workshop and so hold a
 * facilitator token: they are limited too). A limit of 0 turns the quota off.
 */
export const FACILITATOR_FACTOR = 4;
/** Past this many tracked participants, idle (full) buckets are forgotten. */
const SWEEP_AT = 10_000;

export interface WriteQuota {
  /** Whether `bytes` more fit in this writer's allowance now. */
  allows(claims: Claims, bytes: number): boolean;
  /** Counts bytes written to the log for this writer. */
  charge(claims: Claims, bytes: number): void;
}

interface Bucket {
  tokens: number;
  at: number;
  /** Swept from the map: a connection's cached reference must look it up again. */
  swept: boolean;
}

export function createWriteQuota(bytesPerMinute: number, now: () => number = Date.now): WriteQuota {
  const buckets = new Map<string, Bucket>();
  /**
   * Each connection's claims object to its participant's bucket: two lookups per update (allows,
   * charge) each built the `workshop/participant` key string and hashed it. A participant's tabs
   * have claims objects of their own but share the bucket found through the map.
   */
  const byClaims = new WeakMap<Claims, Bucket>();
  const capacity = (claims: Claims) => bytesPerMinute * (claims.role === 'facilitator' ? FACILITATOR_FACTOR : 1);
  const bucket = (claims: Claims): Bucket => {
    const limit = capacity(claims);
    const t = now();
    let found = byClaims.get(claims);
    if (!found || found.swept) {
      const key = `${claims.workshopId}/${claims.participantId}`;
      found = buckets.get(key);
      if (!found) {
        if (buckets.size >= SWEEP_AT) sweep(t);
        found = { tokens: limit, at: t, swept: false };
        buckets.set(key, found);
      }
      byClaims.set(claims, found);
    }
    found.tokens = Math.min(limit, found.tokens + ((t - found.at) * limit) / 60_000);
    found.at = t;
    return found;
  };
  function sweep(t: number): void {
    // A bucket untouched for a minute is full again: forgetting it changes nothing.
    for (const [key, b] of buckets) {
      if (t - b.at < 60_000) continue;
      b.swept = true;
      buckets.delete(key);
    }
  }
  return {
    allows(claims, bytes) {
      return bytesPerMinute === 0 || bucket(claims).tokens >= bytes;
    },
    charge(claims, bytes) {
      if (bytesPerMinute > 0) bucket(claims).tokens -= bytes;
    },
  };
}
