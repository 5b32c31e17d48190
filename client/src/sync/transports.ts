import { IndexeddbPersistence } from 'y-indexeddb';
import type * as Y from 'yjs';
import { browserFrames, type FrameScheduler } from './board/feed';

/**
 * Everything the sync layer needs from the outside world, passed in by whoever makes it: the
 * browser's by default (WebSocket, IndexedDB, fetch, Date.now, animation frames), Node's in the
 * tests (the `ws` package, no persistence). Nothing in client/src/sync reaches for a global
 * transport itself.
 */
export interface Persistence {
  destroy(): unknown;
}

/** Keeps the records of documents this tab only reads across reloads (./documents.ts); plain values by document name. */
export interface RecordsStore {
  load(name: string): Promise<unknown>;
  save(name: string, value: unknown): void;
}

export interface SyncTransports {
  createSocket(url: string): WebSocket;
  /** Keeps a document across reloads (IndexedDB in the browser); null: memory only. */
  persistence: ((name: string, doc: Y.Doc) => Persistence) | null;
  /** The same for records (IndexedDB in the browser, when there is one); null: memory only. */
  recordsStore: RecordsStore | null;
  /**
   * Removes the copies `persistence` kept of the documents `drop` names (by document name): a
   * browser that ran code from before records mode holds one per participant's notes it read.
   */
  dropPersisted?: ((drop: (name: string) => boolean) => void) | null;
  fetch: typeof fetch;
  now(): number;
  frames: FrameScheduler;
}

export function browserTransports(): SyncTransports {
  return {
    createSocket: (url) => new WebSocket(url),
    persistence: (name, doc) => new IndexeddbPersistence(`${PERSISTED_PREFIX}${name}`, doc),
    dropPersisted: typeof indexedDB === 'undefined' ? null : dropIndexedDbDocs,
    recordsStore: typeof indexedDB === 'undefined' ? null : indexedDbRecords(),
    fetch: (input, init) => fetch(input, init),
    now: () => Date.now(),
    frames: browserFrames,
  };
}

/** y-indexeddb keeps each document in a database of its own, named by this prefix and the document's name. */
const PERSISTED_PREFIX = 'arvo:';

/** Deletes the databases of the documents `drop` names (`indexedDB.databases` missing, as in older browsers: nothing). */
function dropIndexedDbDocs(drop: (name: string) => boolean): void {
  if (typeof indexedDB.databases !== 'function') return;
  indexedDB
    .databases()
    .then((databases) => {
      for (const { name } of databases) if (name?.startsWith(PERSISTED_PREFIX) && drop(name.slice(PERSISTED_PREFIX.length))) indexedDB.deleteDatabase(name);
    })
    .catch(() => undefined);
}

/**
 * One IndexedDB database for every workshop's records (`arvo-records`, a store keyed by document
 * name). Failures are not the tab's problem: a save that fails is lost, a load that fails is none.
 */
function indexedDbRecords(): RecordsStore {
  let opened: Promise<IDBDatabase> | null = null;
  const db = () =>
    (opened ??= new Promise((resolve, reject) => {
      const request = indexedDB.open('arvo-records', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('docs');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB unavailable'));
    }));
  const run = <T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> =>
    db().then(
      (database) =>
        new Promise<T>((resolve, reject) => {
          const request = act(database.transaction('docs', mode).objectStore('docs'));
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
        }),
    );
  return {
    load: (name) => run('readonly', (store) => store.get(name)).catch(() => undefined),
    save: (name, value) => void run('readwrite', (store) => store.put(value, name)).catch(() => undefined),
  };
}
