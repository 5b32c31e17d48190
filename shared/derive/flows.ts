import { CLIENTS_NODE, type FlowNode } from '../schema/flow';
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
  label: string;
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
    const flow = flows.get(key) ?? { from: ends[0], to: ends[1], noteRefs: [], label: '' };
    flow.noteRefs.push(refOf(note));
    flows.set(key, flow);
  }
  for (const flow of flows.values()) flow.label = summarise(flow.noteRefs.map((ref) => notes.find((n) => refOf(n) === ref)!.text));
  return [...flows.values()];
}

export function deriveFutureFlows(matrix: Matrix): ProposedFlow[] {
  const flows = new Map<string, ProposedFlow>();
  for (const row of matrix.rows) {
    const challengers = new Set(row.challenges.map((n) => n.actorId).filter((a): a is string => a !== null));
    for (const group of row.strengths) {
      // A challenge named only by the strength's own actor still benefits the clients.
      const targets = [...challengers].filter((a) => a !== group.actor.id);
      for (const to of targets.length > 0 ? targets : [CLIENTS_NODE]) {
        const key = `${group.actor.id}->${to}`;
        const flow = flows.get(key) ?? { from: group.actor.id, to, noteRefs: [], label: '' };
        for (const item of group.items) for (const note of item.notes) if (!flow.noteRefs.includes(refOf(note))) flow.noteRefs.push(refOf(note));
        flow.label = flow.label ? `${flow.label}; ${row.theme.name}` : row.theme.name;
        flows.set(key, flow);
      }
    }
  }
  return [...flows.values()];
}

function summarise(texts: string[]): string {
  const joined = texts.join('; ');
  return joined.length > 120 ? `${joined.slice(0, 117)}…` : joined;
}
