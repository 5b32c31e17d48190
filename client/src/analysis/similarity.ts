import type { Language } from '../../../shared/schema/common';

/**
 * A deliberately simple, language-aware text similarity for *suggesting* which unthemed notes
 * might belong to a theme. The facilitator always decides: nothing is assigned automatically.
 *
 * Steps: lowercase → strip punctuation → split → drop stopwords and one-letter tokens → crude
 * stemming (a few Finnish case and possessive endings, doubled letters collapsed; a few English
 * inflections) → cut every
 * stem to its first STEM_LENGTH letters (a truncation stemmer: Finnish words share their first
 * letters far more reliably than their endings) → token sets compared with the Dice coefficient.
 */

const STEM_LENGTH = 7;

const STOPWORDS: Record<Language, ReadonlySet<string>> = {
  fi: new Set(
    (
      'ja tai sekä että mutta kun jos niin kuin myös vain jo vielä ei en et emme ette eivät ole on olla ovat oli olivat olisi ' +
      'se ne sen niiden sitä niitä siitä siihen tämä tämän tätä nämä tuo joka jotka jonka joita mikä mitkä mitä miten ' +
      'me te he hän minä sinä meidän teidän heidän meillä teillä heillä meille meitä heitä häntä hänen ' +
      'kanssa jne esim eli yms paljon liian hyvin aina koko kaikki kaikkien muut muiden muita joku jokin'
    ).split(' '),
  ),
  sv: new Set(
    (
      'och eller men om att som när än så också bara redan inte ej är var vara varit blir blev bli har hade ha ' +
      'en ett den det de dem denna detta dessa vi ni han hon jag du vår vårt våra er ert era deras hans hennes ' +
      'med från till i på av för om under över mellan genom utan hos mycket alla allt andra annat någon något ' +
      'kan ska skulle kunde vill t.ex. osv bl.a.'
    ).split(' '),
  ),
  en: new Set(
    (
      'a an the and or but if of to in on at by for with from into about as is are was were be been being it its this that ' +
      'these those there their they them we our us you your he she his her i my me not no so than too very can could will would ' +
      'should do does did have has had also just more most some any all each other etc eg ie'
    ).split(' '),
  ),
};

/** Finnish endings, longest first within each group; one possessive then one case ending is removed. */
const FI_POSSESSIVE = ['mme', 'nne', 'nsa', 'nsä', 'ni', 'si'];
const FI_CASE = [
  'iden', 'itten', 'ssa', 'ssä', 'sta', 'stä', 'lla', 'llä', 'lta', 'ltä', 'lle', 'ksi', 'tta', 'ttä', 'ineen',
  'seen', 'iin', 'jen', 'den', 'ten', 'na', 'nä', 'en', 'in', 'n', 't', 'a', 'ä', 'i',
].sort((a, b) => b.length - a.length);
/** Swedish plural, definite and genitive endings, longest first (one is removed). */
const SV_ENDINGS = ['arnas', 'ernas', 'ornas', 'arna', 'erna', 'orna', 'heten', 'ande', 'ende', 'het', 'ens', 'ets', 'ar', 'er', 'or', 'en', 'et', 'na', 's', 'a', 'e'];
const EN_ENDINGS: Array<[string, string]> = [
  ['ies', 'y'], ['ing', ''], ['ed', ''], ['es', ''], ['s', ''],
];

/** Minimum stem left after removing an ending (shorter words keep their ending). */
const MIN_STEM = 3;

function stripOne(word: string, endings: readonly string[]): string {
  for (const ending of endings) {
    if (word.endsWith(ending) && word.length - ending.length >= MIN_STEM) return word.slice(0, -ending.length);
  }
  return word;
}

export function stem(word: string, language: Language): string {
  let out = word;
  if (language === 'fi') {
    out = stripOne(out, FI_POSSESSIVE);
    out = stripOne(out, FI_CASE);
    // Collapse doubled letters: consonant gradation (reitti/reitin) and vowel length (ryhmä/ryhmään).
    out = out.replace(/(\p{L})\1+/gu, '$1');
  } else if (language === 'sv') {
    out = stripOne(out, SV_ENDINGS);
  } else {
    for (const [ending, replacement] of EN_ENDINGS) {
      if (out.endsWith(ending) && !out.endsWith('ss') && out.length - ending.length >= MIN_STEM) {
        out = out.slice(0, -ending.length) + replacement;
        break;
      }
    }
  }
  return out.slice(0, STEM_LENGTH);
}

/** Lowercased words without punctuation (letters and digits of any script; hyphens split words). */
export function words(text: string): string[] {
  return text
    .toLowerCase()
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** The set of stems a text is compared by. */
export function tokens(text: string, language: Language): Set<string> {
  const stop = STOPWORDS[language];
  const out = new Set<string>();
  for (const word of words(text)) {
    if (word.length < 2 || stop.has(word)) continue;
    out.add(stem(word, language));
  }
  return out;
}

/** Dice coefficient of two sets: 2|A∩B| / (|A|+|B|), 0 when either is empty. */
export function dice(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return (2 * shared) / (a.size + b.size);
}

/** Jaccard index of two sets: |A∩B| / |A∪B|, 0 when either is empty. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  return shared / (a.size + b.size - shared);
}

/** How alike two texts are, 0…1 (Dice over stemmed token sets). */
export function similarity(a: string, b: string, language: Language): number {
  return dice(tokens(a, language), tokens(b, language));
}

/** Below this a note is not suggested for a theme. */
export const SUGGESTION_THRESHOLD = 0.3;

/**
 * How well a note fits a theme: its best match against the theme's name or any of the theme's
 * notes (a big theme is not penalised for being big, as a union of its words would be).
 */
export function themeSimilarity(noteText: string, themeName: string, memberTexts: readonly string[], language: Language): number {
  const note = tokens(noteText, language);
  let best = dice(note, tokens(themeName, language));
  for (const text of memberTexts) best = Math.max(best, dice(note, tokens(text, language)));
  return best;
}

export interface Suggestion<N> {
  note: N;
  score: number;
}

/** The candidates similar to a theme, best first, at or above the threshold. */
export function suggestForTheme<N extends { text: string }>(
  candidates: readonly N[],
  themeName: string,
  memberTexts: readonly string[],
  language: Language,
  threshold = SUGGESTION_THRESHOLD,
): Suggestion<N>[] {
  return candidates
    .map((note) => ({ note, score: themeSimilarity(note.text, themeName, memberTexts, language) }))
    .filter((s) => s.score >= threshold)
    .sort((a, b) => b.score - a.score);
}

/**
 * For every theme, the refs of the candidate notes that look similar to it (its name or any of
 * its notes). `members` maps a theme id to the texts of its notes.
 */
export function suggestionsByTheme(
  themes: ReadonlyArray<{ id: string; name: string }>,
  candidates: ReadonlyArray<{ ref: string; text: string }>,
  members: ReadonlyMap<string, readonly string[]>,
  language: Language,
  threshold = SUGGESTION_THRESHOLD,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const theme of themes) {
    const found = suggestForTheme(candidates, theme.name, members.get(theme.id) ?? [], language, threshold);
    out.set(theme.id, new Set(found.map((s) => s.note.ref)));
  }
  return out;
}
