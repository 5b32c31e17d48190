import type { Language } from '../schema/common';
import { MEMO_STRINGS } from './strings';

/**
 * Formatting and escaping for the memo outputs. Everything here is deterministic: dates are
 * formatted from numeric calendar parts (stable across ICU versions) in an explicit time zone,
 * never from the machine's locale or clock.
 */
export const DEFAULT_TIME_ZONE = 'Europe/Helsinki';

interface CalendarParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

function calendarParts(timestamp: number, timeZone: string): CalendarParts {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
    }).formatToParts(timestamp);
  } catch {
    // An unknown time zone (or a runtime without zone data): UTC is wrong by hours, never by a crash.
    const d = new Date(timestamp);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes() };
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return { year: get('year'), month: get('month'), day: get('day'), hour: get('hour') % 24, minute: get('minute') };
}

function formatDay(language: Language, year: number, month: number, day: number): string {
  const monthName = MEMO_STRINGS[language].months[month - 1] ?? String(month);
  // Finnish dates are written 12.3.2025; the English and Swedish memos spell the month out (12 March 2025, 12 mars 2025).
  return language === 'fi' ? `${day}.${month}.${year}` : `${day} ${monthName} ${year}`;
}

/** A timestamp as a calendar date in the memo's language, in `timeZone`. */
export function formatDate(timestamp: number, language: Language, timeZone: string): string {
  const p = calendarParts(timestamp, timeZone);
  return formatDay(language, p.year, p.month, p.day);
}

/** An ISO `YYYY-MM-DD` (an action's check date) in the memo's language; other text is returned as it is. */
export function formatIsoDay(iso: string, language: Language): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return iso;
  return formatDay(language, Number(match[1]), Number(match[2]), Number(match[3]));
}

export const isoTimestamp = (timestamp: number) => new Date(timestamp).toISOString();

// ——— escaping ———

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** Escapes text with line breaks for HTML: each break becomes `<br>`. */
export const escapeHtmlLines = (text: string) => escapeHtml(text.trim()).replace(/\r\n?|\n/g, '<br>');

/**
 * Escapes user text for inline Markdown: every character that could start emphasis, code, a
 * link, raw HTML, a table cell or a heading is backslash-escaped, and line breaks become spaces
 * with a visible separator so that a note stays one list item or one table cell.
 */
export function escapeMarkdown(text: string): string {
  const oneLine = text.trim().replace(/\s*(?:\r\n?|\n)\s*/g, ' / ');
  return oneLine.replace(/[\\`*_[\]<>#|~]|&(?=#?\w+;)/g, (c) => `\\${c}`);
}

/** `escapeMarkdown` for text that starts a list item, where a leading "1." or "-" would start a nested list. */
export const escapeMarkdownItem = (text: string) => escapeMarkdown(text).replace(/^(\d+)([.)])/, '$1\\$2').replace(/^([-+])/, '\\$1');

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, with quotes doubled.
 * A field that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) gets a
 * leading apostrophe, as OWASP advises for CSV meant for spreadsheets.
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
