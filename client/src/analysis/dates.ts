import { LOCALES, type Language } from '../../../shared/schema/common';

/** A YYYY-MM-DD date for people: "3.5.2025" in Finnish, "3 May 2025" in English, "3 maj 2025" in Swedish. Empty stays empty. */
export function formatDate(iso: string, language: Language): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return iso;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return new Intl.DateTimeFormat(LOCALES[language], { day: 'numeric', month: language === 'fi' ? 'numeric' : 'short', year: 'numeric' }).format(date);
}
