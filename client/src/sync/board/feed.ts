import type { BoardSnapshot, Readable } from '../types';

/**
 * When the board is published to views. A local edit (a transaction made in this tab: an op, an
 * undo) is published at once, so the view that made it shows it in the same frame and needs no
 * "pending" overlay of its own; remote edits, presence and connection changes are gathered into
 * one publication per animation frame. Listeners hear only snapshots that differ (by identity).
 */
export interface FrameScheduler {
  request(run: () => void): unknown;
  cancel(handle: unknown): void;
}

export const browserFrames: FrameScheduler = {
  request: (run) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : setTimeout(run, 16)),
  cancel: (handle) => (typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame(handle as number) : clearTimeout(handle as ReturnType<typeof setTimeout>)),
};

export class BoardFeed implements Readable<BoardSnapshot> {
  private readonly listeners = new Set<(snapshot: BoardSnapshot) => void>();
  private frame: unknown = null;
  private published: BoardSnapshot | null = null;

  constructor(
    private readonly take: () => BoardSnapshot,
    private readonly frames: FrameScheduler = browserFrames,
  ) {}

  /** The board as it is now (local edits included), whether or not it has been published yet. */
  get current(): BoardSnapshot {
    return this.take();
  }

  subscribe(run: (snapshot: BoardSnapshot) => void): () => void {
    this.listeners.add(run);
    run(this.published ?? (this.published = this.take()));
    return () => this.listeners.delete(run);
  }

  /** Something the board reads changed: publish now (local) or with the next frame (remote). */
  invalidate(local: boolean): void {
    if (local) this.flush();
    else if (this.frame === null) {
      this.frame = this.frames.request(() => {
        this.frame = null;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.frame !== null) {
      this.frames.cancel(this.frame);
      this.frame = null;
    }
    const snapshot = this.take();
    if (snapshot === this.published) return;
    this.published = snapshot;
    for (const listener of this.listeners) listener(snapshot);
  }

  destroy(): void {
    if (this.frame !== null) this.frames.cancel(this.frame);
    this.frame = null;
    this.listeners.clear();
  }
}
