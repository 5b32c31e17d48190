import { z } from 'zod';

/**
 * Dot-voting (workshop II): each participant's votes live in their OWN notes document (the only
 * document they may write), in the `votes` root: target → count. A target is a theme or an
 * action of the room: `theme:<id>` or `action:<id>`. The facilitator's budget (votes per person)
 * is in the room's `session.voting`; readers count at most that many per participant, in key
 * order (shared/derive/votes.ts), and the server refuses an update that raises a participant's
 * total above it (server/relay/votePolicy.ts). VOTE_MAX is the hard bound on any one count and on
 * the budget, checked by the content validator whatever the session says.
 */
export const VOTE_MAX = 100;
export const VOTE_TARGET_PATTERN = /^(theme|action):[0-9A-Za-z]{16}$/;
export const voteTargetSchema = z.string().regex(VOTE_TARGET_PATTERN, 'must be theme:<id> or action:<id>');
export const voteCountSchema = z.number().int().min(0).max(VOTE_MAX);

export type VoteTargetKind = 'theme' | 'action';
export const voteTarget = (kind: VoteTargetKind, id: string) => `${kind}:${id}`;

/** The facilitator's voting round in the room's session; null (or absent): no voting yet. */
export const votingSchema = z.object({
  open: z.boolean(),
  votesPerPerson: z.number().int().min(1).max(VOTE_MAX),
});
export type Voting = z.infer<typeof votingSchema>;
