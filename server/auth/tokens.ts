import { SignJWT, errors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Claims } from '../../shared/protocol/permissions';
import { ROLES } from '../../shared/schema/participant';
import { idSchema } from '../../shared/schema/common';

/** Signed JWTs (HS256) carrying who a connection is: workshop, participant, role, actor. */
const claimsSchema = z.object({
  wid: idSchema,
  sub: idSchema,
  role: z.enum(ROLES),
  aid: idSchema.nullable(),
});

const ISSUER = 'arvo';

export type TokenFailure = 'missing' | 'expired' | 'invalid';

export class TokenError extends Error {
  readonly failure: TokenFailure;
  constructor(failure: TokenFailure, message: string) {
    super(message);
    this.failure = failure;
  }
}

export interface TokenService {
  issue(claims: Claims): Promise<string>;
  verify(token: string | null | undefined): Promise<Claims>;
}

export function createTokenService(secret: Uint8Array, ttlSeconds: number): TokenService {
  return {
    issue(claims) {
      return new SignJWT({ wid: claims.workshopId, role: claims.role, aid: claims.actorId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.participantId)
        .setIssuer(ISSUER)
        .setIssuedAt()
        .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
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
      return { workshopId: parsed.data.wid, participantId: parsed.data.sub, role: parsed.data.role, actorId: parsed.data.aid };
    },
  };
}
