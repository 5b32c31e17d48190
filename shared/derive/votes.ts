import type { Voting } from '../schema/vote';

/**
 * The dot-vote tally, pure. Every participant's votes are read from their own notes document
 * (read/votes.ts); a hostile client could write more than the budget, so each participant counts
 * at most `votesPerPerson` votes, taken in a fixed order (targets sorted by key) so every device
 * and the memo agree. Votes on targets that no longer exist still use budget (the server counts
 * them too) but count for nothing.
 */
export interface ParticipantVotes {
  participantId: string;
  votes: Readonly<Record<string, number>>;
}

export interface VoteTally {
  /** target (`theme:<id>` / `action:<id>`) → counted votes; only targets with votes. */
  counts: Record<string, number>;
  /** participantId → votes counted for them (at most the budget). */
  spent: Record<string, number>;
  /** How many participants have at least one counted vote. */
  voters: number;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function tallyVotes(ballots: readonly ParticipantVotes[], voting: Voting | null | undefined, live: (target: string) => boolean): VoteTally {
  const counts: Record<string, number> = {};
  const spent: Record<string, number> = {};
  let voters = 0;
  if (!voting) return { counts, spent, voters };
  const seen = new Set<string>();
  for (const { participantId, votes } of ballots) {
    if (seen.has(participantId)) continue;
    seen.add(participantId);
    let left = voting.votesPerPerson;
    let counted = 0;
    for (const target of Object.keys(votes).sort(byKey)) {
      const raw = votes[target];
      if (typeof raw !== 'number' || !Number.isInteger(raw) || raw <= 0) continue;
      const take = Math.min(raw, left);
      left -= take;
      if (live(target) && take > 0) {
        counts[target] = (counts[target] ?? 0) + take;
        counted += take;
      }
      if (left === 0) break;
    }
    spent[participantId] = voting.votesPerPerson - left;
    if (counted > 0) voters++;
  }
  return { counts, spent, voters };
}

/** Votes on one target (0 when none). */
export const votesOn = (tally: VoteTally, target: string): number => tally.counts[target] ?? 0;

/**
 * Whether totals are shown to this viewer: to the facilitator always (they run the vote), to
 * everyone once voting is closed. While voting is open participants see only their own dots, so
 * early totals do not steer the rest (the usual dot-voting practice).
 */
export const showsTotals = (voting: Voting | null | undefined, role: string): boolean =>
  !!voting && (!voting.open || role === 'facilitator');
