import type * as Y from 'yjs';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { roomRoots } from '../schema/layout';

/**
 * Marks a participant as removed in the room document. Only the server calls this (participants
 * cannot write the room document). The entry stays: notes keep their author and actor, and
 * readers show the person as removed.
 */
export function markParticipantRemoved(doc: Y.Doc, participantId: string, removedAt: number, origin: TransactionOrigin): void {
  const entry = roomRoots(doc).participants.get(participantId);
  if (!entry) throw new ArvoError('not-found', `no participant ${participantId} in this workshop`);
  if (entry.get('removedAt') !== undefined) return;
  doc.transact(() => entry.set('removedAt', removedAt), origin);
}
