import crypto from 'node:crypto';
import { markParticipantRemoved } from '../../shared/ops/membership';
import { serverOrigin } from '../../shared/origins';
import { CloseCode, CloseReason } from '../../shared/protocol/wire';
import type { LivenessCheck, TokenService, VerifiedClaims } from '../auth/tokens';
import { HttpError } from '../http/json';
import type { Logger } from '../log';
import type { Rooms } from '../relay/rooms';
import type { DocStore } from '../store/port';
import type { ConnectionRegistry } from './connections';
import type { JoinKeys, KeySealer } from './seal';

/**
 * The facilitator's control over who is in (docs/schema.md, "Membership"): remove a participant,
 * rotate the join links, renew a token, recover facilitator access with the recovery secret.
 * The store is the authority (removal mark, token epoch, key hashes); open sockets are closed
 * through the connection registry at once.
 */
const sha256 = (text: string) => crypto.createHash('sha256').update(text).digest('hex');
const randomSecret = () => crypto.randomBytes(24).toString('base64url');
export const newJoinKey = () => crypto.randomBytes(18).toString('base64url');

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && crypto.timingSafeEqual(left, right);
}

/** The check every token passes after its signature: removed people and bumped epochs are refused. */
export function createLivenessCheck(store: DocStore): LivenessCheck {
  return async (claims) => {
    const member = await store.getMembership(claims.workshopId, claims.participantId);
    // An unknown participant keeps the old behaviour: authorisation answers 4404 for their documents.
    if (!member) return { name: null };
    if (member.removedAt !== null) return { refused: 'removed' };
    if (claims.epoch !== member.tokenEpoch) return { refused: 'revoked' };
    return { name: member.name };
  };
}

export type KeyRole = 'participant' | 'observer' | 'both';

export interface Recovered extends JoinKeys {
  workshopId: string;
  participantId: string;
  facilitatorToken: string;
}

