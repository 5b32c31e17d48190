import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { addQuestion, deleteQuestion, moveQuestion, questionLimits, questionUses, updateQuestion } from '../../shared/ops/questions';
import { initRoom } from '../../shared/ops/room';
import { setMemoShared } from '../../shared/ops/session';
import { LOCAL_ORIGIN } from '../../shared/origins';
import { readRoom } from '../../shared/read/snapshot';
import { expectArvoError, NOW } from './helpers';

const UNUSED = { usedByRound: false, noteCount: 0 };

function blankRoom(): Y.Doc {
  const doc = new Y.Doc();
  initRoom(doc, { title: 'Tyhjä', template: 'blank', language: 'fi' }, NOW, LOCAL_ORIGIN);
  return doc;
}
const ids = (doc: Y.Doc) => readRoom(doc).questions.map((q) => q.id);

describe('question editor operations', () => {
  it('adds questions at the end, with both languages, read back by readRoom', () => {
    const doc = blankRoom();
    const a = addQuestion(doc, { kind: 'challenge', text: { fi: 'Haasteet?', en: 'Challenges?' } }, LOCAL_ORIGIN);
    const b = addQuestion(doc, { text: { fi: '', en: 'Only English' }, perActor: true }, LOCAL_ORIGIN);
    expect(ids(doc)).toEqual(['q1', a.id, b.id]);
    const read = readRoom(doc).questions;
    expect(read[1]).toMatchObject({ kind: 'challenge', perActor: false, text: { fi: 'Haasteet?', en: 'Challenges?' }, order: 2 });
    expect(read[2]).toMatchObject({ kind: 'open', perActor: true, order: 3, text: { fi: 'Only English', en: 'Only English' } });
    // Short keys for the flipcharts' badges, never one already taken.
    expect([a.id, b.id]).toEqual(['q2', 'q3']);
    deleteQuestion(doc, 'q2', UNUSED, LOCAL_ORIGIN);
    expect(addQuestion(doc, { text: { fi: 'C', en: 'C' } }, LOCAL_ORIGIN).id).toBe('q4');
  });

  it('refuses a question without any text, an unknown kind and too long a text', () => {
    const doc = blankRoom();
    expectArvoError(() => addQuestion(doc, { text: { fi: ' ', en: '' } }, LOCAL_ORIGIN), 'invalid-input');
    expectArvoError(() => addQuestion(doc, { kind: 'gossip' as never, text: { fi: 'a', en: 'a' } }, LOCAL_ORIGIN), 'invalid-input');
    expectArvoError(() => addQuestion(doc, { text: { fi: 'x'.repeat(501), en: 'a' } }, LOCAL_ORIGIN), 'invalid-input');
    expect(ids(doc)).toEqual(['q1']);
  });

  it('edits text, kind and per-actor flag of an unused question', () => {
    const doc = blankRoom();
    updateQuestion(doc, 'q1', { text: { fi: 'Uusi', en: 'New' }, kind: 'strength', perActor: true }, UNUSED, LOCAL_ORIGIN);
    expect(readRoom(doc).questions[0]).toMatchObject({ text: { fi: 'Uusi', en: 'New' }, kind: 'strength', perActor: true });
    expectArvoError(() => updateQuestion(doc, 'nope', { kind: 'open' }, UNUSED, LOCAL_ORIGIN), 'not-found');
  });

  it('a used question keeps its kind and flag but its text can be fixed', () => {
    const doc = blankRoom();
    const used = { usedByRound: true, noteCount: 0 };
    expectArvoError(() => updateQuestion(doc, 'q1', { kind: 'challenge' }, used, LOCAL_ORIGIN), 'conflict');
    expectArvoError(() => updateQuestion(doc, 'q1', { perActor: true }, { usedByRound: false, noteCount: 2 }, LOCAL_ORIGIN), 'conflict');
    // The same kind again is no change: saving the whole form with a new text is fine.
    updateQuestion(doc, 'q1', { kind: 'open', perActor: false, text: { fi: 'Korjattu', en: 'Fixed' } }, used, LOCAL_ORIGIN);
    expect(readRoom(doc).questions[0]).toMatchObject({ kind: 'open', text: { fi: 'Korjattu', en: 'Fixed' } });
  });

  it('reorders with up and down; nothing happens past the ends', () => {
    const doc = blankRoom();
    const a = addQuestion(doc, { text: { fi: 'A', en: 'A' } }, LOCAL_ORIGIN).id;
    const b = addQuestion(doc, { text: { fi: 'B', en: 'B' } }, LOCAL_ORIGIN).id;
    moveQuestion(doc, b, -1, LOCAL_ORIGIN);
    expect(ids(doc)).toEqual(['q1', b, a]);
    moveQuestion(doc, 'q1', 1, LOCAL_ORIGIN);
    expect(ids(doc)).toEqual([b, 'q1', a]);
    moveQuestion(doc, b, -1, LOCAL_ORIGIN);
    moveQuestion(doc, a, 1, LOCAL_ORIGIN);
    expect(ids(doc)).toEqual([b, 'q1', a]);
    expectArvoError(() => moveQuestion(doc, 'nope', 1, LOCAL_ORIGIN), 'not-found');
  });

  it('deletes an unused question and refuses one a round asked or notes answer', () => {
    const doc = blankRoom();
    const a = addQuestion(doc, { text: { fi: 'A', en: 'A' } }, LOCAL_ORIGIN).id;
    expectArvoError(() => deleteQuestion(doc, a, { usedByRound: true, noteCount: 0 }, LOCAL_ORIGIN), 'conflict');
    expectArvoError(() => deleteQuestion(doc, a, { usedByRound: false, noteCount: 1 }, LOCAL_ORIGIN), 'conflict');
    deleteQuestion(doc, a, UNUSED, LOCAL_ORIGIN);
    expect(ids(doc)).toEqual(['q1']);
    expectArvoError(() => deleteQuestion(doc, a, UNUSED, LOCAL_ORIGIN), 'not-found');
  });

  it('questionUses counts notes per question and marks the round question', () => {
    const uses = questionUses([{ id: 'a' }, { id: 'b' }, { id: 'c' }], 'b', [{ questionId: 'a' }, { questionId: 'a' }, { questionId: 'gone' }]);
    expect(uses.get('a')).toEqual({ usedByRound: false, noteCount: 2 });
    expect(uses.get('b')).toEqual({ usedByRound: true, noteCount: 0 });
    expect(questionLimits(uses.get('c')!)).toEqual({ canEditText: true, canEditShape: true, canDelete: true });
    expect(questionLimits(uses.get('a')!)).toEqual({ canEditText: true, canEditShape: false, canDelete: false });
  });

  it('sharing the memo sets and clears the time in the session', () => {
    const doc = blankRoom();
    expect(readRoom(doc).session.memoSharedAt ?? null).toBeNull();
    setMemoShared(doc, NOW, LOCAL_ORIGIN);
    expect(readRoom(doc).session.memoSharedAt).toBe(NOW);
    setMemoShared(doc, null, LOCAL_ORIGIN);
    expect(readRoom(doc).session.memoSharedAt).toBeNull();
  });
});
