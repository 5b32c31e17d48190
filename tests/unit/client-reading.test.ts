import { describe, expect, it } from 'vitest';
import { formatClock, readingOrder, step } from '../../client/src/model/reading';
import type { AuthoredNote } from '../../client/src/sync/types';

const actors = [
  { id: 'A'.repeat(16), name: 'Associations', color: '#77aadd', order: 1 },
  { id: 'B'.repeat(16), name: 'LINKKU', color: '#ee8866', order: 2 },
];
const questions = [
  { id: '1a', order: 1, kind: 'offer' as const, perActor: true, text: { fi: '', en: '' } },
  { id: '3a', order: 5, kind: 'strength' as const, perActor: false, text: { fi: '', en: '' } },
];
let seq = 0;
const note = (actorId: string, questionId: string, createdAt: number, extra: Partial<AuthoredNote> = {}): AuthoredNote => ({
  id: `n${String(++seq).padStart(15, '0')}`,
  participantId: `p${actorId.slice(0, 1).repeat(15)}`,
  authorName: 'x',
  actorId,
  questionId,
  text: `${actorId.slice(0, 1)} ${questionId} ${createdAt}`,
  x: 0,
  y: 0,
  createdAt,
  mine: false,
  draft: false,
  ...extra,
});

describe('read-aloud order', () => {
  it('goes actor by actor, question by question, about-actor, then time; skips drafts and orphans', () => {
    const [a, b] = actors.map((x) => x.id) as [string, string];
    const notes = [
      note(b, '3a', 1),
      note(a, '3a', 5),
      note(a, '1a', 9, { aboutActorId: b }),
      note(a, '3a', 2),
      note(a, '3a', 3, { draft: true }),
      note('C'.repeat(16), '3a', 1),
      note(a, 'zz', 1),
    ];
    const order = readingOrder(actors, questions, notes);
    const texts = order.map((ref) => notes.find((n) => `${n.participantId}/${n.id}` === ref)!.text);
    expect(texts).toEqual(['A 1a 9', 'A 3a 2', 'A 3a 5', 'B 3a 1']);
  });

  it('steps forward and back, starting at either end and stopping at the edges', () => {
    const order = ['r1', 'r2', 'r3'];
    expect(step(order, null, 1)).toBe('r1');
    expect(step(order, null, -1)).toBe('r3');
    expect(step(order, 'r1', 1)).toBe('r2');
    expect(step(order, 'r3', 1)).toBe('r3');
    expect(step(order, 'r1', -1)).toBe('r1');
    expect(step(order, 'gone', 1)).toBe('r1');
    expect(step([], 'r1', 1)).toBeNull();
  });

  it('formats the countdown as m:ss, rounding up, with overtime negative', () => {
    expect(formatClock(600_000)).toBe('10:00');
    expect(formatClock(59_001)).toBe('1:00');
    expect(formatClock(1)).toBe('0:01');
    expect(formatClock(0)).toBe('0:00');
    expect(formatClock(-61_000)).toBe('−1:01');
  });
});
