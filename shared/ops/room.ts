import type * as Y from 'yjs';
import { z } from 'zod';
import { ArvoError } from '../errors';
import type { TransactionOrigin } from '../origins';
import { CURRENT_SCHEMA_VERSION } from '../migrations';
import { actorInputSchema, type Actor, type ActorInput } from '../schema/actor';
import { colorSchema, languageSchema, nameSchema } from '../schema/common';
import { newId } from '../schema/ids';
import { roomRoots, toYMap } from '../schema/layout';
import { TEMPLATES, type Meta } from '../schema/meta';
import type { Participant } from '../schema/participant';
import { participantSchema } from '../schema/participant';
import { nextActorColor } from '../templates/palette';
import { templateQuestions } from '../templates/questions';
import { parseInput } from './validate';

export const MAX_ACTORS = 24;

export const workshopInputSchema = z.object({
  title: z.string().trim().min(1, 'must not be empty').max(200, 'at most 200 characters'),
  template: z.enum(TEMPLATES),
  language: languageSchema,
  actors: z.array(actorInputSchema).max(MAX_ACTORS, `at most ${MAX_ACTORS} actors`).default([]),
});
export type WorkshopInput = z.input<typeof workshopInputSchema>;

/** Fills an empty room document from a template: meta, questions, actors, an idle session. */
export function initRoom(doc: Y.Doc, input: WorkshopInput, now: number, origin: TransactionOrigin): { actors: Actor[] } {
  const parsed = parseInput(workshopInputSchema, input, 'workshop');
  const roots = roomRoots(doc);
  if (roots.meta.has('title')) throw new ArvoError('conflict', 'room document is already initialised');
  const actors: Actor[] = [];
  doc.transact(() => {
    const meta: Meta = {
      schemaVersion: CURRENT_SCHEMA_VERSION,
      title: parsed.title,
      template: parsed.template,
      language: parsed.language,
      phase: 'setup',
      createdAt: now,
    };
    for (const [key, value] of Object.entries(meta)) roots.meta.set(key, value);
    for (const question of templateQuestions(parsed.template)) roots.questions.set(question.id, toYMap({ ...question }));
    roots.session.set('round', null);
    roots.session.set('focus', null);
    roots.session.set('locked', false);
    for (const actorInput of parsed.actors) actors.push(insertActor(doc, actorInput));
  }, origin);
  return { actors };
}

function insertActor(doc: Y.Doc, input: z.output<typeof actorInputSchema>): Actor {
  const { actors } = roomRoots(doc);
  if (actors.size >= MAX_ACTORS) throw new ArvoError('limit-exceeded', `at most ${MAX_ACTORS} actors`);
  const taken = [...actors.values()].map((a) => String(a.get('color') ?? ''));
  const orders = [...actors.values()].map((a) => Number(a.get('order') ?? 0));
  const actor: Actor = {
    id: newId(),
    name: input.name,
    color: input.color ?? nextActorColor(taken),
    order: orders.length === 0 ? 1 : Math.max(...orders) + 1,
  };
  actors.set(actor.id, toYMap({ ...actor }));
  return actor;
}

export function addActor(doc: Y.Doc, input: ActorInput, origin: TransactionOrigin): Actor {
  const parsed = parseInput(actorInputSchema, input, 'actor');
  let actor: Actor | undefined;
  doc.transact(() => {
    actor = insertActor(doc, parsed);
  }, origin);
  return actor!;
}

export const actorPatchSchema = z.object({ name: nameSchema, color: colorSchema, order: z.number().finite() }).partial();

export function updateActor(doc: Y.Doc, actorId: string, patch: z.input<typeof actorPatchSchema>, origin: TransactionOrigin): void {
  const parsed = parseInput(actorPatchSchema, patch, 'actor change');
  const actor = roomRoots(doc).actors.get(actorId);
  if (!actor) throw new ArvoError('not-found', `no actor ${actorId}`);
  doc.transact(() => {
    for (const [key, value] of Object.entries(parsed)) if (value !== undefined) actor.set(key, value);
  }, origin);
}

/** Records who joined. The server calls this; participants cannot write the room document. */
export function addParticipant(doc: Y.Doc, participant: Participant, origin: TransactionOrigin): void {
  const parsed = parseInput(participantSchema, participant, 'participant');
  const roots = roomRoots(doc);
  if (parsed.actorId !== null && !roots.actors.has(parsed.actorId)) {
    throw new ArvoError('not-found', `no actor ${parsed.actorId} in this workshop`);
  }
  doc.transact(() => {
    roots.participants.set(parsed.id, toYMap({ ...parsed }));
  }, origin);
}
