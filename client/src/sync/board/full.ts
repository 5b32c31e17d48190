import type { Awareness } from 'y-protocols/awareness';
import * as Y from 'yjs';
import { tallyVotes, type ParticipantVotes } from '../../../../shared/derive/votes';
import { wallAcceptsEditsFrom } from '../../../../shared/ops/session';
import { readAnalysis } from '../../../../shared/read/analysis';
import { readNotes, readRoom } from '../../../../shared/read/snapshot';
import { readVotes } from '../../../../shared/read/votes';
import type { AuthoredNote, BoardSnapshot } from '../types';
import { authorContext, authored } from './author';
import { boardOrder, type BoardDoc, type BoardUi, type Me, type Warn } from './inputs';
import { readPresence } from './presence';

/**
 * The whole board read from scratch: every document re-read and re-validated. This is what the
 * incremental model (./model.ts) must always equal (tests/unit/board-model.test.ts), and what it
 * is measured against; the sync layer itself no longer calls it.
 */
export interface FullBoardInput {
  room: Y.Doc;
  awareness: Awareness | null;
  docs: readonly BoardDoc[];
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
  for (const { name, doc, participantId, draft } of boardOrder(docs)) {
    let read: ReturnType<typeof readNotes>;
    try {
      read = readNotes(doc);
    } catch (error) {
      warn(`read:${name}`, `arvo: could not read ${name}; the board is shown without it`, error);
      continue;
    }
    if (!draft) {
      const votes = readVotes(doc);
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
    canWriteWall: me.role === 'facilitator' || (me.role === 'participant' && wallAcceptsEditsFrom(room.session, me.actorId)),
  };
}
