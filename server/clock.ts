/**
 * The server's clock: wall time as it was when the process started, moved on by a monotonic
 * clock. Round times are stored as server milliseconds and a round runs out when this clock
 * passes `startedAt + durationMs`; measured on `Date.now()`, a wall-clock step (NTP, a virtual
 * machine resuming, someone fixing the time) would stretch or cut every running round by the
 * size of the step. This clock never steps; it may drift from wall time by the machine's clock
 * slew over a long uptime (seconds a month), which no round notices.
 *
 * GET /api/time reports it, so clients count down on the same clock the engine ends rounds on.
 */
export interface ServerClock {
  /** Milliseconds, integer, never going backwards or jumping. */
  now(): number;
}

export interface ClockSources {
  wall(): number;
  monotonic(): number;
}

const SYSTEM: ClockSources = { wall: () => Date.now(), monotonic: () => performance.now() };

export function createMonotonicClock(sources: ClockSources = SYSTEM): ServerClock {
  const wallAtStart = sources.wall();
  const monotonicAtStart = sources.monotonic();
  return { now: () => Math.round(wallAtStart + (sources.monotonic() - monotonicAtStart)) };
}

/** The process's clock (one for the round engine and /api/time alike). */
export const serverClock: ServerClock = createMonotonicClock();
