import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Claims } from '../../shared/protocol/permissions';
import { ROLES } from '../../shared/schema/participant';
import { idSchema } from '../../shared/schema/common';

/**
 * Signed JWTs (HS256) carrying who a connection is: workshop, participant, role, actor, and the
 * participant's token epoch (`ver`). A token is good while its signature and expiry hold AND the
 * liveness check agrees: the participant was not removed and their epoch was not bumped since
 * (server/membership). Tokens from before epochs existed carry no `ver` and count as epoch 0.
 */
const claimsSchema = z.object({
  wid: idSchema,
  sub: idSchema,
  role: z.enum(ROLES),
  aid: idSchema.nullable(),
  ver: z.number().int().nonnegative().optional(),
  iat: z.number().optional(),
  exp: z.number(),
});

const ISSUER = 'arvo';

export type TokenFailure = 'missing' | 'expired' | 'invalid' | 'revoked' | 'removed';

export class TokenError extends Error {
  readonly failure: TokenFailure;
  constructor(failure: TokenFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

/** Verified claims plus what the server needs to keep checking the token on an open socket. */
export interface VerifiedClaims extends Claims {
  /** The participant's token epoch the token was issued at. */
  epoch: number;
  /** Seconds since the epoch (JWT `iat`, `exp`). */
  issuedAt: number;
  expiresAt: number;
  /** The participant's name as the server recorded it (null: unknown participant). */
  name: string | null;
}

/** Told about every signature-valid token; refuses a removed or revoked one, names the rest. */
export type LivenessCheck = (claims: VerifiedClaims) => Promise<{ refused: 'removed' | 'revoked' } | { name: string | null }>;

export interface TokenService {
  readonly ttlSeconds: number;
  issue(claims: Claims, epoch?: number): Promise<string>;
  verify(token: string | null | undefined): Promise<VerifiedClaims>;
}

export function createTokenService(secret: Uint8Array, ttlSeconds: number, liveness?: LivenessCheck): TokenService {
  return {
    ttlSeconds,
    issue(claims, epoch = 0) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ wid: claims.workshopId, role: claims.role, aid: claims.actorId, ver: epoch })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.participantId)
        .setIssuer(ISSUER)
        .setIssuedAt(now)
        .setExpirationTime(now + ttlSeconds)
        .sign(secret);
    },
    async verify(token) {
      if (!token) throw new TokenError('missing', 'no token given');
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, secret, { issuer: ISSUER, algorithms: ['HS256'] }));
      } catch (error) {
        if (error instanceof errors.JWTExpired) throw new TokenError('expired', 'token has expired');
        throw new TokenError('invalid', 'token is invalid or was not signed by this server');
      }
      const parsed = claimsSchema.safeParse(payload);
      if (!parsed.success) throw new TokenError('invalid', 'token lacks Arvo claims');
      const p = parsed.data;
      const verified: VerifiedClaims = {
        workshopId: p.wid,
        participantId: p.sub,
        role: p.role,
        actorId: p.aid,
        epoch: p.ver ?? 0,
        issuedAt: p.iat ?? p.exp - ttlSeconds,
        expiresAt: p.exp,
        name: null,
      };
      if (!liveness) return verified;
      const live = await liveness(verified);
      if ('refused' in live) {
        throw new TokenError(live.refused, live.refused === 'removed' ? 'the participant was removed from this workshop' : 'token was revoked');
      }
      return { ...verified, name: live.name };
    },
  };
}
