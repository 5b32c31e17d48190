import type * as Y from 'yjs';
import { wallAcceptsEditsFrom } from '../../shared/ops/session';
import { readSession } from '../../shared/read/snapshot';
import { DenyReason } from '../../shared/protocol/wire';
import type { WritePolicy, WriteRefusal } from './docRoom';

const WALL_LOCKED: WriteRefusal = { label: 'wall-locked', message: DenyReason.wallLocked };

/**
 * The write policy of a notes document: while the facilitator has locked the wall
 * (`session.locked`) or the writer's flipchart (`session.lockedActors`), a participant's edits
 * to their public notes are refused. Facilitators are never locked out. The rule is the shared
 * `wallAcceptsEditsFrom`, read from the room document's session as readers read it (an invalid
 * session reads as idle, i.e. unlocked), so server and client agree.
 *
 * The writer's actor is the token's `aid`: only the notes' owner (or a facilitator) has write
 * access, and the owner's token carries the actor they joined as.
 */
export function wallLockPolicy(roomDoc: Y.Doc): WritePolicy {
  return (session) => {
    if (session.claims.role === 'facilitator') return null;
    const { session: roomSession, valid } = sessionOf(roomDoc);
    if (!valid) return null;
    return wallAcceptsEditsFrom(roomSession, session.claims.actorId) ? null : WALL_LOCKED;
  };
}

/**
 * The room's session as last read, per room document. Every participant write asks for it, and
 * reading it validates the session against its schema: at a note a second per participant that
 * was a visible share of the relay's CPU. It changes only when the room document does, so the
 * value is dropped on the room document's next update and read again when next asked. One entry
 * and one listener per room document (a WeakMap, so an unloaded document takes both with it).
 */
const sessions = new WeakMap<Y.Doc, { value: ReturnType<typeof readSession> | null }>();
function sessionOf(roomDoc: Y.Doc): ReturnType<typeof readSession> {
  let entry = sessions.get(roomDoc);
  if (!entry) {
    const created: { value: ReturnType<typeof readSession> | null } = { value: null };
    roomDoc.on('update', () => (created.value = null));
    sessions.set(roomDoc, created);
    entry = created;
  }
  return (entry.value ??= readSession(roomDoc));
}
