import { describe, expect, it } from 'vitest';
import type { Actor } from '../../shared/schema/actor';
import type { Question } from '../../shared/schema/question';
import { NOTE_TEXT_MAX } from '../../shared/schema/note';
import { templateQuestions } from '../../shared/templates/questions';
import { areaKey, findArea, layoutWall, type AreaLayout } from '../../client/src/model/layout';
import { planNewNote, type NewNoteContext, type NewNotePlan } from '../../client/src/model/newNote';
import { pasteOverflow } from '../../client/src/model/noteText';
import { dropArea } from '../../client/src/canvas/placement';

/** Issue 9, "safe editing": the pure rules behind the wall's New note, drops on per-actor columns and the paste limit. */

const actor = (id: string, order: number): Actor => ({ id: id.padEnd(16, '0'), name: id, color: '#77aadd', order });
const A = actor('A', 1);
const B = actor('B', 2);
const C = actor('C', 3);
const QUESTIONS: Question[] = templateQuestions('value-network');
const layout = layoutWall([A, B, C], QUESTIONS, []);
const area = (key: string): AreaLayout => findArea(layout, key)!;
const middle = (a: AreaLayout) => ({ x: a.body.x + a.body.width / 2, y: a.body.y + a.body.height / 2 });
const A_1A_B = areaKey(A.id, '1a', B.id);
const A_1A_C = areaKey(A.id, '1a', C.id);
const A_3A = areaKey(A.id, '3a');
const B_3A = areaKey(B.id, '3a');

const base: NewNoteContext = { myActorId: A.id, roundQuestionId: null, pointer: null, centre: null, lastAreaKey: null, canWriteIn: () => true };
const summary = (plan: NewNotePlan) =>
  plan.kind === 'area' ? `area ${plan.area.key}` : plan.kind === 'ask' ? `ask ${plan.choices.length} [${plan.choices.map((c) => c.question.id).join(',')}] first ${plan.preselected}` : 'none';
const allMine = layout.flipcharts[0]!.areas;

describe('planNewNote: where an unpointed New note goes', () => {
  const cases: Array<[string, Partial<NewNoteContext>, string]> = [
    // During a round: the round's question.
    ['round on a plain question', { roundQuestionId: '3a' }, `area ${A_3A}`],
    ['round on a plain question, pointer elsewhere', { roundQuestionId: '3a', pointer: middle(area(A_1A_C)) }, `area ${A_3A}`],
    // A per-actor round question: the column pointed at, last written in, or at the centre; else ask.
    ['round on 1a, pointer on the second column', { roundQuestionId: '1a', pointer: middle(area(A_1A_C)) }, `area ${A_1A_C}`],
    ['round on 1a, last wrote in the second column', { roundQuestionId: '1a', lastAreaKey: A_1A_C }, `area ${A_1A_C}`],
    ['round on 1a, pointer beats last', { roundQuestionId: '1a', pointer: middle(area(A_1A_B)), lastAreaKey: A_1A_C }, `area ${A_1A_B}`],
    ['round on 1a, centre of the view on the second column', { roundQuestionId: '1a', centre: middle(area(A_1A_C)) }, `area ${A_1A_C}`],
    ['round on 1a, pointer on another question', { roundQuestionId: '1a', pointer: middle(area(A_3A)) }, 'ask 2 [1a,1a] first null'],
    ['round on 1a, pointer on another flipchart', { roundQuestionId: '1a', pointer: middle(area(areaKey(B.id, '1a', A.id))) }, 'ask 2 [1a,1a] first null'],
    // Outside a round: always ask, offering the pointed / last / centre area first.
    ['no round', {}, `ask ${allMine.length} [${allMine.map((a) => a.question.id).join(',')}] first ${allMine[0]!.key}`],
    ['no round, pointer on 3a', { pointer: middle(area(A_3A)) }, `ask ${allMine.length} [${allMine.map((a) => a.question.id).join(',')}] first ${A_3A}`],
    ['no round, last 1a/C', { lastAreaKey: A_1A_C, centre: middle(area(A_3A)) }, `ask ${allMine.length} [${allMine.map((a) => a.question.id).join(',')}] first ${A_1A_C}`],
    ['no round, last on someone else’s flipchart', { lastAreaKey: B_3A }, `ask ${allMine.length} [${allMine.map((a) => a.question.id).join(',')}] first ${allMine[0]!.key}`],
    // Locks: only what can be written now is offered.
    ['locked wall, no round', { canWriteIn: () => false }, 'none'],
    ['locked wall, round on 3a', { roundQuestionId: '3a', canWriteIn: (q) => q === '3a' }, `area ${A_3A}`],
    ['no flipchart (facilitator)', { myActorId: null }, 'none'],
    ['round question not on the wall', { roundQuestionId: '9z', pointer: middle(area(A_3A)) }, `ask ${allMine.length} [${allMine.map((a) => a.question.id).join(',')}] first ${A_3A}`],
  ];
  it.each(cases)('%s', (_name, context, expected) => {
    expect(summary(planNewNote(layout, { ...base, ...context }))).toBe(expected);
  });
});

describe('per-actor columns: a drop or double-click point gives that column’s aboutActorId', () => {
  it.each([
    ['first column', A_1A_B, B.id],
    ['second column', A_1A_C, C.id],
  ])('%s', (_name, key, about) => {
    const target = area(key);
    expect(dropArea(layout, middle(target), A.id)?.aboutActor?.id).toBe(about);
    // Near the right edge of the column still counts as that column.
    expect(dropArea(layout, { x: target.x + target.width - 2, y: target.body.y + 10 }, A.id)?.aboutActor?.id).toBe(about);
  });
});

describe('pasteOverflow: a paste that would exceed the limit is refused, not cut', () => {
  it.each([
    ['empty field, short paste', '', 0, 0, 'x'.repeat(10), 0],
    ['empty field, exactly the limit', '', 0, 0, 'x'.repeat(NOTE_TEXT_MAX), 0],
    ['empty field, 600 characters', '', 0, 0, 'x'.repeat(600), 100],
    ['400 typed, 101 pasted at the end', 'a'.repeat(400), 400, 400, 'b'.repeat(101), 1],
    ['400 typed, 150 replace a 60-character selection', 'a'.repeat(400), 10, 70, 'b'.repeat(150), 0],
    ['400 typed, 200 replace a 50-character selection', 'a'.repeat(400), 0, 50, 'b'.repeat(200), 50],
    ['selection out of range is clamped', 'a'.repeat(10), 50, 5, 'b'.repeat(495), 5],
  ])('%s', (_name, current, start, end, pasted, over) => {
    expect(pasteOverflow(current, start, end, pasted)).toBe(over);
  });
});
