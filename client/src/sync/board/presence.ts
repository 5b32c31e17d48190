import type { Awareness } from 'y-protocols/awareness';
import { isAnonymous } from '../../../../shared/derive/anonymity';
import type { RoomSnapshot } from '../../../../shared/read/snapshot';
import type { PresenceEntry } from '../types';

/**
 * Who is here and where their pointer is, from the room's awareness. It depends on the room
 * (names, actor colours, anonymity) but never the reverse: a moving cursor re-reads only this.
 */
export function readPresence(awareness: Awareness | null, room: Pick<RoomSnapshot, 'participants' | 'actors' | 'session'>): readonly PresenceEntry[] {
  if (!awareness) return Object.freeze([]);
  const participants = new Map(room.participants.map((p) => [p.id, p]));
  const actorColor = new Map(room.actors.map((a) => [a.id, a.color]));
  const presence: PresenceEntry[] = [];
  for (const [clientId, state] of awareness.getStates()) {
    const participantId = typeof state.participantId === 'string' ? state.participantId : null;
    if (!participantId) continue;
    const participant = participants.get(participantId);
    presence.push(
      Object.freeze({
        clientId,
        participantId,
        // Anonymous mode hides others' cursor names too: a cursor beside a new note would name its author.
        name: isAnonymous(room.session) && clientId !== awareness.clientID ? '' : (participant?.name ?? String(state.name ?? '?')),
        color: (participant?.actorId && actorColor.get(participant.actorId)) || '#888888',
        cursor: isPoint(state.cursor) ? { x: state.cursor.x, y: state.cursor.y } : null,
        self: clientId === awareness.clientID,
      }),
    );
  }
  return Object.freeze(presence);
}

function isPoint(value: unknown): value is { x: number; y: number } {
  return typeof value === 'object' && value !== null && typeof (value as { x: unknown }).x === 'number' && typeof (value as { y: unknown }).y === 'number';
}
