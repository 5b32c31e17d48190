import { z } from 'zod';
import { ID_PATTERN } from './ids';

export const LANGUAGES = ['fi', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const languageSchema = z.enum(LANGUAGES);

export const idSchema = z.string().regex(ID_PATTERN, 'must be a 16-character id');
/** Text in both UI languages: template questions carry both so the language switch can change headings. */
export const localisedTextSchema = z.object({ fi: z.string().max(500), en: z.string().max(500) });
export type LocalisedText = z.infer<typeof localisedTextSchema>;

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(80, 'at most 80 characters');
export const colorSchema = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a #rrggbb colour').transform((c) => c.toLowerCase());
export const timestampSchema = z.number().int().nonnegative();
export const coordinateSchema = z.number().finite().min(-1e6).max(1e6);
