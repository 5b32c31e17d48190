import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeepaliveWheel } from '../../server/relay/keepalive';

afterEach(() => {
  vi.useRealTimers();
});

describe('KeepaliveWheel (server/relay/keepalive.ts)', () => {
  it('visits every member once per interval, a slice per tick, never all at once', () => {
    vi.useFakeTimers();
    const visits: { member: number; at: number }[] = [];
    const wheel = new KeepaliveWheel<number>(1000, (member) => visits.push({ member, at: Date.now() }), 100);
    const start = Date.now();
    for (let i = 0; i < 100; i++) wheel.add(i);
    vi.advanceTimersByTime(3000);
    wheel.stop();

    // Each of the 100 members three times, ten per tick (100 members over 10 slots).
    for (let i = 0; i < 100; i++) {
      const times = visits.filter((v) => v.member === i).map((v) => v.at - start);
      expect(times).toHaveLength(3);
      expect(times[1]! - times[0]!).toBe(1000);
      expect(times[2]! - times[1]!).toBe(1000);
    }
    const perTick = new Map<number, number>();
    for (const v of visits) perTick.set(v.at, (perTick.get(v.at) ?? 0) + 1);
    expect(Math.max(...perTick.values())).toBe(10);
  });

  it('forgets deleted members, also when one is deleted during its own visit', () => {
    vi.useFakeTimers();
    const visited: number[] = [];
    const wheel: KeepaliveWheel<number> = new KeepaliveWheel<number>(200, (member) => {
      visited.push(member);
      if (member === 1) wheel.delete(1);
    }, 100);
    wheel.add(1);
    wheel.add(2);
    wheel.add(3);
    wheel.delete(3);
    expect(wheel.size).toBe(2);
    vi.advanceTimersByTime(400);
    wheel.stop();
    expect(visited.filter((m) => m === 1)).toHaveLength(1);
    expect(visited.filter((m) => m === 2)).toHaveLength(2);
    expect(visited).not.toContain(3);
    expect(wheel.size).toBe(1);
  });
});
