import * as Y from 'yjs';
import { ReplayEngine } from '../../../shared/replay/engine';
import { entryFromJson, type ReplayEntryJson } from '../../../shared/replay/types';
import { roomRoots } from '../../../shared/schema/layout';
import { roundSchema } from '../../../shared/schema/session';
import type { ReviewEvent } from './review';

/**
 * Loads a workshop's whole history through the history API (docs/schema.md, "History API"), page
 * by page with the reader's token, into a ReplayEngine, and returns its timeline with each round
 * event carrying the room's `session.round` as it was right after that change (the plan, the
 * pauses and the server's times: what the review needs and the events alone do not say).
 */
export interface HistoryPage {
  entries: ReplayEntryJson[];
  next: string | null;
  last: string | null;
}

export class HistoryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

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

async function fetchPage(workshopId: string, token: string, after: string | null, options: LoadOptions): Promise<HistoryPage> {
  const query = new URLSearchParams({ limit: String(options.limit ?? 5000) });
  if (after) query.set('after', after);
  const get = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await get(`/api/workshops/${encodeURIComponent(workshopId)}/history?${query}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new HistoryError(0, 'network', String(error));
  }
  const json = (await response.json().catch(() => ({}))) as Partial<HistoryPage> & { error?: { code?: string; message?: string } };
  if (!response.ok) throw new HistoryError(response.status, json.error?.code ?? 'error', json.error?.message ?? response.statusText);
  if (!Array.isArray(json.entries)) throw new HistoryError(response.status, 'invalid-response', 'the history page has no entries');
  return { entries: json.entries, next: json.next ?? null, last: json.last ?? null };
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
    let after: string | null = null;
    for (;;) {
      const page = await fetchPage(workshopId, token, after, options);
      engine.append(page.entries.map(entryFromJson));
      options.onProgress?.(engine.length);
      if (!page.next) break;
      after = page.next;
    }
    return { events: reviewEvents(engine), entries: engine.length };
  } finally {
    engine.destroy();
  }
}
