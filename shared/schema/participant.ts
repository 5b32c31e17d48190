import { z } from 'zod';
import { idSchema, nameSchema, timestampSchema } from './common';

export const ROLES = ['facilitator', 'participant', 'observer'] as const;
export type Role = (typeof ROLES)[number];

/** Written into the room document by the server when someone joins; never by participants. */
export const participantSchema = z.object({
  id: idSchema,
  name: nameSchema,
  actorId: idSchema.nullable(),
  role: z.enum(ROLES),
  joinedAt: timestampSchema,
  /**
   * Set by the server when the facilitator removed this person: their notes stay (attributed),
   * their access ends. Optional, so documents written before it need no migration.
   */
  removedAt: timestampSchema.optional(),
});
export type Participant = z.infer<typeof participantSchema>;
