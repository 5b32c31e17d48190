import type { Awareness } from 'y-protocols/awareness';
import type * as Y from 'yjs';
import { tallyVotes, type ParticipantVotes } from '../../../../shared/derive/votes';
import { methodRules } from '../../../../shared/rules';
import { readAnalysis } from '../../../../shared/read/analysis';
import { readNotes, readRoom } from '../../../../shared/read/snapshot';
import { readVotes } from '../../../../shared/read/votes';
import type { AuthoredNote, BoardSnapshot } from '../types';
import { authorContext, authored } from './author';
import type { Note } from '../../../../shared/schema/note';
import { boardOrder, type BoardDoc, type BoardEntry, type BoardUi, type Me, type Warn } from './inputs';
import { readPresence } from './presence';

/**
 * The whole board read from scratch: every document re-read and re-validated. This is what the
 * incremental model (./model.ts) must always equal (tests/unit/board-model.test.ts), and what it
 * is measured against; the sync layer itself no longer calls it.
 */
export interface FullBoardInput {
  room: Y.Doc;
  awareness: Awareness | null;
  docs: readonly BoardEntry[];
  me: Me;
  ui: BoardUi;
  warn?: Warn;
}

export function readBoardFull({ room: roomDoc, awareness, docs, me, ui, warn = () => undefined }: FullBoardInput): BoardSnapshot {
  const room = readRoom(roomDoc);
  const participants = new Map(room.participants.map((p) => [p.id, p]));
  const notes: AuthoredNote[] = [];
  const ballots: ParticipantVotes[] = [];
  // One note per participant and id: a draft whose public copy exists (a move cut short, or a
  // hostile copy) is left out, so views keyed by participant/id never see it twice.
  const seen = new Set<string>();
  let myVotes: Readonly<Record<string, number>> = {};
  for (const entry of boardOrder(docs)) {
    const { name, participantId, draft } = entry;
    let read: ReturnType<typeof readNotes>;
    let held: { notes: Note[]; votes: Record<string, number> } | null = null;
    try {
      // Records (a document this tab only reads) are validated as they are read, as a document is.
      if ('records' in entry) held = entry.records.read();
      read = held ? { notes: held.notes, problems: [] } : readNotes((entry as BoardDoc).doc);
    } catch (error) {
      warn(`read:${name}`, `arvo: could not read ${name}; the board is shown without it`, error);
      continue;
    }
    if (!draft) {
      const votes = held ? held.votes : readVotes((entry as BoardDoc).doc);
      ballots.push({ participantId, votes });
      if (me.role === 'participant' && participantId === me.participantId) myVotes = votes;
    }
    if (read.problems.length > 0) warn(`problems:${name}`, `arvo: skipped invalid records in ${name}`, read.problems.slice(0, 5));
    const context = authorContext(participantId, draft, room, participants.get(participantId), me);
    for (const note of read.notes) {
      const key = `${participantId}/${note.id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      notes.push(authored(note, context));
    }
  }
  const analysis = readAnalysis(roomDoc);
  const live = new Set([...analysis.themes.map((t) => `theme:${t.id}`), ...analysis.actions.map((a) => `action:${a.id}`)]);
  return {
    room,
    notes,
    votes: tallyVotes(ballots, room.session.voting, (key) => live.has(key)),
    myVotes,
    me,
    ...ui,
    presence: [...readPresence(awareness, room)],
    analysis,
    canWriteWall: methodRules({ room, me }).canWriteWall,
  };
}
