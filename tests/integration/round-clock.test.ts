import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMonotonicClock } from '../../server/clock';
import { extended, startRound, updateRound } from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { roomDocName } from '../../shared/protocol/docNames';
import { readRoom } from '../../shared/read/snapshot';
import { createWorkshop } from '../helpers/api';
import { connect, destroyAll, waitFor, waitSynced } from '../helpers/clients';
import { removeDir, startTestServer, type TestServer } from '../helpers/server';

/**
 * Rounds run on a monotonic clock (server/clock.ts): a wall-clock step — NTP, a resumed virtual
 * machine — neither stretches nor cuts a running round. The server here runs in this process,
 * so faking `Date` alone steps its wall clock while timers and `performance.now()` run on.
 */
describe('the server clock', () => {
  it('follows the monotonic source from the wall time at start, whatever the wall clock does later', () => {
    let wall = 1_700_000_000_000;
    let monotonic = 5_000;
    const clock = createMonotonicClock({ wall: () => wall, monotonic: () => monotonic });
    expect(clock.now()).toBe(1_700_000_000_000);
    monotonic += 1_500;
    wall -= 3_600_000; // stepped back an hour
    expect(clock.now()).toBe(1_700_000_001_500);
    monotonic += 500.4;
    wall += 7_200_000; // and forward two
    expect(clock.now()).toBe(1_700_000_002_000);
  });
});

let server: TestServer;
beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  vi.useRealTimers();
  destroyAll();
  await server.close();
  removeDir(server.dataDir);
});

async function serverNow(): Promise<number> {
  return ((await (await fetch(`${server.url}/api/time`)).json()) as { now: number }).now;
}

async function runningRound(durationMs: number) {
  const created = await createWorkshop(server.url);
  const facilitator = connect(server.wsUrl, roomDocName(created.id), created.facilitatorToken);
  await waitSynced(facilitator);
  const questionId = readRoom(facilitator.doc).questions[0]!.id;
  const round = startRound(facilitator.doc, questionId, durationMs, await serverNow(), LOCAL_ORIGIN);
  const started = performance.now();
  const ended = () => readRoom(facilitator.doc).session.round?.endedAt ?? null;
  return { facilitator, round, started, ended };
}

describe('a running round when the wall clock steps', () => {
  it('ends on time although the wall clock went back an hour', async () => {
    const { facilitator, round, started, ended } = await runningRound(1500);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 3_600_000);
    await waitFor(facilitator.doc, () => ended() !== null, 'the round to end', 10_000);
    expect(performance.now() - started).toBeLessThan(6000);
    expect(ended()).toBe(round.startedAt + 1500);
    // The API reports the same clock: not an hour back.
    expect(Math.abs((await serverNow()) - (round.startedAt + (performance.now() - started)))).toBeLessThan(1000);
  }, 30_000);

  it('does not end early when the wall clock jumped ahead and the round is then extended', async () => {
    const { facilitator, round, started, ended } = await runningRound(2000);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3_600_000);
    updateRound(facilitator.doc, (r) => extended(r, 1000), LOCAL_ORIGIN); // re-arms the engine's timer
    await waitFor(facilitator.doc, () => ended() !== null, 'the round to end', 15_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2900);
    expect(ended()).toBe(round.startedAt + 3000);
  }, 30_000);
});
