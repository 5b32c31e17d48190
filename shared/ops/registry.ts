import type * as Y from 'yjs';
import type { TransactionOrigin } from '../origins';
import type { Claims } from '../protocol/permissions';
import type { AnalysisSnapshot } from '../read/analysis';
import type { RoomSnapshot } from '../read/snapshot';
import { newNoteDocFor } from '../rules';
import type { Action } from '../schema/action';
import type { ActorInput } from '../schema/actor';
import type { Flow, FlowNode, MapView } from '../schema/flow';
import { notesRoots } from '../schema/layout';
import type { Phase } from '../schema/meta';
import type { NoteInput, NotePatch } from '../schema/note';
import type { PresentView } from '../schema/session';
import type { ThemeKind } from '../schema/theme';
import type { Voting } from '../schema/vote';
import * as analysis from './analysis';
import * as notes from './notes';
import * as questions from './questions';
import * as room from './room';
import * as rounds from './rounds';
import * as session from './session';
import * as votes from './votes';

/**
 * Every operation a client runs, in ONE shape: `run(docs, input, context) → result`, with `docs`
 * the document(s) it declares it needs and `input` its arguments as a tuple. The client has one
 * generic path (`WorkshopSync.run(name, input)`) and its typed methods are generated from this
 * table, so a new op is one entry here. Entries adapt the ops' own signatures (which the server
 * calls directly and which stay as they are): clock, origin and what the board knows come from
 * the context.
 */
export interface OpContext {
  origin: TransactionOrigin;
  /** The server's clock (rounds, read marks, links, actions). */
  now: number;
  /** This device's clock: notes have always been stamped with it. */
  deviceNow: number;
  me: Claims;
  /** The board as the client reads it now (some ops check what it holds: a question's use, live vote targets). */
  board: { room: RoomSnapshot; analysis: AnalysisSnapshot; notes: readonly { questionId: string }[] };
}

/** Which documents an op works on: the room, my public notes, or both my notes and my drafts. */
export type DocNeed = 'room' | 'notes' | 'own';
export interface OwnDocs {
  notes: Y.Doc;
  drafts: Y.Doc;
}
export type DocsOf<D extends DocNeed> = D extends 'own' ? OwnDocs : Y.Doc;

export interface OpDef<D extends DocNeed, I extends unknown[], R> {
  docs: D;
  run(docs: DocsOf<D>, input: I, context: OpContext): R;
}

const op = <D extends DocNeed, I extends unknown[], R>(docs: D, run: (docs: DocsOf<D>, input: I, context: OpContext) => R): OpDef<D, I, R> => ({ docs, run });

/** The note's own document: drafts when it is there, else my public notes. */
const docOfOwnNote = (own: OwnDocs, noteId: string): Y.Doc => (notesRoots(own.drafts).notes.has(noteId) ? own.drafts : own.notes);

/** What a question is part of, from the room and every note this client can read. */
function questionUse(context: OpContext, questionId: string): questions.QuestionUse {
  const { room: r, notes: all } = context.board;
  return questions.questionUses(r.questions, r.session.round?.questionId ?? null, all).get(questionId) ?? { usedByRound: false, noteCount: 0 };
}

const liveTargets = (a: AnalysisSnapshot) => new Set([...a.themes.map((t) => `theme:${t.id}`), ...a.actions.map((x) => `action:${x.id}`)]);

export type NewNote = Omit<NoteInput, 'aboutActorId'> & { aboutActorId?: string | null };

