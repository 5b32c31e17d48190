import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { TokenError, type TokenService, type VerifiedClaims } from '../auth/tokens';
import type { JoinLimiter } from '../membership/joinLimiter';
import type { MembershipService } from '../membership/service';
import type { WorkshopService } from '../workshops';
import { HttpError, readJson, sendJson } from './json';
import { requestSearchParams } from './url';

/**
 * Membership routes (docs/schema.md, "Membership API"):
 *   POST   /api/workshops/:id/join                        join with a join key (rate-limited per address, capped per workshop)
 *   GET    /api/workshops/:id/preview?k=<key>             what the join page shows
 *   POST   /api/workshops/:id/renew                       a fresh token for a valid one (Bearer)
 *   POST   /api/workshops/:id/recover {secret}            facilitator access + invite links from the recovery secret
 *   GET    /api/workshops/:id/invite                      the current join keys (facilitator)
 *   POST   /api/workshops/:id/join-keys {which}           rotate join keys (facilitator)
 *   POST   /api/workshops/:id/recovery                    a new recovery secret (facilitator)
 *   POST   /api/workshops/:id/sign-out-everywhere         revoke every token of the caller; returns a fresh one
 *   DELETE /api/workshops/:id/participants/:pid           remove a participant (facilitator)
 */
const BODY_LIMIT = 64 * 1024;
const ID = '([0-9A-Za-z]{16})';
const PATH = new RegExp(`^/api/workshops/${ID}/(join|preview|renew|recover|invite|join-keys|recovery|sign-out-everywhere)$`);
const PARTICIPANT_PATH = new RegExp(`^/api/workshops/${ID}/participants/${ID}$`);

const recoverSchema = z.object({ secret: z.string().min(1).max(200) });
const rotateSchema = z.object({ which: z.enum(['participant', 'observer', 'both']).default('both') });

export interface MembershipRouteDeps {
  workshops: WorkshopService;
  membership: MembershipService;
  tokens: TokenService;
  joinLimiter: JoinLimiter;
  /** The client's address for the join rate limit (the socket's, unless a proxy is trusted). */
  clientAddress?: (request: IncomingMessage) => string;
}

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new HttpError(400, 'invalid-input', `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export function createMembershipRoutes(deps: MembershipRouteDeps) {
  const addressOf = deps.clientAddress ?? ((request: IncomingMessage) => request.socket.remoteAddress ?? 'unknown');

  async function authenticate(request: IncomingMessage, response: ServerResponse): Promise<VerifiedClaims> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    try {
      return await deps.tokens.verify(match?.[1] ?? null);
    } catch (error) {
      const failure = error instanceof TokenError ? error.failure : 'invalid';
      if (failure === 'removed') throw new HttpError(403, 'removed', 'you were removed from this workshop');
      response.setHeader('www-authenticate', `Bearer realm="arvo", error="${failure === 'missing' ? 'invalid_request' : 'invalid_token'}"`);
      const message =
        failure === 'missing' ? 'send the token as Authorization: Bearer <token>' : failure === 'expired' ? 'token has expired: join again' : failure === 'revoked' ? 'token was revoked' : 'token is invalid';
      throw new HttpError(401, 'unauthorized', message);
    }
  }

  const expect = (request: IncomingMessage, method: string) => {
    if ((request.method ?? 'GET') !== method) throw new HttpError(405, 'method-not-allowed', `use ${method}`);
  };

  /** Handles a membership path; false when `pathname` is not one. Errors are thrown for the API's error handler. */
  return async function route(request: IncomingMessage, response: ServerResponse, pathname: string): Promise<boolean> {
    const participant = PARTICIPANT_PATH.exec(pathname);
    if (participant) {
      expect(request, 'DELETE');
      const claims = await authenticate(request, response);
      sendJson(response, 200, await deps.membership.remove(claims, participant[1]!, participant[2]!));
      return true;
    }
    const match = PATH.exec(pathname);
    if (!match) return false;
    const workshopId = match[1]!;
    switch (match[2]) {
      case 'join': {
        expect(request, 'POST');
        const decision = deps.joinLimiter.take(addressOf(request));
        if (!decision.allowed) {
          response.setHeader('retry-after', String(decision.retryAfterSeconds));
          throw new HttpError(429, 'rate-limited', `too many joins from this address: try again in ${decision.retryAfterSeconds} s`, {
            retryAfterSeconds: decision.retryAfterSeconds,
          });
        }
        sendJson(response, 201, await deps.workshops.join(workshopId, await readJson(request, BODY_LIMIT)));
        return true;
      }
      case 'preview': {
        expect(request, 'GET');
        const key = requestSearchParams(request.url).get('k') ?? '';
        sendJson(response, 200, await deps.workshops.preview(workshopId, key));
        return true;
      }
      case 'renew': {
        expect(request, 'POST');
        const claims = await authenticate(request, response);
        sendJson(response, 200, await deps.membership.renew(claims, workshopId));
        return true;
      }
      case 'recover': {
        expect(request, 'POST');
        const { secret } = parse(recoverSchema, await readJson(request, BODY_LIMIT));
        sendJson(response, 200, await deps.membership.recover(workshopId, secret));
        return true;
      }
      case 'invite': {
        expect(request, 'GET');
        const claims = await authenticate(request, response);
        const keys = await deps.membership.invite(claims, workshopId);
        sendJson(response, 200, keys ?? { participantJoinKey: null, observerJoinKey: null });
        return true;
      }
      case 'join-keys': {
        expect(request, 'POST');
        const claims = await authenticate(request, response);
        const { which } = parse(rotateSchema, await readJson(request, BODY_LIMIT));
        sendJson(response, 200, await deps.membership.rotateJoinKeys(claims, workshopId, which));
        return true;
      }
      case 'recovery': {
        expect(request, 'POST');
        const claims = await authenticate(request, response);
        sendJson(response, 200, await deps.membership.rotateRecovery(claims, workshopId));
        return true;
      }
      case 'sign-out-everywhere': {
        expect(request, 'POST');
        const claims = await authenticate(request, response);
        sendJson(response, 200, await deps.membership.signOutEverywhere(claims, workshopId));
        return true;
      }
      default:
        return false;
    }
  };
}
