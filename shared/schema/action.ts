import { z } from 'zod';
import { idSchema, timestampSchema } from './common';

/** Workshop II: what is done about a challenge theme, who does it, when progress is checked. */
export const ACTION_STATUSES = ['planned', 'in-progress', 'done', 'dropped'] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

export const actionSchema = z.object({
  id: idSchema,
  /** The challenge theme (or, in the dialogue template, null for a general agreement). */
  themeId: idSchema.nullable(),
  what: z.string().trim().min(1).max(500),
  ownerActorId: idSchema.nullable().default(null),
  ownerName: z.string().max(120).default(''),
  /** ISO date YYYY-MM-DD, or empty when not agreed yet. */
  checkDate: z.union([z.literal(''), z.string().regex(/^\d{4}-\d{2}-\d{2}$/)]).default(''),
  status: z.enum(ACTION_STATUSES).default('planned'),
  notes: z.string().max(2000).default(''),
  createdAt: timestampSchema,
});
export type Action = z.infer<typeof actionSchema>;
