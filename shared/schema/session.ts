import { z } from 'zod';
import { idSchema, timestampSchema } from './common';

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

export const sessionSchema = z.object({
  round: roundSchema.nullable().default(null),
  focus: focusSchema.nullable().default(null),
  /** A locked wall refuses new notes and edits from participants (added in schema version 2). */
  locked: z.boolean().default(false),
  /** Flipcharts locked one by one (actor ids); the server refuses those actors' participants' edits. */
  lockedActors: z.array(idSchema).default([]),
  postRequest: postRequestSchema.nullable().default(null),
});
export type Session = z.infer<typeof sessionSchema>;
