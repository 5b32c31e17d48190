/**
 * `window.__arvoReplay`: what end-to-end tests read about the replay (the wall it draws is in
 * `window.__arvoWall`, canvas/testHook.ts). Times are the server's, ms since the epoch.
 */
export interface ReplayTestHook {
  /** Every page of the history has been read. */
  loaded: boolean;
  entries: number;
  start: number;
  end: number;
  /** The moment shown and the log index it is at (−1: before the first entry). */
  moment: number;
  index: number;
  /** The scrubber value (`replay-scrubber`'s value) of a workshop time. */
  valueOf(ts: number): number;
}

declare global {
  interface Window {
    __arvoReplay?: ReplayTestHook;
  }
}

export function publishReplay(hook: ReplayTestHook): void {
  if (typeof window !== 'undefined') window.__arvoReplay = hook;
}

export function unpublishReplay(): void {
  if (typeof window !== 'undefined') delete window.__arvoReplay;
}
