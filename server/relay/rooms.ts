import { roomDocName, type DocRef } from '../../shared/protocol/docNames';
import { DocRoom, type RoomDeps } from './docRoom';
import { notesWritePolicy } from './votePolicy';

/** Told when a document has loaded (before anyone is handed it) and when it is dropped. */
export interface RoomListener {
  loaded?(room: DocRoom): void;
  unloading?(room: DocRoom): void;
}

interface Entry {
  room: DocRoom;
  holders: number;
  idleTimer: NodeJS.Timeout | null;
  /** Loaded, and (for a notes document) its room document held and its write policy set. */
  ready: Promise<void>;
  /** The room document a notes document holds for as long as it is loaded (its wall lock). */
  dependency: DocRoom | null;
}

/**
 * The loaded documents. A room loads on first use and unloads `idleMs` after its last holder
 * (a session, an API call, the round engine, or a notes document of the workshop) lets go, so
 * memory follows the workshops in use, not all ever made.
 *
 * A notes document holds its workshop's room document while it is loaded: its write policy reads
 * the room's `session` (the wall lock) on every participant write, so the room must be there.
 */
export class Rooms {
  private readonly rooms = new Map<string, Entry>();
  /** Rooms being unloaded: a new load waits for the old room's last commits and snapshot. */
  private readonly closing = new Map<string, Promise<void>>();
  private readonly listeners: RoomListener[] = [];

  constructor(
    private readonly deps: RoomDeps,
    private readonly idleMs: number,
  ) {}

  get loadedCount(): number {
    return this.rooms.size;
  }

  /** Adds a listener (the round engine); it hears about rooms loaded from now on. */
  listen(listener: RoomListener): void {
    this.listeners.push(listener);
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
        // A notes document whose room document failed can no longer check the wall lock: drop
        // it too (its sessions are closed with 4503 and reconnect to a freshly loaded pair).
        for (const other of [...this.rooms.values()]) {
          if (other.dependency === failed) other.room.abandon('its room document failed');
        }
      };
      const created: Entry = { room, holders: 0, idleTimer: null, ready: Promise.resolve(), dependency: null };
      created.ready = this.prepare(created);
      entry = created;
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
      await entry.ready;
    } catch (error) {
      if (this.rooms.get(name)?.room === room) this.forget(name);
      throw error;
    }
    return room;
  }

  /** Loads the document, then what it depends on, then tells the listeners. */
  private async prepare(entry: Entry): Promise<void> {
    const { room } = entry;
    await room.ready;
    if (room.ref.kind === 'notes') {
      const { workshopId } = room.ref;
      let roomDoc: DocRoom;
      try {
        roomDoc = await this.acquire(roomDocName(workshopId), { kind: 'room', workshopId });
      } catch (error) {
        void room.close();
        throw error;
      }
      if (this.rooms.get(room.name) !== entry) {
        // Dropped while its room document loaded (the store failed): hold nothing for it.
        this.release(roomDoc);
        throw new Error(`document ${room.name} was dropped while loading`);
      }
      entry.dependency = roomDoc;
      room.writePolicy = notesWritePolicy(roomDoc.doc, room.doc);
    }
    for (const listener of this.listeners) {
      try {
        listener.loaded?.(room);
      } catch (error) {
        this.deps.log.error('room-listener-failed', { doc: room.name, error: String(error) });
      }
    }
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
    if (!entry) return;
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    this.rooms.delete(name);
    this.deps.metrics.roomsLoaded.set(this.rooms.size);
    for (const listener of this.listeners) {
      try {
        listener.unloading?.(entry.room);
      } catch (error) {
        this.deps.log.error('room-listener-failed', { doc: name, error: String(error) });
      }
    }
    if (entry.dependency) this.release(entry.dependency);
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
