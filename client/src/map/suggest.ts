import { deriveCurrentFlows, deriveFutureFlows, guessFlowKind, type ProposedFlow } from '../../../shared/derive/flows';
import { buildMatrix } from '../../../shared/derive/matrix';
import { refOf, type WallNote } from '../../../shared/derive/types';
import type { AnalysisSnapshot } from '../../../shared/read/analysis';
import type { Actor } from '../../../shared/schema/actor';
import type { Flow } from '../../../shared/schema/flow';
import type { Question } from '../../../shared/schema/question';

/**
 * "Suggest flows from the notes": the derivations' proposals minus what is already on the map.
 * A proposal is on the map when a flow of the same layer and the same ends already holds its
 * notes; notes written later for such a pair are proposed again, on their own, for the
 * facilitator to add (and merge if they are the same value).
 */
export interface Suggestion extends ProposedFlow {
  layer: Flow['layer'];
  /** A flow of this layer between the same ends that is already on the map. */
  existingFlowId: string | null;
}

export interface SuggestInput {
  notes: readonly (WallNote & { draft?: boolean })[];
  questions: readonly Question[];
  analysis: AnalysisSnapshot;
  actors: readonly Actor[];
}

export function proposals(input: SuggestInput, layer: Flow['layer']): ProposedFlow[] {
  // Only what is on the wall: a draft is its author's own until the round ends.
  const notes = input.notes.filter((n) => !n.draft);
  if (layer === 'current') return deriveCurrentFlows(notes, input.questions);
  return deriveFutureFlows(buildMatrix(input.analysis, notes, input.actors));
}

function summarise(texts: string[]): string {
  const joined = texts.join('; ');
  return joined.length > 120 ? `${joined.slice(0, 117)}…` : joined;
}

export function suggestFlows(proposed: readonly ProposedFlow[], flows: readonly Flow[], layer: Flow['layer'], notes: readonly WallNote[]): Suggestion[] {
  const textOf = new Map(notes.map((n) => [refOf(n), n.text]));
  const out: Suggestion[] = [];
  for (const proposal of proposed) {
    const same = flows.filter((f) => f.layer === layer && f.from === proposal.from && f.to === proposal.to);
    const covered = new Set(same.flatMap((f) => f.noteRefs));
    const remaining = proposal.noteRefs.filter((ref) => !covered.has(ref));
    if (remaining.length === 0) continue;
    const partial = remaining.length < proposal.noteRefs.length;
    // Current labels are the notes' own words: relabel from the notes that are left.
    const label = partial && layer === 'current' ? summarise(remaining.map((ref) => textOf.get(ref) ?? '').filter(Boolean)) : proposal.label;
    const kind = partial && layer === 'current' ? guessFlowKind(label) : proposal.kind;
    out.push({ ...proposal, noteRefs: remaining, label: label.slice(0, 200), kind, layer, existingFlowId: same[0]?.id ?? null });
  }
  return out;
}

export function suggestionsFor(input: SuggestInput, flows: readonly Flow[], layer: Flow['layer']): Suggestion[] {
  return suggestFlows(proposals(input, layer), flows, layer, input.notes);
}
