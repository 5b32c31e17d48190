import crypto from 'node:crypto';

/**
 * Join keys kept so that a facilitator on another device can see the invite links again: sealed
 * (AES-256-GCM) with a key derived from the server's token-signing secret. Whoever holds that
 * secret can already mint a facilitator token for any workshop, so sealing with it exposes
 * nothing new; a copy of the database alone still does not hand out join links.
 */
export interface JoinKeys {
  participantJoinKey: string;
  observerJoinKey: string;
}

export interface KeySealer {
  seal(keys: JoinKeys): string;
  /** Null when the sealed text was made with another secret or is damaged. */
  open(sealed: string): JoinKeys | null;
}

export function createKeySealer(secret: Uint8Array): KeySealer {
  const key = Buffer.from(crypto.hkdfSync('sha256', secret, Buffer.alloc(0), 'arvo join keys v1', 32));
  return {
    seal(keys) {
      const iv = crypto.randomBytes(12);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify([keys.participantJoinKey, keys.observerJoinKey]), 'utf8'), cipher.final()]);
      return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
    },
    open(sealed) {
      try {
        if (!sealed.startsWith('v1.')) return null;
        const bytes = Buffer.from(sealed.slice(3), 'base64url');
        const decipher = crypto.createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
        decipher.setAuthTag(bytes.subarray(12, 28));
        const text = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf8');
        const [participantJoinKey, observerJoinKey] = JSON.parse(text) as [unknown, unknown];
        return typeof participantJoinKey === 'string' && typeof observerJoinKey === 'string' ? { participantJoinKey, observerJoinKey } : null;
      } catch {
        return null;
      }
    },
  };
}
