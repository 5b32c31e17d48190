import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './json';
import { clientAddress, createRateLimiter } from './quota';

export const CREATE_KEY_HEADER = 'x-arvo-create-key';

export interface CreateGuardOptions {
  /** Workshop creations per client address per minute. */
  perMinute: number;
  /** When set, `X-Arvo-Create-Key` must carry it. */
  createKey: string | undefined;
  trustProxy: boolean;
}

const digest = (value: string) => crypto.createHash('sha256').update(value).digest();

/**
 * Who may create a workshop. Creating is the one write that needs no token, so it is where an
 * anonymous client could fill the disk. Every attempt counts against the address's quota before
 * the key is looked at, so the quota also bounds guessing the key.
 */
export function createCreateGuard(options: CreateGuardOptions) {
  const limiter = createRateLimiter({ limit: options.perMinute, windowMs: 60_000 });
  const expected = options.createKey === undefined ? null : digest(options.createKey);
  return {
    /** Throws the refusal (429, 401, 403) or returns when this request may create a workshop. */
    check(request: IncomingMessage): void {
      const waitMs = limiter.take(clientAddress(request, options.trustProxy));
      if (waitMs !== null) {
        const seconds = Math.max(1, Math.ceil(waitMs / 1000));
        throw new HttpError(429, 'rate-limited', `too many workshops created from this address; try again in ${seconds} s`, { retryAfterSeconds: seconds }, {
          'retry-after': String(seconds),
        });
      }
      if (!expected) return;
      const header = request.headers[CREATE_KEY_HEADER];
      const given = Array.isArray(header) ? header[0] : header;
      if (!given) throw new HttpError(401, 'create-key-required', 'this server needs a key to create workshops; ask its administrator');
      if (!crypto.timingSafeEqual(digest(given), expected)) throw new HttpError(403, 'create-key-invalid', 'the key to create workshops is not valid');
    },
    get addressesTracked() {
      return limiter.size;
    },
  };
}
export type CreateGuard = ReturnType<typeof createCreateGuard>;
