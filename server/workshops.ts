import crypto from 'node:crypto';
import * as Y from 'yjs';
import { z } from 'zod';
import { ArvoError } from '../shared/errors';
import { addParticipant, initRoom, workshopInputSchema } from '../shared/ops/room';
import { parseInput } from '../shared/ops/validate';
import { serverOrigin } from '../shared/origins';
import { readRoom } from '../shared/read/snapshot';
import { asLanguage, DEFAULT_FACILITATOR_NAME, idSchema, nameSchema } from '../shared/schema/common';
import { newId } from '../shared/schema/ids';
import type { Role } from '../shared/schema/participant';
import type { TokenService } from './auth/tokens';
import { HttpError } from './http/json';
import type { Rooms } from './relay/rooms';
import type { DocStore } from './store/port';

/**
 * Creating and joining workshops: the only server-side writes to room documents. Join keys are
 * random and stored hashed; the token a join returns is what every later request carries.
 */
export const hashKey = (key: string) => crypto.createHash('sha256').update(key).digest('hex');
const newJoinKey = () => crypto.randomBytes(18).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && crypto.timingSafeEqual(left, right);
}

export const createWorkshopSchema = workshopInputSchema.extend({
  facilitatorName: nameSchema.optional(),
});

export const joinSchema = z.object({
  joinKey: z.string().min(1, 'must not be empty').max(200),
  name: nameSchema,
  actorId: idSchema.optional(),
});

export interface CreatedWorkshop {
  id: string;
  facilitatorId: string;
  facilitatorToken: string;
  participantJoinKey: string;
  observerJoinKey: string;
  /** The facilitator's recovery secret (server/membership/provision.ts), shown once. */
  recoverySecret?: string;
}

export interface Joined {
  participantId: string;
  role: Role;
  actorId: string | null;
  token: string;
}

export interface WorkshopPreview {
  id: string;
  role: Role;
  title: string;
  language: string;
  template: string;
  actors: Array<{ id: string; name: string; color: string }>;
}

/** Joined identities (participants and observers) a workshop takes when not configured. */
export const DEFAULT_MAX_PARTICIPANTS = 500;

export function createWorkshopService(deps: { store: DocStore; rooms: Rooms; tokens: TokenService; maxParticipants?: number }) {
  async function roleForKey(workshopId: string, joinKey: string): Promise<Role> {
    const workshop = await deps.store.getWorkshop(workshopId);
    if (!workshop) throw new ArvoError('not-found', 'no such workshop');
    const keyHash = hashKey(joinKey);
    if (sameHash(keyHash, workshop.participantKeyHash)) return 'participant';
    if (sameHash(keyHash, workshop.observerKeyHash)) return 'observer';
    // Also the answer for a key the facilitator rotated away: old QR codes say so clearly.
    throw new ArvoError('forbidden', 'this join link is not valid (any more): ask the facilitator for the current one', { reason: 'join-key-invalid' });
  }

  return {
    async create(body: unknown): Promise<CreatedWorkshop> {
      const input = parseInput(createWorkshopSchema, body, 'workshop');
      const now = Date.now();
      const id = newId();
      const facilitatorId = newId();
      const participantJoinKey = newJoinKey();
      const observerJoinKey = newJoinKey();
      const facilitatorName = input.facilitatorName ?? (DEFAULT_FACILITATOR_NAME[asLanguage(input.language) ?? 'en']);
      const doc = new Y.Doc();
      const origin = serverOrigin('create-workshop');
      initRoom(doc, input, now, origin);
      addParticipant(doc, { id: facilitatorId, name: facilitatorName, actorId: null, role: 'facilitator', joinedAt: now }, origin);
      // The document first: a workshop row without its document would be a workshop nobody can load.
      await deps.store.appendUpdates([{ docName: id, ts: now, participantId: facilitatorId, update: Y.encodeStateAsUpdate(doc) }]);
      doc.destroy();
      await deps.store.createWorkshop(
        { id, createdAt: now, participantKeyHash: hashKey(participantJoinKey), observerKeyHash: hashKey(observerJoinKey) },
        { workshopId: id, participantId: facilitatorId, role: 'facilitator', actorId: null, name: facilitatorName, createdAt: now },
      );
      const facilitatorToken = await deps.tokens.issue({ workshopId: id, participantId: facilitatorId, role: 'facilitator', actorId: null });
      return { id, facilitatorId, facilitatorToken, participantJoinKey, observerJoinKey };
    },

    /** What the join page shows before joining: the title and the actors to choose from. */
    async preview(workshopId: string, joinKey: string): Promise<WorkshopPreview> {
      const role = await roleForKey(workshopId, joinKey);
      const room = await deps.rooms.acquire(workshopId, { kind: 'room', workshopId });
      try {
        const snapshot = readRoom(room.doc);
        return {
          id: workshopId,
          role,
          title: snapshot.meta?.title ?? '',
          language: snapshot.meta?.language ?? 'fi',
          template: snapshot.meta?.template ?? 'blank',
          actors: snapshot.actors.map(({ id, name, color }) => ({ id, name, color })),
        };
      } finally {
        deps.rooms.release(room);
      }
    },

    async join(workshopId: string, body: unknown): Promise<Joined> {
      const input = parseInput(joinSchema, body, 'join request');
      const role = await roleForKey(workshopId, input.joinKey);
      if (role === 'participant' && !input.actorId) throw new ArvoError('invalid-input', 'actorId: a participant must choose an actor');
      const actorId = role === 'participant' ? input.actorId! : null;
      const participantId = newId();
      const now = Date.now();
      const room = await deps.rooms.acquire(workshopId, { kind: 'room', workshopId });
      try {
        if (actorId && !readRoom(room.doc).actors.some((a) => a.id === actorId)) {
          throw new ArvoError('not-found', `actorId: no actor ${actorId} in this workshop`);
        }
        // The cap is checked in the same transaction as the insert: concurrent joins cannot pass it.
        const record = { workshopId, participantId, role, actorId, name: input.name, createdAt: now };
        if (!(await deps.store.addParticipantWithin(record, deps.maxParticipants ?? DEFAULT_MAX_PARTICIPANTS))) {
          throw new HttpError(409, 'workshop-full', 'this workshop is full: it has as many participants as it can take');
        }
        await room.change((doc) =>
          addParticipant(doc, { id: participantId, name: input.name, actorId, role, joinedAt: now }, serverOrigin('join')),
        );
      } finally {
        deps.rooms.release(room);
      }
      const token = await deps.tokens.issue({ workshopId, participantId, role, actorId });
      return { participantId, role, actorId, token };
    },
  };
}
export type WorkshopService = ReturnType<typeof createWorkshopService>;
