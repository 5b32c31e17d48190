/**
 * A page, view or panel loaded on first use, in its own chunk: only what the wall needs is in the
 * main bundle (parsed, compiled and kept in memory by every tab); the rest loads when opened.
 *
 * Memoised, so a part opened before renders at once, without a flash of the loading text, and two
 * places asking at once share one request. A failed load is forgotten, so the next call (the
 * "Try again" button of LazyView.svelte) asks the network again instead of repeating the failure.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () =>
    (promise ??= load().catch((error: unknown) => {
      promise = undefined;
      throw error;
    }));
}
