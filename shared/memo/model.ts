import { buildMatrix } from '../derive/matrix';
import { refOf, type WallNote } from '../derive/types';
import type { AnalysisSnapshot } from '../read/analysis';
import type { RoomSnapshot } from '../read/snapshot';
import type { Action } from '../schema/action';
import type { Actor } from '../schema/actor';
import { localised, type Language } from '../schema/common';
import { CLIENTS_NODE, FLOW_LAYERS, type Flow, type FlowNode } from '../schema/flow';
import type { Question } from '../schema/question';
import type { Theme, ThemeKind } from '../schema/theme';
import { DEFAULT_TIME_ZONE, formatDate, formatIsoDay } from './format';
import { fill, MEMO_STRINGS, type MemoStrings } from './strings';
import { anonymised } from './input';
import { voteLines, type VoteLine } from './votes';

/**
 * What every memo renderer reads: the workshop as plain data, the same data the client shows.
 * `notes` are the public (wall) notes with their derived author and actor; drafts never belong
 * in a memo.
 */
export interface MemoInput {
  room: RoomSnapshot;
  analysis: AnalysisSnapshot;
  notes: WallNote[];
  /** The value-network map drawn by the client, embedded in the HTML memo as an image. */
  mapSvg?: string;
  /** When the memo is made (ms): the only "now" the renderers know. */
  generatedAt: number;
  /** Defaults to the workshop's language (`meta.language`), or Finnish without meta. */
  language?: Language;
  /** The zone dates are written in; defaults to Europe/Helsinki. */
  timeZone?: string;
  /** Dot-vote counts (`theme:<id>`/`action:<id>` → votes), from shared/derive/votes.ts. */
  votes?: Readonly<Record<string, number>>;
}

/**
 * The memo as language-resolved, ordered, UNESCAPED text: renderers only escape and lay it out,
 * so Markdown and HTML always say the same thing.
 */
export interface NoteLine {
  text: string;
  actor: string | null;
  color: string | null;
}

export interface ParticipantGroup {
  label: string;
  color: string | null;
  names: string[];
}

export interface FlipchartGroup {
  /** For per-actor questions: "To: LINKKU"; null for a question answered once. */
  label: string | null;
  notes: string[];
}

export interface FlipchartQuestion {
  heading: string;
  groups: FlipchartGroup[];
}

export interface Flipchart {
  label: string;
  color: string | null;
  questions: FlipchartQuestion[];
}

export interface ThemeBlock {
  number: number;
  name: string;
  notes: NoteLine[];
}

export interface MatrixBlock {
  number: number;
  name: string;
  challenges: NoteLine[];
  need: string;
  strengths: Array<{ actor: string; color: string; items: string[] }>;
  unsolved: boolean;
}

export interface FlowLine {
  from: string;
  to: string;
  kind: string;
  label: string;
}

export interface ActionLine {
  what: string;
  theme: string;
  ownerActor: string;
  ownerName: string;
  checkDate: string;
  status: string;
  notes: string;
}

export interface MemoModel {
  language: Language;
  s: MemoStrings;
  /** "Memo: <workshop title>", or "Memo" for a workshop without a title. */
  heading: string;
  kind: string;
  workshopDate: string | null;
  memoDate: string;
  participants: ParticipantGroup[];
  flipcharts: Flipchart[];
  themes: Record<ThemeKind, ThemeBlock[]>;
  /** Dot-vote results (memo/votes.ts), most votes first; empty when nobody voted (no section then). */
  votes: VoteLine[];
  unthemed: Record<ThemeKind, NoteLine[]>;
  matrix: MatrixBlock[];
  flows: Array<{ layer: Flow['layer']; heading: string; flows: FlowLine[] }>;
  actions: ActionLine[];
  mapSvg: string | null;
}

export const memoLanguage = (input: MemoInput): Language => input.language ?? input.room.meta?.language ?? 'fi';

export const questionText = (question: Question, language: Language) => localised(question.text, language);

/** "1a. What can you offer…" for the method's numbered questions; the text alone for template keys. */
export const questionHeading = (question: Question, language: Language) =>
  /^\d+[a-z]?$/.test(question.id) ? `${question.id}. ${questionText(question, language)}` : questionText(question, language);

/** Notes in wall order: writer's actor, question, the actor a note is about, then time. */
export function sortNotes(notes: readonly WallNote[], room: RoomSnapshot): WallNote[] {
  const actorRank = rankOf(room.actors.map((a) => a.id));
  const questionRank = rankOf(room.questions.map((q) => q.id));
  const rank = (map: Map<string, number>, id: string | null | undefined) => (id != null && map.has(id) ? map.get(id)! : map.size);
  return [...notes].sort(
    (a, b) =>
      rank(actorRank, a.actorId) - rank(actorRank, b.actorId) ||
      rank(questionRank, a.questionId) - rank(questionRank, b.questionId) ||
      compareText(a.questionId, b.questionId) ||
      rank(actorRank, a.aboutActorId) - rank(actorRank, b.aboutActorId) ||
      a.createdAt - b.createdAt ||
      compareText(refOf(a), refOf(b)),
  );
}

