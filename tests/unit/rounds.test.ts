import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { initRoom } from '../../shared/ops/room';
import {
  DEFAULT_ROUND_MS,
  elapsedMs,
  endRound,
  ended,
  expiresAt,
  extended,
  paused,
  remainingMs,
  requestPost,
  resumed,
  roundState,
  startRound,
  updateRound,
} from '../../shared/ops/rounds';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import type { Round } from '../../shared/schema/session';
import { NOW, expectArvoError } from './helpers';

/** The pure timing of a writing round: every device computes the same countdown from these. */
const MIN = 60_000;
const fresh = (over: Partial<Round> = {}): Round => ({ questionId: '3a', startedAt: NOW, durationMs: 10 * MIN, pausedAt: null, pausedTotalMs: 0, endedAt: null, ...over });

describe('round timing', () => {
  it('counts down while running', () => {
    const round = fresh();
    expect(DEFAULT_ROUND_MS).toBe(10 * MIN);
    expect(elapsedMs(round, NOW)).toBe(0);
    expect(remainingMs(round, NOW)).toBe(10 * MIN);
    expect(elapsedMs(round, NOW + 3 * MIN)).toBe(3 * MIN);
    expect(remainingMs(round, NOW + 3 * MIN)).toBe(7 * MIN);
    expect(roundState(round, NOW + 3 * MIN)).toBe('running');
    expect(expiresAt(round)).toBe(NOW + 10 * MIN);
  });

  it('a clock behind the start reads as nothing elapsed, not negative', () => {
    expect(elapsedMs(fresh(), NOW - 5000)).toBe(0);
    expect(remainingMs(fresh(), NOW - 5000)).toBe(10 * MIN);
  });

  it('runs into overtime when the time is up and nobody ended it', () => {
    const round = fresh();
    expect(remainingMs(round, NOW + 10 * MIN)).toBe(0);
    expect(roundState(round, NOW + 10 * MIN - 1)).toBe('running');
    expect(roundState(round, NOW + 10 * MIN)).toBe('overtime');
    expect(remainingMs(round, NOW + 11 * MIN)).toBe(0);
    expect(elapsedMs(round, NOW + 11 * MIN)).toBe(11 * MIN);
  });

  it('a pause freezes the clock; resuming adds the paused time to pausedTotalMs', () => {
    const p = paused(fresh(), NOW + 2 * MIN);
    expect(p.pausedAt).toBe(NOW + 2 * MIN);
    expect(roundState(p, NOW + 5 * MIN)).toBe('paused');
    expect(elapsedMs(p, NOW + 5 * MIN)).toBe(2 * MIN);
    expect(remainingMs(p, NOW + 50 * MIN)).toBe(8 * MIN);
    expect(expiresAt(p)).toBeNull();
    // Pausing twice keeps the first pause.
    expect(paused(p, NOW + 3 * MIN)).toBe(p);

    const r = resumed(p, NOW + 5 * MIN);
    expect(r).toEqual({ ...fresh(), pausedAt: null, pausedTotalMs: 3 * MIN });
    expect(elapsedMs(r, NOW + 6 * MIN)).toBe(3 * MIN);
    expect(remainingMs(r, NOW + 6 * MIN)).toBe(7 * MIN);
    expect(expiresAt(r)).toBe(NOW + 13 * MIN);
    // Resuming a running round changes nothing.
    expect(resumed(r, NOW + 7 * MIN)).toBe(r);
  });

  it('two pauses add up', () => {
    let round = fresh();
    round = resumed(paused(round, NOW + MIN), NOW + 2 * MIN);
    round = resumed(paused(round, NOW + 4 * MIN), NOW + 7 * MIN);
    expect(round.pausedTotalMs).toBe(4 * MIN);
    expect(elapsedMs(round, NOW + 8 * MIN)).toBe(4 * MIN);
    expect(expiresAt(round)).toBe(NOW + 14 * MIN);
  });

  it('extending moves the expiry; shortening never below one second', () => {
    const round = fresh();
    expect(expiresAt(extended(round, 2 * MIN))).toBe(NOW + 12 * MIN);
    expect(remainingMs(extended(round, -3 * MIN), NOW + MIN)).toBe(6 * MIN);
    expect(extended(round, -60 * MIN).durationMs).toBe(1000);
    // Extending an overtime round makes it run again.
    expect(roundState(extended(round, MIN), NOW + 10 * MIN + 1)).toBe('running');
  });

  it('ending freezes elapsed at the end, leaves nothing remaining and no expiry', () => {
    const e = ended(fresh(), NOW + 4 * MIN);
    expect(e.endedAt).toBe(NOW + 4 * MIN);
    expect(roundState(e, NOW + 4 * MIN)).toBe('ended');
    expect(elapsedMs(e, NOW + 60 * MIN)).toBe(4 * MIN);
    expect(remainingMs(e, NOW + 4 * MIN)).toBe(0);
    expect(expiresAt(e)).toBeNull();
    // Ending twice keeps the first end.
    expect(ended(e, NOW + 9 * MIN)).toBe(e);
  });

  it('ending a paused round counts the pause and clears it', () => {
    const e = ended(paused(fresh(), NOW + 2 * MIN), NOW + 5 * MIN);
    expect(e).toMatchObject({ pausedAt: null, pausedTotalMs: 3 * MIN, endedAt: NOW + 5 * MIN });
    expect(elapsedMs(e, NOW + 99 * MIN)).toBe(2 * MIN);
  });

  it('a paused or ended round cannot be paused again; an ended round is not resumed by pausing', () => {
    const e = ended(fresh(), NOW + MIN);
    expect(paused(e, NOW + 2 * MIN)).toBe(e);
    expect(roundState(paused(e, NOW + 2 * MIN), NOW + 3 * MIN)).toBe('ended');
  });
});

