import * as Y from 'yjs';
import { ReplayEngine } from '../../../shared/replay/engine';
import { HistoryError, loadHistory as loadPages } from '../replay/history';
import { roomRoots } from '../../../shared/schema/layout';
import { roundSchema } from '../../../shared/schema/session';
import type { ReviewEvent } from './review';

export { HistoryError };

/**
 * Loads a workshop's whole history through the history API (docs/schema.md, "History API"), page
 * by page with the reader's token, into a ReplayEngine, and returns its timeline with each round
 * event carrying the room's `session.round` as it was right after that change (the plan, the
 * pauses and the server's times: what the review needs and the events alone do not say).
 */
export interface LoadedHistory {
  events: ReviewEvent[];
  entries: number;
}

export interface LoadOptions {
  /** Entries per page (the API allows 1–5000). */
  limit?: number;
  signal?: AbortSignal;
  /** Called after every page with the number of entries so far. */
  onProgress?: (entries: number) => void;
  fetch?: typeof fetch;
}

/** The timeline of an engine, with each round event's `session.round` read from the room at that event. */
export function reviewEvents(engine: ReplayEngine): ReviewEvent[] {
  return engine.events.map((event) => {
    if (event.docKind !== 'room' || !event.kind.startsWith('round-')) return event;
    const state = engine.docStateAt(event.doc, { index: event.index });
    if (!state) return event;
    const doc = new Y.Doc();
    try {
      Y.applyUpdate(doc, state);
      const parsed = roundSchema.safeParse(roomRoots(doc).session.get('round'));
      return parsed.success ? { ...event, round: parsed.data } : event;
    } finally {
      doc.destroy();
    }
  });
}

export async function loadHistory(workshopId: string, token: string, options: LoadOptions = {}): Promise<LoadedHistory> {
  const engine = new ReplayEngine();
  try {
    // The same pager the replay uses: one reading of the history API.
    await loadPages({
      workshopId,
      token,
      limit: options.limit ?? 5000,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      onPage(entries) {
        engine.append(entries);
        options.onProgress?.(engine.length);
      },
    });
    return { events: reviewEvents(engine), entries: engine.length };
  } finally {
    engine.destroy();
  }
}
