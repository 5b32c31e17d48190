import { asLanguage, type Language } from '../../../shared/schema/common';
import { en, type MessageKey } from './en';
import { fi } from './fi';
import { sv } from './sv';

/**
 * The UI language: a rune so that every `t()` in a template re-renders on the switch. The
 * user's choice is remembered; otherwise the workshop's language (or the browser's) applies.
 */
const STORAGE_KEY = 'arvo:language';
/** Every UI language's catalogue: typed so that a language missing a key fails the type check. */
export const CATALOGUES: Readonly<Record<Language, Record<MessageKey, string>>> = { en, fi, sv };
const catalogues = CATALOGUES;

function initialLanguage(): Language {
  const stored = typeof localStorage !== 'undefined' ? asLanguage(localStorage.getItem(STORAGE_KEY)) : null;
  if (stored) return stored;
  // "fi-FI", "sv-FI", "sv-SE"… → fi / sv; anything else → English.
  const browser = typeof navigator !== 'undefined' ? asLanguage(navigator.language.toLowerCase().slice(0, 2)) : null;
  return browser ?? 'en';
}

const state = $state<{ language: Language; chosen: boolean }>({ language: initialLanguage(), chosen: false });
if (typeof localStorage !== 'undefined' && localStorage.getItem(STORAGE_KEY)) state.chosen = true;

export const i18n = {
  get language(): Language {
    return state.language;
  },
  /** An explicit choice by the user: remembered across workshops. */
  choose(language: Language): void {
    state.language = language;
    state.chosen = true;
    localStorage.setItem(STORAGE_KEY, language);
    document.documentElement.lang = language;
  },
  /** The workshop's language, unless the user chose one. */
  preferWorkshopLanguage(language: Language): void {
    if (state.chosen) return;
    state.language = language;
    document.documentElement.lang = language;
  },
};

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const template = catalogues[state.language][key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}
