/**
 * Store failures that are the server's condition rather than the request's: the disk is full,
 * the file cannot be written or read, another connection holds the lock, the database server is
 * unreachable, or this process no longer owns the workshop (fenced). The HTTP API answers them
 * with 503 and Retry-After (server/http/json.ts); the relay closes with 4503.
 *
 * better-sqlite3 throws a SqliteError whose `code` is SQLite's extended result code name
 * (SQLITE_FULL, SQLITE_IOERR_WRITE, …). The PostgreSQL adapter (server/store/postgres.ts) wraps
 * the failures that are not about the request in a `StoreError` of kind 'unavailable'.
 */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN|NOMEM|PROTOCOL)/;
const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;

/**
 * - `fenced`: an append carried a fence (workshop + lease epoch) and the workshop's lease is now
 *   at another epoch: another process took the workshop over. Nothing of the batch was stored.
 * - `unavailable`: the database cannot be reached or cannot take the write now.
 * - `corrupt`: the database is damaged.
 */
export type StoreErrorKind = 'fenced' | 'unavailable' | 'corrupt';

export class StoreError extends Error {
  override name = 'StoreError';
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The store cannot be opened at start: `locked` (another process has the SQLite data directory),
 * `corrupt` (a damaged file), `unreachable` (PostgreSQL does not answer, or refuses the login or
 * the database), `incompatible` (a PostgreSQL schema newer than this code). server/main.ts turns
 * each into its exit code.
 */
export class StoreOpenError extends Error {
  override name = 'StoreOpenError';
  constructor(
    readonly reason: 'locked' | 'corrupt' | 'unreachable' | 'incompatible',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const codeOf = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
};

/**
 * Also when the store's error is the `cause` of another (a room that could not store a change).
 * A fenced append counts: the write was refused for a reason of the server's, and a retry (which
 * reaches the workshop's new owner) can succeed.
 */
export function isStoreUnavailable(error: unknown, depth = 0): boolean {
  if (error instanceof StoreError) return true;
  const code = codeOf(error);
  if (UNAVAILABLE.test(code) || CORRUPT.test(code)) return true;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return depth < 4 && cause !== undefined && isStoreUnavailable(cause, depth + 1);
}

/** The append was refused because another process took the workshop over (see `Fence`). */
export function isFenced(error: unknown, depth = 0): boolean {
  if (error instanceof StoreError && error.kind === 'fenced') return true;
  const cause = (error as { cause?: unknown } | null)?.cause;
  return depth < 4 && cause !== undefined && isFenced(cause, depth + 1);
}

/** The database file is damaged: nothing will work until it is restored (see README, "Deploying"). */
export function isStoreCorrupt(error: unknown): boolean {
  if (error instanceof StoreError) return error.kind === 'corrupt';
  return CORRUPT.test(codeOf(error));
}
