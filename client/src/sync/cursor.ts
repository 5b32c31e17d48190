import type { Awareness } from 'y-protocols/awareness';

/** How often a moving pointer is told to the others at most (the server throttles as well). */
export const PRESENCE_INTERVAL_MS = 50;

/** My pointer on the wall, into the room's awareness: a moving mouse is not a message flood. */
export class CursorSender {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: { x: number; y: number } | null | undefined = undefined;

  constructor(private readonly awareness: Awareness) {}

  set(cursor: { x: number; y: number } | null): void {
    this.pending = cursor;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.pending === undefined) return;
      this.awareness.setLocalStateField('cursor', this.pending);
      this.pending = undefined;
    }, PRESENCE_INTERVAL_MS);
  }

  destroy(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
