import { renewToken } from '../api';
import { loadSession, needsRenewal, replaceToken } from './session';

/**
 * Keeps this browser's token fresh while the workshop is in use: once the stored token is past
 * half its life it is exchanged for a new one (POST /renew), so access ends only after
 * TOKEN_TTL_DAYS without use — never mid-workshop. A refused renewal (removed, revoked) changes
 * nothing here: the board's connection already says why.
 */
const CHECK_EVERY_MS = 30 * 60 * 1000;

export function keepTokenFresh(workshopId: string): () => void {
  let busy = false;
  async function check() {
    const session = loadSession(workshopId);
    if (busy || !session || !needsRenewal(session.token)) return;
    busy = true;
    try {
      const renewed = await renewToken(workshopId, session.token);
      replaceToken(workshopId, renewed.token);
    } catch {
      // Offline or refused: try again at the next check.
    } finally {
      busy = false;
    }
  }
  void check();
  const timer = setInterval(() => void check(), CHECK_EVERY_MS);
  return () => clearInterval(timer);
}