describe('round operations on the room document', () => {
  const room = () => {
    const doc = new Y.Doc();
    initRoom(doc, { title: 'T', template: 'value-network', language: 'fi' }, NOW, LOCAL_ORIGIN);
    return doc;
  };

  it('startRound writes session.round and moves a setup workshop to writing', () => {
    const doc = room();
    const round = startRound(doc, '1b', 5 * MIN, NOW, LOCAL_ORIGIN);
    expect(round).toEqual({ questionId: '1b', startedAt: NOW, durationMs: 5 * MIN, pausedAt: null, pausedTotalMs: 0, endedAt: null });
    expect(readRoom(doc).session.round).toEqual(round);
    expect(readRoom(doc).meta?.phase).toBe('writing');
  });

  it('startRound refuses an unknown question and a duration outside 1 s – 4 h', () => {
    const doc = room();
    expectArvoError(() => startRound(doc, 'nope', MIN, NOW, LOCAL_ORIGIN), 'not-found');
    expectArvoError(() => startRound(doc, '1b', 999, NOW, LOCAL_ORIGIN), 'invalid-input');
    expectArvoError(() => startRound(doc, '1b', 4 * 3600_000 + 1, NOW, LOCAL_ORIGIN), 'invalid-input');
    expect(readRoom(doc).session.round).toBeNull();
  });

  it('updateRound needs a round', () => {
    expectArvoError(() => updateRound(room(), (r) => r, LOCAL_ORIGIN), 'not-found');
  });

  it('endRound ends the round and requests the post of its question, in one transaction', () => {
    const doc = room();
    startRound(doc, '3a', MIN, NOW, LOCAL_ORIGIN);
    const updates: unknown[] = [];
    doc.on('update', (_u: Uint8Array, origin: unknown) => updates.push(origin));
    const round = endRound(doc, NOW + 30_000, LOCAL_ORIGIN);
    expect(updates).toEqual([LOCAL_ORIGIN]);
    expect(round.endedAt).toBe(NOW + 30_000);
    const session = readRoom(doc).session;
    expect(session.round).toEqual(round);
    expect(session.postRequest).toMatchObject({ questionId: '3a', at: NOW + 30_000 });
    expect(session.postRequest!.id).toMatch(/^[0-9A-Za-z]{16}$/);
  });

  it('each post request gets a new id', () => {
    const doc = room();
    const first = requestPost(doc, '3a', NOW, LOCAL_ORIGIN);
    const second = requestPost(doc, '3a', NOW, LOCAL_ORIGIN);
    expect(first).not.toBe(second);
    expect(readRoom(doc).session.postRequest?.id).toBe(second);
  });
});
