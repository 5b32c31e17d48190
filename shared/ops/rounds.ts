import type * as Y from 'yjs';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { newId } from '../schema/ids';
import { roomRoots } from '../schema/layout';
import { roundSchema, type Round } from '../schema/session';

/**
 * Timed writing rounds. Every time is the SERVER's clock (clients estimate it from /api/time),
 * so every device shows the same countdown. Timing functions are pure; `*Round` write the
 * room's `session.round` (facilitators only — the server refuses others).
 */
export const DEFAULT_ROUND_MS = 10 * 60 * 1000;

export function elapsedMs(round: Round, now: number): number {
  const until = round.endedAt ?? round.pausedAt ?? now;
  return Math.max(0, until - round.startedAt - round.pausedTotalMs);
}

export function remainingMs(round: Round, now: number): number {
  if (round.endedAt !== null) return 0;
  return Math.max(0, round.durationMs - elapsedMs(round, now));
}

export type RoundState = 'running' | 'paused' | 'overtime' | 'ended';

export function roundState(round: Round, now: number): RoundState {
  if (round.endedAt !== null) return 'ended';
  if (round.pausedAt !== null) return 'paused';
  return remainingMs(round, now) > 0 ? 'running' : 'overtime';
}

/** The server time at which the round runs out (for the engine's timer); null when paused or ended. */
export function expiresAt(round: Round): number | null {
  if (round.endedAt !== null || round.pausedAt !== null) return null;
  return round.startedAt + round.pausedTotalMs + round.durationMs;
}

export const paused = (round: Round, now: number): Round => (round.pausedAt !== null || round.endedAt !== null ? round : { ...round, pausedAt: now });
export const resumed = (round: Round, now: number): Round =>
  round.pausedAt === null ? round : { ...round, pausedAt: null, pausedTotalMs: round.pausedTotalMs + (now - round.pausedAt) };
export const extended = (round: Round, ms: number): Round => ({ ...round, durationMs: Math.max(1000, round.durationMs + ms) });
export const ended = (round: Round, now: number): Round => (round.endedAt !== null ? round : { ...resumed(round, now), endedAt: now });

function currentRound(doc: Y.Doc): Round {
  const parsed = roundSchema.safeParse(roomRoots(doc).session.get('round'));
  if (!parsed.success) throw new ArvoError('not-found', 'no round is running');
  return parsed.data;
}

export function startRound(doc: Y.Doc, questionId: string, durationMs: number, now: number, origin: TransactionOrigin): Round {
  const roots = roomRoots(doc);
  if (!roots.questions.has(questionId)) throw new ArvoError('not-found', `no question ${questionId}`);
  if (!(durationMs >= 1000 && durationMs <= 4 * 3600_000)) throw new ArvoError('invalid-input', 'duration must be between 1 s and 4 h');
  const round: Round = { questionId, startedAt: now, durationMs: Math.round(durationMs), pausedAt: null, pausedTotalMs: 0, endedAt: null };
  doc.transact(() => {
    roots.session.set('round', round);
    if (roots.meta.get('phase') === 'setup') roots.meta.set('phase', 'writing');
  }, origin);
  return round;
}

export function updateRound(doc: Y.Doc, change: (round: Round) => Round, origin: TransactionOrigin): Round {
  const next = change(currentRound(doc));
  doc.transact(() => roomRoots(doc).session.set('round', next), origin);
  return next;
}

/** Asks the server to move every draft of a question to the wall (idempotent per request id). */
export function requestPost(doc: Y.Doc, questionId: string, now: number, origin: TransactionOrigin): string {
  const id = newId();
  doc.transact(() => roomRoots(doc).session.set('postRequest', { id, questionId, at: now }), origin);
  return id;
}

/** Ends the round and posts its drafts: what "time is up" means in the method. */
export function endRound(doc: Y.Doc, now: number, origin: TransactionOrigin): Round {
  let round: Round | undefined;
  doc.transact(() => {
    round = updateRound(doc, (r) => ended(r, now), origin);
    requestPost(doc, round.questionId, now, origin);
  }, origin);
  return round!;
}
