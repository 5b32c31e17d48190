import { z } from 'zod';
import { localisedTextSchema } from './common';

/**
 * A heading on every flipchart. `key` is the method's number ('1a' … '4b') or a template key;
 * `perActor` questions (1a, 2a) are answered separately about each other actor.
 */
export const QUESTION_KINDS = ['offer', 'benefit', 'strength', 'challenge', 'discussion', 'open'] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

export const questionSchema = z.object({
  id: z.string().regex(/^[0-9A-Za-z-]{1,32}$/),
  order: z.number().finite(),
  kind: z.enum(QUESTION_KINDS),
  perActor: z.boolean().default(false),
  text: localisedTextSchema,
});
export type Question = z.infer<typeof questionSchema>;
