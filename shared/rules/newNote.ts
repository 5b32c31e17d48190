/**
 * Where a note made without pointing at a spot goes (the wall's "New note" button and N key).
 * Pure: the wall gives what it knows (the round, the pointer, the centre of the view, the area
 * last written in) and gets either an area or a question to ask. Structural over the layout, so
 * shared code never imports the client's layout module: any layout with flipcharts of keyed,
 * rectangular areas fits, and the plan hands back the caller's own area objects.
 *
 * Rules (issue 9, "safe editing"):
 * - During a writing round the round's question is used. A per-actor question (1a, 2a) has one
 *   column per other actor: the column under the pointer, else the one you last wrote in, else
 *   the one at the centre of the view; when none of these is a column of that question, ask.
 * - Outside a round there is no question to assume (the previous round's is just as likely to be
 *   wrong as right): always ask, with the area under the pointer, the last one written in or the
 *   one at the centre of the view offered first.
 */
export interface PlanArea {
  /** `${actorId}/${questionId}` or `${actorId}/${questionId}/${aboutActorId}`. */
  key: string;
  question: { id: string };
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlanLayout<A extends PlanArea> {
  flipcharts: readonly { actor: { id: string }; areas: readonly A[] }[];
}

export interface Point {
  x: number;
  y: number;
}

/** What the view knows about where the person is looking (none of it is a rule). */
export interface NewNoteHints {
  /** Board point under the mouse, or null when the mouse is not on the wall. */
  pointer: Point | null;
  /** Board point at the centre of the visible part of the wall. */
  centre: Point | null;
  lastAreaKey: string | null;
}

export interface NewNoteContext extends NewNoteHints {
  myActorId: string | null;
  /** The open round's question, or null when no round is open. */
  roundQuestionId: string | null;
  /** The facilitator's locks: whether a note can be added under this question now. */
  canWriteIn: (questionId: string) => boolean;
}

export type NewNotePlan<A extends PlanArea = PlanArea> =
  | { kind: 'area'; area: A }
  /** Ask which of `choices`; `preselected` is the key of the one to offer first. */
  | { kind: 'ask'; choices: A[]; preselected: string | null }
  | { kind: 'none' };

const inside = (area: PlanArea, point: Point) => point.x >= area.x && point.x < area.x + area.width && point.y >= area.y && point.y < area.y + area.height;

export function planNewNote<A extends PlanArea>(layout: PlanLayout<A>, context: NewNoteContext): NewNotePlan<A> {
  const flipchart = layout.flipcharts.find((f) => f.actor.id === context.myActorId);
  if (!flipchart) return { kind: 'none' };
  const writable = flipchart.areas.filter((a) => context.canWriteIn(a.question.id));
  if (writable.length === 0) return { kind: 'none' };

  // Hints count only on your own flipchart (you never write on anyone else's).
  const mine = (point: Point | null) => (point ? (flipchart.areas.find((a) => inside(a, point)) ?? null) : null);
  const last = context.lastAreaKey ? (layout.flipcharts.flatMap((f) => f.areas).find((a) => a.key === context.lastAreaKey) ?? null) : null;
  const hints = [mine(context.pointer), last, mine(context.centre)];

  if (context.roundQuestionId) {
    const inRound = writable.filter((a) => a.question.id === context.roundQuestionId);
    if (inRound.length === 1) return { kind: 'area', area: inRound[0]! };
    if (inRound.length > 1) {
      const hinted = hints.find((h) => h && inRound.some((a) => a.key === h.key));
      if (hinted) return { kind: 'area', area: hinted };
      return { kind: 'ask', choices: inRound, preselected: null };
    }
    // The round's question is not on this wall (or not writable): fall through and ask.
  }
  const preselected = hints.find((h) => h && writable.some((a) => a.key === h.key))?.key ?? writable[0]!.key;
  return { kind: 'ask', choices: writable, preselected };
}
