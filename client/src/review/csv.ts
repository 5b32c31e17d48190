import { parseDocName } from '../../../shared/protocol/docNames';
import type { ReplayEvent } from '../../../shared/replay/types';
import type { Phase } from '../../../shared/schema/meta';
import type { MessageKey } from '../i18n/en';

/**
 * The workshop's timeline as CSV (issue 5): one row per event of the history — time (ISO 8601,
 * UTC), participant, actor, document, event summary — with the header and the summaries in the
 * UI language. RFC 4180: comma-separated, CRLF line ends, a field quoted when it holds a comma,
 * quote or line break (quotes doubled). A field a spreadsheet would take for a formula (starting
 * with = + - @, or a tab or carriage return) gets a leading apostrophe, so that a note reading
 * "=HYPERLINK(…)" stays text.
 */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export interface TimelineNames {
  /** participantId → display name and the name of their actor ('' when none). */
  participants: ReadonlyMap<string, { name: string; actorName: string }>;
  /** questionId → a short label ("1a", or the question's text). */
  questions: ReadonlyMap<string, string>;
  /** themeId → name, for themes that still exist (removed ones are named from the events). */
  themes?: ReadonlyMap<string, string>;
  t: Translate;
}

const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV field: guarded against formulas, quoted when needed. */
export function csvField(value: string): string {
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export const csvRow = (fields: readonly string[]) => fields.map(csvField).join(',');

/** A note's text in a summary: one line, at most 200 characters. */
function snippet(text: string | undefined): string {
  const line = (text ?? '').replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 199)}…` : line;
}

export function timelineCsv(events: readonly ReplayEvent[], names: TimelineNames): string {
  const { t } = names;
  const person = (id: string | null | undefined) => (id ? (names.participants.get(id) ?? { name: id, actorName: '' }) : null);
  const question = (id: string | undefined) => (id ? (names.questions.get(id) ?? id) : '');
  const phase = (p: Phase | null | undefined) => (p ? t(`phase.${p}`) : '–');
  const themeNames = new Map(names.themes ?? []);

  const document = (event: ReplayEvent): string => {
    const ref = parseDocName(event.doc);
    if (!ref) return event.doc;
    if (ref.kind === 'room') return t('review.csv.docRoom');
    const owner = person(ref.participantId)?.name ?? ref.participantId;
    return t(ref.kind === 'notes' ? 'review.csv.docNotes' : 'review.csv.docDrafts', { name: owner });
  };

  const summary = (event: ReplayEvent): string => {
    const q = question(event.questionId);
    switch (event.kind) {
      case 'participant-joined':
        return t('review.csv.joined', { name: person(event.participantId)?.name ?? '' });
      case 'round-start':
        return t('review.csv.roundStart', { question: q });
      case 'round-pause':
        return t('review.csv.roundPause', { question: q });
      case 'round-resume':
        return t('review.csv.roundResume', { question: q });
      case 'round-end':
        return t('review.csv.roundEnd', { question: q });
      case 'phase':
        return t('review.csv.phase', { from: phase(event.phase?.from), to: phase(event.phase?.to) });
      case 'post':
        return t('review.csv.post', { question: q });
      case 'wall-lock':
        return t(event.locked ? 'review.csv.locked' : 'review.csv.unlocked');
      case 'theme-added':
      case 'theme-changed':
      case 'theme-removed': {
        const name = event.themeName ?? themeNames.get(event.themeId ?? '') ?? '';
        if (event.themeId && event.kind !== 'theme-removed') themeNames.set(event.themeId, name);
        return t(event.kind === 'theme-added' ? 'review.csv.themeAdded' : event.kind === 'theme-changed' ? 'review.csv.themeChanged' : 'review.csv.themeRemoved', { name });
      }
      case 'note-themed': {
        const author = person(event.noteRef?.split('/')[0])?.name ?? '';
        return event.themeId ? t('review.csv.noteThemed', { author, name: themeNames.get(event.themeId) ?? event.themeId }) : t('review.csv.noteUnthemed', { author });
      }
      case 'note-added':
        return t(event.by === null ? 'review.csv.notePosted' : 'review.csv.noteAdded', { question: q, text: snippet(event.text) });
      case 'note-edited':
        return t('review.csv.noteEdited', { question: q, text: snippet(event.text) });
      case 'note-moved':
        return event.from && event.to && event.from.questionId !== event.to.questionId
          ? t('review.csv.noteMovedTo', { from: question(event.from.questionId), to: question(event.to.questionId) })
          : t('review.csv.noteMoved', { question: q });
      case 'note-deleted':
        return t('review.csv.noteDeleted', { question: q });
    }
  };

  const rows: string[] = [csvRow([t('review.csv.time'), t('review.csv.participant'), t('review.csv.actor'), t('review.csv.document'), t('review.csv.event')])];
  for (const event of events) {
    // Who did it; a draft the server posted to the wall is its author's.
    const who = person(event.by ?? (event.docKind === 'notes' ? event.author : null));
    rows.push(csvRow([new Date(event.ts).toISOString(), who?.name ?? t('review.csv.server'), who?.actorName ?? '', document(event), summary(event)]));
  }
  return `${rows.join('\r\n')}\r\n`;
}
