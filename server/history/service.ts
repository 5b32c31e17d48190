import * as Y from 'yjs';
import { ArvoError } from '../../shared/errors';
import { canRead, type Claims } from '../../shared/protocol/permissions';
import { draftsDocName, parseDocName } from '../../shared/protocol/docNames';
import type { LogPosition, LoggedUpdate, DocStore } from '../store/port';

/**
 * Replay's server half (issue 5): a workshop's update log, paged in log order, and any
 * document's state at a sequence number or a time, from checkpoints kept beside the log.
 *
 * Privacy: the log query itself leaves out every drafts document except the caller's own, so no
 * code path here ever holds another participant's drafts. The state endpoint applies the same
 * read rule as the live endpoints (`accessTo`).
 *
 * Pages are bounded in bytes as well as entries (`pageMaxBytes`, the JSON body): a log of big
 * updates comes in more, smaller pages, never in one answer too large to build.
 *
 * Checkpoints are built lazily and bounded (docs/schema.md, "Checkpoints"): asked for a
 * document's state at seq n, the service loads the newest checkpoint at or below n; if that is
 * a spacing S or more updates behind, it replays the gap once, storing a checkpoint at every
 * multiple of S on the way. S is K = 200 doubled until the document's log holds at most
 * `checkpointsPerDoc` multiples of it, and after writing, the store deletes the document's
 * checkpoints that are not multiples of S. So whatever anyone asks, a document never has more
 * than `checkpointsPerDoc` checkpoints, and any later request costs one checkpoint plus fewer
 * than S updates. Replays yield to the event loop as they go, and at most
 * `STATE_BUILDS_AT_ONCE` run at a time (a few more wait; beyond that, 503 and Retry-After), so
 * state requests cannot starve the live workshops. The relay is not involved.
 */
export const HISTORY_PAGE_DEFAULT = 1000;
export const HISTORY_PAGE_MAX = 5000;
export const HISTORY_PAGE_MAX_BYTES = 4 * 1024 * 1024;
export const CHECKPOINT_EVERY = 200;
export const CHECKPOINTS_PER_DOC = 32;
export const STATE_BUILDS_AT_ONCE = 2;
export const STATE_BUILDS_WAITING = 16;
/** JSON around one entry, generously: field names, doc name, participant id, seq, ts, base64 padding. */
const ENTRY_OVERHEAD = 256;
/** Updates applied between two yields to the event loop while replaying. */
const YIELD_EVERY = 500;

export class HistoryBusyError extends Error {
  override name = 'HistoryBusyError';
}

/** Where a document keeps its checkpoints: multiples of `every`, doubled until there are at most `perDoc`. */
export function checkpointSpacing(lastSeq: number, every: number, perDoc: number): number {
  let spacing = every;
  while (Math.floor(lastSeq / spacing) > perDoc) spacing *= 2;
  return spacing;
}

/** How many entries, and how many update bytes, fit a page whose JSON must stay within `maxBytes`. */
export function pageBudget(limit: number, maxBytes: number): { limit: number; updateBytes: number } {
  const entries = Math.max(1, Math.min(limit, Math.floor(maxBytes / 4 / ENTRY_OVERHEAD)));
  // Base64 turns 3 bytes into 4.
  const updateBytes = Math.max(1, Math.floor(((maxBytes - entries * ENTRY_OVERHEAD - 1024) * 3) / 4));
  return { limit: entries, updateBytes };
}

export interface HistoryEntry {
  doc: string;
  seq: number;
  ts: number;
  participantId: string | null;
  update: Uint8Array;
}

export interface HistoryPage {
  entries: HistoryEntry[];
  /** Cursor for the next page; null when this page reached the end of the log (as of now). */
  next: string | null;
  /** Cursor just after the last entry returned (null: none returned): resume from it later to follow a live workshop. */
  last: string | null;
}

export interface DocState {
  doc: string;
  /** The document's state includes every update up to and including this seq (0: none). */
  seq: number;
  /** Time of that update (null when seq is 0). */
  ts: number | null;
  state: Uint8Array;
}

export type StatePoint = { seq: number } | { at: number };

