import { displayAuthor } from '../../../../shared/derive/anonymity';
import type { Claims } from '../../../../shared/protocol/permissions';
import type { RoomSnapshot } from '../../../../shared/read/snapshot';
import type { Note } from '../../../../shared/schema/note';
import type { AuthoredNote } from '../types';

/**
 * What the board adds to a note from the document it lives in and the room: who wrote it (as
 * anonymity allows), their actor, whether it is mine, whether it is a draft. One function for the
 * full rebuild and the incremental model, so the two cannot drift apart.
 */
export interface AuthorContext {
  participantId: string;
  authorName: string;
  actorId: string | null;
  mine: boolean;
  draft: boolean;
}

export function authorContext(participantId: string, draft: boolean, room: Pick<RoomSnapshot, 'session'>, author: { name: string; actorId: string | null } | undefined, me: Claims): AuthorContext {
  return {
    participantId,
    // Anonymous mode: the one place the board's author names come from (derive/anonymity.ts).
    authorName: displayAuthor(author?.name ?? '?', room.session),
    actorId: author?.actorId ?? (participantId === me.participantId ? me.actorId : null),
    mine: participantId === me.participantId,
    draft,
  };
}

export const sameContext = (a: AuthorContext, b: AuthorContext): boolean =>
  a.participantId === b.participantId && a.authorName === b.authorName && a.actorId === b.actorId && a.mine === b.mine && a.draft === b.draft;

/** Frozen: snapshots are shared by identity between frames and views, so nobody may change one. */
export const authored = (note: Note, context: AuthorContext): AuthoredNote => Object.freeze({ ...note, ...context });
