import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The token signing key: `SECRET` when set, otherwise a random key generated once and kept in
 * DATA_DIR (readable by the owner only), so that tokens survive restarts.
 *
 * `shared` (several processes on one database, issue 11): a key generated per data directory
 * would differ between the processes, and a token issued by one would be refused by the others —
 * so there SECRET is required (server/config.ts refuses to start without it; this is the
 * backstop for configurations built in code).
 */
export function resolveSecret(configured: string | undefined, dataDir: string, options: { shared?: boolean } = {}): Uint8Array {
  if (configured) return new TextEncoder().encode(configured);
  if (options.shared) throw new Error('SECRET is required when processes share a database (DATABASE_URL): every process must sign tokens with the same key');
  const file = path.join(dataDir, 'secret.key');
  try {
    return new TextEncoder().encode(fs.readFileSync(file, 'utf8').trim());
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const generated = crypto.randomBytes(48).toString('base64url');
  // 'wx' fails if another process created it meanwhile; then read theirs.
  try {
    fs.writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
    return new TextEncoder().encode(generated);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return new TextEncoder().encode(fs.readFileSync(file, 'utf8').trim());
  }
}
