/**
 * The inspector's answer. `invalid-content` names a rule of the document's schema that the update
 * breaks; `missing-dependency` an update that refers to something neither it nor the server's
 * document has (Yjs would park it as pending, outside every size guard, and retry it forever).
 */
export type RefusalRule = 'invalid-content' | 'missing-dependency';

export interface Refusal {
  rule: RefusalRule;
  /** Short, for the writer and the log (never contains more than a key or a field name). */
  why: string;
}

export const invalid = (why: string): Refusal => ({ rule: 'invalid-content', why: why.slice(0, 160) });
export const missing = (why: string): Refusal => ({ rule: 'missing-dependency', why: why.slice(0, 160) });
