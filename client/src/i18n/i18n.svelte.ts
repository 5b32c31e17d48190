import { asLanguage, type Language } from '../../../shared/schema/common';
import { en, type MessageKey } from './en';

/**
 * The UI language: a rune so that every `t()` in a template re-renders on the switch. The
 * user's choice is remembered; otherwise the workshop's language (or the browser's) applies.
 */
const STORAGE_KEY = 'arvo:language';
type Catalogue = Readonly<Record<MessageKey, string>>;
/**
 * English is built in (the fallback for every key); Finnish and Swedish load in their own chunks
 * when first used: a tab keeps only the catalogues it shows in memory (each is ~50 kB of source
 * and as much again in strings). fi.ts and sv.ts are typed `Record<MessageKey, string>`, so a
 * language missing a key still fails the type check.
 */
const LOADERS: Readonly<Record<Exclude<Language, 'en'>, () => Promise<Catalogue>>> = {
  fi: () => import('./fi').then((m) => m.fi),
  sv: () => import('./sv').then((m) => m.sv),
};
/** Raw state: a catalogue is replaced whole, never proxied key by key. */
let catalogues = $state.raw<Partial<Record<Language, Catalogue>>>({ en });
/** Loads in flight (not state: nothing renders from it). */
const loading: Partial<Record<Language, Promise<void>>> = {};

/** Loads a language's catalogue (once; a failed load is tried again next time). */
export function loadLanguage(language: Language): Promise<void> {
  if (language === 'en' || catalogues[language]) return Promise.resolve();
  let pending = loading[language];
  if (!pending) {
    pending = LOADERS[language]().then(
      (catalogue) => {
        catalogues = { ...catalogues, [language]: catalogue };
      },
      (error: unknown) => {
        delete loading[language];
        throw error;
      },
    );
    loading[language] = pending;
  }
  return pending;
}

/** Shows `language` once its catalogue is in (never a page half in one language, half in English). */
function switchTo(language: Language, isCurrent: () => boolean): void {
  loadLanguage(language).then(
    () => {
      if (!isCurrent()) return;
      state.language = language;
      document.documentElement.lang = language;
    },
    // Offline and never loaded: the page stays in the language it shows.
    () => {},
  );
}

function initialLanguage(): Language {
  const stored = typeof localStorage !== 'undefined' ? asLanguage(localStorage.getItem(STORAGE_KEY)) : null;
  if (stored) return stored;
  // "fi-FI", "sv-FI", "sv-SE"… → fi / sv; anything else → English.
  const browser = typeof navigator !== 'undefined' ? asLanguage(navigator.language.toLowerCase().slice(0, 2)) : null;
  return browser ?? 'en';
}

const state = $state<{ language: Language; wanted: Language; chosen: boolean }>({ language: initialLanguage(), wanted: 'en', chosen: false });
state.wanted = state.language;
if (typeof localStorage !== 'undefined' && localStorage.getItem(STORAGE_KEY)) state.chosen = true;

export const i18n = {
  /** The language the page shows. */
  get language(): Language {
    return state.language;
  },
  /**
   * The language last asked for (the switch shows it pressed at once); shown once its catalogue
   * is in. Of two switches in flight, the later one wins whatever loads first.
   */
  get selected(): Language {
    return state.wanted;
  },
  /** An explicit choice by the user: remembered across workshops. */
  choose(language: Language): void {
    state.chosen = true;
    state.wanted = language;
    localStorage.setItem(STORAGE_KEY, language);
    switchTo(language, () => state.wanted === language);
  },
  /** The workshop's language, unless the user chose one. */
  preferWorkshopLanguage(language: Language): void {
    if (state.chosen) return;
    state.wanted = language;
    switchTo(language, () => state.wanted === language && !state.chosen);
  },
};

export function t(key: MessageKey, params?: Record<string, string | number>): string {
  // Until the initial language's catalogue is in (main.ts waits for it before mounting), English.
  const template = catalogues[state.language]?.[key] ?? en[key];
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
}
