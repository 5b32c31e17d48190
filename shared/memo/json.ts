import { anonymised } from './input';
import { refOf } from '../derive/types';
import { isoTimestamp } from './format';
import { compareText, sortActions, sortFlows, sortNotes, sortThemes, type MemoInput } from './model';

/**
 * The whole workshop as one JSON document, for archiving and for other tools: the records as
 * docs/schema.md describes them (timestamps in ms), every note with its derived author, actor and
 * theme, and the analysis. Ordering is fixed (wall order for notes, sorted keys for maps), so two
 * exports of the same workshop are byte-identical. Live session state (rounds, focus, locks) is
 * not part of it.
 */
export const WORKSHOP_JSON_FORMAT = 'arvo-workshop';
export const WORKSHOP_JSON_VERSION = 1;

const sortedRecord = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.keys(record).sort().map((key) => [key, record[key]!]));

export function renderWorkshopJson(raw: MemoInput): string {
  const input = anonymised(raw);
  const { room, analysis } = input;
  const document = {
    format: WORKSHOP_JSON_FORMAT,
    formatVersion: WORKSHOP_JSON_VERSION,
    generatedAt: isoTimestamp(input.generatedAt),
    meta: room.meta,
    actors: room.actors,
    questions: room.questions,
    participants: room.participants,
    notes: sortNotes(input.notes, room).map((note) => ({
      ref: refOf(note),
      id: note.id,
      participantId: note.participantId,
      authorName: note.authorName,
      actorId: note.actorId,
      questionId: note.questionId,
      aboutActorId: note.aboutActorId ?? null,
      text: note.text,
      createdAt: note.createdAt,
      themeId: analysis.themeOf[refOf(note)] ?? null,
    })),
    analysis: {
      themes: sortThemes(analysis.themes),
      themeOf: sortedRecord(analysis.themeOf),
      matrix: [...analysis.matrix].sort((a, b) => a.createdAt - b.createdAt || compareText(`${a.challengeThemeId}|${a.strengthRef}`, `${b.challengeThemeId}|${b.strengthRef}`)),
      flows: sortFlows(analysis.flows, room.actors),
      actions: sortActions(analysis.actions),
      readMarks: sortedRecord(analysis.readMarks),
      mapLayout: sortedRecord(analysis.mapLayout),
    },
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
