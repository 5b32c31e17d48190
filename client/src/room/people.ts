import type { Participant } from '../../../shared/schema/participant';
import type { PresenceEntry } from '../sync/types';

/**
 * Counts for the room screen, never contents: how many participants are connected now (from
 * presence: distinct participants with an open tab, facilitators and observers not counted) and
 * how many have joined at all. Drafts are private; the screen never learns what anyone is typing.
 */
export function peopleCounts(presence: readonly PresenceEntry[], participants: readonly Participant[]): { connected: number; joined: number } {
  const writers = new Set(participants.filter((p) => p.role === 'participant').map((p) => p.id));
  const connected = new Set(presence.map((p) => p.participantId).filter((id) => writers.has(id)));
  return { connected: connected.size, joined: writers.size };
}
