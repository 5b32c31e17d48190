import { presentOf, type PresentView, type Session } from '../../../shared/schema/session';
import type { Phase } from '../../../shared/schema/meta';
import { openRound } from '../../../shared/rules';

/**
 * Which stage the room screen shows. Pure: the facilitator's `session.present` pins one view;
 * 'auto' follows the workshop as the facilitator runs it — reading aloud wins (everyone is
 * listening to one note), then a running round, then the phase, then the last round's question.
 * Before anything has happened the screen invites people in (the join QR code, large).
 */
export type RoomStage = 'welcome' | 'round' | 'reading' | 'analysis' | 'workshop2' | 'map' | 'actions' | 'wall';

export function roomStage(session: Pick<Session, 'round' | 'focus'> & { present?: PresentView | undefined }, phase: Phase | null, focusedNoteShown: boolean): RoomStage {
  const present = presentOf(session);
  if (present !== 'auto') return present;
  if (session.focus && focusedNoteShown) return 'reading';
  if (openRound(session)) return 'round';
  if (phase === 'analysis') return 'analysis';
  if (phase === 'workshop2' || phase === 'closed') return 'workshop2';
  if (session.round) return 'round';
  return 'welcome';
}

/** Whether the join QR code belongs on a stage: wherever people may still be arriving or writing. */
export const showsJoinCode = (stage: RoomStage) => stage === 'welcome' || stage === 'round' || stage === 'wall';
