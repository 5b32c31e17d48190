import { anonymised } from './input';
import { refOf } from '../derive/types';
import { csvField, isoTimestamp } from './format';
import { memoLanguage, questionHeading, sortNotes, type MemoInput } from './model';
import { MEMO_STRINGS } from './strings';

/**
 * Every public note as one CSV row (RFC 4180: comma-separated, CRLF line ends, fields quoted
 * when needed), with a header row in the memo's language, in wall order. Starts with a UTF-8
 * byte-order mark so that spreadsheet programs read ä and ö correctly when the file is opened
 * by double-click. Unlike the memo, blank notes are kept: this is the raw material.
 */
export function renderNotesCsv(raw: MemoInput): string {
  const input = anonymised(raw);
  const language = memoLanguage(input);
  const { csv } = MEMO_STRINGS[language];
  const { room, analysis } = input;
  const actorName = new Map(room.actors.map((a) => [a.id, a.name]));
  const questionById = new Map(room.questions.map((q) => [q.id, q]));
  const themeName = new Map(analysis.themes.map((t) => [t.id, t.name]));
  const rows: string[][] = [[csv.actor, csv.author, csv.question, csv.about, csv.text, csv.theme, csv.created]];
  for (const note of sortNotes(input.notes, room)) {
    const question = questionById.get(note.questionId);
    const themeId = analysis.themeOf[refOf(note)];
    rows.push([
      note.actorId ? (actorName.get(note.actorId) ?? '') : '',
      note.authorName,
      question ? questionHeading(question, language) : note.questionId,
      note.aboutActorId ? (actorName.get(note.aboutActorId) ?? '') : '',
      note.text,
      themeId ? (themeName.get(themeId) ?? '') : '',
      isoTimestamp(note.createdAt),
    ]);
  }
  return `\uFEFF${rows.map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}
