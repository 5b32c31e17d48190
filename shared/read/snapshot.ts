import type * as Y from 'yjs';
import type { z } from 'zod';
import { actorSchema, type Actor } from '../schema/actor';
import { fromYMap, notesRoots, roomRoots } from '../schema/layout';
import { metaSchema, type Meta } from '../schema/meta';
import { noteSchema, type Note } from '../schema/note';
import { participantSchema, type Participant } from '../schema/participant';
import { questionSchema, type Question } from '../schema/question';
import { sessionSchema, type Session } from '../schema/session';

/**
 * Documents → plain, validated snapshots. Records that fail validation (written by a buggy or
 * hostile tool) are skipped and reported in `problems` rather than crashing the reader.
 */
export interface RoomSnapshot {
  meta: Meta | null;
  actors: Actor[];
  questions: Question[];
  participants: Participant[];
  session: Session;
  problems: string[];
}

function readRecords<T>(map: Y.Map<Y.Map<unknown>>, schema: z.ZodType<T>, what: string, problems: string[]): T[] {
  const out: T[] = [];
  for (const [key, value] of map.entries()) {
    const result = schema.safeParse(fromYMap(value));
    if (result.success) out.push(result.data);
    else problems.push(`${what} ${key} is invalid`);
  }
  return out;
}

const byOrder = <T extends { order: number }>(a: T, b: T) => a.order - b.order;

export function readRoom(doc: Y.Doc): RoomSnapshot {
  const roots = roomRoots(doc);
  const problems: string[] = [];
  const metaResult = metaSchema.safeParse(roots.meta.toJSON());
  if (!metaResult.success && roots.meta.size > 0) problems.push('meta is invalid');
  const sessionResult = sessionSchema.safeParse(roots.session.toJSON());
  if (!sessionResult.success) problems.push('session is invalid');
  return {
    meta: metaResult.success ? metaResult.data : null,
    actors: readRecords(roots.actors, actorSchema, 'actor', problems).sort(byOrder),
    questions: readRecords(roots.questions, questionSchema, 'question', problems).sort(byOrder),
    participants: readRecords(roots.participants, participantSchema, 'participant', problems).sort((a, b) => a.joinedAt - b.joinedAt),
    session: sessionResult.success ? sessionResult.data : sessionSchema.parse({}),
    problems,
  };
}

export function readNotes(doc: Y.Doc): { notes: Note[]; problems: string[] } {
  const problems: string[] = [];
  const notes = readRecords(notesRoots(doc).notes, noteSchema, 'note', problems);
  notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return { notes, problems };
}
