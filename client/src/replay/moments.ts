import type { ReplayEvent } from '../../../shared/replay';

/**
 * Named moments to compare (pure; unit-tested): the start, the end of each round, each phase
 * change (the moment just before it, i.e. the end of what came before), and the end.
 */
export interface Moment {
  /** Stable id for a <select>: `start`, `end`, `round-end:<ts>:<q>`, `phase:<ts>:<to>`. */
  id: string;
  kind: 'start' | 'end' | 'round-end' | 'phase';
  ts: number;
  questionId?: string;
  /** Phase changes: the phase that ends here and the one that begins. */
  phase?: { from: string | null; to: string | null };
}

/** How long after a round ends the server's own changes (posting the round's drafts) still count as its end. */
export const ROUND_SETTLE_MS = 10_000;

export function namedMoments(events: readonly ReplayEvent[], start: number, end: number): Moment[] {
  const out: Moment[] = [{ id: 'start', kind: 'start', ts: start }];
  const seen = new Set<string>();
  events.forEach((event, i) => {
    let moment: Moment | null = null;
    if (event.kind === 'round-end') {
      // The end of a round includes its drafts arriving on the wall: the server posts them just after.
      let ts = event.ts;
      for (let j = i + 1; j < events.length; j++) {
        const next = events[j]!;
        if (next.ts - event.ts > ROUND_SETTLE_MS || (next.by !== null && next.ts > ts)) break;
        if (next.by === null) ts = next.ts;
      }
      moment = { id: `round-end:${event.ts}:${event.questionId ?? ''}`, kind: 'round-end', ts, questionId: event.questionId ?? '' };
    }
    // Just before the change: the board as the previous phase left it.
    else if (event.kind === 'phase' && event.phase?.from) moment = { id: `phase:${event.ts}:${event.phase.to ?? ''}`, kind: 'phase', ts: event.ts - 1, phase: event.phase };
    if (moment && !seen.has(moment.id)) {
      seen.add(moment.id);
      out.push(moment);
    }
  });
  out.push({ id: 'end', kind: 'end', ts: end });
  return out;
}

/**
 * The default comparison: the end of workshop I (just before workshop II begins; without one,
 * the end of the last round) against the end.
 */
export function defaultPair(moments: readonly Moment[]): { a: Moment; b: Moment } {
  const end = moments.at(-1)!;
  const workshop2 = moments.find((m) => m.kind === 'phase' && m.phase?.to === 'workshop2');
  const lastRound = [...moments].reverse().find((m) => m.kind === 'round-end' && m.ts < end.ts);
  return { a: workshop2 ?? lastRound ?? moments[0]!, b: end };
}
