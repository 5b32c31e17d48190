import { z } from 'zod';
import { languageSchema, timestampSchema } from './common';

/** The room document's `meta` map. Notes and drafts documents carry only `schemaVersion`. */
export const TEMPLATES = ['value-network', 'dialogue', 'blank'] as const;
export type TemplateId = (typeof TEMPLATES)[number];

/** The method's phases (METHOD.md): setup, the writing rounds, read-aloud, analysis, workshop II. */
export const PHASES = ['setup', 'writing', 'reading', 'analysis', 'workshop2', 'closed'] as const;
export type Phase = (typeof PHASES)[number];

export const metaSchema = z.object({
  schemaVersion: z.number().int().positive(),
  title: z.string().trim().min(1).max(200),
  template: z.enum(TEMPLATES),
  language: languageSchema,
  phase: z.enum(PHASES).default('setup'),
  createdAt: timestampSchema,
});
export type Meta = z.infer<typeof metaSchema>;
