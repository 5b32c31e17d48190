import type { DocRef } from '../../shared/protocol/docNames';
import { DocRoom, type RoomDeps } from './docRoom';

/**
 * The loaded documents. A room loads on first use and unloads `idleMs` after its last holder
 * (a session or an API call) lets go, so memory follows the workshops in use, not all ever made.
 */
export class Rooms {
  private readonly rooms = new Map<string, { room: DocRoom; holders: number; idleTimer: NodeJS.Timeout | null }>();
  /** Rooms being unloaded: a new load waits for the old room's last commits and snapshot. */
  private readonly closing = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: RoomDeps,
    private readonly idleMs: number,
  ) {}

  get loadedCount(): number {
    return this.rooms.size;
  }

  /** Gets (loading if needed) a room and holds it; pair with `release`. Rejects if it cannot load. */
  async acquire(name: string, ref: DocRef): Promise<DocRoom> {
    const previous = this.closing.get(name);
    if (previous) await previous;
    let entry = this.rooms.get(name);
    if (!entry) {
      const room = new DocRoom(name, ref, this.deps);
      room.onFailure = (failed) => {
        if (this.rooms.get(name)?.room === failed) this.forget(name);
      };
      entry = { room, holders: 0, idleTimer: null };
      this.rooms.set(name, entry);
      this.deps.metrics.roomsLoaded.set(this.rooms.size);
    }
    entry.holders++;
    if (entry.idleTimer) {
      clearTimeout(entry.idleTimer);
      entry.idleTimer = null;
    }
    const { room } = entry;
    try {
      await room.ready;
    } catch (error) {
      if (this.rooms.get(name)?.room === room) this.forget(name);
      throw error;
    }
    return room;
  }

  release(room: DocRoom): void {
    const entry = this.rooms.get(room.name);
    if (!entry || entry.room !== room) return;
    entry.holders--;
    if (entry.holders > 0) return;
    entry.idleTimer = setTimeout(() => this.unload(room.name), this.idleMs);
  }

  private forget(name: string): void {
    const entry = this.rooms.get(name);
    if (entry?.idleTimer) clearTimeout(entry.idleTimer);
    this.rooms.delete(name);
    this.deps.metrics.roomsLoaded.set(this.rooms.size);
  }

  private unload(name: string): Promise<void> {
    const entry = this.rooms.get(name);
    if (!entry) return Promise.resolve();
    this.forget(name);
    const done = entry.room
      .close()
      .catch((error: unknown) => this.deps.log.error('room-unload-failed', { doc: name, error: String(error) }))
      .finally(() => this.closing.delete(name));
    this.closing.set(name, done);
    return done;
  }

  /** Shutdown: every room commits and snapshots. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.rooms.keys()].map((name) => this.unload(name)));
    await Promise.all([...this.closing.values()]);
  }
}
