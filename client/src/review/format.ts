import { LOCALES, localised, type Language } from '../../../shared/schema/common';
import type { Question } from '../../../shared/schema/question';
import type { Translate } from './csv';

/** "9 min 40 s", "10 min", "45 s" (rounded to whole seconds). */
export function formatDuration(ms: number, t: Translate): string {
  const total = Math.round(Math.abs(ms) / 1000);
  const min = Math.floor(total / 60);
  const sec = total % 60;
  if (min === 0) return t('review.duration.sec', { sec });
  return sec === 0 ? t('review.duration.min', { min }) : t('review.duration.minSec', { min, sec });
}

/** Less than this from the plan counts as "on plan". */
export const ON_PLAN_MS = 5_000;

/** "2 min over", "30 s under", "on plan". */
export function formatDifference(ms: number, t: Translate): string {
  if (Math.abs(ms) < ON_PLAN_MS) return t('review.rounds.onPlan');
  return t(ms > 0 ? 'review.rounds.over' : 'review.rounds.under', { time: formatDuration(ms, t) });
}

/** A time of day, with the date when it is not `today`'s: "14.05" / "3.5. klo 14.05" (local time). */
export function formatClock(ms: number, language: Language, now: number = Date.now()): string {
  const locale = LOCALES[language];
  const time = new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }).format(ms);
  if (new Date(ms).toDateString() === new Date(now).toDateString()) return time;
  const day = new Intl.DateTimeFormat(locale, { day: 'numeric', month: language === 'fi' ? 'numeric' : 'short' }).format(ms);
  return `${day} ${time}`;
}

/** From one time to another; the date (when not today's) is written once when both are on the same day. */
export function formatSpan(from: number, to: number, language: Language, now: number = Date.now()): string {
  if (from === to) return formatClock(from, language, now);
  const sameDay = new Date(from).toDateString() === new Date(to).toDateString();
  const end = sameDay ? new Intl.DateTimeFormat(LOCALES[language], { hour: '2-digit', minute: '2-digit' }).format(to) : formatClock(to, language, now);
  return `${formatClock(from, language, now)}–${end}`;
}

/** The method's number for numbered questions ("1a"), else the question's text. */
export function questionShort(question: Question | null | undefined, id: string, language: Language): string {
  if (!question) return id;
  return /^\d+[a-z]?$/.test(question.id) ? question.id : localised(question.text, language) || question.id;
}

export const questionText = (question: Question | null | undefined, language: Language): string => localised(question?.text, language);
