import { z } from 'zod';
import { idSchema, timestampSchema } from './common';
import { DEFAULT_MEMO_MAP, mapViewSchema, type MapView } from './flow';
import { votingSchema } from './vote';

/**
 * The facilitator's live controls in the room document's `session` map. Times are the server's
 * clock in milliseconds, so every device computes the same countdown.
 */
export const roundSchema = z.object({
  questionId: z.string(),
  startedAt: timestampSchema,
  durationMs: z.number().int().positive(),
  pausedAt: timestampSchema.nullable(),
  pausedTotalMs: z.number().int().nonnegative(),
  endedAt: timestampSchema.nullable(),
});
export type Round = z.infer<typeof roundSchema>;

export const focusSchema = z.object({ participantId: idSchema, noteId: idSchema });
export type Focus = z.infer<typeof focusSchema>;

/** "Post to wall": the server's round engine moves every draft of `questionId` to the wall once per `id`. */
export const postRequestSchema = z.object({ id: idSchema, questionId: z.string(), at: timestampSchema });
export type PostRequest = z.infer<typeof postRequestSchema>;

/**
 * What the room screen (the projector) shows: `auto` follows the facilitator's stage (a round,
 * read-aloud, analysis, workshop II); any other value pins that view until set back to `auto`.
 */
export const PRESENT_VIEWS = ['auto', 'round', 'reading', 'analysis', 'map', 'actions', 'wall'] as const;
export type PresentView = (typeof PRESENT_VIEWS)[number];
export const presentSchema = z.enum(PRESENT_VIEWS);

/**
 * Counts of the running round, per actor (issue 9): how many of the actor's participants have
 * drafts of the round's question (`writers`) and how many drafts there are. Drafts are private,
 * so only the server can count them: its round engine writes this, clients never do.
 */
export const roundStatsSchema = z.object({
  questionId: z.string(),
  at: timestampSchema,
  actors: z.record(idSchema, z.object({ writers: z.number().int().nonnegative(), drafts: z.number().int().nonnegative() })),
});
export type RoundStats = z.infer<typeof roundStatsSchema>;

export const sessionSchema = z.object({
  round: roundSchema.nullable().default(null),
  focus: focusSchema.nullable().default(null),
  /** A locked wall refuses new notes and edits from participants (added in schema version 2). */
  locked: z.boolean().default(false),
  /** Flipcharts locked one by one (actor ids); the server refuses those actors' participants' edits. */
  lockedActors: z.array(idSchema).default([]),
  postRequest: postRequestSchema.nullable().default(null),
  /** The room screen's view (absent in older documents: read it with `presentOf`, which defaults to 'auto'). */
  present: presentSchema.optional(),
  /**
   * When the facilitator shared the memo with everyone (server time, ms); absent or null: not yet.
   * Participants then see a "the memo is ready" banner that leads to the read-only Memo tab.
   */
  memoSharedAt: timestampSchema.nullable().optional(),
  /** The map the memo (and the room screen's workshop II) shows; read it with `memoMapOf` (absent = 'both'). */
  memoMap: mapViewSchema.optional(),
  /** Per-actor counts of the running round (server only; absent until the engine first counts). */
  roundStats: roundStatsSchema.nullable().optional(),
  /** Dot-voting in workshop II (schema/vote.ts): absent or null until the facilitator opens it. */
  voting: votingSchema.nullable().optional(),
  /** Anonymous mode: author names are hidden on every screen and in every export (derive/anonymity.ts). */
  anonymous: z.boolean().optional(),
});
export type Session = z.infer<typeof sessionSchema>;

/** The room screen's view with its default: documents written before `present` existed say nothing. */
/** The map view the facilitator chose for the memo, 'both' when none was chosen. */
export const memoMapOf = (session: { memoMap?: MapView | undefined }): MapView => session.memoMap ?? DEFAULT_MEMO_MAP;

export const presentOf = (session: { present?: PresentView | undefined }): PresentView => session.present ?? 'auto';