export const clientOps = {
  // ——— notes (mine) ———
  /** During a round, answers to its question are private drafts until the round ends (shared/rules). */
  addNote: op('own', (own, [note]: [NewNote], c) => {
    const doc = newNoteDocFor(c.board.room.session, note.questionId) === 'drafts' ? own.drafts : own.notes;
    return notes.addNote(doc, { ...note, aboutActorId: note.aboutActorId ?? null }, c.deviceNow, c.origin).id;
  }),
  updateNote: op('own', (own, [noteId, patch]: [string, NotePatch], c) => notes.updateNote(docOfOwnNote(own, noteId), noteId, patch, c.deviceNow, c.origin)),
  deleteNote: op('own', (own, [noteId]: [string], c) => notes.deleteNote(docOfOwnNote(own, noteId), noteId, c.origin)),
  /** Participant: post one of my drafts to the wall before the round ends. */
  postDraft: op('own', (own, [noteId]: [string], c) => {
    own.notes.transact(() => notes.moveNoteBetweenDocs(own.drafts, own.notes, noteId, c.deviceNow, c.origin), c.origin);
  }),
  /** +1/−1 on `theme:<id>`/`action:<id>` within the budget (throws when none is left); only a participant, while voting is open. */
  vote: op('notes', (doc, [target, delta]: [string, number], c) => {
    const voting = c.board.room.session.voting;
    if (c.me.role !== 'participant' || !voting?.open) return;
    const live = liveTargets(c.board.analysis);
    votes.castVote(doc, target, delta, voting.votesPerPerson, (key) => live.has(key), c.origin);
  }),

  // ——— rounds and the session (facilitator; the server refuses anyone else) ———
  startRound: op('room', (doc, [questionId, durationMs]: [string, number], c) => void rounds.startRound(doc, questionId, durationMs, c.now, c.origin)),
  pauseRound: op('room', (doc, _: [], c) => void rounds.updateRound(doc, (r) => rounds.paused(r, c.now), c.origin)),
  resumeRound: op('room', (doc, _: [], c) => void rounds.updateRound(doc, (r) => rounds.resumed(r, c.now), c.origin)),
  extendRound: op('room', (doc, [ms]: [number], c) => void rounds.updateRound(doc, (r) => rounds.extended(r, ms), c.origin)),
  /** Ends the round and posts its drafts to the wall. */
  endRound: op('room', (doc, _: [], c) => void rounds.endRound(doc, c.now, c.origin)),
  /** Posts every draft of a question to the wall without ending anything. */
  postToWall: op('room', (doc, [questionId]: [string], c) => void rounds.requestPost(doc, questionId, c.now, c.origin)),
  setWallLocked: op('room', (doc, [locked]: [boolean], c) => session.setWallLocked(doc, locked, c.origin)),
  setFlipchartLocked: op('room', (doc, [actorId, locked]: [string, boolean], c) => session.setFlipchartLocked(doc, actorId, locked, c.origin)),
  /** Read-aloud: the note everyone follows (noteRef `pid/nid`), or null. */
  setFocus: op('room', (doc, [ref]: [string | null], c) => {
    const [participantId, noteId] = ref ? ref.split('/') : [];
    session.setFocus(doc, participantId && noteId ? { participantId, noteId } : null, c.origin);
  }),
  markRead: op('room', (doc, [ref, read]: [string, boolean], c) => session.markRead(doc, ref, read, c.now, c.origin)),
  setPhase: op('room', (doc, [phase]: [Phase], c) => session.setPhase(doc, phase, c.origin)),
  setPresent: op('room', (doc, [view]: [PresentView], c) => session.setPresent(doc, view, c.origin)),
  shareMemo: op('room', (doc, [shared]: [boolean], c) => session.setMemoShared(doc, shared ? c.now : null, c.origin)),
  setVoting: op('room', (doc, [voting]: [Voting | null], c) => votes.setVoting(doc, voting, c.origin)),
  setAnonymous: op('room', (doc, [anonymous]: [boolean], c) => votes.setAnonymous(doc, anonymous, c.origin)),

  // ——— actors and questions ———
  addActor: op('room', (doc, [actor]: [ActorInput], c) => void room.addActor(doc, actor, c.origin)),
  updateActor: op('room', (doc, [actorId, patch]: [string, { name?: string; color?: string }], c) => room.updateActor(doc, actorId, patch, c.origin)),
  addQuestion: op('room', (doc, [input]: [questions.QuestionInput], c) => questions.addQuestion(doc, input, c.origin).id),
  /** A used question (a round, notes) keeps its kind and cannot be deleted. */
  updateQuestion: op('room', (doc, [questionId, patch]: [string, questions.QuestionPatch], c) => questions.updateQuestion(doc, questionId, patch, questionUse(c, questionId), c.origin)),
  moveQuestion: op('room', (doc, [questionId, direction]: [string, -1 | 1], c) => questions.moveQuestion(doc, questionId, direction, c.origin)),
  deleteQuestion: op('room', (doc, [questionId]: [string], c) => questions.deleteQuestion(doc, questionId, questionUse(c, questionId), c.origin)),

  // ——— analysis ———
  createTheme: op('room', (doc, [name, kind]: [string, ThemeKind], c) => analysis.createTheme(doc, { name, kind }, c.origin).id),
  updateTheme: op('room', (doc, [themeId, patch]: [string, { name?: string; need?: string; order?: number }], c) => analysis.updateTheme(doc, themeId, patch, c.origin)),
  assignNote: op('room', (doc, [ref, themeId]: [string, string | null], c) => analysis.assignNote(doc, ref, themeId, c.origin)),
  mergeThemes: op('room', (doc, [sourceId, targetId]: [string, string], c) => analysis.mergeThemes(doc, sourceId, targetId, c.origin)),
  deleteTheme: op('room', (doc, [themeId]: [string], c) => analysis.deleteTheme(doc, themeId, c.origin)),
  linkStrength: op('room', (doc, [challengeThemeId, strengthRef]: [string, string], c) => analysis.linkStrength(doc, challengeThemeId, strengthRef, c.now, c.origin)),
  unlinkStrength: op('room', (doc, [challengeThemeId, strengthRef]: [string, string], c) => analysis.unlinkStrength(doc, challengeThemeId, strengthRef, c.origin)),
  addFlow: op(
    'room',
    (doc, [flow]: [{ from: FlowNode; to: FlowNode; layer: Flow['layer']; kind?: Flow['kind']; label?: string; noteRefs?: string[] }], c) => analysis.addFlow(doc, flow, c.origin).id,
  ),
  updateFlow: op('room', (doc, [flowId, patch]: [string, Partial<Pick<Flow, 'kind' | 'label' | 'layer'>>], c) => analysis.updateFlow(doc, flowId, patch, c.origin)),
  mergeFlows: op('room', (doc, [flowIds]: [string[]], c) => analysis.mergeFlows(doc, flowIds, c.origin)),
  deleteFlow: op('room', (doc, [flowId]: [string], c) => analysis.deleteFlow(doc, flowId, c.origin)),
  setMapPosition: op('room', (doc, [nodeId, position]: [string, { x: number; y: number }], c) => analysis.setMapPosition(doc, nodeId, position, c.origin)),
  /** Forgets every stored map position: the map is laid out automatically again (new actors too). */
  clearMapLayout: op('room', (doc, _: [], c) => analysis.clearMapLayout(doc, c.origin)),
  /** The map view the memo shows. */
  setMemoMap: op('room', (doc, [view]: [MapView], c) => analysis.setMemoMap(doc, view, c.origin)),
  addAction: op('room', (doc, [action]: [{ themeId: string | null; what: string } & Partial<Omit<Action, 'id' | 'createdAt'>>], c) => analysis.addAction(doc, action, c.now, c.origin).id),
  updateAction: op('room', (doc, [actionId, patch]: [string, Partial<Omit<Action, 'id' | 'createdAt'>>], c) => analysis.updateAction(doc, actionId, patch, c.origin)),
  deleteAction: op('room', (doc, [actionId]: [string], c) => analysis.deleteAction(doc, actionId, c.origin)),
} as const;

export type ClientOps = typeof clientOps;
export type OpName = keyof ClientOps;
export type OpInput<K extends OpName> = ClientOps[K] extends OpDef<DocNeed, infer I, unknown> ? I : never;
export type OpResult<K extends OpName> = ClientOps[K] extends OpDef<DocNeed, unknown[], infer R> ? R : never;
/** One typed method per op, `name(...input) → result`: what the client's generated wrappers provide. */
export type OpMethods = { [K in OpName]: (...input: OpInput<K>) => OpResult<K> };
export const OP_NAMES = Object.keys(clientOps) as OpName[];

/** The one generic path: the op's documents picked by `docsFor`, its input, the context. */
export function runOp<K extends OpName>(name: K, docsFor: (need: DocNeed) => Y.Doc | OwnDocs, input: OpInput<K>, context: OpContext): OpResult<K> {
  const def = clientOps[name] as unknown as OpDef<DocNeed, OpInput<K>, OpResult<K>>;
  return def.run(docsFor(def.docs) as never, input, context);
}
