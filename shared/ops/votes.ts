import type * as Y from 'yjs';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { readVotes, votesSpent } from '../read/votes';
import { notesRoots, roomRoots } from '../schema/layout';
import { VOTE_MAX, voteTargetSchema, votingSchema, type Voting } from '../schema/vote';
import { parseInput } from './validate';

/**
 * Dot-voting and anonymous mode. The facilitator writes the room's session (open/close voting,
 * votes per person, anonymous); a participant writes votes into their own notes document.
 */
export function setVoting(doc: Y.Doc, voting: Voting | null, origin: TransactionOrigin): void {
  const parsed = voting === null ? null : parseInput(votingSchema, voting, 'voting');
  doc.transact(() => roomRoots(doc).session.set('voting', parsed), origin);
}

export function setAnonymous(doc: Y.Doc, anonymous: boolean, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).session.set('anonymous', anonymous === true), origin);
}

/**
 * Adds `delta` (+1 or −1) to the participant's votes on `target`, within the budget: a vote beyond
 * `budget` (the total over every target, as the server counts it) is refused here before the
 * server would. Votes on targets that no longer exist (`live` says which do) are dropped in the
 * same write, so they do not eat the budget. Returns the new count on the target.
 */
export function castVote(notesDoc: Y.Doc, target: string, delta: number, budget: number, live: (target: string) => boolean, origin: TransactionOrigin): number {
  parseInput(voteTargetSchema, target, 'vote target');
  if (!Number.isInteger(delta)) throw new ArvoError('invalid-input', 'a vote changes by a whole number');
  const { votes } = notesRoots(notesDoc);
  const current = readVotes(notesDoc);
  const stale = Object.keys(current).filter((key) => !live(key));
  for (const key of stale) delete current[key];
  const next = Math.max(0, Math.min(VOTE_MAX, (current[target] ?? 0) + delta));
  if (delta > 0 && votesSpent(current) + (next - (current[target] ?? 0)) > budget) throw new ArvoError('invalid-input', 'no votes left');
  notesDoc.transact(() => {
    for (const key of stale) votes.delete(key);
    if (next === 0) votes.delete(target);
    else votes.set(target, next);
  }, origin);
  return next;
}
