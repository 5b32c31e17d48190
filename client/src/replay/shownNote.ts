import type { Board, BoardNote, NoteVersion, ReplayEngine } from '../../../shared/replay';
import { refOfWallKey, type ShownNote } from './board';

/** What the note card shows: the note, whether it is on the wall at this moment, and its history up to it. */
export interface NoteCardContent {
  note: ShownNote;
  present: boolean;
  history: NoteVersion[];
}

/**
 * The note of a wall key at a moment (log index `index`, board `current`): on the wall, one of
 * the reader's own drafts, a note removed in a comparison (`ghosts`), or — deleted by now — its
 * last version. Someone else's draft is never shown, not even its history.
 */
export function findShownNote(engine: ReplayEngine, key: string, index: number, current: Board | null, ghosts: readonly BoardNote[], me: string): NoteCardContent | null {
  const ref = refOfWallKey(key);
  const history = engine.noteHistory(ref, index);
  const own = (n: BoardNote) => n.participantId === me;
  const onWall = current?.notes.find((n) => n.ref === ref);
  const draft = onWall ? undefined : current?.drafts.find((n) => n.ref === ref && own(n));
  const found = onWall ?? draft ?? ghosts.find((n) => n.ref === ref);
  if (found) {
    return {
      note: { ref, text: found.text, participantId: found.participantId, actorId: found.actorId, questionId: found.questionId, aboutActorId: found.aboutActorId ?? null, draft: !!draft },
      present: !!(onWall ?? draft),
      history,
    };
  }
  const last = history.at(-1);
  if (!last) return null;
  const participantId = ref.split('/')[0]!;
  if (last.docKind === 'drafts' && participantId !== me) return null;
  return {
    note: { ref, text: last.text, participantId, actorId: engine.actorOf(participantId), questionId: last.questionId, aboutActorId: last.aboutActorId, draft: last.docKind === 'drafts' },
    present: false,
    history,
  };
}
