import type * as Y from 'yjs';
import { z } from 'zod';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { LANGUAGES } from '../schema/common';
import { roomRoots, toYMap } from '../schema/layout';
import { QUESTION_KINDS, questionSchema, type Question } from '../schema/question';
import { parseInput } from './validate';

/**
 * The facilitator's question editor (issue 9): add, edit, reorder and delete the headings of the
 * flipcharts. Pure document operations; the rules about what a used question still allows are in
 * `questionUse` so the UI can disable (and explain) what these functions would refuse.
 */

export const MAX_QUESTIONS = 40;

const textSchema = questionSchema.shape.text;
export const questionInputSchema = z.object({
  kind: z.enum(QUESTION_KINDS).default('open'),
  perActor: z.boolean().default(false),
  text: textSchema,
});
export type QuestionInput = z.input<typeof questionInputSchema>;

export const questionPatchSchema = z.object({ kind: z.enum(QUESTION_KINDS), perActor: z.boolean(), text: textSchema }).partial();
export type QuestionPatch = z.input<typeof questionPatchSchema>;

/** What a question is already part of: a round asked it, or notes answer it. */
export interface QuestionUse {
  /** The current (or last) round is or was about this question. */
  usedByRound: boolean;
  /** Notes (posted, or drafts the reader can see) answer this question. */
  noteCount: number;
}

/**
 * What may still change about a question. The text may always be fixed (a typo must not wait);
 * the kind and per-actor flag decide where its notes go in the analysis and on the flipcharts, so
 * they freeze once a round has asked it or notes exist; deletion would orphan notes, so it is refused too.
 */
export function questionLimits(use: QuestionUse): { canEditText: boolean; canEditShape: boolean; canDelete: boolean } {
  const used = use.usedByRound || use.noteCount > 0;
  return { canEditText: true, canEditShape: !used, canDelete: !used };
}

/** The use of each question, from the round in the session and the notes the caller can see. */
export function questionUses(questions: readonly Pick<Question, 'id'>[], roundQuestionId: string | null, notes: readonly { questionId: string }[]): Map<string, QuestionUse> {
  const uses = new Map<string, QuestionUse>(questions.map((q) => [q.id, { usedByRound: q.id === roundQuestionId, noteCount: 0 }]));
  for (const note of notes) {
    const use = uses.get(note.questionId);
    if (use) use.noteCount++;
  }
  return uses;
}

/**
 * Every language gets a text: an empty one takes the first text given, so the heading never
 * shows blank after a language switch (the facilitator may translate it later).
 */
function filled(text: Question['text']): Question['text'] {
  const given = LANGUAGES.map((language) => (text[language] ?? '').trim()).find((value) => value !== '');
  if (given === undefined) throw new ArvoError('invalid-input', 'a question needs a text in at least one language');
  return Object.fromEntries(LANGUAGES.map((language) => [language, (text[language] ?? '').trim() || given])) as Question['text'];
}

/**
 * A short key the flipcharts can show as the question's badge ('q2', 'q3' …), like the method's
 * '1a' … '4b'. Two facilitator devices adding at the same instant could pick the same key (one
 * question would win); a random id would avoid that but shows as gibberish on every flipchart.
 */
export function nextQuestionId(doc: Y.Doc): string {
  const { questions } = roomRoots(doc);
  let n = questions.size + 1;
  while (questions.has(`q${n}`)) n++;
  return `q${n}`;
}

function orders(doc: Y.Doc): number[] {
  return [...roomRoots(doc).questions.values()].map((q) => Number(q.get('order'))).filter(Number.isFinite);
}

/** Adds a question at the end, with a text in every language (see `filled`). */
export function addQuestion(doc: Y.Doc, input: QuestionInput, origin: TransactionOrigin, id: string = nextQuestionId(doc)): Question {
  const parsed = parseInput(questionInputSchema, input, 'question');
  const text = filled(parsed.text);
  const { questions } = roomRoots(doc);
  if (questions.size >= MAX_QUESTIONS) throw new ArvoError('limit-exceeded', `at most ${MAX_QUESTIONS} questions`);
  const existing = orders(doc);
  const question: Question = { id, order: existing.length === 0 ? 1 : Math.max(...existing) + 1, kind: parsed.kind, perActor: parsed.perActor, text };
  parseInput(questionSchema, question, 'question');
  doc.transact(() => questions.set(id, toYMap({ ...question })), origin);
  return question;
}

/** Changes a question's text, kind or per-actor flag; `use` refuses a shape change of a used question. */
export function updateQuestion(doc: Y.Doc, questionId: string, patch: QuestionPatch, use: QuestionUse, origin: TransactionOrigin): void {
  const parsed = parseInput(questionPatchSchema, patch, 'question change');
  const question = roomRoots(doc).questions.get(questionId);
  if (!question) throw new ArvoError('not-found', `no question ${questionId}`);
  const shapeChanges = (parsed.kind !== undefined && parsed.kind !== question.get('kind')) || (parsed.perActor !== undefined && parsed.perActor !== question.get('perActor'));
  if (shapeChanges && !questionLimits(use).canEditShape) throw new ArvoError('conflict', 'this question is already in use: only its text can change');
  const text = parsed.text ? filled(parsed.text) : undefined;
  doc.transact(() => {
    for (const [key, value] of Object.entries({ ...parsed, text })) if (value !== undefined) question.set(key, value);
  }, origin);
}

/** Swaps a question's place with its neighbour above (-1) or below (+1); nothing at the ends. */
export function moveQuestion(doc: Y.Doc, questionId: string, direction: -1 | 1, origin: TransactionOrigin): void {
  const { questions } = roomRoots(doc);
  const sorted = [...questions.entries()]
    .map(([id, q]) => ({ id, order: Number(q.get('order')) }))
    .filter((q) => Number.isFinite(q.order))
    .sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  const index = sorted.findIndex((q) => q.id === questionId);
  if (index < 0) throw new ArvoError('not-found', `no question ${questionId}`);
  const other = sorted[index + direction];
  if (!other) return;
  const self = sorted[index]!;
  // Equal orders (a hand-made document) would swap to the same place: renumber instead.
  const [selfOrder, otherOrder] = self.order === other.order ? [other.order + direction, other.order] : [other.order, self.order];
  doc.transact(() => {
    questions.get(self.id)!.set('order', selfOrder);
    questions.get(other.id)!.set('order', otherOrder);
  }, origin);
}

/** Deletes an unused question; a used one (round or notes) is refused so no note loses its heading. */
export function deleteQuestion(doc: Y.Doc, questionId: string, use: QuestionUse, origin: TransactionOrigin): void {
  const { questions } = roomRoots(doc);
  if (!questions.has(questionId)) throw new ArvoError('not-found', `no question ${questionId}`);
  if (!questionLimits(use).canDelete) throw new ArvoError('conflict', 'this question is already in use and cannot be deleted');
  doc.transact(() => questions.delete(questionId), origin);
}
