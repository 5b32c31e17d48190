import crypto from 'node:crypto';

/**
 * Process-to-process authentication, from the cluster's shared SECRET. Two things are signed:
 *  - a forwarded request (`x-arvo-cluster` header: time + HMAC over method and target), so that
 *    the owner knows the request really came from a peer (and must not be forwarded again);
 *  - a peer's answer to a challenge (`/cluster/hello?nonce=`), checked BEFORE the first client
 *    request is forwarded to an address, so that a process started with a wrong SECRET — even if
 *    it managed to write a lease row — never receives a client's token.
 * The client's own token still decides access at the owner; these only vouch for the hop.
 */
export const FORWARD_HEADER = 'x-arvo-cluster';
/** A forwarded request older (or newer) than this is refused: a captured header cannot be replayed later. */
const MAX_SKEW_MS = 60_000;

export interface ClusterAuth {
  signForward(method: string, target: string, now?: number): string;
  verifyForward(header: string | string[] | undefined, method: string, target: string, now?: number): boolean;
  helloProof(nonce: string): string;
  checkHello(nonce: string, proof: string): boolean;
}

export function createClusterAuth(secret: Uint8Array): ClusterAuth {
  // A key of its own, derived from SECRET, so that these MACs can never double as token signatures.
  const key = crypto.createHmac('sha256', secret).update('arvo-cluster-v1').digest();
  const mac = (text: string) => crypto.createHmac('sha256', key).update(text).digest('base64url');
  const same = (a: string, b: string) => {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && crypto.timingSafeEqual(x, y);
  };
  return {
    signForward(method, target, now = Date.now()) {
      return `${now}.${mac(`forward\n${now}\n${method}\n${target}`)}`;
    },
    verifyForward(header, method, target, now = Date.now()) {
      if (typeof header !== 'string') return false;
      const dot = header.indexOf('.');
      const at = Number(header.slice(0, dot));
      if (dot <= 0 || !Number.isSafeInteger(at) || Math.abs(now - at) > MAX_SKEW_MS) return false;
      return same(header.slice(dot + 1), mac(`forward\n${at}\n${method}\n${target}`));
    },
    helloProof(nonce) {
      return mac(`hello\n${nonce}`);
    },
    checkHello(nonce, proof) {
      return same(proof, mac(`hello\n${nonce}`));
    },
  };
}
