import type * as Y from 'yjs';
import { notesRoots } from '../schema/layout';
import { voteCountSchema, voteTargetSchema } from '../schema/vote';
import { MAX_RECORDS } from './records';

/**
 * A participant's dot-votes as readers read them: only well-formed targets with whole counts in
 * range (anything else, written by a hostile tool, is skipped), at most MAX_RECORDS entries looked
 * at. Zero counts are left out.
 */
export function readVotes(doc: Y.Doc): Record<string, number> {
  const out: Record<string, number> = {};
  let seen = 0;
  for (const [target, count] of notesRoots(doc).votes.entries()) {
    if (++seen > MAX_RECORDS) break;
    const read = readVoteCount(target, count);
    if (read !== null) out[target] = read;
  }
  return out;
}

/** One vote as `readVotes` reads it: its count, or null when it is not counted (invalid, or zero). */
export function readVoteCount(target: string, count: unknown): number | null {
  if (!voteTargetSchema.safeParse(target).success || !voteCountSchema.safeParse(count).success) return null;
  return (count as number) > 0 ? (count as number) : null;
}

/** The sum of a votes map's valid counts (what the server's budget check compares). */
export const votesSpent = (votes: Readonly<Record<string, number>>): number => Object.values(votes).reduce((sum, n) => sum + n, 0);