export function createMembershipService(deps: {
  store: DocStore;
  rooms: Rooms;
  tokens: TokenService;
  registry: ConnectionRegistry;
  sealer: KeySealer;
  log: Logger;
}) {
  const { store, sealer } = deps;

  function requireFacilitator(claims: VerifiedClaims, workshopId: string): void {
    if (claims.workshopId !== workshopId) throw new HttpError(403, 'forbidden', 'token is for another workshop');
    if (claims.role !== 'facilitator') throw new HttpError(403, 'forbidden', 'only the facilitator may do this');
  }

  async function currentKeys(workshopId: string): Promise<JoinKeys | null> {
    const access = await store.getWorkshopAccess(workshopId);
    return access?.sealedJoinKeys ? sealer.open(access.sealedJoinKeys) : null;
  }

  async function saveKeys(workshopId: string, keys: JoinKeys): Promise<void> {
    await store.setJoinKeys(workshopId, {
      participantKeyHash: sha256(keys.participantJoinKey),
      observerKeyHash: sha256(keys.observerJoinKey),
      sealedJoinKeys: sealer.seal(keys),
    });
  }

  async function newRecoverySecret(workshopId: string): Promise<string> {
    const secret = randomSecret();
    await store.setRecoveryHash(workshopId, sha256(secret));
    return secret;
  }

  return {
    /** Right after a workshop is created: keep its join keys sealed and issue the recovery secret. */
    async provision(workshopId: string, keys: JoinKeys): Promise<string> {
      await saveKeys(workshopId, keys);
      return newRecoverySecret(workshopId);
    },

    /** The facilitator's invite links on any device that holds a facilitator token. */
    async invite(claims: VerifiedClaims, workshopId: string): Promise<JoinKeys | null> {
      requireFacilitator(claims, workshopId);
      return currentKeys(workshopId);
    },

    /**
     * New join key(s): links and QR codes with the old key stop working at once (join and preview
     * answer 403); everyone who already joined stays in.
     */
    async rotateJoinKeys(claims: VerifiedClaims, workshopId: string, which: KeyRole): Promise<JoinKeys> {
      requireFacilitator(claims, workshopId);
      const current = await currentKeys(workshopId);
      // A key that was never sealed (a workshop from before this feature) cannot be kept: renew it too.
      const keys: JoinKeys = {
        participantJoinKey: which !== 'observer' || !current ? newJoinKey() : current.participantJoinKey,
        observerJoinKey: which !== 'participant' || !current ? newJoinKey() : current.observerJoinKey,
      };
      await saveKeys(workshopId, keys);
      deps.log.info('join-keys-rotated', { workshop: workshopId, which });
      return keys;
    },

    /**
     * Removes a participant or observer: their token stops working everywhere (the epoch moves),
     * every open socket of theirs closes with 4410, and the room document marks them removed —
     * their notes stay, attributed.
     */
    async remove(claims: VerifiedClaims, workshopId: string, participantId: string): Promise<{ participantId: string; removedAt: number }> {
      requireFacilitator(claims, workshopId);
      const member = await store.getMembership(workshopId, participantId);
      if (!member) throw new HttpError(404, 'not-found', `no participant ${participantId} in this workshop`);
      if (member.role === 'facilitator') throw new HttpError(409, 'cannot-remove-facilitator', 'the facilitator cannot be removed');
      const removed = await store.removeParticipant(workshopId, participantId, Date.now());
      if (!removed || removed.removedAt === null) throw new HttpError(404, 'not-found', `no participant ${participantId} in this workshop`);
      const closed = deps.registry.closeParticipant(workshopId, participantId, CloseCode.removed, CloseReason.removed);
      const room = await deps.rooms.acquire(workshopId, { kind: 'room', workshopId });
      try {
        await room.change((doc) => markParticipantRemoved(doc, participantId, removed.removedAt!, serverOrigin('remove-participant')));
      } finally {
        deps.rooms.release(room);
      }
      deps.log.info('participant-removed', { workshop: workshopId, participant: participantId, socketsClosed: closed });
      return { participantId, removedAt: removed.removedAt };
    },

    /** A fresh token for a valid one (the verify step already refused removed and revoked tokens). */
    async renew(claims: VerifiedClaims, workshopId: string): Promise<{ token: string; expiresAt: number }> {
      if (claims.workshopId !== workshopId) throw new HttpError(403, 'forbidden', 'token is for another workshop');
      const token = await deps.tokens.issue(claims, claims.epoch);
      return { token, expiresAt: (Math.floor(Date.now() / 1000) + deps.tokens.ttlSeconds) * 1000 };
    },

    /** The recovery link opened on any device: facilitator access and the invite links. */
    async recover(workshopId: string, secret: string): Promise<Recovered> {
      const access = await store.getWorkshopAccess(workshopId);
      if (!access?.recoveryHash || !sameHash(sha256(secret), access.recoveryHash)) {
        throw new HttpError(403, 'recovery-invalid', 'this recovery link is not valid (it may have been replaced by a newer one)');
      }
      const facilitator = (await store.listMemberships(workshopId)).find((m) => m.role === 'facilitator' && m.removedAt === null);
      if (!facilitator) throw new HttpError(404, 'not-found', 'this workshop has no facilitator');
      const keys = await currentKeys(workshopId);
      if (!keys) throw new HttpError(409, 'keys-unavailable', 'the join links of this workshop were not kept: rotate them after recovering');
      const facilitatorToken = await deps.tokens.issue(
        { workshopId, participantId: facilitator.participantId, role: 'facilitator', actorId: null },
        facilitator.tokenEpoch,
      );
      deps.log.info('facilitator-recovered', { workshop: workshopId });
      return { workshopId, participantId: facilitator.participantId, facilitatorToken, ...keys };
    },

    /**
     * "Sign out everywhere" for the caller: their token epoch moves on, so every token they hold
     * (other devices, a leaked link) stops working and those sockets close with 4401; the caller
     * gets a fresh token at the new epoch.
     */
    async signOutEverywhere(claims: VerifiedClaims, workshopId: string): Promise<{ token: string }> {
      if (claims.workshopId !== workshopId) throw new HttpError(403, 'forbidden', 'token is for another workshop');
      const epoch = await store.bumpTokenEpoch(workshopId, claims.participantId);
      if (epoch === null) throw new HttpError(404, 'not-found', 'no such participant in this workshop');
      deps.registry.closeParticipant(workshopId, claims.participantId, CloseCode.unauthorized, CloseReason.tokenRevoked, epoch);
      deps.log.info('signed-out-everywhere', { workshop: workshopId, participant: claims.participantId });
      return { token: await deps.tokens.issue(claims, epoch) };
    },

    /** A new recovery secret; the previous recovery link stops working. */
    async rotateRecovery(claims: VerifiedClaims, workshopId: string): Promise<{ recoverySecret: string }> {
      requireFacilitator(claims, workshopId);
      return { recoverySecret: await newRecoverySecret(workshopId) };
    },
  };
}
export type MembershipService = ReturnType<typeof createMembershipService>;
