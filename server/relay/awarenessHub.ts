import type { Claims } from '../../shared/protocol/permissions';
import type { AwarenessEntry } from './codec';
import type { DocSession } from './session';

/**
 * Presence for one document. Incoming awareness entries are checked (a session may only speak
 * for client ids it owns, each state is capped in size) and collected; every `intervalMs` the
 * changed entries go out as ONE message to every session. A session therefore receives at most
 * one presence message per interval however many people move their cursors: messages grow
 * linearly with the room, not with its square.
 *
 * Presence is bound to the connection: whatever a client writes as its `participantId`, `name` or
 * `role`, what others receive carries the identity of the token the connection was opened with
 * (and the name the server recorded at join). A state that is not a JSON object is dropped.
 */
export interface AwarenessLimits {
  intervalMs: number;
  maxStateBytes: number;
  maxClientsPerSession: number;
}

interface ClientState {
  clock: number;
  state: string;
  owner: DocSession;
}

export type AwarenessRejection = 'awareness-foreign-client' | 'awareness-state-too-large' | 'awareness-too-many-clients' | 'awareness-not-an-object';

/** The claims a connection carries; `name` is there when the token check looked the participant up. */
type IdentityClaims = Claims & { name?: string | null };

/** Overwrites the identity fields of a presence state with the connection's; null if not an object. */
export function stampIdentity(state: string, claims: IdentityClaims): string | null {
  let value: unknown;
  try {
    value = JSON.parse(state);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  return JSON.stringify({ ...value, participantId: claims.participantId, name: claims.name ?? '', role: claims.role });
}

export class AwarenessHub {
  private readonly states = new Map<number, ClientState>();
  private readonly dirty = new Map<number, AwarenessEntry>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly limits: AwarenessLimits,
    private readonly broadcast: (entries: AwarenessEntry[]) => void,
  ) {}

  /** Applies what the session may change; returns the reasons for entries that were dropped. */
  receive(session: DocSession, entries: readonly AwarenessEntry[]): AwarenessRejection[] {
    const rejections: AwarenessRejection[] = [];
    for (const entry of entries) {
      const known = this.states.get(entry.clientId);
      if (known && known.owner !== session) {
        // Stock y-websocket clients re-send every presence change they hear, others' included:
        // an echo at a clock we already have is harmless. Only a newer claim is an attempt.
        if (entry.clock > known.clock) rejections.push('awareness-foreign-client');
        continue;
      }
      if (!known && (session.awarenessClients?.size ?? 0) >= this.limits.maxClientsPerSession) {
        rejections.push('awareness-too-many-clients');
        continue;
      }
      if (entry.state.length > this.limits.maxStateBytes) {
        rejections.push('awareness-state-too-large');
        continue;
      }
      const isRemoval = entry.state === 'null';
      // y-protocols' rule: a newer clock wins; at an equal clock, a removal wins.
      if (known && !(entry.clock > known.clock || (entry.clock === known.clock && isRemoval && known.state !== 'null'))) continue;
      if (isRemoval) {
        this.states.delete(entry.clientId);
        session.awarenessClients?.delete(entry.clientId);
        this.markDirty(entry);
        continue;
      }
      const stamped = stampIdentity(entry.state, session.claims);
      if (stamped === null) {
        rejections.push('awareness-not-an-object');
        continue;
      }
      this.states.set(entry.clientId, { clock: entry.clock, state: stamped, owner: session });
      (session.awarenessClients ??= new Set()).add(entry.clientId);
      this.markDirty({ clientId: entry.clientId, clock: entry.clock, state: stamped });
    }
    return rejections;
  }

  /** Everyone's current presence, for a session that just joined or asked. */
  current(): AwarenessEntry[] {
    return [...this.states].map(([clientId, s]) => ({ clientId, clock: s.clock, state: s.state }));
  }

  /** A session left: its clients are announced as gone. */
  removeSession(session: DocSession): void {
    if (!session.awarenessClients) return;
    for (const clientId of session.awarenessClients) {
      const known = this.states.get(clientId);
      if (!known) continue;
      this.states.delete(clientId);
      this.markDirty({ clientId, clock: known.clock + 1, state: 'null' });
    }
    session.awarenessClients = null;
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.states.clear();
    this.dirty.clear();
  }

  private markDirty(entry: AwarenessEntry): void {
    this.dirty.set(entry.clientId, entry);
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.limits.intervalMs);
  }

  private flush(): void {
    this.timer = null;
    if (this.dirty.size === 0) return;
    const entries = [...this.dirty.values()];
    this.dirty.clear();
    this.broadcast(entries);
  }
}
