import { z } from 'zod';
import { idSchema } from './common';

/**
 * One cell of the challenge × strength matrix (METHOD.md, Kuvio 7): a strength — a single note
 * (`note:<participantId>/<noteId>`) or a whole strength theme (`theme:<themeId>`) — linked to a
 * challenge theme. Stored in the room's `matrix` map under `<challengeThemeId>|<strengthRef>`, so
 * linking twice is the same link.
 */
export const strengthRefSchema = z.string().regex(/^(note:[0-9A-Za-z]{16}\/[0-9A-Za-z]{16}|theme:[0-9A-Za-z]{16})$/);

export const matrixLinkSchema = z.object({
  challengeThemeId: idSchema,
  strengthRef: strengthRefSchema,
  createdAt: z.number().int().nonnegative(),
});
export type MatrixLink = z.infer<typeof matrixLinkSchema>;

export const matrixKey = (challengeThemeId: string, strengthRef: string) => `${challengeThemeId}|${strengthRef}`;
