import type { Logger } from '../log';

import type { DocStore, Fence } from '../store/port';

export type LeaseStore = Pick<DocStore, 'acquireLease' | 'releaseLease'>;

export type Ownership = { mine: true; epoch: number } | { mine: false; address: string; owner: string };

export interface LeaseManagerDeps {
  store: LeaseStore;
  /** This process (a UUID per start). */
  owner: string;
  /** How the others reach this process (ADVERTISE_URL, else http://HOST:PORT once listening). */
  address: () => string;
  ttlMs: number;
  renewMs: number;
  /** A held lease nobody uses (no loaded document) is given up after this long. */
  idleReleaseMs: number;
  log: Logger;
  /** Is anything of the workshop loaded here? (Then its lease is kept.) */
  inUse(workshopId: string): boolean;
  /**
   * The lease is gone (lost, taken over, or not renewable): drop everything of the workshop NOW.
   * `storeFailed`: the database could not be asked (not: another process has it).
   */
  onLost(workshopId: string, why: string, storeFailed: boolean): void;
  now?: () => number;
}

interface Held {
  epoch: number;
  /** Local monotonic time until which the lease is surely ours: the renewal's SEND time + ttl. */
  validUntil: number;
  lastUsed: number;
}

/**
 * Which workshops this process owns. Ownership is a lease row in the database with a fencing
 * epoch: it is taken when a workshop's traffic first arrives and nobody live holds it, renewed
 * every `renewMs`, and dropped at once — every socket of the workshop closed, its documents
 * unloaded, its round engine stopped — when a renewal fails, finds another owner or a new epoch,
 * or comes too late (the process was paused). The epoch is what makes this safe rather than
 * merely likely: every append carries it (see `fence`), so a process that still believes it owns
 * a workshop after another took it over cannot commit, and since nothing is relayed before it is
 * committed, cannot relay either.
 */
export class LeaseManager {
  private readonly held = new Map<string, Held>();
  private readonly pending = new Map<string, Promise<Ownership>>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;
  private draining = false;
  private readonly now: () => number;

  constructor(private readonly deps: LeaseManagerDeps) {
    this.now = deps.now ?? (() => performance.now());
    this.timer = setInterval(() => void this.renewAll(), deps.renewMs);
    this.timer.unref();
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** Do we own the workshop right now (without asking the database)? */
  owns(workshopId: string): boolean {
    const held = this.held.get(workshopId);
    return held !== undefined && held.validUntil > this.now();
  }

  /**
   * Who owns the workshop: us (taking the lease if nobody live holds it), or another process.
   * One database round trip unless we hold it already; concurrent calls share it.
   */
  resolve(workshopId: string): Promise<Ownership> {
    const held = this.held.get(workshopId);
    if (held && held.validUntil > this.now()) {
      held.lastUsed = this.now();
      return Promise.resolve({ mine: true, epoch: held.epoch });
    }
    if (held) this.lose(workshopId, 'lease ran out before it was renewed');
    const inFlight = this.pending.get(workshopId);
    if (inFlight) return inFlight;
    const attempt = this.acquire(workshopId).finally(() => this.pending.delete(workshopId));
    this.pending.set(workshopId, attempt);
    return attempt;
  }

  /** The fence for an append: our epoch, or null when we do not own the workshop. */
  async fence(workshopId: string): Promise<Fence | null> {
    const owner = await this.resolve(workshopId);
    return owner.mine ? { workshopId, epoch: owner.epoch } : null;
  }

  /** An append of ours was refused or failed: look at the lease now rather than at the next renewal. */
  recheck(workshopId: string): void {
    if (this.held.has(workshopId)) void this.renewOne(workshopId);
  }

  private async acquire(workshopId: string): Promise<Ownership> {
    if (this.draining) {
      // A draining process takes nothing new (its router answers "come back" before asking).
      return { mine: false, address: '', owner: '' };
    }
    const sent = this.now();
    const lease = await this.deps.store.acquireLease(workshopId, this.deps.owner, this.deps.address(), this.deps.ttlMs);
    if (lease.owner !== this.deps.owner) return { mine: false, address: lease.address, owner: lease.owner };
    const current = this.held.get(workshopId);
    if (current && current.epoch !== lease.epoch) this.lose(workshopId, 'lease epoch moved on');
    this.held.set(workshopId, { epoch: lease.epoch, validUntil: sent + this.deps.ttlMs, lastUsed: sent });
    if (!current) this.deps.log.info('lease-acquired', { workshop: workshopId, epoch: lease.epoch, owner: this.deps.owner });
    return { mine: true, epoch: lease.epoch };
  }

  private async renewAll(): Promise<void> {
    if (this.renewing) return;
    this.renewing = true;
    try {
      await Promise.all([...this.held.keys()].map((workshopId) => this.renewOne(workshopId)));
    } finally {
      this.renewing = false;
    }
  }

  private async renewOne(workshopId: string): Promise<void> {
    const held = this.held.get(workshopId);
    if (!held) return;
    const started = this.now();
    // Too late already (the process was paused, or the database slow): someone may own it now.
    if (held.validUntil <= started) return this.lose(workshopId, 'lease ran out before it was renewed');
    if (!this.deps.inUse(workshopId) && started - held.lastUsed > this.deps.idleReleaseMs) {
      this.held.delete(workshopId);
      await this.deps.store.releaseLease(workshopId, this.deps.owner, held.epoch).catch(() => undefined);
      this.deps.log.debug('lease-released-idle', { workshop: workshopId });
      return;
    }
    if (this.deps.inUse(workshopId)) held.lastUsed = started;
    try {
      const lease = await this.deps.store.acquireLease(workshopId, this.deps.owner, this.deps.address(), this.deps.ttlMs);
      if (this.held.get(workshopId) !== held) return;
      if (lease.owner !== this.deps.owner) return this.lose(workshopId, `taken over by ${lease.owner} (epoch ${lease.epoch})`);
      if (lease.epoch !== held.epoch) {
        this.lose(workshopId, 'lease epoch moved on');
        await this.deps.store.releaseLease(workshopId, this.deps.owner, lease.epoch).catch(() => undefined);
        return;
      }
      held.validUntil = started + this.deps.ttlMs;
    } catch (error) {
      if (this.held.get(workshopId) === held) this.lose(workshopId, `renewal failed: ${String(error)}`, true);
    }
  }

  private lose(workshopId: string, why: string, storeFailed = false): void {
    const held = this.held.get(workshopId);
    if (!held) return;
    this.held.delete(workshopId);
    this.deps.log.warn('lease-lost', { workshop: workshopId, epoch: held.epoch, owner: this.deps.owner, why });
    try {
      this.deps.onLost(workshopId, why, storeFailed);
    } catch (error) {
      this.deps.log.error('lease-lost-handler-failed', { workshop: workshopId, error: String(error) });
    }
  }

  /** Drain: take nothing new from now on. */
  startDrain(): void {
    this.draining = true;
  }

  /** Drain: give every lease up so that another process may take each workshop at once. */
  async releaseAll(): Promise<void> {
    this.draining = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const all = [...this.held];
    this.held.clear();
    await Promise.all(all.map(([workshopId, held]) => this.deps.store.releaseLease(workshopId, this.deps.owner, held.epoch).catch(() => undefined)));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
