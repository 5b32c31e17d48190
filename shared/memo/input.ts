import type * as Y from 'yjs';
import { displayAuthor, isAnonymous } from '../derive/anonymity';
import type { WallNote } from '../derive/types';
import { readAnalysis } from '../read/analysis';
import { readNotes, readRoom, type RoomSnapshot } from '../read/snapshot';
import type { Note } from '../schema/note';
import type { MemoInput } from './model';

/**
 * From documents to the plain memo input. The author and actor of a note follow from the notes
 * document it lives in and the room's participants (docs/schema.md): never from the note itself.
 */
export function wallNotesOf(room: RoomSnapshot, notesByParticipant: Iterable<readonly [participantId: string, notes: readonly Note[]]>): WallNote[] {
  const participants = new Map(room.participants.map((p) => [p.id, p]));
  const out: WallNote[] = [];
  for (const [participantId, notes] of notesByParticipant) {
    const author = participants.get(participantId);
    for (const note of notes) {
      out.push({
        id: note.id,
        participantId,
        authorName: author?.name ?? '',
        actorId: author?.actorId ?? null,
        questionId: note.questionId,
        aboutActorId: note.aboutActorId ?? null,
        text: note.text,
        createdAt: note.createdAt,
      });
    }
  }
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.participantId < b.participantId ? -1 : a.participantId > b.participantId ? 1 : 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Reads a room document and its participants' public notes documents into a `MemoInput`. */
export function memoInputFromDocs(
  roomDoc: Y.Doc,
  notesDocs: ReadonlyMap<string, Y.Doc>,
  options: Pick<MemoInput, 'generatedAt'> & Partial<Pick<MemoInput, 'mapSvg' | 'language' | 'timeZone'>>,
): MemoInput {
  const room = readRoom(roomDoc);
  const notes = wallNotesOf(room, [...notesDocs].map(([participantId, doc]) => [participantId, readNotes(doc).notes] as const));
  return { room, analysis: readAnalysis(roomDoc), notes, ...options };
}

/**
 * The memo input as every renderer sees it: in anonymous mode (`session.anonymous`) no
 * participant's name is left anywhere — not as a note's author, not in the participants list
 * (which then gives counts per actor). Actors and colours stay. Every renderer calls this first.
 */
export function anonymised(input: MemoInput): MemoInput {
  const session = input.room.session;
  if (!isAnonymous(session)) return input;
  return {
    ...input,
    room: { ...input.room, participants: input.room.participants.map((p) => ({ ...p, name: displayAuthor(p.name, session) })) },
    notes: input.notes.map((note) => ({ ...note, authorName: displayAuthor(note.authorName, session) })),
  };
}
