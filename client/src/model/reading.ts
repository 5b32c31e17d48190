import type { Actor } from '../../../shared/schema/actor';
import type { Question } from '../../../shared/schema/question';
import type { AuthoredNote } from '../sync/types';

/**
 * Read-aloud order (METHOD.md: "all answers are read aloud"): actor by actor in the wall's
 * order, question by question, per-actor questions by the actor they are about, then by time.
 * Drafts are never read aloud. Returns noteRefs (`participantId/noteId`).
 */
export function readingOrder(actors: readonly Actor[], questions: readonly Question[], notes: readonly AuthoredNote[]): string[] {
  const actorRank = new Map(actors.map((a, i) => [a.id, i]));
  const questionRank = new Map(questions.map((q, i) => [q.id, i]));
  const rank = (id: string | null | undefined, ranks: Map<string, number>) => (id ? (ranks.get(id) ?? Number.MAX_SAFE_INTEGER) : -1);
  return notes
    .filter((n) => !n.draft && n.actorId && actorRank.has(n.actorId) && questionRank.has(n.questionId))
    .sort(
      (a, b) =>
        rank(a.actorId, actorRank) - rank(b.actorId, actorRank) ||
        rank(a.questionId, questionRank) - rank(b.questionId, questionRank) ||
        rank(a.aboutActorId, actorRank) - rank(b.aboutActorId, actorRank) ||
        a.createdAt - b.createdAt ||
        a.id.localeCompare(b.id),
    )
    .map((n) => `${n.participantId}/${n.id}`);
}

/** The next (or previous) ref in reading order from the current focus; wraps to the start. */
export function step(order: readonly string[], current: string | null, direction: 1 | -1): string | null {
  if (order.length === 0) return null;
  const index = current ? order.indexOf(current) : -1;
  if (index === -1) return direction === 1 ? order[0]! : order[order.length - 1]!;
  return order[Math.min(order.length - 1, Math.max(0, index + direction))]!;
}

/** mm:ss for the countdown; negative time (overtime) shown with a leading minus. */
export function formatClock(ms: number): string {
  const total = Math.ceil(Math.abs(ms) / 1000);
  const text = `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
  return ms < 0 ? `−${text}` : text;
}
