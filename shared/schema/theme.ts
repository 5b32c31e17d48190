import { z } from 'zod';
import { idSchema } from './common';

/**
 * A cluster the facilitator builds from challenge notes (4a/4b) or strength notes (3a/3b).
 * Membership lives in the room's `themeNotes` map (noteRef → themeId), so a note is in at most
 * one theme — and, since a note is either a challenge or a strength, in one theme of its kind.
 */
export const THEME_KINDS = ['challenge', 'strength'] as const;
export type ThemeKind = (typeof THEME_KINDS)[number];

export const themeSchema = z.object({
  id: idSchema,
  name: z.string().trim().min(1).max(120),
  kind: z.enum(THEME_KINDS),
  order: z.number().finite(),
  /** What is needed to solve a challenge theme (the matrix's middle column). */
  need: z.string().max(1000).default(''),
});
export type Theme = z.infer<typeof themeSchema>;
