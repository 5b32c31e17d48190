import type * as Y from 'yjs';
import { actorSchema, type Actor } from '../schema/actor';
import { fromYMap, notesRoots, roomRoots } from '../schema/layout';
import { metaSchema, type Meta } from '../schema/meta';
import { noteSchema, type Note } from '../schema/note';
import { participantSchema, type Participant } from '../schema/participant';
import { questionSchema, type Question } from '../schema/question';
import { sessionSchema, type Session } from '../schema/session';
import { keyIsId, readRecord, readRecords, recordReader, schemaKeys } from './records';

/**
 * Documents → plain, validated snapshots. Records that fail validation (written by a buggy or
 * hostile tool) are skipped and reported in `problems` rather than crashing the reader: only
 * known fields are read, nested Y types are never entered (see ./records.ts), and a record must
 * sit under its own id.
 */
export interface RoomSnapshot {
  meta: Meta | null;
  actors: Actor[];
  questions: Question[];
  participants: Participant[];
  session: Session;
  problems: string[];
}

const actorReader = recordReader(actorSchema, keyIsId);
const questionReader = recordReader(questionSchema, keyIsId);
const participantReader = recordReader(participantSchema, keyIsId);
const noteReader = recordReader(noteSchema, keyIsId);
const META_KEYS = schemaKeys(metaSchema);
const SESSION_KEYS = schemaKeys(sessionSchema);

const byOrder = <T extends { order: number }>(a: T, b: T) => a.order - b.order;

/** The room's `session` as readers read it: an invalid one reads as idle (no round, nothing locked). */
export function readSession(doc: Y.Doc): { session: Session; valid: boolean } {
  const parsed = sessionSchema.safeParse(fromYMap(roomRoots(doc).session, SESSION_KEYS));
  return parsed.success ? { session: parsed.data, valid: true } : { session: sessionSchema.parse({}), valid: false };
}

export function readRoom(doc: Y.Doc): RoomSnapshot {
  const roots = roomRoots(doc);
  const problems: string[] = [];
  const metaResult = metaSchema.safeParse(fromYMap(roots.meta, META_KEYS));
  if (!metaResult.success && roots.meta.size > 0) problems.push('meta is invalid');
  const session = readSession(doc);
  if (!session.valid) problems.push('session is invalid');
  return {
    meta: metaResult.success ? metaResult.data : null,
    actors: readRecords(roots.actors, actorReader, 'actor', problems).sort(byOrder),
    questions: readRecords(roots.questions, questionReader, 'question', problems).sort(byOrder),
    participants: readRecords(roots.participants, participantReader, 'participant', problems).sort((a, b) => a.joinedAt - b.joinedAt),
    session: session.session,
    problems,
  };
}

/** One note record as `readNotes` reads it (null: invalid, or not under its own id). */
export const readNoteRecord = (key: string, value: unknown): Note | null => readRecord(noteReader, key, value);

export function readNotes(doc: Y.Doc): { notes: Note[]; problems: string[] } {
  const problems: string[] = [];
  const notes = readRecords(notesRoots(doc).notes, noteReader, 'note', problems);
  notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return { notes, problems };
}
