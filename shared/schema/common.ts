import { z } from 'zod';
import { ID_PATTERN } from './ids';

/** The workshop and UI languages: Finland is bilingual, and English for guests. */
export const LANGUAGES = ['fi', 'sv', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const languageSchema = z.enum(LANGUAGES);

export const idSchema = z.string().regex(ID_PATTERN, 'must be a 16-character id');
/**
 * Text in the UI languages: template questions carry them all so the language switch can change
 * headings. `sv` is optional because room documents made before Swedish existed have only fi/en;
 * read it through `localised()`, which falls back.
 */
export const localisedTextSchema = z.object({ fi: z.string().max(500), en: z.string().max(500), sv: z.string().max(500).optional() });
export type LocalisedText = z.infer<typeof localisedTextSchema>;

/** Where a text missing in one language is taken from: Swedish readers get English before Finnish. */
const FALLBACKS: Readonly<Record<Language, readonly Language[]>> = { fi: ['fi', 'en', 'sv'], sv: ['sv', 'en', 'fi'], en: ['en', 'fi', 'sv'] };

/** The text in `language`, or the first non-empty fallback (never undefined, even for partial old data). */
export function localised(text: Partial<Record<Language, string>> | null | undefined, language: Language): string {
  if (!text) return '';
  for (const candidate of FALLBACKS[language]) {
    const value = text[candidate];
    if (typeof value === 'string' && value.trim()) return value;
  }
  return '';
}

/** A language tag from untrusted input (storage, navigator), or null. */
export const asLanguage = (value: unknown): Language | null => (LANGUAGES as readonly unknown[]).includes(value) ? (value as Language) : null;

/** The facilitator's name when none is given, in the workshop's language. */
export const DEFAULT_FACILITATOR_NAME: Readonly<Record<Language, string>> = { fi: 'Fasilitaattori', sv: 'Facilitator', en: 'Facilitator' };

/** The BCP 47 locale used with Intl for dates and numbers in each language. */
export const LOCALES: Readonly<Record<Language, string>> = { fi: 'fi-FI', sv: 'sv-FI', en: 'en-GB' };

export const nameSchema = z.string().trim().min(1, 'must not be empty').max(80, 'at most 80 characters');
export const colorSchema = z.string().regex(/^#[0-9a-f]{6}$/i, 'must be a #rrggbb colour').transform((c) => c.toLowerCase());
export const timestampSchema = z.number().int().nonnegative();
export const coordinateSchema = z.number().finite().min(-1e6).max(1e6);
