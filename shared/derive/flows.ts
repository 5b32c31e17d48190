import { CLIENTS_NODE, type Flow, type FlowNode } from '../schema/flow';
import type { Question } from '../schema/question';
import type { Matrix } from './matrix';
import { refOf, type WallNote } from './types';

/**
 * Value flows derived from the wall (METHOD.md): offers (1a/1b) flow from the writer's actor to
 * the actor the note is about, or to clients; benefits (2a/2b) flow to the writer's actor from the
 * one it is about, or from clients. One proposed flow per (from, to), listing its notes. Future
 * flows come from the matrix: a strength linked to a challenge flows from the strength's actor
 * to the actors who named the challenge.
 */
export interface ProposedFlow {
  from: FlowNode;
  to: FlowNode;
  noteRefs: string[];
  /** What flows: the notes' own words (current) or the strengths that meet a need (future). */
  label: string;
  /** Guessed from the words (`guessFlowKind`); the facilitator can change it. */
  kind: Flow['kind'];
}

/**
 * Word stems that mark a tangible value (money, premises, transport, equipment, services you can
 * count) in Finnish and English. Stems, not whole words, because Finnish inflects: "rahoitusta",
 * "tiloissa", "kuljetuksia". Matched at the start of a word; short stems only with a short
 * ending, and a few look-alikes ("tilanne" = situation, "care") are excluded.
 */
const TANGIBLE_STEMS = [
  // Finnish
  'raha', 'rahoitu', 'rahoitt', 'avustu', 'apuraha', 'budjet', 'maksu', 'maksa', 'palkk', 'euro',
  'tila', 'tiloi', 'tiloj', 'toimitil', 'kokoustil', 'huonei', 'huonee', 'sali', 'kiinteist', 'rakennu', 'tontti',
  'kuljetu', 'kuljett', 'kyyti', 'kyydi', 'kulkuneuvo', 'auto', 'bussi', 'taksi', 'liikenne', 'liikentee',
  'laite', 'laitte', 'välinei', 'välinee', 'väline', 'tarvike', 'tarvikkei', 'kalust', 'koneet', 'kone', 'tietokone',
  'ruoka', 'ruoa', 'ruokaa', 'ateri', 'materiaal', 'tuote', 'tuotte', 'henkilöst', 'työvoim', 'palvelu',
  // English
  'money', 'fund', 'grant', 'budget', 'payment', 'pay', 'fee', 'salar', 'cash', 'euro', 'subsid', 'financ',
  'premises', 'space', 'room', 'venue', 'building', 'facilit', 'office', 'hall',
  'transport', 'ride', 'bus', 'car', 'van', 'taxi', 'vehicle',
  'equipment', 'device', 'tool', 'material', 'suppl', 'computer', 'food', 'meal', 'product', 'goods', 'staff', 'service',
];
/** Stems that are too short to match safely at the start of any word: whole word or a known inflection only. */
const SHORT_EXACT = new Set(['tila', 'auto', 'kone', 'sali', 'pay', 'fee', 'car', 'van', 'bus', 'ride', 'room', 'hall', 'tool', 'euro', 'cash', 'fund']);
/** Words that start like a tangible stem but are not ("tilanne" = situation, "autonomy"). */
const NOT_TANGIBLE = ['tilanne', 'tilante', 'tilaisuu', 'autonom', 'automaat', 'tilau', 'tilast', 'palautet', 'care'];

function wordIsTangible(word: string): boolean {
  if (NOT_TANGIBLE.some((stem) => word.startsWith(stem))) return false;
  for (const stem of TANGIBLE_STEMS) {
    if (!word.startsWith(stem)) continue;
    if (!SHORT_EXACT.has(stem)) return true;
    // A short stem: the word itself, a plural or a Finnish case ending of at most four letters.
    if (word.length - stem.length <= 4) return true;
  }
  return false;
}

/**
 * Tangible (money, premises, transport, equipment, services) or intangible (knowledge, contacts,
 * trust): a guess from the words, for suggestions only — the facilitator decides.
 */
export function guessFlowKind(text: string): Flow['kind'] {
  const words = text.toLocaleLowerCase('fi').split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  return words.some(wordIsTangible) ? 'tangible' : 'intangible';
}

export function deriveCurrentFlows(notes: readonly WallNote[], questions: readonly Question[]): ProposedFlow[] {
  const kindOf = new Map(questions.map((q) => [q.id, q]));
  const flows = new Map<string, ProposedFlow>();
  for (const note of notes) {
    const question = kindOf.get(note.questionId);
    if (!question || !note.actorId) continue;
    const other: FlowNode | null = question.perActor ? (note.aboutActorId ?? null) : CLIENTS_NODE;
    if (!other || other === note.actorId) continue;
    let ends: [FlowNode, FlowNode] | null = null;
    if (question.kind === 'offer') ends = [note.actorId, other];
    else if (question.kind === 'benefit') ends = [other, note.actorId];
    if (!ends) continue;
    const key = `${ends[0]}->${ends[1]}`;
    const flow = flows.get(key) ?? { from: ends[0], to: ends[1], noteRefs: [], label: '', kind: 'intangible' as const };
    flow.noteRefs.push(refOf(note));
    flows.set(key, flow);
  }
  for (const flow of flows.values()) {
    const texts = flow.noteRefs.map((ref) => notes.find((n) => refOf(n) === ref)!.text);
    flow.label = summarise(texts);
    flow.kind = guessFlowKind(texts.join(' '));
  }
  return [...flows.values()];
}

/**
 * Future flows say what flows: the strengths themselves (a linked strength theme's name or a
 * strength note's words), not the names of the challenge themes they answer. The challenge's
 * need ("what is needed") takes part in the tangible guess: a strength that meets a need for
 * premises is premises.
 */
export function deriveFutureFlows(matrix: Matrix): ProposedFlow[] {
  const flows = new Map<string, ProposedFlow>();
  const what = new Map<string, string[]>();
  const needs = new Map<string, string[]>();
  for (const row of matrix.rows) {
    const challengers = new Set(row.challenges.map((n) => n.actorId).filter((a): a is string => a !== null));
    for (const group of row.strengths) {
      // A challenge named only by the strength's own actor still benefits the clients.
      const targets = [...challengers].filter((a) => a !== group.actor.id);
      for (const to of targets.length > 0 ? targets : [CLIENTS_NODE]) {
        const key = `${group.actor.id}->${to}`;
        const flow = flows.get(key) ?? { from: group.actor.id, to, noteRefs: [], label: '', kind: 'intangible' as const };
        for (const item of group.items) for (const note of item.notes) if (!flow.noteRefs.includes(refOf(note))) flow.noteRefs.push(refOf(note));
        const labels = what.get(key) ?? [];
        for (const item of group.items) {
          const text = item.label.replace(/\s+/g, ' ').trim();
          if (text && !labels.includes(text)) labels.push(text);
        }
        what.set(key, labels);
        const need = row.theme.need.trim();
        if (need) needs.set(key, [...(needs.get(key) ?? []), need]);
        flows.set(key, flow);
      }
    }
  }
  for (const [key, flow] of flows) {
    const labels = what.get(key) ?? [];
    flow.label = summarise(labels);
    flow.kind = guessFlowKind([...labels, ...(needs.get(key) ?? [])].join(' '));
  }
  return [...flows.values()];
}

function summarise(texts: string[]): string {
  const joined = texts.join('; ');
  return joined.length > 120 ? `${joined.slice(0, 117)}…` : joined;
}
