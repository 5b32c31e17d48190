import { errorMessage } from '../errorMessage';
import { t } from '../i18n/i18n.svelte';
import { HistoryError, loadHistory } from './history';
import type { ReviewEvent } from './review';

export type ReviewLoad = { state: 'loading'; entries: number } | { state: 'ready'; entries: number; events: ReviewEvent[] } | { state: 'error'; message: string };

/**
 * Reads the workshop's history for the review: the entries read so far while loading, the events
 * once ready, or a message saying why not. A new read abandons the one under way.
 */
export class ReviewLoader {
  load = $state<ReviewLoad>({ state: 'loading', entries: 0 });
  #controller: AbortController | null = null;

  constructor(
    private readonly workshopId: () => string,
    private readonly token: () => string,
  ) {}

  fetch = async (): Promise<void> => {
    this.#controller?.abort();
    const mine = (this.#controller = new AbortController());
    this.load = { state: 'loading', entries: 0 };
    try {
      const history = await loadHistory(this.workshopId(), this.token(), {
        signal: mine.signal,
        onProgress: (entries) => {
          if (this.#controller === mine) this.load = { state: 'loading', entries };
        },
      });
      if (this.#controller === mine) this.load = { state: 'ready', entries: history.entries, events: history.events };
    } catch (error) {
      if (this.#controller !== mine || mine.signal.aborted) return;
      const message =
        error instanceof HistoryError && (error.status === 401 || error.status === 403)
          ? t('review.errorDenied', { status: error.status })
          : t('review.error', { message: errorMessage(error) });
      this.load = { state: 'error', message };
    }
  };

  abort(): void {
    this.#controller?.abort();
  }
}
