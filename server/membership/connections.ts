import { CloseCode, CloseReason } from '../../shared/protocol/wire';
import type { VerifiedClaims } from '../auth/tokens';

/**
 * Every open socket by participant, so that membership changes reach open connections at once:
 * a removal closes all of that person's sockets (/mux and /ws) with 4410, a revocation with 4401.
 * Each socket also closes when its token expires — the token was checked at the upgrade only,
 * and a socket must not outlive the access it was opened with.
 */
export interface TrackedSocket {
  close(code: number, reason: string): void;
}

interface Entry {
  socket: TrackedSocket;
  epoch: number;
  timer: NodeJS.Timeout | null;
}

/** setTimeout's ceiling (about 24.8 days); longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ConnectionRegistry {
  private readonly byParticipant = new Map<string, Set<Entry>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts tracking a socket opened with these claims; call the returned function when it closes. */
  track(claims: VerifiedClaims, socket: TrackedSocket): () => void {
    const key = participantKey(claims.workshopId, claims.participantId);
    const entry: Entry = { socket, epoch: claims.epoch, timer: null };
    let set = this.byParticipant.get(key);
    if (!set) this.byParticipant.set(key, (set = new Set()));
    set.add(entry);
    const arm = () => {
      const left = claims.expiresAt * 1000 - this.now();
      if (left <= 0) {
        entry.timer = null;
        socket.close(CloseCode.unauthorized, CloseReason.tokenExpired);
        return;
      }
      entry.timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      entry.timer.unref();
    };
    arm();
    return () => {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
      const current = this.byParticipant.get(key);
      if (!current) return;
      current.delete(entry);
      if (current.size === 0) this.byParticipant.delete(key);
    };
  }

  /** Closes every socket of a participant opened with an epoch below `epoch` (all of them for a removal). */
  closeParticipant(workshopId: string, participantId: string, code: number, reason: string, belowEpoch = Infinity): number {
    const set = this.byParticipant.get(participantKey(workshopId, participantId));
    if (!set) return 0;
    let closed = 0;
    for (const entry of [...set]) {
      if (entry.epoch >= belowEpoch) continue;
      closed++;
      entry.socket.close(code, reason);
    }
    return closed;
  }

  /** Open sockets of a participant (for tests and metrics). */
  countOf(workshopId: string, participantId: string): number {
    return this.byParticipant.get(participantKey(workshopId, participantId))?.size ?? 0;
  }

  close(): void {
    for (const set of this.byParticipant.values()) for (const entry of set) if (entry.timer) clearTimeout(entry.timer);
    this.byParticipant.clear();
  }
}

const participantKey = (workshopId: string, participantId: string) => `${workshopId}/${participantId}`;
