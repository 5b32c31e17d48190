import { entryFromJson, type ReplayEntry, type ReplayEntryJson } from '../../../shared/replay';

/**
 * The history API as the replay reads it (docs/schema.md, "History API"): pages of the update
 * log with the reader's token in the Authorization header, until `next` is null. Each page is
 * handed over as it arrives, so the engine grows while the rest downloads. The server caps a page
 * in bytes as well as entries (HISTORY_PAGE_MAX_BYTES), so a page may hold fewer entries than
 * asked for: only `next` says whether more follow.
 */
export const HISTORY_PAGE = 2000;

export class HistoryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

interface PageJson {
  entries: ReplayEntryJson[];
  next: string | null;
  last: string | null;
}

export interface LoadOptions {
  workshopId: string;
  token: string;
  /** Start after this cursor (a previous load's `last`): only what was added since. */
  after?: string | null;
  limit?: number;
  signal?: AbortSignal;
  /** Called with every page, in order, and the cursor to continue after it (a retry after a failure starts there). */
  onPage(entries: ReplayEntry[], page: number, last: string | null): void;
  fetch?: typeof fetch;
}

/** Reads the whole log (or what came after `after`); resolves with the cursor to continue from later. */
export async function loadHistory(options: LoadOptions): Promise<{ last: string | null; entries: number }> {
  const get = options.fetch ?? fetch;
  const limit = options.limit ?? HISTORY_PAGE;
  let after = options.after ?? null;
  let last = after;
  let count = 0;
  for (let page = 1; ; page++) {
    const url = `/api/workshops/${encodeURIComponent(options.workshopId)}/history?limit=${limit}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
    let response: Response;
    try {
      response = await get(url, { headers: { authorization: `Bearer ${options.token}` }, ...(options.signal ? { signal: options.signal } : {}) });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new HistoryError(0, 'network', String(error));
    }
    if (!response.ok) {
      const json = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
      throw new HistoryError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText);
    }
    const json = (await response.json().catch(() => ({}))) as Partial<PageJson>;
    if (!Array.isArray(json.entries)) throw new HistoryError(response.status, 'invalid-response', 'the history page has no entries');
    // Left the view meanwhile: nothing more goes into an engine that is gone.
    if (options.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    const entries = json.entries.map(entryFromJson);
    count += entries.length;
    last = json.last ?? last;
    options.onPage(entries, page, last);
    if (!json.next) break;
    after = json.next;
  }
  return { last, entries: count };
}
