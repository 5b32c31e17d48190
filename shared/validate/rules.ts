import { z } from 'zod';
import { actionSchema } from '../schema/action';
import { actorSchema } from '../schema/actor';
import { coordinateSchema, idSchema, timestampSchema } from '../schema/common';
import { flowNodeSchema, flowSchema } from '../schema/flow';
import { ROOT, type DocKind } from '../schema/layout';
import { matrixLinkSchema } from '../schema/matrix';
import { metaSchema } from '../schema/meta';
import { noteSchema } from '../schema/note';
import { participantSchema } from '../schema/participant';
import { questionSchema } from '../schema/question';
import { sessionSchema } from '../schema/session';
import { themeSchema } from '../schema/theme';
import { voteCountSchema, voteTargetSchema } from '../schema/vote';

/**
 * What a client may write into each document kind, derived from the record schemas in
 * `shared/schema` (the one source of truth) and the root names in `layout.ts`. The server checks
 * every client update against these rules before it applies, stores or relays it
 * (docs/schema.md, "What the server accepts"). Server writes (migrations, joins, the round
 * engine) do not pass through here.
 *
 * A root has one of three shapes:
 *  - `fields`:  a flat Y.Map of named plain values (`meta`, `session`);
 *  - `records`: a Y.Map whose entries are Y.Maps (one per record) keyed by the record's id;
 *  - `values`:  a Y.Map of plain values under validated keys (`themeNotes`, `readMarks`, `mapLayout`).
 */
export type FieldSchemas = Readonly<Record<string, z.ZodType>>;

export interface FieldsRule {
  shape: 'fields';
  fields: FieldSchemas;
  /** Fields only the server writes (clients may neither set nor delete them). */
  serverOnlyFields: ReadonlySet<string>;
  /** Clients may not write or delete anything here at all. */
  serverOnly: boolean;
  /** A client may delete a value here only by writing a new one in the same update. */
  replaceOnly: boolean;
}

export interface RecordsRule {
  shape: 'records';
  key: z.ZodType;
  /** The whole record: a record a client creates must be complete and valid in the same update. */
  record: z.ZodType;
  fields: FieldSchemas;
  /** Fields the schema lets be absent (optional or defaulted): a client may delete these. */
  optionalFields: ReadonlySet<string>;
  /** The field values the key fixes (`{id: key}`); null when the key cannot be split. */
  keyFields: (key: string) => Readonly<Record<string, string>> | null;
  /** Records only the server writes (participants). */
  serverOnly: boolean;
}

export interface ValuesRule {
  shape: 'values';
  key: z.ZodType;
  value: z.ZodType;
}

export type RootRule = FieldsRule | RecordsRule | ValuesRule;
export type KindRules = Readonly<Record<string, RootRule>>;

const noteRefKeySchema = z.string().regex(/^[0-9A-Za-z]{16}\/[0-9A-Za-z]{16}$/, 'must be <participantId>/<noteId>');
const questionKeySchema = questionSchema.shape.id;
/** `<challengeThemeId>|<strengthRef>`: the link's two fields, fixed by its key. */
const matrixKeySchema = z.string().refine((key) => {
  const fields = matrixKeyFields(key);
  return fields !== null && matrixLinkSchema.shape.challengeThemeId.safeParse(fields.challengeThemeId).success && matrixLinkSchema.shape.strengthRef.safeParse(fields.strengthRef).success;
}, 'must be <challengeThemeId>|<strengthRef>');

function matrixKeyFields(key: string): Record<string, string> | null {
  const bar = key.indexOf('|');
  return bar < 0 ? null : { challengeThemeId: key.slice(0, bar), strengthRef: key.slice(bar + 1) };
}

const byId = (key: string) => ({ id: key });

const records = (key: z.ZodType, record: z.ZodObject, options: Partial<Pick<RecordsRule, 'keyFields' | 'serverOnly'>> = {}): RecordsRule => ({
  shape: 'records',
  key,
  record,
  fields: record.shape,
  optionalFields: new Set(Object.entries(record.shape as FieldSchemas).filter(([, field]) => field.safeParse(undefined).success).map(([name]) => name)),
  keyFields: options.keyFields ?? byId,
  serverOnly: options.serverOnly ?? false,
});

/** `session.postedRequests`, `postedQuestions`: the round engine's record of handled post requests and their questions (server only). */
const sessionFields: FieldSchemas = { ...sessionSchema.shape, postedRequests: z.array(idSchema), postedQuestions: z.array(questionSchema.shape.id) };

const ROOM: KindRules = {
  // `schemaVersion` is what every loader relies on: only the server's migrations write it.
  [ROOT.meta]: { shape: 'fields', fields: metaSchema.shape, serverOnlyFields: new Set(['schemaVersion']), serverOnly: false, replaceOnly: true },
  [ROOT.actors]: records(idSchema, actorSchema),
  [ROOT.questions]: records(questionKeySchema, questionSchema),
  [ROOT.participants]: records(idSchema, participantSchema, { serverOnly: true }),
  [ROOT.session]: { shape: 'fields', fields: sessionFields, serverOnlyFields: new Set(['postedRequests', 'postedQuestions', 'roundStats']), serverOnly: false, replaceOnly: false },
  [ROOT.themes]: records(idSchema, themeSchema),
  [ROOT.themeNotes]: { shape: 'values', key: noteRefKeySchema, value: idSchema },
  [ROOT.matrix]: records(matrixKeySchema, matrixLinkSchema, { keyFields: matrixKeyFields }),
  [ROOT.flows]: records(idSchema, flowSchema),
  [ROOT.actions]: records(idSchema, actionSchema),
  [ROOT.readMarks]: { shape: 'values', key: noteRefKeySchema, value: timestampSchema },
  [ROOT.mapLayout]: { shape: 'values', key: flowNodeSchema, value: z.object({ x: coordinateSchema, y: coordinateSchema }) },
};

/** Drafts: a participant's notes, and a `meta` that only the server writes (its migrations). */
const DRAFTS: KindRules = {
  [ROOT.meta]: { shape: 'fields', fields: { schemaVersion: metaSchema.shape.schemaVersion }, serverOnlyFields: new Set(['schemaVersion']), serverOnly: true, replaceOnly: true },
  [ROOT.notes]: records(idSchema, noteSchema),
};

/** Public notes also hold the owner's dot-votes (schema/vote.ts): a whole count per theme or action, at most VOTE_MAX. */
const NOTES: KindRules = {
  ...DRAFTS,
  [ROOT.votes]: { shape: 'values', key: voteTargetSchema, value: voteCountSchema },
};

export const RULES: Readonly<Record<DocKind, KindRules>> = { room: ROOM, notes: NOTES, drafts: DRAFTS };

/** Limits on any one plain value, whatever its schema: readers recurse into values. */
export const VALUE_LIMITS = {
  /** Nesting of objects and arrays: `{x, y}` and `round` are 1 level deep, `question.text` too. */
  maxDepth: 3,
  /** Array elements plus object entries, all levels together. */
  maxNodes: 1000,
  /** Characters in any one string (schemas set tighter limits where they matter). */
  maxStringLength: 10_000,
} as const;
