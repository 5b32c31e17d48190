import type { DocRef } from '../protocol/docNames';
import type { Claims } from '../protocol/permissions';
import type { Round } from '../schema/session';
import { newNoteDocFor, type NoteDoc, type NoteTarget, type RulesNote } from './method';

/**
 * Which documents a note action writes: what the server's access rules and write policies are
 * asked about. A participant writes only their own documents; a note lives in its author's
 * drafts or public notes; posting a draft moves it from one to the other (writes both).
 */
export type NoteAction =
  | { kind: 'add'; questionId: string }
  | { kind: 'edit'; note: RulesNote }
  | { kind: 'delete'; note: RulesNote }
  | { kind: 'move'; note: RulesNote; target: NoteTarget }
  | { kind: 'post'; note: RulesNote };

const ref = (viewer: Claims, doc: NoteDoc, participantId: string): DocRef => ({ kind: doc, workshopId: viewer.workshopId, participantId });

export function writesOf(viewer: Claims, action: NoteAction, session: { round: Round | null }): DocRef[] {
  switch (action.kind) {
    case 'add':
      return [ref(viewer, newNoteDocFor(session, action.questionId), viewer.participantId)];
    case 'edit':
    case 'delete':
    case 'move':
      return [ref(viewer, action.note.draft ? 'drafts' : 'notes', action.note.participantId)];
    case 'post':
      return [ref(viewer, 'drafts', action.note.participantId), ref(viewer, 'notes', action.note.participantId)];
  }
}
