import { z } from 'zod';
import { coordinateSchema, idSchema, timestampSchema } from './common';

export const NOTE_TEXT_MAX = 500;

/**
 * One answer on one sticky note. Author and actor are not stored: they follow from the document
 * the note lives in (`<workshopId>/p/<participantId>`) and the room's `participants` map, so a
 * client cannot forge them.
 */
export const noteSchema = z.object({
  id: idSchema,
  questionId: z.string().min(1).max(32),
  text: z.string().max(NOTE_TEXT_MAX),
  x: coordinateSchema,
  y: coordinateSchema,
  createdAt: timestampSchema,
  updatedAt: timestampSchema.optional(),
  /** For per-actor questions (1a, 2a): the other actor the answer is about. */
  aboutActorId: idSchema.nullable().optional(),
  /**
   * Posted after its round had ended (written offline, arrived late): the server's round engine
   * sets it when it posts such a draft; walls mark the note "late", as the method does on paper.
   * Harmless if a client sets it on its own note (it only says "added late"), so it is not server-only.
   */
  late: z.boolean().optional(),
});
export type Note = z.infer<typeof noteSchema>;

export const noteInputSchema = noteSchema.omit({ id: true, createdAt: true, updatedAt: true, late: true }).extend({
  text: z.string().max(NOTE_TEXT_MAX, `at most ${NOTE_TEXT_MAX} characters`).default(''),
});
export type NoteInput = z.input<typeof noteInputSchema>;

export const notePatchSchema = z
  .object({
    questionId: noteSchema.shape.questionId,
    text: noteSchema.shape.text,
    x: coordinateSchema,
    y: coordinateSchema,
    aboutActorId: idSchema.nullable(),
  })
  .partial();
export type NotePatch = z.infer<typeof notePatchSchema>;
