import { z } from 'zod';
import { colorSchema, idSchema, nameSchema } from './common';

/** An organisation or sector in the workshop (in the dialogue template: a discussion group). */
export const actorSchema = z.object({
  id: idSchema,
  name: nameSchema,
  color: colorSchema,
  order: z.number().finite(),
});
export type Actor = z.infer<typeof actorSchema>;

export const actorInputSchema = z.object({
  name: nameSchema,
  color: colorSchema.optional(),
});
export type ActorInput = z.input<typeof actorInputSchema>;
