import type { BoardSnapshot, Readable } from '../types';

/**
 * When the board is published to views. A local edit (a transaction made in this tab: an op, an
 * undo) is published at once, so the view that made it shows it in the same frame and needs no
 * "pending" overlay of its own; remote edits, presence and connection changes are gathered into
 * one publication per animation frame. Listeners hear only snapshots that differ (by identity).
 *
 * When publishing is slow (taking the snapshot and the listeners' work, the wall's relayout,
 * longer than a frame), remote changes wait at least as long again before the next publication:
 * while 30 documents arrive one message at a time on first load, the tab then spends at most half
 * its time drawing boards that the next message replaces, and the rest reading the documents.
 * Local edits never wait.
 */
export interface FrameScheduler {
  request(run: () => void): unknown;
  cancel(handle: unknown): void;
}

export const browserFrames: FrameScheduler = {
  request: (run) => (typeof requestAnimationFrame === 'function' ? requestAnimationFrame(run) : setTimeout(run, 16)),
  cancel: (handle) => (typeof cancelAnimationFrame === 'function' ? cancelAnimationFrame(handle as number) : clearTimeout(handle as ReturnType<typeof setTimeout>)),
};

/** Publishing that takes longer than a frame at 60 Hz is slow. */
const SLOW_MS = 16;

export class BoardFeed implements Readable<BoardSnapshot> {
  private readonly listeners = new Set<(snapshot: BoardSnapshot) => void>();
  private frame: unknown = null;
  private published: BoardSnapshot | null = null;
  /** No remote publication before this time (see above); 0 while publishing is cheap. */
  private notBefore = 0;

  constructor(
    private readonly take: () => BoardSnapshot,
    private readonly frames: FrameScheduler = browserFrames,
    private readonly now: () => number = () => performance.now(),
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
    else this.schedule();
  }

  private schedule(): void {
    if (this.frame !== null) return;
    this.frame = this.frames.request(() => {
      this.frame = null;
      if (this.now() < this.notBefore) this.schedule();
      else this.flush();
    });
  }

  flush(): void {
    if (this.frame !== null) {
      this.frames.cancel(this.frame);
      this.frame = null;
    }
    const start = this.now();
    const snapshot = this.take();
    if (snapshot === this.published) return;
    this.published = snapshot;
    for (const listener of this.listeners) listener(snapshot);
    const end = this.now();
    this.notBefore = end - start > SLOW_MS ? end + (end - start) : 0;
  }

  destroy(): void {
    if (this.frame !== null) this.frames.cancel(this.frame);
    this.frame = null;
    this.listeners.clear();
  }
}
