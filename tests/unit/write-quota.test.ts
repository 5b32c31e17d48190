import { describe, expect, it } from 'vitest';
import type { Claims } from '../../shared/protocol/permissions';
import { createWriteQuota, FACILITATOR_FACTOR } from '../../server/relay/writeQuota';
import { ID } from './helpers';

const participant: Claims = { workshopId: ID.workshop, participantId: ID.me, role: 'participant', actorId: ID.actorA };
const other: Claims = { ...participant, participantId: ID.other };
const facilitator: Claims = { ...participant, participantId: 'Facilitator00001', role: 'facilitator', actorId: null };

describe('the write quota (bytes per participant per minute)', () => {
  it('allows a minute’s allowance, then refuses until it refills, per participant', () => {
    let now = 0;
    const quota = createWriteQuota(6000, () => now);
    expect(quota.allows(participant, 6000)).toBe(true);
    quota.charge(participant, 6000);
    expect(quota.allows(participant, 1)).toBe(false);
    expect(quota.allows(other, 6000)).toBe(true); // someone else's allowance is their own
    now += 10_000; // a sixth of a minute refills a sixth
    expect(quota.allows(participant, 1000)).toBe(true);
    expect(quota.allows(participant, 1001)).toBe(false);
    now += 600_000; // never more than one minute's worth
    expect(quota.allows(participant, 6000)).toBe(true);
    expect(quota.allows(participant, 6001)).toBe(false);
  });

  it(`gives facilitators ${FACILITATOR_FACTOR}× the allowance; 0 turns the quota off`, () => {
    const quota = createWriteQuota(1000, () => 0);
    expect(quota.allows(facilitator, 1000 * FACILITATOR_FACTOR)).toBe(true);
    expect(quota.allows(facilitator, 1000 * FACILITATOR_FACTOR + 1)).toBe(false);
    const off = createWriteQuota(0, () => 0);
    off.charge(participant, 10 ** 9);
    expect(off.allows(participant, 10 ** 9)).toBe(true);
  });
});

describe('the write quota across a participant’s connections', () => {
  // Buckets are found through each connection's claims object (writeQuota.ts `byClaims`); two
  // tabs of one participant have two claims objects and must still share one allowance.
  it('two claims objects of one participant share one allowance', () => {
    const quota = createWriteQuota(6000, () => 0);
    const tabA: Claims = { ...participant };
    const tabB: Claims = { ...participant };
    quota.charge(tabA, 5000);
    expect(quota.allows(tabB, 1001)).toBe(false);
    expect(quota.allows(tabB, 1000)).toBe(true);
    quota.charge(tabB, 1000);
    expect(quota.allows(tabA, 1)).toBe(false);
  });

  it('after idle buckets are forgotten, an old connection and a new one still share one allowance', () => {
    let now = 0;
    const quota = createWriteQuota(6000, () => now);
    const old: Claims = { ...participant };
    quota.charge(old, 6000);
    now = 120_000; // idle for two minutes: full again, and forgettable
    for (let i = 0; i < 10_001; i++) quota.allows({ ...participant, participantId: `P${String(i).padStart(15, '0')}` }, 1);
    const fresh: Claims = { ...participant };
    quota.charge(fresh, 6000);
    expect(quota.allows(old, 1)).toBe(false);
    quota.charge(old, 0);
    expect(quota.allows(fresh, 1)).toBe(false);
  });
});
