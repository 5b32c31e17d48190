import type { Action } from '../schema/action';
import type { Language } from '../schema/common';
import type { Theme } from '../schema/theme';
import type { MemoInput } from './model';

/**
 * The memo's "Votes" section: the dot-vote results, most votes first (ties in theme/action
 * order). Absent when nobody voted, so a workshop without voting has the memo it always had.
 * The strings live here (fi/en; other languages fall back to English) to keep the shared string
 * table untouched.
 */
export interface VoteLine {
  label: string;
  kind: 'theme' | 'action';
  count: number;
}

export const VOTE_STRINGS: Record<'fi' | 'en', { heading: string; intro: string; votes: (n: number) => string; action: string }> = {
  fi: { heading: 'Äänestys', intro: 'Pisteäänestyksen tulos, eniten ääniä saaneet ensin.', votes: (n) => (n === 1 ? '1 ääni' : `${n} ääntä`), action: 'Toimenpide' },
  en: { heading: 'Votes', intro: 'The dot-vote results, most votes first.', votes: (n) => (n === 1 ? '1 vote' : `${n} votes`), action: 'Action' },
};
export const voteStrings = (language: Language) => VOTE_STRINGS[language as 'fi' | 'en'] ?? VOTE_STRINGS.en;

export function voteLines(input: MemoInput, themes: readonly Theme[], actions: readonly Action[]): VoteLine[] {
  const counts = input.votes;
  if (!counts) return [];
  const lines: VoteLine[] = [];
  for (const theme of themes) {
    const count = counts[`theme:${theme.id}`] ?? 0;
    if (count > 0) lines.push({ label: theme.name, kind: 'theme', count });
  }
  for (const action of actions) {
    const count = counts[`action:${action.id}`] ?? 0;
    if (count > 0) lines.push({ label: action.what, kind: 'action', count });
  }
  // A stable sort: equal counts keep theme/action order.
  return lines.sort((a, b) => b.count - a.count);
}