/** Actions by check date (not agreed last), then by when they were agreed. */
export const sortActions = (actions: readonly Action[]): Action[] =>
  [...actions].sort((a, b) => compareText(a.checkDate || '9999', b.checkDate || '9999') || a.createdAt - b.createdAt || compareText(a.id, b.id));

export const sortThemes = (themes: readonly Theme[]): Theme[] => [...themes].sort((a, b) => a.order - b.order || compareText(a.id, b.id));

/** Flows: current before future, then by the actors' order (clients last), then label. */
export function sortFlows(flows: readonly Flow[], actors: readonly Actor[]): Flow[] {
  const rank = rankOf(actors.map((a) => a.id));
  const r = (node: FlowNode) => rank.get(node) ?? (node === CLIENTS_NODE ? rank.size : rank.size + 1);
  return [...flows].sort(
    (a, b) =>
      FLOW_LAYERS.indexOf(a.layer) - FLOW_LAYERS.indexOf(b.layer) ||
      r(a.from) - r(b.from) ||
      r(a.to) - r(b.to) ||
      compareText(a.label, b.label) ||
      compareText(a.id, b.id),
  );
}

/** Code-unit order: unlike localeCompare, the same on every machine whatever its locale. */
export const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function rankOf(ids: readonly string[]): Map<string, number> {
  return new Map(ids.map((id, index) => [id, index]));
}

const isBlank = (note: WallNote) => note.text.trim() === '';

export function buildMemoModel(raw: MemoInput): MemoModel {
  const input = anonymised(raw);
  const language = memoLanguage(input);
  const s = MEMO_STRINGS[language];
  const timeZone = input.timeZone ?? DEFAULT_TIME_ZONE;
  const { room, analysis } = input;
  const actorById = new Map(room.actors.map((a) => [a.id, a]));
  // Blank notes (written, never filled in) carry nothing worth sending to every participant.
  const notes = sortNotes(input.notes, room).filter((n) => !isBlank(n));
  const line = (note: WallNote): NoteLine => {
    const actor = note.actorId ? actorById.get(note.actorId) : undefined;
    return { text: note.text.trim(), actor: actor?.name ?? null, color: actor?.color ?? null };
  };
  // Within a theme, notes keep the order they were written in: the facilitator read them out so.
  const chronological = [...notes].sort((a, b) => a.createdAt - b.createdAt || compareText(refOf(a), refOf(b)));
  const themes = sortThemes(analysis.themes);
  const themeName = new Map(themes.map((t) => [t.id, t.name]));

  const themeBlocks = (kind: ThemeKind): ThemeBlock[] =>
    themes
      .filter((t) => t.kind === kind)
      .map((theme, index) => ({ number: index + 1, name: theme.name, notes: chronological.filter((n) => analysis.themeOf[refOf(n)] === theme.id).map(line) }));
  const kindOfQuestion = new Map(room.questions.map((q) => [q.id, q.kind]));
  const unthemed = (kind: ThemeKind) => notes.filter((n) => kindOfQuestion.get(n.questionId) === kind && !analysis.themeOf[refOf(n)]).map(line);

  const matrix = buildMatrix({ ...analysis, themes }, chronological, room.actors);
  const matrixBlocks: MatrixBlock[] = matrix.rows.map((row, index) => ({
    number: index + 1,
    name: row.theme.name,
    challenges: row.challenges.map(line),
    need: row.theme.need.trim(),
    strengths: row.strengths.map((group) => ({
      actor: group.actor.name,
      color: group.actor.color,
      items: group.items.map((item) =>
        item.ref.startsWith('theme:') ? `${item.label} (${item.notes.map((n) => n.text.trim()).join('; ')})` : item.label.trim(),
      ),
    })),
    unsolved: row.unsolved,
  }));

  const nodeName = (node: FlowNode) => (node === CLIENTS_NODE ? s.clients : (actorById.get(node)?.name ?? node));
  const flows = sortFlows(analysis.flows, room.actors);

  return {
    language,
    s,
    heading: room.meta?.title ? fill(s.memoTitle, { title: room.meta.title }) : s.memo,
    kind: s.template[room.meta?.template ?? 'blank'],
    workshopDate: room.meta ? formatDate(room.meta.createdAt, language, timeZone) : null,
    memoDate: formatDate(input.generatedAt, language, timeZone),
    participants: participantGroups(room, s),
    flipcharts: flipcharts(room, notes, language, s),
    themes: { challenge: themeBlocks('challenge'), strength: themeBlocks('strength') },
    unthemed: { challenge: unthemed('challenge'), strength: unthemed('strength') },
    matrix: matrixBlocks,
    flows: FLOW_LAYERS.map((layer) => ({
      layer,
      heading: s.layer[layer],
      flows: flows
        .filter((f) => f.layer === layer)
        .map((f) => ({ from: nodeName(f.from), to: nodeName(f.to), kind: s.flowKind[f.kind], label: f.label.trim() })),
    })),
    actions: sortActions(analysis.actions).map((a) => ({
      what: a.what,
      theme: a.themeId === null ? s.generalAgreement : (themeName.get(a.themeId) ?? s.generalAgreement),
      ownerActor: a.ownerActorId ? (actorById.get(a.ownerActorId)?.name ?? '') : '',
      ownerName: a.ownerName.trim(),
      checkDate: a.checkDate ? formatIsoDay(a.checkDate, language) : s.notAgreed,
      status: s.statuses[a.status],
      notes: a.notes.trim(),
    })),
    mapSvg: input.mapSvg?.trim() ? input.mapSvg : null,
    votes: voteLines(input, themes, sortActions(analysis.actions)),
  };
}

