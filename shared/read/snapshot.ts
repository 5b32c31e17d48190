import type * as Y from 'yjs';
import { actorSchema, type Actor } from '../schema/actor';
import { fromYMap, notesRoots, roomRoots } from '../schema/layout';
import { metaSchema, type Meta } from '../schema/meta';
import { noteSchema, type Note } from '../schema/note';
import { participantSchema, type Participant } from '../schema/participant';
import { questionSchema, type Question } from '../schema/question';
import { sessionSchema, type Session } from '../schema/session';
import { keyIsId, readPlainRecord, readRecord, readRecords, recordReader, schemaKeys } from './records';

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

/**
 * The room snapshot's parts, each read from its own root: the incremental board model
 * (client/src/sync/board) re-reads only the part whose root changed. Each returns its problems.
 */
export const roomPartReaders = {
  meta(doc: Y.Doc): { value: Meta | null; problems: string[] } {
    const meta = roomRoots(doc).meta;
    const result = metaSchema.safeParse(fromYMap(meta, META_KEYS));
    return { value: result.success ? result.data : null, problems: !result.success && meta.size > 0 ? ['meta is invalid'] : [] };
  },
  session(doc: Y.Doc): { value: Session; problems: string[] } {
    const session = readSession(doc);
    return { value: session.session, problems: session.valid ? [] : ['session is invalid'] };
  },
  actors(doc: Y.Doc): { value: Actor[]; problems: string[] } {
    const problems: string[] = [];
    return { value: readRecords(roomRoots(doc).actors, actorReader, 'actor', problems).sort(byOrder), problems };
  },
  questions(doc: Y.Doc): { value: Question[]; problems: string[] } {
    const problems: string[] = [];
    return { value: readRecords(roomRoots(doc).questions, questionReader, 'question', problems).sort(byOrder), problems };
  },
  participants(doc: Y.Doc): { value: Participant[]; problems: string[] } {
    const problems: string[] = [];
    return { value: readRecords(roomRoots(doc).participants, participantReader, 'participant', problems).sort((a, b) => a.joinedAt - b.joinedAt), problems };
  },
};

/** The order in which `readRoom` reports the parts' problems. */
export const ROOM_PARTS = ['meta', 'session', 'actors', 'questions', 'participants'] as const;

export function readRoom(doc: Y.Doc): RoomSnapshot {
  const meta = roomPartReaders.meta(doc);
  const session = roomPartReaders.session(doc);
  const actors = roomPartReaders.actors(doc);
  const questions = roomPartReaders.questions(doc);
  const participants = roomPartReaders.participants(doc);
  return {
    meta: meta.value,
    actors: actors.value,
    questions: questions.value,
    participants: participants.value,
    session: session.value,
    problems: [...meta.problems, ...session.problems, ...actors.problems, ...questions.problems, ...participants.problems],
  };
}

/** One note record as `readNotes` reads it (null: invalid, or not under its own id). */
export const readNoteRecord = (key: string, value: unknown): Note | null => readRecord(noteReader, key, value);

/** The same for a note that arrived as a plain value (the workshop channel's records mode). */
export const readPlainNoteRecord = (key: string, value: unknown): Note | null => readPlainRecord(noteReader, key, value);

export function readNotes(doc: Y.Doc): { notes: Note[]; problems: string[] } {
  const problems: string[] = [];
  const notes = readRecords(notesRoots(doc).notes, noteReader, 'note', problems);
  notes.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return { notes, problems };
}
