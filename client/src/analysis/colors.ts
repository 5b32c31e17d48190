import type { Language } from '../../../shared/schema/common';
import { paletteEntry } from '../../../shared/templates/palette';

/** The colour's name in a language, or the hex value for a custom colour. */
export const colorName = (color: string, language: Language) => paletteEntry(color)?.name[language] ?? color;

/** Neutral grey for notes whose actor is unknown. */
export const UNKNOWN_COLOR = '#dddddd';
