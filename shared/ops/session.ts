import type * as Y from 'yjs';
import type { TransactionOrigin } from '../origins';
import { roomRoots } from '../schema/layout';
import { PHASES, type Phase } from '../schema/meta';
import { ArvoError } from '../errors';
import { presentSchema, type PresentView } from '../schema/session';
import { parseInput } from './validate';

/** The facilitator's live controls besides rounds: locks, read-aloud focus, read marks, phase. */
export function setWallLocked(doc: Y.Doc, locked: boolean, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).session.set('locked', locked), origin);
}

export function setFlipchartLocked(doc: Y.Doc, actorId: string, locked: boolean, origin: TransactionOrigin): void {
  const { session } = roomRoots(doc);
  const current = Array.isArray(session.get('lockedActors')) ? (session.get('lockedActors') as string[]) : [];
  const next = locked ? [...new Set([...current, actorId])] : current.filter((id) => id !== actorId);
  doc.transact(() => session.set('lockedActors', next), origin);
}

export function setFocus(doc: Y.Doc, focus: { participantId: string; noteId: string } | null, origin: TransactionOrigin): void {
  doc.transact(() => roomRoots(doc).session.set('focus', focus), origin);
}

export function markRead(doc: Y.Doc, ref: string, read: boolean, now: number, origin: TransactionOrigin): void {
  const { readMarks } = roomRoots(doc);
  doc.transact(() => (read ? readMarks.set(ref, now) : readMarks.delete(ref)), origin);
}

export function setPhase(doc: Y.Doc, phase: Phase, origin: TransactionOrigin): void {
  if (!PHASES.includes(phase)) throw new ArvoError('invalid-input', `unknown phase ${phase}`);
  doc.transact(() => roomRoots(doc).meta.set('phase', phase), origin);
}

/** What the room screen shows: 'auto' (follow the stage) or one view pinned by the facilitator. */
export function setPresent(doc: Y.Doc, view: PresentView, origin: TransactionOrigin): void {
  const parsed = parseInput(presentSchema, view, 'room screen view');
  doc.transact(() => roomRoots(doc).session.set('present', parsed), origin);
}

/** "Share memo": tells every participant that the memo is ready (null takes the notice back). */
export function setMemoShared(doc: Y.Doc, at: number | null, origin: TransactionOrigin): void {
  if (at !== null && !Number.isFinite(at)) throw new ArvoError('invalid-input', 'memo shared time must be a number');
  doc.transact(() => roomRoots(doc).session.set('memoSharedAt', at), origin);
}

/**
 * Whether the wall accepts a participant's edit to their public notes: the pure rule the server
 * enforces and the client uses to disable editing.
 */
export function wallAcceptsEditsFrom(session: { locked: boolean; lockedActors: readonly string[] }, actorId: string | null): boolean {
  if (session.locked) return false;
  return actorId === null || !session.lockedActors.includes(actorId);
}