function participantGroups(room: RoomSnapshot, s: MemoStrings): ParticipantGroup[] {
  const groups: ParticipantGroup[] = [];
  const pick = (label: (count: number) => string, color: string | null, match: (p: RoomSnapshot['participants'][number]) => boolean) => {
    const names = room.participants.filter(match).map((p) => p.name);
    // Anonymous mode blanks every name (input.ts `anonymised`): the group then says how many.
    if (names.length > 0) groups.push({ label: label(names.length), color, names: names.every((n) => n === '') ? [String(names.length)] : names });
  };
  const known = new Set(room.actors.map((a) => a.id));
  for (const actor of room.actors) pick(() => actor.name, actor.color, (p) => p.role === 'participant' && p.actorId === actor.id);
  pick(() => s.otherParticipants, null, (p) => p.role === 'participant' && (p.actorId === null || !known.has(p.actorId)));
  pick((n) => s.role.facilitator[n === 1 ? 0 : 1], null, (p) => p.role === 'facilitator');
  pick((n) => s.role.observer[n === 1 ? 0 : 1], null, (p) => p.role === 'observer');
  return groups;
}

function flipcharts(room: RoomSnapshot, notes: readonly WallNote[], language: Language, s: MemoStrings): Flipchart[] {
  const known = new Set(room.actors.map((a) => a.id));
  const chart = (label: string, color: string | null, own: WallNote[], others: readonly Actor[]): Flipchart => {
    const questions: FlipchartQuestion[] = room.questions.map((question) => {
      const answers = own.filter((n) => n.questionId === question.id);
      if (!question.perActor) return { heading: questionHeading(question, language), groups: [{ label: null, notes: answers.map((n) => n.text.trim()) }] };
      const aboutLabel = question.kind === 'offer' ? s.aboutTo : question.kind === 'benefit' ? s.aboutFrom : s.about;
      const groups: FlipchartGroup[] = others.map((other) => ({
        label: fill(aboutLabel, { actor: other.name }),
        notes: answers.filter((n) => n.aboutActorId === other.id).map((n) => n.text.trim()),
      }));
      const unplaced = answers.filter((n) => !others.some((o) => o.id === n.aboutActorId));
      if (unplaced.length > 0) groups.push({ label: s.aboutUnknown, notes: unplaced.map((n) => n.text.trim()) });
      return { heading: questionHeading(question, language), groups };
    });
    // Notes for a question the room no longer has (removed from a blank board) are still shown.
    const askedIds = new Set(room.questions.map((q) => q.id));
    const strays = [...new Set(own.filter((n) => !askedIds.has(n.questionId)).map((n) => n.questionId))].sort();
    for (const id of strays) {
      questions.push({ heading: fill(s.otherQuestion, { id }), groups: [{ label: null, notes: own.filter((n) => n.questionId === id).map((n) => n.text.trim()) }] });
    }
    return { label, color, questions };
  };
  const charts = room.actors.map((actor) =>
    chart(actor.name, actor.color, notes.filter((n) => n.actorId === actor.id), room.actors.filter((a) => a.id !== actor.id)),
  );
  const orphans = notes.filter((n) => n.actorId === null || !known.has(n.actorId));
  if (orphans.length > 0) {
    // Not a real flipchart: only the questions these notes answer.
    const orphanChart = chart(s.notesWithoutActor, null, orphans, room.actors);
    orphanChart.questions = orphanChart.questions.filter((q) => q.groups.some((g) => g.notes.length > 0));
    charts.push(orphanChart);
  }
  return charts;
}