/** Cursors are opaque to clients: base64url of `ts:seq:doc`. */
export function encodeCursor(position: LogPosition): string {
  return Buffer.from(`${position.ts}:${position.seq}:${position.docName}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, workshopId: string): LogPosition {
  const invalid = () => new ArvoError('invalid-input', 'after: not a cursor from this workshop\'s history');
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw invalid();
  const match = /^(-?\d{1,16}):(\d{1,16}):(.+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw invalid();
  const ref = parseDocName(match[3]!);
  if (!ref || ref.workshopId !== workshopId) throw invalid();
  return { ts: Number(match[1]), seq: Number(match[2]), docName: match[3]! };
}

const position = (u: LoggedUpdate): LogPosition => ({ ts: u.ts, docName: u.docName, seq: u.seq });

export interface HistoryService {
  page(claims: Claims, workshopId: string, after: string | null, limit: number): Promise<HistoryPage>;
  state(claims: Claims, workshopId: string, docName: string, point: StatePoint): Promise<DocState>;
}

export interface HistoryOptions {
  checkpointEvery?: number;
  checkpointsPerDoc?: number;
  pageMaxBytes?: number;
}

export function createHistoryService(deps: { store: DocStore } & HistoryOptions): HistoryService {
  const every = deps.checkpointEvery ?? CHECKPOINT_EVERY;
  const perDoc = deps.checkpointsPerDoc ?? CHECKPOINTS_PER_DOC;
  const pageMaxBytes = deps.pageMaxBytes ?? HISTORY_PAGE_MAX_BYTES;
  const store = deps.store;
  const builds = createGate(STATE_BUILDS_AT_ONCE, STATE_BUILDS_WAITING);
  /** One build per document at a time: a request for the same gap waits and then finds the checkpoints. */
  const locks = new Map<string, Promise<unknown>>();
  async function serial<T>(key: string, task: () => Promise<T>): Promise<T> {
    const run = (locks.get(key) ?? Promise.resolve()).then(task, task);
    const tail = run.catch(() => undefined);
    locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (locks.get(key) === tail) locks.delete(key);
    }
  }

  async function authorise(claims: Claims, workshopId: string): Promise<void> {
    if (claims.workshopId !== workshopId) throw new ArvoError('forbidden', 'the token is for another workshop');
    if (!(await store.getWorkshop(workshopId))) throw new ArvoError('not-found', 'no such workshop');
  }

  /**
   * The document after `seq` updates (and that update's time), from the nearest checkpoint,
   * storing missing checkpoints (multiples of the document's spacing) on the way.
   */
  async function stateAtSeq(docName: string, seq: number, lastSeq: number): Promise<{ doc: Y.Doc; ts: number | null }> {
    const doc = new Y.Doc();
    if (seq === 0) return { doc, ts: null };
    const spacing = checkpointSpacing(lastSeq, every, perDoc);
    const checkpoint = await store.checkpointAtOrBefore(docName, seq);
    if (checkpoint) Y.applyUpdate(doc, checkpoint.state);
    let at = checkpoint?.seq ?? 0;
    let ts = checkpoint?.ts ?? null;
    const storeMissing = seq - at >= spacing;
    let wrote = false;
    let applied = 0;
    while (at < seq) {
      const page = await store.readLog(docName, at, Math.min(1000, seq - at));
      if (page.length === 0) break;
      for (const entry of page) {
        try {
          Y.applyUpdate(doc, entry.update);
        } catch {
          // A damaged row changes nothing here, as in the relay's load and the replay engine.
        }
        at = entry.seq;
        ts = entry.ts;
        if (storeMissing && at % spacing === 0) {
          await store.writeCheckpoint({ docName, seq: at, ts: entry.ts, state: Y.encodeStateAsUpdate(doc) });
          wrote = true;
        }
        // A long replay must not hold the event loop: live workshops go on meanwhile.
        if (++applied % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    // The spacing grows with the log; checkpoints of a finer spacing go, so at most `perDoc` stay.
    if (wrote) await store.pruneCheckpoints(docName, spacing);
    return { doc, ts };
  }

  return {
    async page(claims, workshopId, after, limit) {
      await authorise(claims, workshopId);
      if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_PAGE_MAX) throw new ArvoError('invalid-input', `limit: an integer from 1 to ${HISTORY_PAGE_MAX}`);
      const from = after === null ? null : decodeCursor(after, workshopId);
      // The caller's own drafts only — and only if their role may read drafts at all (not observers).
      const ownDrafts = parseDocName(draftsDocName(workshopId, claims.participantId));
      const draftsOf = ownDrafts && canRead(claims, ownDrafts) ? claims.participantId : null;
      const budget = pageBudget(limit, pageMaxBytes);
      const { entries, more } = await store.readWorkshopLogPage({ workshopId, after: from, limit: budget.limit, draftsOf, maxBytes: budget.updateBytes });
      const lastRow = entries.at(-1);
      return {
        entries: entries.map((u) => ({ doc: u.docName, seq: u.seq, ts: u.ts, participantId: u.participantId, update: u.update })),
        next: more && lastRow ? encodeCursor(position(lastRow)) : null,
        last: lastRow ? encodeCursor(position(lastRow)) : after,
      };
    },

    async state(claims, workshopId, docName, point) {
      await authorise(claims, workshopId);
      const ref = parseDocName(docName);
      if (!ref || ref.workshopId !== workshopId) throw new ArvoError('invalid-input', 'doc: not a document of this workshop');
      if (!canRead(claims, ref)) throw new ArvoError('forbidden', 'no read access to this document');
      // A seq past the end means the newest state; a time means the last update at or before it.
      const newest = await store.lastLogged(docName);
      const target = 'seq' in point ? newest : await store.lastLogged(docName, point.at);
      const seq = 'seq' in point ? Math.min(target?.seq ?? 0, point.seq) : (target?.seq ?? 0);
      return builds.run(() =>
        serial(docName, async () => {
          const { doc, ts } = await stateAtSeq(docName, seq, newest?.seq ?? 0);
          const state = Y.encodeStateAsUpdate(doc);
          doc.destroy();
          return { doc: docName, seq, ts, state };
        }),
      );
    },
  };
}

/** At most `running` tasks at once, `waiting` more in line; past that, `HistoryBusyError`. */
function createGate(running: number, waiting: number) {
  let active = 0;
  const queue: Array<() => void> = [];
  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= running) {
        if (queue.length >= waiting) throw new HistoryBusyError('too many history states are being built; try again shortly');
        await new Promise<void>((resolve) => queue.push(resolve));
      } else active++;
      try {
        return await task();
      } finally {
        const next = queue.shift();
        if (next) next();
        else active--;
      }
    },
  };
}
