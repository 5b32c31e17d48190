import { describe, expect, it } from 'vitest';
import { needsRenewal, tokenTimes } from '../../client/src/sync/session';
import { JoinLimiter } from '../../server/membership/joinLimiter';
import { createKeySealer } from '../../server/membership/seal';
import { stampIdentity } from '../../server/relay/awarenessHub';

/** The pure parts of membership (issue 8): the join limiter, key sealing, presence stamping, renewal timing. */
describe('JoinLimiter', () => {
  it('allows perMinute joins per address in a window, then answers with the seconds left; other addresses are separate', () => {
    let now = 1_000_000;
    const limiter = new JoinLimiter(2, 100, () => now);
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(true);
    now += 15_000;
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(limiter.take('b').allowed).toBe(true);
    now += 45_000;
    expect(limiter.take('a').allowed).toBe(true);
  });

  it('keeps its memory bounded however many addresses it sees', () => {
    let now = 0;
    const limiter = new JoinLimiter(5, 1_000, () => now);
    for (let i = 0; i < 50_000; i++) {
      limiter.take(`10.0.${i >> 8}.${i & 255}`);
      if (i % 1_000 === 0) now += 1;
    }
    expect(limiter.size).toBeLessThanOrEqual(1_001);
  });
});

describe('sealed join keys', () => {
  it('open with the same secret, not with another or when damaged', () => {
    const secret = new TextEncoder().encode('s'.repeat(40));
    const sealer = createKeySealer(secret);
    const keys = { participantJoinKey: 'p-key', observerJoinKey: 'o-key' };
    const sealed = sealer.seal(keys);
    expect(sealed).not.toContain('p-key');
    expect(sealer.open(sealed)).toEqual(keys);
    expect(createKeySealer(new TextEncoder().encode('t'.repeat(40))).open(sealed)).toBeNull();
    expect(sealer.open(`${sealed.slice(0, -2)}AA`)).toBeNull();
    expect(sealer.open('garbage')).toBeNull();
  });
});

describe('stampIdentity', () => {
  const claims = { workshopId: 'W'.repeat(16), participantId: 'P'.repeat(16), role: 'participant' as const, actorId: null, name: 'Anna' };
  it('overwrites the identity fields and keeps the rest', () => {
    const forged = JSON.stringify({ participantId: 'F'.repeat(16), name: '★ Facilitator', role: 'facilitator', cursor: { x: 1, y: 2 } });
    expect(JSON.parse(stampIdentity(forged, claims)!)).toEqual({ participantId: 'P'.repeat(16), name: 'Anna', role: 'participant', cursor: { x: 1, y: 2 } });
  });
  it('refuses states that are not JSON objects', () => {
    for (const state of ['42', '"text"', '[1,2]', 'not json', 'true']) expect(stampIdentity(state, claims), state).toBeNull();
  });
});

describe('token renewal timing', () => {
  const token = (iat: number, exp: number) => `x.${Buffer.from(JSON.stringify({ iat, exp })).toString('base64url')}.y`;
  it('renews past half the lifetime, not before, and not once expired', () => {
    const t = token(1_000, 3_000);
    expect(tokenTimes(t)).toEqual({ issuedAt: 1_000_000, expiresAt: 3_000_000 });
    expect(needsRenewal(t, 1_999_999)).toBe(false);
    expect(needsRenewal(t, 2_000_000)).toBe(true);
    expect(needsRenewal(t, 3_000_000)).toBe(false);
    expect(needsRenewal('not-a-token', 2_000_000)).toBe(false);
  });
});
